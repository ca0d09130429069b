#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/tenant.hpp"

namespace tenantd::domain {
namespace {

using S = TenantStatus;
using A = TenantAction;

// The docs/tenants.md table, written out again by hand so that the implementation's table is
// checked against an independent copy rather than against itself.
const std::map<std::pair<S, A>, S>& expected_table() {
  static const std::map<std::pair<S, A>, S> table = {
      {{S::Pending, A::Activate}, S::Active},
      {{S::Pending, A::Fail}, S::Failed},
      {{S::Pending, A::Deprovision}, S::Deprovisioned},
      {{S::Failed, A::Retry}, S::Pending},
      {{S::Failed, A::Deprovision}, S::Deprovisioned},
      {{S::Active, A::Suspend}, S::Suspended},
      {{S::Active, A::Park}, S::Parked},
      {{S::Active, A::Deprovision}, S::Deprovisioned},
      {{S::Suspended, A::Resume}, S::Active},
      {{S::Suspended, A::Deprovision}, S::Deprovisioned},
      {{S::Parked, A::Unpark}, S::Active},
      {{S::Parked, A::Deprovision}, S::Deprovisioned},
  };
  return table;
}

std::string label(S from, A action) {
  return std::string(to_string(from)) + " -" + std::string(to_string(action)) + "->";
}

TEST(TenantStatusNames, RoundTripEveryStatus) {
  const std::vector<std::pair<S, std::string>> names = {
      {S::Pending, "PENDING"}, {S::Active, "ACTIVE"}, {S::Suspended, "SUSPENDED"},
      {S::Parked, "PARKED"},   {S::Failed, "FAILED"}, {S::Deprovisioned, "DEPROVISIONED"}};
  ASSERT_EQ(names.size(), kAllTenantStatuses.size());
  for (const auto& [status, name] : names) {
    EXPECT_EQ(to_string(status), name);
    EXPECT_EQ(parse_tenant_status(name), status) << name;
  }
}

TEST(TenantStatusNames, ParseRejectsOtherSpellings) {
  for (const char* text : {"", "active", "Active", " ACTIVE", "ACTIVE ", "DELETED", "PENDING\n"}) {
    EXPECT_FALSE(parse_tenant_status(text).has_value()) << '"' << text << '"';
  }
}

TEST(TenantActionNames, RoundTripEveryAction) {
  const std::vector<std::pair<A, std::string>> names = {
      {A::Activate, "activate"}, {A::Fail, "fail"},
      {A::Retry, "retry"},       {A::Suspend, "suspend"},
      {A::Resume, "resume"},     {A::Park, "park"},
      {A::Unpark, "unpark"},     {A::Deprovision, "deprovision"}};
  ASSERT_EQ(names.size(), kAllTenantActions.size());
  for (const auto& [action, name] : names) {
    EXPECT_EQ(to_string(action), name);
    EXPECT_EQ(parse_tenant_action(name), action) << name;
  }
  for (const char* text : {"", "SUSPEND", "Park", "delete", "park "}) {
    EXPECT_FALSE(parse_tenant_action(text).has_value()) << '"' << text << '"';
  }
}

TEST(EnvironmentNames, ParseIsExactLowerCase) {
  EXPECT_EQ(to_string(Environment::Dev), "dev");
  EXPECT_EQ(to_string(Environment::Sit), "sit");
  EXPECT_EQ(to_string(Environment::Prod), "prod");
  for (const auto env : kAllEnvironments) {
    EXPECT_EQ(parse_environment(to_string(env)), env);
  }
  for (const char* text : {"", "DEV", "Prod", "production", " dev", "dev ", "uat"}) {
    EXPECT_FALSE(parse_environment(text).has_value()) << '"' << text << '"';
  }
}

TEST(TenantTransitions, EveryStatusActionPairMatchesTheSpecTable) {
  int allowed = 0;
  for (const auto from : kAllTenantStatuses) {
    for (const auto action : kAllTenantActions) {
      const auto it = expected_table().find({from, action});
      const auto actual = tenant_transition(from, action);
      if (it == expected_table().end()) {
        EXPECT_FALSE(actual.has_value()) << label(from, action) << " should be refused";
      } else {
        ++allowed;
        ASSERT_TRUE(actual.has_value()) << label(from, action) << " should be allowed";
        EXPECT_EQ(*actual, it->second) << label(from, action);
      }
    }
  }
  EXPECT_EQ(allowed, 12);
}

TEST(TenantTransitions, EveryStatusPairMapsToTheOneActionThatLinksThem) {
  for (const auto from : kAllTenantStatuses) {
    for (const auto to : kAllTenantStatuses) {
      std::optional<A> expected;
      for (const auto& [key, target] : expected_table()) {
        if (key.first == from && target == to) {
          expected = key.second;
        }
      }
      const auto actual = tenant_action_for(from, to);
      const std::string pair = std::string(to_string(from)) + " -> " + std::string(to_string(to));
      if (!expected) {
        EXPECT_FALSE(actual.has_value()) << pair << " should have no action";
      } else {
        ASSERT_TRUE(actual.has_value()) << pair << " should have an action";
        EXPECT_EQ(*actual, *expected) << pair;
      }
    }
  }
}

TEST(TenantTransitions, NoStatusMovesToItself) {
  for (const auto status : kAllTenantStatuses) {
    EXPECT_FALSE(tenant_action_for(status, status).has_value()) << to_string(status);
  }
}

TEST(TenantTransitions, DeprovisionedIsTerminal) {
  for (const auto action : kAllTenantActions) {
    EXPECT_FALSE(tenant_transition(S::Deprovisioned, action).has_value()) << to_string(action);
  }
  EXPECT_TRUE(allowed_tenant_targets(S::Deprovisioned).empty());
}

TEST(TenantTransitions, AllowedTargetsAreDistinctAndInTableOrder) {
  const std::map<S, std::vector<S>> expected = {
      {S::Pending, {S::Active, S::Failed, S::Deprovisioned}},
      {S::Active, {S::Suspended, S::Parked, S::Deprovisioned}},
      {S::Suspended, {S::Active, S::Deprovisioned}},
      {S::Parked, {S::Active, S::Deprovisioned}},
      {S::Failed, {S::Pending, S::Deprovisioned}},
      {S::Deprovisioned, {}},
  };
  for (const auto from : kAllTenantStatuses) {
    EXPECT_EQ(allowed_tenant_targets(from), expected.at(from)) << to_string(from);
  }
}

TEST(TenantTransitions, AllowedTargetsAgreeWithTransitionFunction) {
  for (const auto from : kAllTenantStatuses) {
    std::set<S> reachable;
    for (const auto action : kAllTenantActions) {
      if (const auto to = tenant_transition(from, action)) {
        reachable.insert(*to);
      }
    }
    const auto targets = allowed_tenant_targets(from);
    EXPECT_EQ(std::set<S>(targets.begin(), targets.end()), reachable) << to_string(from);
    EXPECT_EQ(std::set<S>(targets.begin(), targets.end()).size(), targets.size())
        << to_string(from) << " lists a target twice";
  }
}

const DetailValue* find_detail(const Error& error, const std::string& key) {
  for (const auto& [name, value] : error.details) {
    if (name == key) {
      return &value;
    }
  }
  return nullptr;
}

TEST(InvalidTransition, CarriesCodeMessageAndDetailsInOrder) {
  const Error error = invalid_transition(S::Active, S::Pending);
  EXPECT_EQ(error.code, ErrorCode::InvalidStatusTransition);
  EXPECT_EQ(code_name(error.code), "INVALID_STATUS_TRANSITION");
  EXPECT_EQ(http_status(error.code), 422);
  EXPECT_EQ(error.message, "Cannot change tenant status from ACTIVE to PENDING");
  EXPECT_TRUE(error.errors.empty());
  ASSERT_EQ(error.details.size(), 3U);
  EXPECT_EQ(error.details[0].first, "currentStatus");
  EXPECT_EQ(error.details[1].first, "requestedStatus");
  EXPECT_EQ(error.details[2].first, "allowedTransitions");
  EXPECT_EQ(std::get<std::string>(error.details[0].second), "ACTIVE");
  EXPECT_EQ(std::get<std::string>(error.details[1].second), "PENDING");
  EXPECT_EQ(std::get<std::vector<std::string>>(error.details[2].second),
            (std::vector<std::string>{"SUSPENDED", "PARKED", "DEPROVISIONED"}));
}

TEST(InvalidTransition, FromTerminalStatusListsNoAllowedTransitions) {
  const Error error = invalid_transition(S::Deprovisioned, S::Active);
  EXPECT_EQ(error.message, "Cannot change tenant status from DEPROVISIONED to ACTIVE");
  const auto* allowed = find_detail(error, "allowedTransitions");
  ASSERT_NE(allowed, nullptr);
  EXPECT_TRUE(std::get<std::vector<std::string>>(*allowed).empty());
}

TEST(InvalidTransition, AllowedTransitionsMatchAllowedTargetsForEveryStatus) {
  for (const auto from : kAllTenantStatuses) {
    const Error error = invalid_transition(from, from);
    const auto* allowed = find_detail(error, "allowedTransitions");
    ASSERT_NE(allowed, nullptr);
    std::vector<std::string> expected;
    for (const auto target : allowed_tenant_targets(from)) {
      expected.emplace_back(to_string(target));
    }
    EXPECT_EQ(std::get<std::vector<std::string>>(*allowed), expected) << to_string(from);
    const auto* current = find_detail(error, "currentStatus");
    ASSERT_NE(current, nullptr);
    EXPECT_EQ(std::get<std::string>(*current), to_string(from));
  }
}

}  // namespace
}  // namespace tenantd::domain
