// The JWT parser and verifiers. The first byte picks what the rest is:
//   'h' a token for the HS256 verifier (AUTH_MODE=local), as it arrives
//   'H' the header and claims of a token ("HEADER\nCLAIMS", JSON texts), correctly signed with
//       HS256, so that the claim checks past the signature are reached
//   'r' a token for the RS256 verifier (AUTH_MODE=cognito) against a fixed key set
//   'R' header and claims as for 'H', correctly signed with the RS256 key
//   'j' a JWKS document for parse_jwks
//   'b' an Authorization header value for bearer_token
// Every verified principal must carry a sub or an email (the verifiers' contract).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/jwks.hpp"
#include "auth/jwt.hpp"
#include "auth/rs256_verifier.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "unit/auth/rsa_test_key.hpp"

namespace {

using tenantd::Principal;
using tenantd::auth::testing::TestRsaKey;

constexpr std::string_view kSecret = "fuzz-jwt-secret-0123456789abcdef0123456789";
constexpr std::string_view kIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_fuzz";

// A fixed instant (2026-01-01), so that exp / nbf checks do not depend on when the fuzzer runs.
const tenantd::TimePoint kNow{std::chrono::milliseconds{1767225600000}};

struct Keys {
  TestRsaKey rsa;
  tenantd::ManualClock clock{kNow};
  std::string jwks = R"({"keys":[)" + rsa.jwk("fuzz-kid") + "]}";
  tenantd::auth::JwksCache cache{[this]() -> tenantd::Result<std::string> { return jwks; }, clock};
  tenantd::auth::Rs256Verifier rs256{cache, {std::string(kIssuer), "fuzz-client"}};
  tenantd::auth::Hs256Verifier hs256{std::string(kSecret)};
};

Keys& keys() {
  static Keys k;
  return k;
}

void check_principal(const tenantd::Result<Principal>& principal) {
  if (principal && principal->sub.empty() && principal->email.empty()) {
    std::fprintf(stderr, "FUZZ FINDING: a verified token without sub and email\n");
    std::abort();
  }
}

// base64url(header).base64url(claims) from "HEADER\nCLAIMS".
std::string signing_input(std::string_view text) {
  const auto newline = text.find('\n');
  const std::string_view header = text.substr(0, newline);
  const std::string_view claims =
      newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  return tenantd::base64url_encode(header) + "." + tenantd::base64url_encode(claims);
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  Keys& k = keys();
  switch (data[0]) {
    case 'h':
      check_principal(k.hs256.verify(rest, kNow));
      break;
    case 'H': {
      const std::string input = signing_input(rest);
      const std::string token =
          input + "." + tenantd::base64url_encode(tenantd::hmac_sha256(kSecret, input));
      check_principal(k.hs256.verify(token, kNow));
      break;
    }
    case 'r':
      check_principal(k.rs256.verify(rest, kNow));
      break;
    case 'R': {
      const std::string input = signing_input(rest);
      const std::string token = input + "." + tenantd::base64url_encode(k.rsa.sign(input));
      check_principal(k.rs256.verify(token, kNow));
      break;
    }
    case 'j':
      (void)tenantd::auth::parse_jwks(rest);
      break;
    case 'b': {
      const std::string header(rest);
      (void)tenantd::auth::bearer_token(&header);
      break;
    }
    default:
      break;
  }
  return 0;
}
