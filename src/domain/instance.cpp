#include "domain/instance.hpp"

#include <algorithm>

namespace tenantd::domain {

namespace {

using S = InstanceState;
using E = InstanceEvent;

template <class T>
struct Named {
  T value;
  std::string_view name;
};

constexpr std::array<Named<InstanceState>, kInstanceStateCount> kStateNames = {{
    {S::PendingProvisioning, "PENDING_PROVISIONING"},
    {S::Committing, "COMMITTING"},
    {S::WorkflowQueued, "WORKFLOW_QUEUED"},
    {S::WorkflowRunning, "WORKFLOW_RUNNING"},
    {S::Provisioning, "PROVISIONING"},
    {S::Active, "ACTIVE"},
    {S::Scaling, "SCALING"},
    {S::Suspending, "SUSPENDING"},
    {S::Suspended, "SUSPENDED"},
    {S::Resuming, "RESUMING"},
    {S::Updating, "UPDATING"},
    {S::BackingUp, "BACKING_UP"},
    {S::Restoring, "RESTORING"},
    {S::PendingDeprovisioning, "PENDING_DEPROVISIONING"},
    {S::Deprovisioning, "DEPROVISIONING"},
    {S::Deprovisioned, "DEPROVISIONED"},
    {S::Failed, "FAILED"},
    {S::WorkflowFailed, "WORKFLOW_FAILED"},
}};

constexpr std::array<Named<InstanceEvent>, kInstanceEventCount> kEventNames = {{
    {E::Retry, "retry"},
    {E::Scale, "scale"},
    {E::Update, "update"},
    {E::Suspend, "suspend"},
    {E::Resume, "resume"},
    {E::Backup, "backup"},
    {E::Restore, "restore"},
    {E::Delete, "delete"},
    {E::Commit, "commit"},
    {E::QueueWorkflow, "queue-workflow"},
    {E::RunWorkflow, "run-workflow"},
    {E::Deploy, "deploy"},
    {E::StartDeprovision, "start-deprovision"},
    {E::Complete, "complete"},
    {E::Fail, "fail"},
    {E::FailWorkflow, "fail-workflow"},
}};

constexpr std::array<Named<Tier>, 3> kTierNames = {{
    {Tier::Standard, "STANDARD"},
    {Tier::Professional, "PROFESSIONAL"},
    {Tier::Enterprise, "ENTERPRISE"},
}};

constexpr std::array<Named<OperationType>, 8> kOperationTypeNames = {{
    {OperationType::Provision, "PROVISION"},
    {OperationType::Update, "UPDATE"},
    {OperationType::Scale, "SCALE"},
    {OperationType::Suspend, "SUSPEND"},
    {OperationType::Resume, "RESUME"},
    {OperationType::Backup, "BACKUP"},
    {OperationType::Restore, "RESTORE"},
    {OperationType::Deprovision, "DEPROVISION"},
}};

constexpr std::array<Named<OperationStatus>, 4> kOperationStatusNames = {{
    {OperationStatus::Pending, "PENDING"},
    {OperationStatus::InProgress, "IN_PROGRESS"},
    {OperationStatus::Completed, "COMPLETED"},
    {OperationStatus::Failed, "FAILED"},
}};

constexpr std::array<Named<BackupType>, 3> kBackupTypeNames = {{
    {BackupType::Full, "FULL"},
    {BackupType::Database, "DATABASE"},
    {BackupType::Files, "FILES"},
}};

constexpr std::array<Named<BackupStatus>, 4> kBackupStatusNames = {{
    {BackupStatus::Pending, "PENDING"},
    {BackupStatus::InProgress, "IN_PROGRESS"},
    {BackupStatus::Completed, "COMPLETED"},
    {BackupStatus::Failed, "FAILED"},
}};

template <class T, std::size_t N>
std::string_view name_of(const std::array<Named<T>, N>& names, T value) {
  for (const auto& n : names) {
    if (n.value == value) {
      return n.name;
    }
  }
  return "UNKNOWN";
}

template <class T, std::size_t N>
std::optional<T> parse_name(const std::array<Named<T>, N>& names, std::string_view text) {
  for (const auto& n : names) {
    if (n.name == text) {
      return n.value;
    }
  }
  return std::nullopt;
}

// ---- The state machine: the single source of truth (docs/instances.md). ----

struct Transition {
  InstanceState from;
  InstanceEvent event;
  InstanceTarget to;
};

constexpr InstanceTarget to(InstanceState s) {
  return InstanceTarget{s, false};
}
constexpr InstanceTarget kBack{S::Active, true};

constexpr std::array<Transition, 45> kTransitions = {{
    // Requests.
    {S::Failed, E::Retry, to(S::PendingProvisioning)},
    {S::WorkflowFailed, E::Retry, to(S::PendingProvisioning)},
    {S::Active, E::Scale, to(S::Scaling)},
    {S::Active, E::Update, to(S::Updating)},
    {S::Active, E::Suspend, to(S::Suspending)},
    {S::Suspended, E::Resume, to(S::Resuming)},
    {S::Active, E::Backup, to(S::BackingUp)},
    {S::Suspended, E::Backup, to(S::BackingUp)},
    {S::Active, E::Restore, to(S::Restoring)},
    {S::Suspended, E::Restore, to(S::Restoring)},
    {S::Active, E::Delete, to(S::PendingDeprovisioning)},
    {S::Suspended, E::Delete, to(S::PendingDeprovisioning)},
    {S::Failed, E::Delete, to(S::PendingDeprovisioning)},
    {S::WorkflowFailed, E::Delete, to(S::PendingDeprovisioning)},
    // Provisioning progress.
    {S::PendingProvisioning, E::Commit, to(S::Committing)},
    {S::Committing, E::QueueWorkflow, to(S::WorkflowQueued)},
    {S::WorkflowQueued, E::RunWorkflow, to(S::WorkflowRunning)},
    {S::WorkflowRunning, E::Deploy, to(S::Provisioning)},
    {S::PendingDeprovisioning, E::StartDeprovision, to(S::Deprovisioning)},
    // Operations finishing.
    {S::Provisioning, E::Complete, to(S::Active)},
    {S::Scaling, E::Complete, to(S::Active)},
    {S::Updating, E::Complete, to(S::Active)},
    {S::Suspending, E::Complete, to(S::Suspended)},
    {S::Resuming, E::Complete, to(S::Active)},
    {S::BackingUp, E::Complete, kBack},
    {S::Restoring, E::Complete, to(S::Active)},
    {S::Deprovisioning, E::Complete, to(S::Deprovisioned)},
    // Failures: provisioning and deprovisioning fail the instance, other operations leave it
    // as it was.
    {S::PendingProvisioning, E::Fail, to(S::Failed)},
    {S::Committing, E::Fail, to(S::Failed)},
    {S::WorkflowQueued, E::Fail, to(S::Failed)},
    {S::WorkflowRunning, E::Fail, to(S::Failed)},
    {S::Provisioning, E::Fail, to(S::Failed)},
    {S::PendingDeprovisioning, E::Fail, to(S::Failed)},
    {S::Deprovisioning, E::Fail, to(S::Failed)},
    {S::Scaling, E::Fail, kBack},
    {S::Updating, E::Fail, kBack},
    {S::Suspending, E::Fail, kBack},
    {S::Resuming, E::Fail, kBack},
    {S::BackingUp, E::Fail, kBack},
    {S::Restoring, E::Fail, kBack},
    {S::PendingProvisioning, E::FailWorkflow, to(S::WorkflowFailed)},
    {S::Committing, E::FailWorkflow, to(S::WorkflowFailed)},
    {S::WorkflowQueued, E::FailWorkflow, to(S::WorkflowFailed)},
    {S::WorkflowRunning, E::FailWorkflow, to(S::WorkflowFailed)},
    {S::Provisioning, E::FailWorkflow, to(S::WorkflowFailed)},
}};

constexpr bool rows_are_unique() {
  for (std::size_t i = 0; i < kTransitions.size(); ++i) {
    for (std::size_t j = i + 1; j < kTransitions.size(); ++j) {
      if (kTransitions[i].from == kTransitions[j].from &&
          kTransitions[i].event == kTransitions[j].event) {
        return false;
      }
    }
  }
  return true;
}
static_assert(rows_are_unique(), "instance transition table has a duplicate (from, event) row");

// The order in which a provisioner moves an operation forward.
constexpr std::array<InstanceEvent, 6> kProgressEvents = {
    E::Commit, E::QueueWorkflow, E::RunWorkflow, E::Deploy, E::StartDeprovision, E::Complete};

}  // namespace

const std::array<InstanceState, kInstanceStateCount> kAllInstanceStates = [] {
  std::array<InstanceState, kInstanceStateCount> all{};
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    all[i] = kStateNames[i].value;
  }
  return all;
}();

