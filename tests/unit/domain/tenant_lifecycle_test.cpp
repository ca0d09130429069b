#include "domain/tenant_lifecycle.hpp"

#include <gtest/gtest.h>

namespace tenantd::domain {
namespace {

TEST(TenantLifecycle, ParkAndSuspendNeedAReason) {
  EXPECT_TRUE(action_needs_reason(TenantAction::Park));
  EXPECT_TRUE(action_needs_reason(TenantAction::Suspend));
  EXPECT_FALSE(action_needs_reason(TenantAction::Unpark));
  EXPECT_FALSE(action_needs_reason(TenantAction::Resume));
}

TEST(TenantLifecycle, ParkStampsAndUnparkClears) {
  Tenant active;
  active.status = TenantStatus::Active;
  const TimePoint now = TimePoint{} + std::chrono::hours(1);
  const Tenant parked = after_action(active, TenantAction::Park, TenantStatus::Parked, now,
                                     "ops@example.com", std::string("maintenance window"));
  EXPECT_EQ(parked.status, TenantStatus::Parked);
  EXPECT_EQ(parked.parked_at, now);
  EXPECT_EQ(parked.parked_by, "ops@example.com");
  EXPECT_EQ(parked.park_reason, "maintenance window");
  const Tenant unparked = after_action(parked, TenantAction::Unpark, TenantStatus::Active, now,
                                       "ops@example.com", std::nullopt);
  EXPECT_EQ(unparked.status, TenantStatus::Active);
  EXPECT_FALSE(unparked.parked_at);
  EXPECT_FALSE(unparked.parked_by);
  EXPECT_FALSE(unparked.park_reason);
}

TEST(TenantLifecycle, SuspendStampsAndResumeClears) {
  Tenant active;
  const TimePoint now = TimePoint{} + std::chrono::hours(2);
  const Tenant suspended = after_action(active, TenantAction::Suspend, TenantStatus::Suspended, now,
                                        "admin", std::string("unpaid invoices"));
  EXPECT_EQ(suspended.suspended_at, now);
  EXPECT_EQ(suspended.suspended_by, "admin");
  EXPECT_EQ(suspended.suspend_reason, "unpaid invoices");
  const Tenant resumed = after_action(suspended, TenantAction::Resume, TenantStatus::Active, now,
                                      "admin", std::nullopt);
  EXPECT_FALSE(resumed.suspended_at);
  EXPECT_FALSE(resumed.suspended_by);
  EXPECT_FALSE(resumed.suspend_reason);
}

}  // namespace
}  // namespace tenantd::domain
