#include "obs/emf.hpp"

#include "core/json.hpp"

namespace tenantd::obs {

namespace {

constexpr std::array<const char*, 8> kNames = {
    "TenantCreated", "TenantParked",   "TenantUnparked",         "TenantDeleted",
    "ParkFailures",  "UnparkFailures", "StatusTransitionErrors", "OutboxFailed"};

}  // namespace

EmfReporter::EmfReporter(MetricsRegistry& metrics, std::string environment)
    : metrics_(metrics), environment_(std::move(environment)), last_(current()) {}

std::array<std::uint64_t, EmfReporter::kCounters> EmfReporter::current() const {
  auto& m = metrics_;
  return {
      m.tenant_created().value(),           m.tenant_parked().value(), m.tenant_unparked().value(),
      m.tenant_deleted().value(),           m.park_failures().value(), m.unpark_failures().value(),
      m.status_transition_errors().value(), m.outbox_failed().value()};
}

std::string EmfReporter::line(TimePoint now, double latency_ms) {
  const auto counts = current();
  JsonWriter out;
  out.begin_object().key("_aws").begin_object().field("Timestamp", epoch_ms(now));
  out.key("CloudWatchMetrics").begin_array().begin_object();
  out.field("Namespace", "BBWS/TenantManagement");
  out.key("Dimensions").begin_array().begin_array().value("Environment").end_array().end_array();
  out.key("Metrics").begin_array();
  for (const char* name : kNames) {
    out.begin_object().field("Name", name).field("Unit", "Count").end_object();
  }
  out.begin_object().field("Name", "RequestLatency").field("Unit", "Milliseconds").end_object();
  out.end_array().end_object().end_array().end_object();
  out.field("Environment", environment_);
  for (std::size_t i = 0; i < kCounters; ++i) {
    out.field(kNames[i], static_cast<std::int64_t>(counts[i] - last_[i]));
  }
  out.field("RequestLatency", latency_ms).end_object();
  last_ = counts;
  return out.str();
}

}  // namespace tenantd::obs