const std::array<InstanceEvent, kInstanceEventCount> kAllInstanceEvents = [] {
  std::array<InstanceEvent, kInstanceEventCount> all{};
  for (std::size_t i = 0; i < kEventNames.size(); ++i) {
    all[i] = kEventNames[i].value;
  }
  return all;
}();

std::string_view to_string(InstanceState state) {
  return name_of(kStateNames, state);
}
std::optional<InstanceState> parse_instance_state(std::string_view text) {
  return parse_name(kStateNames, text);
}
std::string_view to_string(InstanceEvent event) {
  return name_of(kEventNames, event);
}
std::string_view to_string(Tier tier) {
  return name_of(kTierNames, tier);
}
std::optional<Tier> parse_tier(std::string_view text) {
  return parse_name(kTierNames, text);
}
std::string_view to_string(OperationType type) {
  return name_of(kOperationTypeNames, type);
}
std::optional<OperationType> parse_operation_type(std::string_view text) {
  return parse_name(kOperationTypeNames, text);
}
std::string_view to_string(OperationStatus status) {
  return name_of(kOperationStatusNames, status);
}
std::optional<OperationStatus> parse_operation_status(std::string_view text) {
  return parse_name(kOperationStatusNames, text);
}
std::string_view to_string(BackupType type) {
  return name_of(kBackupTypeNames, type);
}
std::optional<BackupType> parse_backup_type(std::string_view text) {
  return parse_name(kBackupTypeNames, text);
}
std::string_view to_string(BackupStatus status) {
  return name_of(kBackupStatusNames, status);
}
std::optional<BackupStatus> parse_backup_status(std::string_view text) {
  return parse_name(kBackupStatusNames, text);
}

