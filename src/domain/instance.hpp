#pragma once
// The instance entity, its state machine and its operations (docs/instances.md).
// Pure: no I/O, no JSON, no HTTP.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace tenantd::domain {

enum class InstanceState {
  PendingProvisioning,
  Committing,
  WorkflowQueued,
  WorkflowRunning,
  Provisioning,
  Active,
  Scaling,
  Suspending,
  Suspended,
  Resuming,
  Updating,
  BackingUp,
  Restoring,
  PendingDeprovisioning,
  Deprovisioning,
  Deprovisioned,
  Failed,
  WorkflowFailed,
};
inline constexpr std::size_t kInstanceStateCount = 18;
extern const std::array<InstanceState, kInstanceStateCount> kAllInstanceStates;

std::string_view to_string(InstanceState state);  // "PENDING_PROVISIONING", ...
std::optional<InstanceState> parse_instance_state(std::string_view text);

// What moves an instance: a request (Retry .. Delete) or a provisioner's progress (Commit ..).
enum class InstanceEvent {
  Retry,    // PUT /instances/{id} on a failed instance
  Scale,    // PUT /instances/{id}/size
  Update,   // PUT /instances/{id}
  Suspend,  // POST .../suspend, tenant park
  Resume,   // POST .../resume, tenant unpark
  Backup,
  Restore,
  Delete,
  Commit,            // PENDING_PROVISIONING -> COMMITTING
  QueueWorkflow,     // COMMITTING -> WORKFLOW_QUEUED
  RunWorkflow,       // WORKFLOW_QUEUED -> WORKFLOW_RUNNING
  Deploy,            // WORKFLOW_RUNNING -> PROVISIONING
  StartDeprovision,  // PENDING_DEPROVISIONING -> DEPROVISIONING
  Complete,          // the running operation finished
  Fail,              // the running operation failed
  FailWorkflow,      // the provisioning workflow failed
};
inline constexpr std::size_t kInstanceEventCount = 16;
extern const std::array<InstanceEvent, kInstanceEventCount> kAllInstanceEvents;
std::string_view to_string(InstanceEvent event);

// The result of a transition: a state, or "back to the state before the operation"
// (a backup ends where it started; a failed scale, update, suspend, resume, backup or restore
// leaves the instance as it was).
struct InstanceTarget {
  InstanceState state = InstanceState::Active;
  bool back = false;
};

// The transition table of docs/instances.md. nullopt: `event` is not allowed in `from`.
std::optional<InstanceTarget> instance_transition(InstanceState from, InstanceEvent event);
// Resolves a target against the state the running operation started from.
InstanceState resolve(const InstanceTarget& target, InstanceState before_operation);
// The progress event (Commit .. Complete, never Fail) that moves `from` to `to` with
// `before_operation` as the operation's starting state; nullopt when no such step exists.
std::optional<InstanceEvent> progress_event_for(InstanceState from, InstanceState to,
                                                InstanceState before_operation);
// The next progress step a provisioner takes from `from` (Commit, ..., Complete); nullopt in a
// state where nothing is running.
std::optional<InstanceEvent> next_progress_event(InstanceState from);

// Resting states: no operation runs (ACTIVE, SUSPENDED, DEPROVISIONED, FAILED, WORKFLOW_FAILED).
bool is_resting(InstanceState state);
// States a create is still working through (PENDING_PROVISIONING .. PROVISIONING).
bool is_provisioning(InstanceState state);
// Not DEPROVISIONED: counts against the tenant's quota and blocks a plain tenant delete.
inline bool is_live(InstanceState state) {
  return state != InstanceState::Deprovisioned;
}

enum class Tier { Standard, Professional, Enterprise };
std::string_view to_string(Tier tier);
std::optional<Tier> parse_tier(std::string_view text);

enum class OperationType {
  Provision,
  Update,
  Scale,
  Suspend,
  Resume,
  Backup,
  Restore,
  Deprovision
};
std::string_view to_string(OperationType type);  // "PROVISION", ...
std::optional<OperationType> parse_operation_type(std::string_view text);
// The instance state an operation of this type moves its instance into when accepted.
InstanceState initial_state(OperationType type);
// The number of progress steps the operation takes from its initial state to its end.
int operation_steps(OperationType type);

