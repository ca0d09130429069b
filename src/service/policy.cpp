#include "service/policy.hpp"

#include <array>

namespace tenantd::service {

namespace {

// One row per action: platform admin, platform operator, tenant Admin, Operator, Viewer.
struct Rule {
  Action action;
  bool platform_admin;
  bool platform_operator;
  bool admin;
  bool operator_;
  bool viewer;
};

constexpr std::array<Rule, 10> kPolicy = {{
    {Action::CreateTenant, true, true, false, false, false},
    {Action::ReadTenant, true, true, true, true, true},
    {Action::UpdateTenant, true, false, true, false, false},
    {Action::TenantLifecycle, true, false, false, false, false},
    {Action::ManageMembers, true, false, true, false, false},
    {Action::ReadMembers, true, true, true, true, false},
    {Action::ReadInvitations, true, true, true, false, false},
    {Action::ProvisionInstance, true, true, true, false, false},
    {Action::OperateInstance, true, true, true, true, false},
    {Action::ReadInstance, true, true, true, true, true},
}};

const Rule& rule_for(Action action) {
  for (const auto& rule : kPolicy) {
    if (rule.action == action) {
      return rule;
    }
  }
  return kPolicy[0];  // unreachable: every Action has a row (checked by the unit test)
}

}  // namespace

std::string_view to_string(TenantRole role) {
  switch (role) {
    case TenantRole::Viewer:
      return "Viewer";
    case TenantRole::Operator:
      return "Operator";
    case TenantRole::Admin:
      return "Admin";
  }
  return "Viewer";
}

std::optional<TenantRole> parse_tenant_role(std::string_view text) {
  if (text == "Admin") {
    return TenantRole::Admin;
  }
  if (text == "Operator") {
    return TenantRole::Operator;
  }
  if (text == "Viewer") {
    return TenantRole::Viewer;
  }
  return std::nullopt;
}

bool platform_allows(const Principal& principal, Action action) {
  const Rule& rule = rule_for(action);
  return (principal.platform_admin() && rule.platform_admin) ||
         (principal.platform_operator() && rule.platform_operator);
}

bool tenant_role_allows(TenantRole role, Action action) {
  const Rule& rule = rule_for(action);
  switch (role) {
    case TenantRole::Admin:
      return rule.admin;
    case TenantRole::Operator:
      return rule.operator_;
    case TenantRole::Viewer:
      return rule.viewer;
  }
  return false;
}

}  // namespace tenantd::service
