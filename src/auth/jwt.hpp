#pragma once
// HS256 JSON Web Tokens for AUTH_MODE=local (docs/auth.md), plus the claim-to-principal
// mapping shared with the Cognito and API Gateway modes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace tenantd::auth {

// Clock skew tolerated on exp and nbf.
inline constexpr std::int64_t kLeewaySeconds = 60;

struct JwtClaims {
  std::string sub;
  std::string email;
  std::vector<std::string> groups;  // emitted as "cognito:groups", like Cognito id tokens
  std::int64_t iat = 0;             // epoch seconds
  std::int64_t exp = 0;             // epoch seconds
  std::string iss = "tenantd-local";
  std::string token_use = "id";
};

// Signs `claims` with `secret`; fails (INTERNAL_ERROR) only when the secret is empty.
Result<std::string> mint_hs256(std::string_view secret, const JwtClaims& claims);

// Verifies HS256 tokens. Thread-safe (const); cheap enough to run on every request.
class Hs256Verifier {
 public:
  explicit Hs256Verifier(std::string secret);

  // TOKEN_INVALID: malformed, alg other than "HS256", bad signature, nbf in the future, bad
  // claim types, missing exp. TOKEN_EXPIRED: exp passed (beyond the leeway). UNAUTHORIZED: no
  // sub and no email. Messages never contain the token.
  Result<Principal> verify(std::string_view token, TimePoint now) const;

 private:
  std::string secret_;
};

// The time window of verified claims, as every mode checks it: exp required and not passed,
// nbf (when present) reached, both with kLeewaySeconds of skew. TOKEN_EXPIRED or TOKEN_INVALID.
Status check_lifetime(const JsonValue& claims, TimePoint now);

// The principal of verified claims: sub, email (lower-cased), groups from "cognito:groups"
// (an array of strings, or API Gateway's flattened string form "[a b]" / "a,b") or "groups".
// TOKEN_INVALID when a claim has the wrong type; UNAUTHORIZED when neither sub nor email is set.
Result<Principal> principal_from_claims(const JsonValue& claims);

// The token of an "Authorization: Bearer <token>" header (scheme case-insensitive); nullopt when
// the header is absent, of another scheme or empty.
std::optional<std::string_view> bearer_token(const std::string* authorization_header);

}  // namespace tenantd::auth
