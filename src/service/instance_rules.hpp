#pragma once
// Small rules shared by the instance service's translation units: error shapes, event names,
// and how an operation ends.
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/instance.hpp"
#include "service/context.hpp"

namespace tenantd::service {

Error instance_not_found(std::string_view instance_id);
Error operation_in_progress(const domain::Instance& instance);
// 422 INVALID_STATUS_TRANSITION naming the requests that the current state allows.
Error instance_invalid_transition(domain::InstanceState from, domain::InstanceEvent event);
std::string_view requested_event_type(domain::OperationType type);  // INSTANCE_*_REQUESTED
const std::string& actor_of(const Context& ctx);

// Fields that follow from a resting state: counts, endpoint, suspendedBy.
void settle(domain::Instance& instance);

}  // namespace tenantd::service
