#pragma once
// How a request proves who is calling (docs/auth.md): a Bearer token checked by the mode's
// verifier (local, cognito), or the claims API Gateway's authoriser already verified (apigw).
#include <functional>
#include <string_view>

#include "auth/principal.hpp"
#include "core/clock.hpp"
#include "core/http_message.hpp"
#include "core/result.hpp"

namespace tenantd::auth {

using TokenVerifier = std::function<Result<Principal>(std::string_view token, TimePoint now)>;
using Authenticator = std::function<Result<Principal>(const Request& request, TimePoint now)>;

// The "Authorization: Bearer" token, checked by `verify`; UNAUTHORIZED when there is none.
Authenticator bearer_authenticator(TokenVerifier verify);

// AUTH_MODE=apigw: the principal of request.authorizer_claims (set only by the Lambda door).
// UNAUTHORIZED when the request carries no authoriser claims, whatever its headers say: a
// Bearer token is never looked at in this mode, since nothing here could verify it.
Authenticator authorizer_claims_authenticator();

}  // namespace tenantd::auth
