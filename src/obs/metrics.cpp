#include "obs/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <unordered_map>

namespace tenantd::obs {

namespace {

std::atomic<std::uint64_t> next_registry_id{1};

// Prometheus text format: label values escape \, " and newline; HELP escapes \ and newline.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  out.append(buffer, result.ptr);
}

void append_number(std::string& out, std::uint64_t v) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  out.append(buffer, result.ptr);
}

// `{a="x",b="y"}`, or empty without labels.
std::string render_labels(const Labels& labels) {
  if (labels.empty()) {
    return {};
  }
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += labels[i].first;
    out += "=\"";
    append_escaped(out, labels[i].second, true);
    out += '"';
  }
  out += '}';
  return out;
}

void append_header(std::string& out, std::string_view name, std::string_view help,
                   std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, help, false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

struct RequestKeyView {
  std::string_view route;
  std::string_view method;
  int status;
};

struct RequestKey {
  std::string route;
  std::string method;
  int status;
};

struct RequestKeyHash {
  using is_transparent = void;
  std::size_t operator()(const RequestKeyView& k) const {
    const std::size_t h = std::hash<std::string_view>{}(k.route);
    return (h * 31 + std::hash<std::string_view>{}(k.method)) * 31 +
           static_cast<std::size_t>(k.status);
  }
  std::size_t operator()(const RequestKey& k) const {
    return (*this)(RequestKeyView{k.route, k.method, k.status});
  }
};

struct RequestKeyEqual {
  using is_transparent = void;
  static RequestKeyView view(const RequestKeyView& k) { return k; }
  static RequestKeyView view(const RequestKey& k) { return {k.route, k.method, k.status}; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    const RequestKeyView x = view(a);
    const RequestKeyView y = view(b);
    return x.status == y.status && x.route == y.route && x.method == y.method;
  }
};

}  // namespace

struct MetricsRegistry::RequestSeries {
  RequestKey key;
  Histogram latency;
};

struct MetricsRegistry::Shard {
  std::mutex mutex;
  std::unordered_map<RequestKey, std::unique_ptr<RequestSeries>, RequestKeyHash, RequestKeyEqual>
      series;
};

struct MetricsRegistry::Family {
  std::string help;
  std::string type;                                          // "counter" | "gauge"
  std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered labels
  std::map<std::string, std::unique_ptr<Gauge>> gauges;
};

void Gauge::add(double by) {
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

void Histogram::observe(double ms) {
  if (!(ms > 0)) {
    ms = 0;  // also catches NaN
  }
  std::size_t bucket = 0;
  while (bucket < kLatencyBucketsMs.size() && ms > kLatencyBucketsMs[bucket]) {
    ++bucket;
  }
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::llround(ms * 1e6)), std::memory_order_relaxed);
}

