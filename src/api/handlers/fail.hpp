#pragma once
// The one error answer of every handler: the error as problem JSON, with the call's request id
// and time.
#include "api/api.hpp"
#include "core/error.hpp"

namespace tenantd::api {

Response fail(const Call& call, const Error& error);

}  // namespace tenantd::api
