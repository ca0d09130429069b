#include "auth/authenticator.hpp"

#include "auth/jwt.hpp"
#include "core/json.hpp"

namespace tenantd::auth {

Authenticator bearer_authenticator(TokenVerifier verify) {
  return [verify = std::move(verify)](const Request& request, TimePoint now) -> Result<Principal> {
    const auto token = bearer_token(request.header("Authorization"));
    if (!token) {
      return Error::make(ErrorCode::Unauthorized, "A Bearer token is required");
    }
    return verify(*token, now);
  };
}

Authenticator authorizer_claims_authenticator() {
  return [](const Request& request, TimePoint /*now*/) -> Result<Principal> {
    if (request.authorizer_claims.empty()) {
      return Error::make(ErrorCode::Unauthorized,
                         "No authoriser claims: AUTH_MODE=apigw needs API Gateway's Cognito or "
                         "JWT authoriser in front of this route");
    }
    const auto claims = parse_json(request.authorizer_claims);
    if (!claims) {
      return Error::make(ErrorCode::TokenInvalid, "The authoriser claims are not JSON");
    }
    return principal_from_claims(*claims);
  };
}

}  // namespace tenantd::auth