enum class OperationStatus { Pending, InProgress, Completed, Failed };
std::string_view to_string(OperationStatus status);
std::optional<OperationStatus> parse_operation_status(std::string_view text);

enum class BackupType { Full, Database, Files };
std::string_view to_string(BackupType type);
std::optional<BackupType> parse_backup_type(std::string_view text);

enum class BackupStatus { Pending, InProgress, Completed, Failed };
std::string_view to_string(BackupStatus status);
std::optional<BackupStatus> parse_backup_status(std::string_view text);

inline constexpr int kMinDesiredCount = 2;
inline constexpr int kMaxDesiredCount = 10;
inline constexpr int kMaxBackupsPerInstance = 10;

struct ErrorInfo {
  std::string code;
  std::string message;
  // Whether the same request may succeed when retried (a timeout, a 5xx, a lost race), as
  // opposed to a failure that needs a change first (a rejected push, a 422). Absent: unknown.
  std::optional<bool> retryable;
};

struct InstanceConfiguration {
  int desired_count = kMinDesiredCount;  // the configured count; kept while suspended
  std::string wordpress_version = "latest";
  std::string php_version = "8.2";
};

struct Instance {
  std::string instance_id;
  std::string tenant_id;
  std::string organization_name;
  std::optional<std::string> contact_email;
  std::optional<std::string> opportunity_id;
  Tier tier = Tier::Standard;
  InstanceConfiguration configuration;
  InstanceState state = InstanceState::PendingProvisioning;
  int desired_count = kMinDesiredCount;  // what should run now: 0 while suspended
  int running_count = 0;
  std::string environment;  // the deployment's, for the bbws:environment tag
  std::string domain;
  std::optional<std::string> endpoint;  // set once ACTIVE
  std::optional<ErrorInfo> last_error;
  std::optional<std::string> suspended_by;  // "USER" or "PARK"
  // The running operation and the state it started from; empty when resting.
  std::optional<std::string> current_operation_id;
  std::optional<InstanceState> state_before_operation;
  int backup_count = 0;  // kept (not FAILED) backups, for the quota
  TimePoint created_at;
  TimePoint updated_at;
  std::int64_t version = 1;
};

// The instance's desired configuration as a request asks for it. It lives on the operation until
// the operation COMPLETES; only then does the instance take it (docs/instances.md).
struct RequestedChange {
  Tier tier = Tier::Standard;
  InstanceConfiguration configuration;
  int desired_count = kMinDesiredCount;  // what should run once the operation completes
  std::optional<std::string> suspended_by;
};

struct Operation {
  std::string operation_id;
  OperationType type = OperationType::Provision;
  OperationStatus status = OperationStatus::Pending;
  std::string instance_id;
  std::string tenant_id;
  int progress = 0;  // 0..100
  std::string current_step;
  std::optional<ErrorInfo> error;
  std::optional<std::string> backup_id;  // BACKUP and RESTORE
  // Absent on operations accepted before requested values moved onto the operation.
  std::optional<RequestedChange> requested;
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> completed_at;
  std::int64_t version = 1;
};

struct Backup {
  std::string backup_id;
  std::string instance_id;
  std::string tenant_id;
  BackupType type = BackupType::Full;
  std::optional<std::string> label;
  BackupStatus status = BackupStatus::Pending;
  std::optional<std::int64_t> size_bytes;
  std::optional<std::string> location;
  std::optional<std::string> checksum;
  std::string operation_id;
  TimePoint created_at;
  std::optional<TimePoint> completed_at;
  TimePoint expires_at;
  std::int64_t version = 1;
};

// The fields of `wanted` that a request may change, to be kept on its operation.
RequestedChange requested_of(const Instance& wanted);
// `instance` as `op` leaves it once COMPLETED: its requested values applied (none when absent).
// Drivers carry out this view; the stored instance keeps its values until the operation ends.
Instance as_requested(Instance instance, const Operation& op);

}  // namespace tenantd::domain
