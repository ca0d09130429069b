#include "auth/jwt.hpp"

#include <cmath>

#include "core/crypto.hpp"

namespace tenantd::auth {

namespace {

// The header every token we mint carries, and its encoding: the verifier compares against it
// before paying for a decode and a JSON parse.
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::string_view kHeaderB64 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

// Far above any real token; bounds the work an unauthenticated caller can cause.
constexpr std::size_t kMaxTokenLength = std::size_t{16} * 1024;
// base64url of 32 bytes, unpadded.
constexpr std::size_t kSignatureB64Length = 43;
// Stack memory for parsing claims; larger claim sets spill to the heap.
constexpr std::size_t kClaimsPoolBytes = 2048;
constexpr std::size_t kParseStackBytes = 512;

using ClaimsDocument =
    rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                               rapidjson::MemoryPoolAllocator<>>;

// The issuer of the tokens `tenantd token` mints (JwtClaims' default); local mode accepts no other.
constexpr std::string_view kLocalIssuer = "tenantd-local";

Error invalid(std::string message) {
  return Error::make(ErrorCode::TokenInvalid, std::move(message));
}

bool header_is_hs256(std::string_view header_b64) {
  if (header_b64 == kHeaderB64) {
    return true;
  }
  const auto header = base64url_decode(header_b64);
  if (!header) {
    return false;
  }
  const auto doc = parse_json(*header);
  if (!doc || !doc->IsObject()) {
    return false;
  }
  // Critical extensions we do not implement must make the token unusable (RFC 7515 4.1.11).
  if (doc->HasMember("crit")) {
    return false;
  }
  const auto alg = doc->FindMember("alg");
  return alg != doc->MemberEnd() && alg->value.IsString() && as_view(alg->value) == "HS256";
}

// An integer NumericDate; fractional seconds are truncated, non-numbers rejected.
std::optional<std::int64_t> numeric_date(const JsonValue& v) {
  if (v.IsInt64()) {
    return v.GetInt64();
  }
  if (v.IsNumber()) {
    const double d = v.GetDouble();
    if (std::isfinite(d) && d > -9.0e15 && d < 9.0e15) {
      return static_cast<std::int64_t>(std::floor(d));
    }
  }
  return std::nullopt;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// API Gateway REST authorisers flatten arrays into strings such as "[a b]" or "a,b".
void split_group_string(std::string_view text, std::vector<std::string>& out) {
  if (!text.empty() && text.front() == '[') {
    text.remove_prefix(1);
  }
  if (!text.empty() && text.back() == ']') {
    text.remove_suffix(1);
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',' || is_space(text[i])) {
      if (i > start) {
        out.emplace_back(text.substr(start, i - start));
      }
      start = i + 1;
    }
  }
}

}  // namespace

Result<std::string> mint_hs256(std::string_view secret, const JwtClaims& claims) {
  if (secret.empty()) {
    return Error::make(ErrorCode::InternalError, "The JWT signing secret is empty");
  }
  JsonWriter payload;
  payload.begin_object();
  if (!claims.sub.empty()) {
    payload.field("sub", claims.sub);
  }
  if (!claims.email.empty()) {
    payload.field("email", claims.email);
  }
  if (!claims.groups.empty()) {
    payload.key("cognito:groups").begin_array();
    for (const auto& g : claims.groups) {
      payload.value(g);
    }
    payload.end_array();
  }
  payload.field("iss", claims.iss);
  payload.field("token_use", claims.token_use);
  payload.field("iat", claims.iat);
  payload.field("exp", claims.exp);
  payload.end_object();

  std::string token = base64url_encode(kHeaderJson);
  token.push_back('.');
  token += base64url_encode(payload.view());
  const Sha256Digest sig = hmac_sha256_digest(secret, token);
  token.push_back('.');
  token +=
      base64url_encode(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
  return token;
}

Hs256Verifier::Hs256Verifier(std::string secret) : secret_(std::move(secret)) {}

Result<Principal> Hs256Verifier::verify(std::string_view token, TimePoint now) const {
  if (secret_.empty()) {
    // Never accept tokens signed with an empty key, whoever produced them.
    return invalid("Token verification is not configured");
  }
  if (token.size() > kMaxTokenLength) {
    return invalid("The token is too long");
  }
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos ||
      dot1 == 0 || dot2 == dot1 + 1) {
    return invalid("The token is not a JWT (expected three base64url parts)");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  if (!header_is_hs256(header_b64)) {
    return invalid("The token's algorithm is not accepted (HS256 required)");
  }

  if (signature_b64.size() != kSignatureB64Length) {
    return invalid("The token's signature is not valid");
  }
  const auto signature = base64url_decode(signature_b64);
  const Sha256Digest expected = hmac_sha256_digest(secret_, token.substr(0, dot2));
  if (!signature || !constant_time_equals(
                        *signature, std::string_view(reinterpret_cast<const char*>(expected.data()),
                                                     expected.size()))) {
    return invalid("The token's signature is not valid");
  }

  auto payload = base64url_decode(payload_b64);
  if (!payload) {
    return invalid("The token's claims are not valid base64url");
  }
  // In-situ parse needs a NUL-terminated buffer with no NUL inside it.
  if (payload->find('\0') != std::string::npos) {
    return invalid("The token's claims are not a JSON object");
  }
  // Parsed in place with stack-backed pools: no heap allocation for typical claims. The value
  // type is still JsonValue, so principal_from_claims serves every mode.
  char value_pool[kClaimsPoolBytes];
  char stack_pool[kParseStackBytes];
  rapidjson::MemoryPoolAllocator<> value_allocator(value_pool, sizeof value_pool);
  rapidjson::MemoryPoolAllocator<> stack_allocator(stack_pool, sizeof stack_pool);
  ClaimsDocument claims(&value_allocator, kParseStackBytes / 2, &stack_allocator);
  claims.ParseInsitu(payload->data());
  if (claims.HasParseError() || !claims.IsObject()) {
    return invalid("The token's claims are not a JSON object");
  }

  // Read through a const view: rapidjson's mixed const/non-const iterator comparisons are
  // ambiguous in C++20.
  const JsonValue& root = claims;
  TENANTD_TRY(check_lifetime(root, now));
  // As the other modes do: a token minted for another issuer or purpose is not ours to accept.
  const auto iss = root.FindMember("iss");
  if (iss == root.MemberEnd() || !iss->value.IsString() || as_view(iss->value) != kLocalIssuer) {
    return invalid("The token was not issued by this server (iss)");
  }
  const auto use = root.FindMember("token_use");
  if (use == root.MemberEnd() || !use->value.IsString() ||
      (as_view(use->value) != "id" && as_view(use->value) != "access")) {
    return invalid("The token's token_use must be id or access");
  }
  return principal_from_claims(root);
}

Status check_lifetime(const JsonValue& claims, TimePoint now) {
  const std::int64_t now_s = epoch_seconds(now);
  const auto exp_member = claims.FindMember("exp");
  if (exp_member == claims.MemberEnd()) {
    return invalid("The token has no expiry (exp)");
  }
  const auto exp = numeric_date(exp_member->value);
  if (!exp) {
    return invalid("The token's exp claim is not a number");
  }
  if (*exp <= now_s - kLeewaySeconds) {
    return Error::make(ErrorCode::TokenExpired, "The token has expired");
  }
  const auto nbf_member = claims.FindMember("nbf");
  if (nbf_member != claims.MemberEnd()) {
    const auto nbf = numeric_date(nbf_member->value);
    if (!nbf) {
      return invalid("The token's nbf claim is not a number");
    }
    if (*nbf > now_s + kLeewaySeconds) {
      return invalid("The token is not valid yet (nbf)");
    }
  }
  return {};
}

Result<Principal> principal_from_claims(const JsonValue& claims) {
  if (!claims.IsObject()) {
    return invalid("The token's claims are not a JSON object");
  }
  Principal principal;
  const auto sub = claims.FindMember("sub");
  if (sub != claims.MemberEnd()) {
    if (!sub->value.IsString()) {
      return invalid("The token's sub claim is not a string");
    }
    principal.sub.assign(as_view(sub->value));
  }
  const auto email = claims.FindMember("email");
  if (email != claims.MemberEnd()) {
    if (!email->value.IsString()) {
      return invalid("The token's email claim is not a string");
    }
    const std::string_view text = as_view(email->value);
    principal.email.resize(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      principal.email[i] = to_lower_ascii(text[i]);
    }
  }
  auto groups = claims.FindMember("cognito:groups");
  if (groups == claims.MemberEnd()) {
    groups = claims.FindMember("groups");
  }
  if (groups != claims.MemberEnd()) {
    const JsonValue& value = groups->value;
    if (value.IsArray()) {
      principal.groups.reserve(value.Size());
      for (const auto& g : value.GetArray()) {
        if (!g.IsString()) {
          return invalid("The token's groups claim must hold strings");
        }
        principal.groups.emplace_back(as_view(g));
      }
    } else if (value.IsString()) {
      split_group_string(as_view(value), principal.groups);
    } else if (!value.IsNull()) {
      return invalid("The token's groups claim is not an array of strings");
    }
  }
  if (principal.sub.empty() && principal.email.empty()) {
    return Error::make(ErrorCode::Unauthorized, "The token carries no identity (sub or email)");
  }
  return principal;
}

std::optional<std::string_view> bearer_token(const std::string* authorization_header) {
  if (authorization_header == nullptr) {
    return std::nullopt;
  }
  std::string_view text = *authorization_header;
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  constexpr std::string_view kScheme = "bearer";
  if (text.size() <= kScheme.size() || !is_space(text[kScheme.size()])) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (to_lower_ascii(text[i]) != kScheme[i]) {
      return std::nullopt;
    }
  }
  text.remove_prefix(kScheme.size());
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (is_space(text.back()) || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  return text;
}

}  // namespace tenantd::auth
