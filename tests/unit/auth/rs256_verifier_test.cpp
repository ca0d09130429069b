// AUTH_MODE=cognito's verifier against tokens signed with a real RSA key: what it accepts and
// every way of forging or misusing a token it must refuse.
#include "auth/rs256_verifier.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/crypto.hpp"
#include "unit/auth/rsa_test_key.hpp"

namespace tenantd::auth {
namespace {

using testing::TestRsaKey;

constexpr std::int64_t kNow = 1'770'000'000;  // epoch seconds
constexpr const char* kIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool";
constexpr const char* kClient = "client-abc";

const TestRsaKey& signing_key() {
  static const TestRsaKey key;
  return key;
}
const TestRsaKey& other_key() {
  static const TestRsaKey key;
  return key;
}

std::string b64(std::string_view s) {
  return base64url_encode(s);
}

std::string rs256(std::string_view header, std::string_view payload,
                  const TestRsaKey& key = signing_key()) {
  const std::string input = b64(header) + "." + b64(payload);
  return input + "." + b64(key.sign(input));
}

std::string header(std::string_view kid = "k1", std::string_view alg = "RS256") {
  return R"({"kid":")" + std::string(kid) + R"(","alg":")" + std::string(alg) + R"("})";
}

std::string id_claims(std::int64_t exp = kNow + 3600, std::string_view iss = kIssuer,
                      std::string_view aud = kClient, std::string extra = "") {
  return R"({"sub":"0f1e2d3c-aaaa-4bbb-8ccc-123456789abc","email":"Ann@Example.com",)"
         R"("cognito:groups":["platform-operators"],"token_use":"id","iss":")" +
         std::string(iss) + R"(","aud":")" + std::string(aud) + R"(","iat":)" +
         std::to_string(kNow - 10) + R"(,"exp":)" + std::to_string(exp) + extra + "}";
}

std::string access_claims(std::string_view client_id = kClient) {
  return R"({"sub":"0f1e2d3c-aaaa-4bbb-8ccc-123456789abc","token_use":"access","iss":")" +
         std::string(kIssuer) + R"(","client_id":")" + std::string(client_id) + R"(","exp":)" +
         std::to_string(kNow + 3600) + "}";
}

class Rs256VerifierTest : public ::testing::Test {
 protected:
  Rs256VerifierTest()
      : clock_(TimePoint(std::chrono::seconds(kNow))),
        keys_([] { return Result<std::string>(R"({"keys":[)" + signing_key().jwk("k1") + "]}"); },
              clock_),
        verifier_(keys_, Rs256Expectations{kIssuer, kClient}) {}

  Result<Principal> verify(const std::string& token) {
    auto r = verifier_.verify(token, clock_.now());
    if (!r) {
      // No error may echo the token or its parts.
      EXPECT_EQ(r.error().message.find(token.substr(0, 20)), std::string::npos);
      EXPECT_EQ(r.error().message.find(token.substr(token.size() - 20)), std::string::npos);
    }
    return r;
  }

  void expect_refused(const std::string& token, ErrorCode code, std::string_view why) {
    const auto r = verify(token);
    ASSERT_FALSE(r) << "accepted: " << why;
    EXPECT_EQ(r.error().code, code) << why << ": " << r.error().message;
  }

  ManualClock clock_;
  JwksCache keys_;
  Rs256Verifier verifier_;
};

TEST_F(Rs256VerifierTest, AcceptsAnIdTokenAndMapsItsClaims) {
  const auto p = verify(rs256(header(), id_claims()));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->sub, "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc");
  EXPECT_EQ(p->email, "ann@example.com");
  EXPECT_TRUE(p->platform_operator());
}

TEST_F(Rs256VerifierTest, AcceptsAnAccessTokenByItsClientId) {
  const auto p = verify(rs256(header(), access_claims()));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->sub, "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc");
  EXPECT_TRUE(p->email.empty());
}

TEST_F(Rs256VerifierTest, AcceptsAnAudienceListNamingTheClient) {
  std::string claims = id_claims();
  const std::string single = R"("aud":")" + std::string(kClient) + "\"";
  claims.replace(claims.find(single), single.size(),
                 R"("aud":["other",")" + std::string(kClient) + "\"]");
  EXPECT_TRUE(verify(rs256(header(), claims)));
}

TEST_F(Rs256VerifierTest, ExpiryAndNotBeforeHaveSixtySecondsOfLeeway) {
  EXPECT_TRUE(verify(rs256(header(), id_claims(kNow - 59))));
  expect_refused(rs256(header(), id_claims(kNow - 60)), ErrorCode::TokenExpired, "expired");
  expect_refused(rs256(header(), id_claims(kNow - 86400)), ErrorCode::TokenExpired, "long expired");
  EXPECT_TRUE(verify(rs256(header(), id_claims(kNow + 3600, kIssuer, kClient,
                                               ",\"nbf\":" + std::to_string(kNow + 60)))));
  expect_refused(rs256(header(), id_claims(kNow + 3600, kIssuer, kClient,
                                           ",\"nbf\":" + std::to_string(kNow + 61))),
                 ErrorCode::TokenInvalid, "not yet valid");
}

