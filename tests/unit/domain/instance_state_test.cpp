#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "domain/instance.hpp"

namespace tenantd::domain {
namespace {

using S = InstanceState;
using E = InstanceEvent;

// "BACK" stands for "the state the operation started from".
struct Expected {
  S state;
  bool back = false;
};

// docs/instances.md's table written out again by hand, so the implementation's table is checked
// against an independent copy rather than against itself.
const std::map<std::pair<S, E>, Expected>& expected_table() {
  static const std::map<std::pair<S, E>, Expected> table = {
      {{S::Failed, E::Retry}, {S::PendingProvisioning}},
      {{S::WorkflowFailed, E::Retry}, {S::PendingProvisioning}},
      {{S::Active, E::Scale}, {S::Scaling}},
      {{S::Active, E::Update}, {S::Updating}},
      {{S::Active, E::Suspend}, {S::Suspending}},
      {{S::Suspended, E::Resume}, {S::Resuming}},
      {{S::Active, E::Backup}, {S::BackingUp}},
      {{S::Suspended, E::Backup}, {S::BackingUp}},
      {{S::Active, E::Restore}, {S::Restoring}},
      {{S::Suspended, E::Restore}, {S::Restoring}},
      {{S::Active, E::Delete}, {S::PendingDeprovisioning}},
      {{S::Suspended, E::Delete}, {S::PendingDeprovisioning}},
      {{S::Failed, E::Delete}, {S::PendingDeprovisioning}},
      {{S::WorkflowFailed, E::Delete}, {S::PendingDeprovisioning}},
      {{S::PendingProvisioning, E::Commit}, {S::Committing}},
      {{S::Committing, E::QueueWorkflow}, {S::WorkflowQueued}},
      {{S::WorkflowQueued, E::RunWorkflow}, {S::WorkflowRunning}},
      {{S::WorkflowRunning, E::Deploy}, {S::Provisioning}},
      {{S::PendingDeprovisioning, E::StartDeprovision}, {S::Deprovisioning}},
      {{S::Provisioning, E::Complete}, {S::Active}},
      {{S::Scaling, E::Complete}, {S::Active}},
      {{S::Updating, E::Complete}, {S::Active}},
      {{S::Suspending, E::Complete}, {S::Suspended}},
      {{S::Resuming, E::Complete}, {S::Active}},
      {{S::BackingUp, E::Complete}, {S::Active, true}},
      {{S::Restoring, E::Complete}, {S::Active}},
      {{S::Deprovisioning, E::Complete}, {S::Deprovisioned}},
      {{S::PendingProvisioning, E::Fail}, {S::Failed}},
      {{S::Committing, E::Fail}, {S::Failed}},
      {{S::WorkflowQueued, E::Fail}, {S::Failed}},
      {{S::WorkflowRunning, E::Fail}, {S::Failed}},
      {{S::Provisioning, E::Fail}, {S::Failed}},
      {{S::PendingDeprovisioning, E::Fail}, {S::Failed}},
      {{S::Deprovisioning, E::Fail}, {S::Failed}},
      {{S::Scaling, E::Fail}, {S::Active, true}},
      {{S::Updating, E::Fail}, {S::Active, true}},
      {{S::Suspending, E::Fail}, {S::Active, true}},
      {{S::Resuming, E::Fail}, {S::Active, true}},
      {{S::BackingUp, E::Fail}, {S::Active, true}},
      {{S::Restoring, E::Fail}, {S::Active, true}},
      {{S::PendingProvisioning, E::FailWorkflow}, {S::WorkflowFailed}},
      {{S::Committing, E::FailWorkflow}, {S::WorkflowFailed}},
      {{S::WorkflowQueued, E::FailWorkflow}, {S::WorkflowFailed}},
      {{S::WorkflowRunning, E::FailWorkflow}, {S::WorkflowFailed}},
      {{S::Provisioning, E::FailWorkflow}, {S::WorkflowFailed}},
  };
  return table;
}

std::string label(S from, E event) {
  return std::string(to_string(from)) + " -" + std::string(to_string(event)) + "->";
}

TEST(InstanceStateMachine, EveryStateEventPairLandsWhereTheSpecSaysOrIsRefused) {
  int allowed = 0;
  for (const S from : kAllInstanceStates) {
    for (const E event : kAllInstanceEvents) {
      const auto got = instance_transition(from, event);
      const auto it = expected_table().find({from, event});
      if (it == expected_table().end()) {
        EXPECT_FALSE(got.has_value()) << label(from, event) << " should be refused";
        continue;
      }
      ++allowed;
      ASSERT_TRUE(got.has_value()) << label(from, event) << " should be allowed";
      EXPECT_EQ(got->back, it->second.back) << label(from, event);
      if (!it->second.back) {
        EXPECT_EQ(got->state, it->second.state) << label(from, event);
      }
    }
  }
  EXPECT_EQ(allowed, static_cast<int>(expected_table().size()));
}

TEST(InstanceStateMachine, DeprovisionedIsTerminal) {
  for (const E event : kAllInstanceEvents) {
    EXPECT_FALSE(instance_transition(S::Deprovisioned, event)) << to_string(event);
  }
}

TEST(InstanceStateMachine, BackupReturnsToWhereItStarted) {
  const auto t = instance_transition(S::BackingUp, E::Complete);
  ASSERT_TRUE(t);
  EXPECT_EQ(resolve(*t, S::Suspended), S::Suspended);
  EXPECT_EQ(resolve(*t, S::Active), S::Active);
}

TEST(InstanceStateMachine, ProvisionWalksTheSpecPathToActive) {
  std::vector<S> path = {S::PendingProvisioning};
  while (!is_resting(path.back())) {
    const auto e = next_progress_event(path.back());
    ASSERT_TRUE(e) << to_string(path.back());
    path.push_back(resolve(*instance_transition(path.back(), *e), S::Active));
  }
  const std::vector<S> expected = {S::PendingProvisioning, S::Committing,   S::WorkflowQueued,
                                   S::WorkflowRunning,     S::Provisioning, S::Active};
  EXPECT_EQ(path, expected);
  EXPECT_EQ(operation_steps(OperationType::Provision), 5);
  EXPECT_EQ(operation_steps(OperationType::Deprovision), 2);
  EXPECT_EQ(operation_steps(OperationType::Scale), 1);
}

TEST(InstanceStateMachine, EveryOperationStartsWithAnAllowedRequestAndEndsResting) {
  const std::map<OperationType, std::pair<S, E>> start = {
      {OperationType::Update, {S::Active, E::Update}},
      {OperationType::Scale, {S::Active, E::Scale}},
      {OperationType::Suspend, {S::Active, E::Suspend}},
      {OperationType::Resume, {S::Suspended, E::Resume}},
      {OperationType::Backup, {S::Active, E::Backup}},
      {OperationType::Restore, {S::Active, E::Restore}},
      {OperationType::Deprovision, {S::Active, E::Delete}},
      {OperationType::Provision, {S::Failed, E::Retry}},
  };
  for (const auto& [type, request] : start) {
    const auto t = instance_transition(request.first, request.second);
    ASSERT_TRUE(t) << to_string(type);
    EXPECT_EQ(t->state, initial_state(type)) << to_string(type);
    EXPECT_FALSE(is_resting(initial_state(type))) << to_string(type);
  }
}

TEST(InstanceStateMachine, ProgressEventForFindsOnlyForwardSteps) {
  EXPECT_EQ(progress_event_for(S::PendingProvisioning, S::Committing, S::Active), E::Commit);
  EXPECT_EQ(progress_event_for(S::Provisioning, S::Active, S::Active), E::Complete);
  EXPECT_EQ(progress_event_for(S::BackingUp, S::Suspended, S::Suspended), E::Complete);
  // Skipping steps, going backwards and failure targets are not progress.
  EXPECT_FALSE(progress_event_for(S::PendingProvisioning, S::Active, S::Active));
  EXPECT_FALSE(progress_event_for(S::Provisioning, S::Committing, S::Active));
  EXPECT_FALSE(progress_event_for(S::Provisioning, S::Failed, S::Active));
  EXPECT_FALSE(progress_event_for(S::Active, S::Active, S::Active));
}

TEST(InstanceStateMachine, RestingStatesHaveNoProgressStep) {
  for (const S s : kAllInstanceStates) {
    EXPECT_EQ(is_resting(s), !next_progress_event(s).has_value()) << to_string(s);
  }
}

TEST(InstanceNames, RoundTrip) {
  std::set<std::string_view> names;
  for (const S s : kAllInstanceStates) {
    EXPECT_EQ(parse_instance_state(to_string(s)), s);
    names.insert(to_string(s));
  }
  EXPECT_EQ(names.size(), kInstanceStateCount);
  EXPECT_FALSE(parse_instance_state("active"));
  EXPECT_EQ(parse_tier("PROFESSIONAL"), Tier::Professional);
  EXPECT_FALSE(parse_tier("GOLD"));
  EXPECT_EQ(parse_backup_type("DATABASE"), BackupType::Database);
  EXPECT_EQ(parse_operation_status("IN_PROGRESS"), OperationStatus::InProgress);
}

}  // namespace
}  // namespace tenantd::domain
