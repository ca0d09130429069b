#pragma once
// CloudWatch Embedded Metric Format (docs/operations.md#observability): in Lambda, metrics are JSON
// log lines that CloudWatch turns into metrics of namespace BBWS/TenantManagement with dimension
// Environment.
#include <array>
#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "obs/metrics.hpp"

namespace tenantd::obs {

class EmfReporter {
 public:
  EmfReporter(MetricsRegistry& metrics, std::string environment);

  // One invocation's line: how much each business counter grew since the previous line (zero
  // included, so that every series is continuous) and the invocation's latency.
  std::string line(TimePoint now, double latency_ms);

 private:
  static constexpr std::size_t kCounters = 8;
  std::array<std::uint64_t, kCounters> current() const;

  MetricsRegistry& metrics_;
  std::string environment_;
  std::array<std::uint64_t, kCounters> last_{};
};

}  // namespace tenantd::obs
