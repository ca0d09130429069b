#pragma once
// RS256 tokens of an OpenID issuer for AUTH_MODE=cognito (docs/auth.md): the signature
// against the issuer's JWKS, then iss, exp/nbf, token_use and the audience.
#include <string>
#include <string_view>

#include "auth/jwks.hpp"
#include "auth/principal.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace tenantd::auth {

struct Rs256Expectations {
  std::string issuer;     // the exact `iss`, e.g. https://cognito-idp.<region>.amazonaws.com/<pool>
  std::string client_id;  // the app client: `aud` of id tokens, `client_id` of access tokens;
                          // empty: not checked
};

class Rs256Verifier {
 public:
  // `keys` must outlive the verifier.
  Rs256Verifier(JwksCache& keys, Rs256Expectations expected);

  // TOKEN_INVALID: malformed, alg other than RS256 (none, HS256, ...), `crit` header, unknown
  // kid, bad signature, wrong iss / token_use / audience, nbf in the future, bad claim types.
  // TOKEN_EXPIRED: exp passed beyond the leeway. UNAUTHORIZED: no sub and no email.
  // SERVICE_UNAVAILABLE: the issuer's keys cannot be fetched. Messages never contain the token.
  // Thread-safe.
  Result<Principal> verify(std::string_view token, TimePoint now) const;

 private:
  JwksCache& keys_;
  Rs256Expectations expected_;
};

}  // namespace tenantd::auth