std::optional<InstanceTarget> instance_transition(InstanceState from, InstanceEvent event) {
  for (const auto& t : kTransitions) {
    if (t.from == from && t.event == event) {
      return t.to;
    }
  }
  return std::nullopt;
}

InstanceState resolve(const InstanceTarget& target, InstanceState before_operation) {
  return target.back ? before_operation : target.state;
}

std::optional<InstanceEvent> progress_event_for(InstanceState from, InstanceState to,
                                                InstanceState before_operation) {
  for (const InstanceEvent e : kProgressEvents) {
    const auto target = instance_transition(from, e);
    if (target && resolve(*target, before_operation) == to) {
      return e;
    }
  }
  return std::nullopt;
}

std::optional<InstanceEvent> next_progress_event(InstanceState from) {
  for (const InstanceEvent e : kProgressEvents) {
    if (instance_transition(from, e)) {
      return e;
    }
  }
  return std::nullopt;
}

bool is_resting(InstanceState state) {
  return state == S::Active || state == S::Suspended || state == S::Deprovisioned ||
         state == S::Failed || state == S::WorkflowFailed;
}

bool is_provisioning(InstanceState state) {
  return state == S::PendingProvisioning || state == S::Committing || state == S::WorkflowQueued ||
         state == S::WorkflowRunning || state == S::Provisioning;
}

InstanceState initial_state(OperationType type) {
  switch (type) {
    case OperationType::Provision:
      return S::PendingProvisioning;
    case OperationType::Update:
      return S::Updating;
    case OperationType::Scale:
      return S::Scaling;
    case OperationType::Suspend:
      return S::Suspending;
    case OperationType::Resume:
      return S::Resuming;
    case OperationType::Backup:
      return S::BackingUp;
    case OperationType::Restore:
      return S::Restoring;
    case OperationType::Deprovision:
      return S::PendingDeprovisioning;
  }
  return S::PendingProvisioning;
}

int operation_steps(OperationType type) {
  // Walks the table from the initial state to a resting one.
  InstanceState state = initial_state(type);
  int steps = 0;
  while (!is_resting(state)) {
    const auto e = next_progress_event(state);
    if (!e) {
      break;
    }
    state = resolve(*instance_transition(state, *e), S::Active);
    ++steps;
  }
  return std::max(steps, 1);
}

RequestedChange requested_of(const Instance& wanted) {
  return RequestedChange{wanted.tier, wanted.configuration, wanted.desired_count,
                         wanted.suspended_by};
}

Instance as_requested(Instance instance, const Operation& op) {
  if (op.requested) {
    instance.tier = op.requested->tier;
    instance.configuration = op.requested->configuration;
    instance.desired_count = op.requested->desired_count;
    instance.suspended_by = op.requested->suspended_by;
  }
  return instance;
}

}  // namespace tenantd::domain
