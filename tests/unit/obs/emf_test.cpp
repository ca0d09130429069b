#include "obs/emf.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"

namespace tenantd::obs {
namespace {

TEST(Emf, EachLineCarriesTheCounterIncrementsSinceTheLastAndTheLatency) {
  MetricsRegistry metrics;
  metrics.tenant_created().inc(3);  // before the reporter: not reported
  EmfReporter emf(metrics, "sit");
  metrics.tenant_created().inc();
  metrics.outbox_failed().inc(2);
  const TimePoint now{std::chrono::milliseconds(1769337000123)};
  const auto first = parse_json(emf.line(now, 1.5));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ((*first)["_aws"]["Timestamp"].GetInt64(), 1769337000123);
  const auto& directive = (*first)["_aws"]["CloudWatchMetrics"][0];
  EXPECT_EQ(as_view(directive["Namespace"]), "BBWS/TenantManagement");
  EXPECT_EQ(as_view(directive["Dimensions"][0][0]), "Environment");
  EXPECT_EQ(directive["Metrics"].Size(), 9U);  // eight business counters and the latency
  EXPECT_EQ(as_view((*first)["Environment"]), "sit");
  EXPECT_EQ((*first)["TenantCreated"].GetInt64(), 1);
  EXPECT_EQ((*first)["OutboxFailed"].GetInt64(), 2);
  EXPECT_EQ((*first)["TenantParked"].GetInt64(), 0);
  EXPECT_DOUBLE_EQ((*first)["RequestLatency"].GetDouble(), 1.5);
  // Every metric named in the directive has a value in the line.
  for (const auto& m : directive["Metrics"].GetArray()) {
    EXPECT_TRUE(first->HasMember(m["Name"])) << as_view(m["Name"]);
  }
  const auto second = parse_json(emf.line(now, 0.25));
  EXPECT_EQ((*second)["TenantCreated"].GetInt64(), 0);
  EXPECT_EQ((*second)["OutboxFailed"].GetInt64(), 0);
}

}  // namespace
}  // namespace tenantd::obs
