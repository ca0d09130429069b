#include "auth/rs256_verifier.hpp"

#include "auth/jwt.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"

namespace tenantd::auth {

namespace {

// Far above any real token (Cognito's are 1-2 KiB); bounds unauthenticated work.
constexpr std::size_t kMaxTokenLength = std::size_t{16} * 1024;

Error invalid(std::string message) {
  return Error::make(ErrorCode::TokenInvalid, std::move(message));
}

std::optional<std::string_view> string_claim(const JsonValue& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return as_view(it->value);
}

// `aud` may be one string or an array of them (RFC 7519 4.1.3).
bool audience_contains(const JsonValue& claims, std::string_view client_id) {
  const auto aud = claims.FindMember("aud");
  if (aud == claims.MemberEnd()) {
    return false;
  }
  if (aud->value.IsString()) {
    return as_view(aud->value) == client_id;
  }
  if (aud->value.IsArray()) {
    for (const auto& a : aud->value.GetArray()) {
      if (a.IsString() && as_view(a) == client_id) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Rs256Verifier::Rs256Verifier(JwksCache& keys, Rs256Expectations expected)
    : keys_(keys), expected_(std::move(expected)) {}

Result<Principal> Rs256Verifier::verify(std::string_view token, TimePoint now) const {
  if (token.size() > kMaxTokenLength) {
    return invalid("The token is too long");
  }
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos ||
      dot1 == 0 || dot2 == dot1 + 1 || dot2 + 1 == token.size()) {
    return invalid("The token is not a JWT (expected three base64url parts)");
  }
  const auto header_text = base64url_decode(token.substr(0, dot1));
  const auto header = header_text ? parse_json(*header_text) : std::nullopt;
  if (!header || !header->IsObject()) {
    return invalid("The token's header is not a JSON object");
  }
  const JsonValue& head = *header;
  // The algorithm is fixed by the mode, never chosen by the token: this is what refuses
  // `none` and HS256 tokens keyed with the public key.
  if (string_claim(head, "alg") != std::optional<std::string_view>("RS256")) {
    return invalid("The token's algorithm is not accepted (RS256 required)");
  }
  // Critical extensions we do not implement must make the token unusable (RFC 7515 4.1.11).
  if (head.HasMember("crit")) {
    return invalid("The token's header has critical extensions");
  }
  const auto kid = string_claim(head, "kid");
  if (!kid || kid->empty()) {
    return invalid("The token's header names no key (kid)");
  }
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature) {
    return invalid("The token's signature is not valid");
  }
  auto key = keys_.key(*kid);
  if (!key) {
    return std::move(key).error();
  }
  if (!*key) {
    return invalid("The token is signed with a key the issuer does not publish");
  }
  if (!(*key)->verify_sha256(token.substr(0, dot2), *signature)) {
    return invalid("The token's signature is not valid");
  }

  const auto payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto doc = payload ? parse_json(*payload) : std::nullopt;
  if (!doc || !doc->IsObject()) {
    return invalid("The token's claims are not a JSON object");
  }
  const JsonValue& claims = *doc;
  if (string_claim(claims, "iss") != std::optional<std::string_view>(expected_.issuer)) {
    return invalid("The token was not issued by the configured issuer");
  }
  TENANTD_TRY(check_lifetime(claims, now));
  const auto use = string_claim(claims, "token_use");
  if (use != std::optional<std::string_view>("id") &&
      use != std::optional<std::string_view>("access")) {
    return invalid("The token's token_use must be id or access");
  }
  if (!expected_.client_id.empty()) {
    // Cognito access tokens carry the app client in client_id and have no aud.
    const bool matches = *use == "access" ? string_claim(claims, "client_id") ==
                                                std::optional<std::string_view>(expected_.client_id)
                                          : audience_contains(claims, expected_.client_id);
    if (!matches) {
      return invalid("The token was issued for another audience");
    }
  }
  return principal_from_claims(claims);
}

}  // namespace tenantd::auth
