// GET /instances/{id}/status never shows stored counts as a live reading (docs/instances.md,
// "Live status"): it names the source of its counts and says UNKNOWN when the driver's read failed.
#include <gtest/gtest.h>

#include "api/handlers/instance_json.hpp"
#include "core/json.hpp"

namespace tenantd::api {
namespace {

service::InstanceStatus active_instance() {
  service::InstanceStatus s;
  s.instance.instance_id = "inst-1";
  s.instance.tenant_id = "tenant-1";
  s.instance.state = domain::InstanceState::Active;
  s.instance.desired_count = 3;
  s.instance.running_count = 3;
  return s;
}

JsonDoc render(const service::InstanceStatus& s) {
  auto doc = parse_json(status_json(s));
  EXPECT_TRUE(doc.has_value());
  return std::move(*doc);
}

TEST(InstanceStatusJson, StoredCountsOfADriverThatReadsNoLiveStateSaySourceStore) {
  const auto doc = render(active_instance());
  EXPECT_EQ(as_view(doc["source"]), "STORE");
  EXPECT_EQ(as_view(doc["healthStatus"]), "HEALTHY");
  EXPECT_FALSE(doc.HasMember("reason"));
}

TEST(InstanceStatusJson, AFailedLiveReadIsUnknownWithItsReasonAndTheStoredCounts) {
  auto s = active_instance();
  s.live = service::LiveRead{std::nullopt,
                             domain::ErrorInfo{"ECS_SERVICE_NOT_FOUND", "no such service", false}};
  const auto doc = render(s);
  EXPECT_EQ(as_view(doc["healthStatus"]), "UNKNOWN");
  EXPECT_EQ(as_view(doc["source"]), "STORE");
  EXPECT_EQ(as_view(doc["reason"]["code"]), "ECS_SERVICE_NOT_FOUND");
  EXPECT_FALSE(doc["reason"]["retryable"].GetBool());
  EXPECT_EQ(doc["runningCount"].GetInt(), 3);
}

TEST(InstanceStatusJson, ALiveReadShowsEcsCountsAndJudgesHealthByThem) {
  auto s = active_instance();
  s.live = service::LiveRead{service::LiveService{3, 1, 2, "IN_PROGRESS"}, std::nullopt};
  const auto doc = render(s);
  EXPECT_EQ(as_view(doc["source"]), "ECS");
  EXPECT_EQ(doc["runningCount"].GetInt(), 1);
  EXPECT_EQ(doc["pendingCount"].GetInt(), 2);
  EXPECT_EQ(as_view(doc["healthStatus"]), "UNHEALTHY");
  EXPECT_FALSE(doc.HasMember("reason"));
}

}  // namespace
}  // namespace tenantd::api
