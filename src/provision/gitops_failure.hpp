#pragma once
// How the gitops driver's failures travel: an Error whose details carry the operation's error
// code (GIT_PUSH_REJECTED, WORKFLOW_DISPATCH_FAILED, ...) and whether a retry may succeed, so
// the operation's error{code,message} and the instance's lastError say both (docs/instances.md,
// issue 9).
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/instance.hpp"

namespace tenantd::provision {

Error gitops_failure(std::string_view code, std::string message, bool retryable);

// The operation error for `error`: its gitops code and retryable flag when it has them,
// otherwise the error's own code, retryable when it is SERVICE_UNAVAILABLE.
domain::ErrorInfo error_info(const Error& error);

}  // namespace tenantd::provision
