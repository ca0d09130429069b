#include "api/handlers/fail.hpp"

#include "api/responses.hpp"

namespace tenantd::api {

Response fail(const Call& call, const Error& error) {
  return error_response(error, call.request.request_id, call.ctx.now);
}

}  // namespace tenantd::api