std::array<std::uint64_t, kLatencyBucketsMs.size() + 1> Histogram::cumulative() const {
  std::array<std::uint64_t, kLatencyBucketsMs.size() + 1> out{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

std::uint64_t Histogram::count() const {
  return cumulative().back();
}

double Histogram::sum_ms() const {
  return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e6;
}

MetricsRegistry::MetricsRegistry() : id_(next_registry_id.fetch_add(1)) {
  for (auto& shard : shards_) {
    shard = std::make_unique<Shard>();
  }
  tenant_created_ = &counter("tenantd_tenant_created_total", "Tenants created.");
  tenant_parked_ = &counter("tenantd_tenant_parked_total", "Tenants parked.");
  tenant_unparked_ = &counter("tenantd_tenant_unparked_total", "Tenants unparked.");
  tenant_deleted_ = &counter("tenantd_tenant_deleted_total", "Tenants soft-deleted.");
  park_failures_ = &counter("tenantd_tenant_park_failures_total", "Park requests that failed.");
  unpark_failures_ =
      &counter("tenantd_tenant_unpark_failures_total", "Unpark requests that failed.");
  status_transition_errors_ = &counter("tenantd_tenant_status_transition_errors_total",
                                       "Requested status transitions that were not allowed.");
  outbox_failed_ = &counter("tenantd_outbox_failed_total",
                            "Outbox events parked as FAILED after their last attempt.");
  outbox_pending_ = &gauge("tenantd_outbox_pending", "Outbox events waiting for delivery.");
  up_ = &gauge("tenantd_up", "1 while the service is running.");
  up_->set(1);
}

MetricsRegistry::~MetricsRegistry() = default;

template <class T>
T& MetricsRegistry::series(std::string_view name, std::string_view help, std::string_view type,
                           const Labels& labels) {
  const std::lock_guard lock(families_mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->help = std::string(help);
    family->type = std::string(type);
    it = families_.emplace(std::string(name), std::move(family)).first;
  } else if (it->second->type != type) {
    throw std::logic_error("metric " + std::string(name) + " registered with two types");
  }
  auto& by_labels = [&]() -> auto& {
    if constexpr (std::is_same_v<T, Counter>) {
      return it->second->counters;
    } else {
      return it->second->gauges;
    }
  }
  ();
  auto& slot = by_labels[render_labels(labels)];
  if (!slot) {
    slot = std::make_unique<T>();
  }
  return *slot;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
  return series<Counter>(name, help, "counter", labels);
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  return series<Gauge>(name, help, "gauge", labels);
}

MetricsRegistry::RequestSeries& MetricsRegistry::request_series(std::string_view route,
                                                                std::string_view method,
                                                                int status) {
  // Each thread remembers the series it has used, so steady-state lookups take no lock.
  struct ThreadCache {
    std::uint64_t registry = 0;
    std::unordered_map<RequestKey, RequestSeries*, RequestKeyHash, RequestKeyEqual> series;
  };
  thread_local ThreadCache cache;
  if (cache.registry != id_) {
    cache.series.clear();
    cache.registry = id_;
  }
  const RequestKeyView view{route, method, status};
  if (const auto hit = cache.series.find(view); hit != cache.series.end()) {
    return *hit->second;
  }

  Shard& shard = *shards_[RequestKeyHash{}(view) % kShards];
  RequestSeries* found = nullptr;
  {
    const std::lock_guard lock(shard.mutex);
    auto it = shard.series.find(view);
    if (it == shard.series.end()) {
      RequestKey key{std::string(route), std::string(method), status};
      auto series = std::make_unique<RequestSeries>();
      series->key = key;
      it = shard.series.emplace(std::move(key), std::move(series)).first;
    }
    found = it->second.get();
  }
  cache.series.emplace(found->key, found);
  return *found;
}

void MetricsRegistry::observe_request(std::string_view route, std::string_view method, int status,
                                      double duration_ms) {
  request_series(route, method, status).latency.observe(duration_ms);
}

namespace {

// A family's series pointers, snapshot under the registry's lock.
struct FamilyView {
  std::string name;
  std::string help;
  std::string type;
  std::vector<std::pair<std::string, const Counter*>> counters;
  std::vector<std::pair<std::string, const Gauge*>> gauges;
};

// One request histogram read once, so that the counter, buckets, _count and _sum agree.
struct RequestSnapshot {
  std::string labels;  // route,method,status without the closing brace
  std::array<std::uint64_t, kLatencyBucketsMs.size() + 1> cumulative;
  double sum_ms;
};

template <class Number>
void append_sample(std::string& out, std::string_view name, std::string_view labels, Number value) {
  out += name;
  out += labels;
  out += ' ';
  append_number(out, value);
  out += '\n';
}

void append_family(std::string& out, const FamilyView& family) {
  append_header(out, family.name, family.help, family.type);
  for (const auto& [labels, c] : family.counters) {
    append_sample(out, family.name, labels, c->value());
  }
  for (const auto& [labels, g] : family.gauges) {
    append_sample(out, family.name, labels, g->value());
  }
}

void append_request_counters(std::string& out, const std::vector<RequestSnapshot>& snapshots) {
  constexpr std::string_view kRequests = "tenantd_http_requests_total";
  append_header(out, kRequests, "HTTP requests served, by route template, method and status.",
                "counter");
  for (const auto& s : snapshots) {
    out += kRequests;
    out += s.labels;
    out += "} ";
    append_number(out, s.cumulative.back());
    out += '\n';
  }
}

void append_latency_histograms(std::string& out, const std::vector<RequestSnapshot>& snapshots) {
  constexpr std::string_view kLatency = "tenantd_http_request_duration_ms";
  append_header(out, kLatency, "HTTP request latency in milliseconds.", "histogram");
  for (const auto& s : snapshots) {
    for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
      out += kLatency;
      out += "_bucket";
      out += s.labels;
      out += ",le=\"";
      if (i < kLatencyBucketsMs.size()) {
        append_number(out, kLatencyBucketsMs[i]);
      } else {
        out += "+Inf";
      }
      out += "\"} ";
      append_number(out, s.cumulative[i]);
      out += '\n';
    }
    out += kLatency;
    out += "_sum";
    out += s.labels;
    out += "} ";
    append_number(out, s.sum_ms);
    out += '\n';
    out += kLatency;
    out += "_count";
    out += s.labels;
    out += "} ";
    append_number(out, s.cumulative.back());
    out += '\n';
  }
}

}  // namespace

std::vector<const MetricsRegistry::RequestSeries*> MetricsRegistry::sorted_request_series() const {
  std::vector<const RequestSeries*> requests;
  for (const auto& shard : shards_) {
    const std::lock_guard lock(shard->mutex);
    for (const auto& [key, series] : shard->series) {
      requests.push_back(series.get());
    }
  }
  std::sort(requests.begin(), requests.end(), [](const RequestSeries* a, const RequestSeries* b) {
    return std::tie(a->key.route, a->key.method, a->key.status) <
           std::tie(b->key.route, b->key.method, b->key.status);
  });
  return requests;
}

std::string MetricsRegistry::render_prometheus() const {
  // Snapshot the series pointers under the locks; they never move or die before the registry.
  std::vector<FamilyView> families;
  {
    const std::lock_guard lock(families_mutex_);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) {
      FamilyView view{name, family->help, family->type, {}, {}};
      for (const auto& [labels, c] : family->counters) {
        view.counters.emplace_back(labels, c.get());
      }
      for (const auto& [labels, g] : family->gauges) {
        view.gauges.emplace_back(labels, g.get());
      }
      families.push_back(std::move(view));
    }
  }
  const std::vector<const RequestSeries*> requests = sorted_request_series();

  std::string out;
  out.reserve(4096 + requests.size() * 1200);
  for (const auto& family : families) {
    append_family(out, family);
  }
  if (requests.empty()) {
    return out;
  }
  std::vector<RequestSnapshot> snapshots;
  snapshots.reserve(requests.size());
  for (const RequestSeries* series : requests) {
    RequestSnapshot s{{}, series->latency.cumulative(), series->latency.sum_ms()};
    s.labels = render_labels({{"route", series->key.route},
                              {"method", series->key.method},
                              {"status", std::to_string(series->key.status)}});
    s.labels.pop_back();  // leave the brace open for le="..."
    snapshots.push_back(std::move(s));
  }
  append_request_counters(out, snapshots);
  append_latency_histograms(out, snapshots);
  return out;
}

}  // namespace tenantd::obs
