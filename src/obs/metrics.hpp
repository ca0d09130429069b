#pragma once
// Metrics for `GET /metrics` (Prometheus text exposition 0.0.4, docs/operations.md#observability).
// Every series is a set of atomics whose address never changes, so the hot path is a lookup
// (a per-thread cache in front of a sharded map for request series) plus relaxed atomic adds;
// rendering copies series pointers under short locks and formats without holding any.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tenantd::obs {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Request latency buckets in milliseconds (upper bounds, inclusive); +Inf is implicit.
inline constexpr std::array<double, 12> kLatencyBucketsMs = {0.5, 1,   2,   5,   10,   25,
                                                             50,  100, 250, 500, 1000, 2500};

class Histogram {
 public:
  void observe(double ms);
  // Cumulative counts per bucket of kLatencyBucketsMs, then +Inf (== count()).
  std::array<std::uint64_t, kLatencyBucketsMs.size() + 1> cumulative() const;
  std::uint64_t count() const;
  double sum_ms() const;

 private:
  std::array<std::atomic<std::uint64_t>, kLatencyBucketsMs.size() + 1>
      buckets_{};  // not cumulative
  std::atomic<std::uint64_t> sum_ns_{0};
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Finds or creates a series. The reference stays valid for the registry's lifetime: look it
  // up once and keep it. `name` must be a valid metric name; the first help text wins.
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});

  // One request: tenantd_http_requests_total and tenantd_http_request_duration_ms
  // per (route, method, status). `route` is the route template, never the raw path.
  void observe_request(std::string_view route, std::string_view method, int status,
                       double duration_ms);

  // The business metrics of docs/operations.md#observability.
  Counter& tenant_created() { return *tenant_created_; }
  Counter& tenant_parked() { return *tenant_parked_; }
  Counter& tenant_unparked() { return *tenant_unparked_; }
  Counter& tenant_deleted() { return *tenant_deleted_; }
  Counter& park_failures() { return *park_failures_; }
  Counter& unpark_failures() { return *unpark_failures_; }
  Counter& status_transition_errors() { return *status_transition_errors_; }
  Counter& outbox_failed() { return *outbox_failed_; }
  Gauge& outbox_pending() { return *outbox_pending_; }
  Gauge& up() { return *up_; }

  std::string render_prometheus() const;

  struct RequestSeries;
  struct Family;

 private:
  // Every request series, by route, method and status.
  std::vector<const RequestSeries*> sorted_request_series() const;
  template <class T>
  T& series(std::string_view name, std::string_view help, std::string_view type,
            const Labels& labels);
  RequestSeries& request_series(std::string_view route, std::string_view method, int status);

  static constexpr std::size_t kShards = 16;
  struct Shard;

  const std::uint64_t id_;  // tells per-thread caches of different registries apart
  mutable std::mutex families_mutex_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::array<std::unique_ptr<Shard>, kShards> shards_;

  Counter* tenant_created_;
  Counter* tenant_parked_;
  Counter* tenant_unparked_;
  Counter* tenant_deleted_;
  Counter* park_failures_;
  Counter* unpark_failures_;
  Counter* status_transition_errors_;
  Counter* outbox_failed_;
  Gauge* outbox_pending_;
  Gauge* up_;
};

}  // namespace tenantd::obs