TEST_F(Rs256VerifierTest, RefusesTokensOfAnotherIssuerOrAudience) {
  expect_refused(
      rs256(header(), id_claims(kNow + 3600, "https://cognito-idp.eu-west-1.amazonaws.com/other")),
      ErrorCode::TokenInvalid, "wrong issuer");
  expect_refused(rs256(header(), id_claims(kNow + 3600, kIssuer, "other-client")),
                 ErrorCode::TokenInvalid, "wrong audience");
  expect_refused(rs256(header(), access_claims("other-client")), ErrorCode::TokenInvalid,
                 "access token of another client");
  // An access token is judged by client_id, never by an aud it should not have.
  std::string access = access_claims("other-client");
  access.insert(1, R"("aud":"client-abc",)");
  expect_refused(rs256(header(), access), ErrorCode::TokenInvalid, "access token with aud only");
}

TEST_F(Rs256VerifierTest, RefusesTokensThatAreNeitherIdNorAccessTokens) {
  std::string refresh = id_claims();
  refresh.replace(refresh.find("\"id\""), 4, "\"refresh\"");
  expect_refused(rs256(header(), refresh), ErrorCode::TokenInvalid, "token_use refresh");
  std::string none = id_claims();
  none.replace(none.find("\"token_use\":\"id\","), 17, "");
  expect_refused(rs256(header(), none), ErrorCode::TokenInvalid, "no token_use");
}

TEST_F(Rs256VerifierTest, RefusesAnUnknownKidAndASignatureOfAnotherKey) {
  expect_refused(rs256(header("k2"), id_claims(), other_key()), ErrorCode::TokenInvalid,
                 "unknown kid");
  expect_refused(rs256(header("k1"), id_claims(), other_key()), ErrorCode::TokenInvalid,
                 "known kid, other key");
  expect_refused(rs256(R"({"alg":"RS256"})", id_claims()), ErrorCode::TokenInvalid, "no kid");
}

TEST_F(Rs256VerifierTest, RefusesAlgNoneAndHs256KeyedWithThePublicKey) {
  const std::string unsigned_token =
      b64(R"({"kid":"k1","alg":"none"})") + "." + b64(id_claims()) + ".";
  expect_refused(unsigned_token, ErrorCode::TokenInvalid, "alg none, empty signature");
  expect_refused(b64(R"({"kid":"k1","alg":"none"})") + "." + b64(id_claims()) + ".c2ln",
                 ErrorCode::TokenInvalid, "alg none with a signature");
  // The classic confusion: HMAC keyed with the public key (as JWK n, and as the JWKS text).
  const std::string input = b64(header("k1", "HS256")) + "." + b64(id_claims());
  for (const std::string& secret :
       {signing_key().n(), R"({"keys":[)" + signing_key().jwk("k1") + "]}"}) {
    expect_refused(input + "." + b64(hmac_sha256(secret, input)), ErrorCode::TokenInvalid,
                   "HS256 with the public key");
  }
  expect_refused(rs256(header("k1", "RS512"), id_claims()), ErrorCode::TokenInvalid, "RS512");
  expect_refused(rs256(R"({"kid":"k1","alg":"RS256","crit":["exp"]})", id_claims()),
                 ErrorCode::TokenInvalid, "crit header");
}

TEST_F(Rs256VerifierTest, RefusesATamperedPayloadOrSignature) {
  const std::string good = rs256(header(), id_claims());
  const auto dot1 = good.find('.');
  const auto dot2 = good.find('.', dot1 + 1);
  // Same signature over claims that make the caller an admin.
  std::string claims = id_claims();
  claims.replace(claims.find("platform-operators"), 18, "platform-admins");
  expect_refused(good.substr(0, dot1 + 1) + b64(claims) + good.substr(dot2),
                 ErrorCode::TokenInvalid, "tampered payload");
  std::string flipped = good;
  flipped[dot2 + 5] = flipped[dot2 + 5] == 'A' ? 'B' : 'A';
  expect_refused(flipped, ErrorCode::TokenInvalid, "tampered signature");
  expect_refused(good.substr(0, dot2), ErrorCode::TokenInvalid, "two parts");
  expect_refused(good + ".x", ErrorCode::TokenInvalid, "four parts");
  expect_refused(good.substr(0, dot2 + 1), ErrorCode::TokenInvalid, "empty signature");
}

TEST_F(Rs256VerifierTest, ATokenWithoutIdentityIsUnauthorized) {
  const std::string claims = R"({"token_use":"id","iss":")" + std::string(kIssuer) +
                             R"(","aud":")" + kClient + R"(","exp":)" + std::to_string(kNow + 60) +
                             "}";
  expect_refused(rs256(header(), claims), ErrorCode::Unauthorized, "no sub, no email");
}

TEST(Rs256VerifierAudience, AnEmptyClientIdSkipsTheAudienceCheck) {
  ManualClock clock{TimePoint(std::chrono::seconds(kNow))};
  JwksCache keys(
      [] { return Result<std::string>(R"({"keys":[)" + signing_key().jwk("k1") + "]}"); }, clock);
  Rs256Verifier verifier(keys, Rs256Expectations{kIssuer, ""});
  EXPECT_TRUE(verifier.verify(rs256(header(), id_claims(kNow + 60, kIssuer, "any")), clock.now()));
}

TEST(Rs256VerifierKeys, AnUnreachableIssuerIsServiceUnavailable) {
  ManualClock clock{TimePoint(std::chrono::seconds(kNow))};
  JwksCache keys(
      [] { return Result<std::string>(Error::make(ErrorCode::ServiceUnavailable, "down")); },
      clock);
  Rs256Verifier verifier(keys, Rs256Expectations{kIssuer, kClient});
  const auto r = verifier.verify(rs256(header(), id_claims()), clock.now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::ServiceUnavailable);
}

}  // namespace
}  // namespace tenantd::auth
