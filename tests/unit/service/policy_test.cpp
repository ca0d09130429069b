#include "service/policy.hpp"

#include <gtest/gtest.h>

namespace tenantd::service {
namespace {

// The table of docs/auth.md, written out independently: admin, operator, Admin, Operator, Viewer.
struct Expected {
  Action action;
  bool cells[5];
};

constexpr Expected kSpec[] = {
    {Action::CreateTenant, {true, true, false, false, false}},
    {Action::ReadTenant, {true, true, true, true, true}},
    {Action::UpdateTenant, {true, false, true, false, false}},
    {Action::TenantLifecycle, {true, false, false, false, false}},
    {Action::ManageMembers, {true, false, true, false, false}},
    {Action::ReadMembers, {true, true, true, true, false}},
    // Invitations are managed by tenant Admins; platform operators read everything.
    {Action::ReadInvitations, {true, true, true, false, false}},
    {Action::ProvisionInstance, {true, true, true, false, false}},
    {Action::OperateInstance, {true, true, true, true, false}},
    {Action::ReadInstance, {true, true, true, true, true}},
};

TEST(Policy, MatchesTheSpecTableForEveryRoleAndAction) {
  const Principal admin{"u1", "a@example.com", {"platform-admins"}};
  const Principal op{"u2", "o@example.com", {"platform-operators"}};
  const Principal nobody{"u3", "n@example.com", {"staff"}};
  for (const auto& row : kSpec) {
    EXPECT_EQ(platform_allows(admin, row.action), row.cells[0]);
    EXPECT_EQ(platform_allows(op, row.action), row.cells[1]);
    EXPECT_FALSE(platform_allows(nobody, row.action));
    EXPECT_EQ(tenant_role_allows(TenantRole::Admin, row.action), row.cells[2]);
    EXPECT_EQ(tenant_role_allows(TenantRole::Operator, row.action), row.cells[3]);
    EXPECT_EQ(tenant_role_allows(TenantRole::Viewer, row.action), row.cells[4]);
  }
}

TEST(Policy, RoleNamesRoundTrip) {
  for (const auto role : {TenantRole::Admin, TenantRole::Operator, TenantRole::Viewer}) {
    EXPECT_EQ(parse_tenant_role(to_string(role)), role);
  }
  EXPECT_FALSE(parse_tenant_role("admin").has_value());
}

}  // namespace
}  // namespace tenantd::service
