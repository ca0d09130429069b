#include "service/instance_rules.hpp"

#include <vector>

namespace tenantd::service {

using domain::InstanceEvent;
using domain::InstanceState;

Error instance_not_found(std::string_view instance_id) {
  return Error::make(ErrorCode::InstanceNotFound,
                     "Instance " + std::string(instance_id) + " not found");
}

Error operation_in_progress(const domain::Instance& instance) {
  return Error::make(ErrorCode::OperationInProgress,
                     "Another operation is running on this instance; wait for it to finish")
      .with("operationId", instance.current_operation_id.value_or(""))
      .with("currentStatus", std::string(domain::to_string(instance.state)));
}

namespace {
// The state a request asks for, named in the error even when it is refused.
InstanceState requested_state(InstanceEvent event) {
  switch (event) {
    case InstanceEvent::Retry:
      return InstanceState::PendingProvisioning;
    case InstanceEvent::Scale:
      return InstanceState::Scaling;
    case InstanceEvent::Update:
      return InstanceState::Updating;
    case InstanceEvent::Suspend:
      return InstanceState::Suspending;
    case InstanceEvent::Resume:
      return InstanceState::Resuming;
    case InstanceEvent::Backup:
      return InstanceState::BackingUp;
    case InstanceEvent::Restore:
      return InstanceState::Restoring;
    default:
      return InstanceState::PendingDeprovisioning;
  }
}
}  // namespace

Error instance_invalid_transition(InstanceState from, InstanceEvent event) {
  // What a caller can ask for from here (progress events are not requests).
  constexpr InstanceEvent kRequests[] = {
      InstanceEvent::Retry,  InstanceEvent::Scale,  InstanceEvent::Update,  InstanceEvent::Suspend,
      InstanceEvent::Resume, InstanceEvent::Backup, InstanceEvent::Restore, InstanceEvent::Delete};
  std::vector<std::string> allowed;
  for (const InstanceEvent e : kRequests) {
    if (domain::instance_transition(from, e)) {
      allowed.emplace_back(domain::to_string(requested_state(e)));
    }
  }
  return Error::make(ErrorCode::InvalidStatusTransition,
                     "Cannot " + std::string(domain::to_string(event)) + " an instance that is " +
                         std::string(domain::to_string(from)))
      .with("currentStatus", std::string(domain::to_string(from)))
      .with("requestedStatus", std::string(domain::to_string(requested_state(event))))
      .with("allowedTransitions", std::move(allowed));
}

std::string_view requested_event_type(domain::OperationType type) {
  switch (type) {
    case domain::OperationType::Provision:
      return "INSTANCE_PROVISION_REQUESTED";
    case domain::OperationType::Update:
      return "INSTANCE_UPDATE_REQUESTED";
    case domain::OperationType::Scale:
      return "INSTANCE_SCALE_REQUESTED";
    case domain::OperationType::Suspend:
      return "INSTANCE_SUSPEND_REQUESTED";
    case domain::OperationType::Resume:
      return "INSTANCE_RESUME_REQUESTED";
    case domain::OperationType::Backup:
      return "INSTANCE_BACKUP_REQUESTED";
    case domain::OperationType::Restore:
      return "INSTANCE_RESTORE_REQUESTED";
    case domain::OperationType::Deprovision:
      return "INSTANCE_DEPROVISION_REQUESTED";
  }
  return "INSTANCE_STATE_CHANGED";
}

const std::string& actor_of(const Context& ctx) {
  return ctx.principal.email.empty() ? ctx.principal.sub : ctx.principal.email;
}

void settle(domain::Instance& instance) {
  switch (instance.state) {
    case InstanceState::Active:
      instance.desired_count = instance.configuration.desired_count;
      instance.running_count = instance.desired_count;
      instance.suspended_by.reset();
      instance.endpoint = "https://" + instance.domain;
      break;
    case InstanceState::Suspended:
      instance.desired_count = 0;
      instance.running_count = 0;
      break;
    case InstanceState::Deprovisioned:
      instance.desired_count = 0;
      instance.running_count = 0;
      instance.suspended_by.reset();
      break;
    case InstanceState::Failed:
    case InstanceState::WorkflowFailed:
      instance.running_count = 0;
      break;
    default:
      break;
  }
}

}  // namespace tenantd::service
