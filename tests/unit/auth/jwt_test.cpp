#include "auth/jwt.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/crypto.hpp"

namespace tenantd::auth {
namespace {

constexpr std::string_view kSecret = "test-secret-0123456789abcdefghijklmnop";
constexpr std::int64_t kNow = 1'770'000'000;  // epoch seconds

TimePoint at(std::int64_t epoch_s) {
  return TimePoint(std::chrono::seconds(epoch_s));
}

std::string b64(std::string_view s) {
  return base64url_encode(s);
}

// Builds a token from raw header and payload JSON, signed with `secret` over the encoded parts.
std::string craft(std::string_view header_json, std::string_view payload_json,
                  std::string_view secret = kSecret) {
  std::string signing_input = b64(header_json) + "." + b64(payload_json);
  return signing_input + "." + b64(hmac_sha256(secret, signing_input));
}

std::string std_header() {
  return R"({"alg":"HS256","typ":"JWT"})";
}

std::string claims_json(std::int64_t exp) {
  return R"({"iss":"tenantd-local","token_use":"id","sub":"user-1","email":"Ann@Example.COM","cognito:groups":["platform-admins","x"],"exp":)" +
         std::to_string(exp) + "}";
}

JwtClaims sample_claims() {
  JwtClaims c;
  c.sub = "user-123";
  c.email = "ann@example.com";
  c.groups = {"platform-operators", "team-a"};
  c.iat = kNow;
  c.exp = kNow + 3600;
  return c;
}

void expect_error(const Result<Principal>& r, ErrorCode code) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(code_name(r.error().code), code_name(code)) << r.error().message;
}

TEST(JwtMint, ProducesTokenTheVerifierAccepts) {
  const auto token = mint_hs256(kSecret, sample_claims());
  ASSERT_TRUE(token.ok());
  const Hs256Verifier verifier{std::string(kSecret)};
  const auto p = verifier.verify(*token, at(kNow + 10));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->sub, "user-123");
  EXPECT_EQ(p->email, "ann@example.com");
  EXPECT_EQ(p->groups, (std::vector<std::string>{"platform-operators", "team-a"}));
}

TEST(JwtMint, EmitsCognitoShapedClaims) {
  const auto token = mint_hs256(kSecret, sample_claims());
  ASSERT_TRUE(token.ok());
  const std::string_view t = *token;
  const auto first = t.find('.');
  const auto second = t.find('.', first + 1);
  EXPECT_EQ(base64url_decode(t.substr(0, first)), R"({"alg":"HS256","typ":"JWT"})");
  const auto payload = base64url_decode(t.substr(first + 1, second - first - 1));
  ASSERT_TRUE(payload.has_value());
  const auto doc = parse_json(*payload);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(as_view((*doc)["iss"]), "tenantd-local");
  EXPECT_EQ(as_view((*doc)["token_use"]), "id");
  EXPECT_EQ((*doc)["iat"].GetInt64(), kNow);
  EXPECT_EQ((*doc)["exp"].GetInt64(), kNow + 3600);
  ASSERT_TRUE((*doc)["cognito:groups"].IsArray());
  EXPECT_EQ((*doc)["cognito:groups"].Size(), 2u);
}

TEST(JwtMint, RefusesEmptySecret) {
  EXPECT_FALSE(mint_hs256("", sample_claims()).ok());
}

TEST(JwtVerify, AcceptsOtherwiseValidTokenWithinLeewayAfterExpiry) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string token = craft(std_header(), claims_json(kNow));
  EXPECT_TRUE(verifier.verify(token, at(kNow + 59)).ok());
}

TEST(JwtVerify, RejectsTokenExpiredBeyondLeewayAsExpired) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string token = craft(std_header(), claims_json(kNow));
  expect_error(verifier.verify(token, at(kNow + 60)), ErrorCode::TokenExpired);
  expect_error(verifier.verify(token, at(kNow + 100000)), ErrorCode::TokenExpired);
}

TEST(JwtVerify, RequiresNumericExp) {
  const Hs256Verifier verifier{std::string(kSecret)};
  expect_error(verifier.verify(craft(std_header(), R"({"sub":"u"})"), at(kNow)),
               ErrorCode::TokenInvalid);
  expect_error(verifier.verify(craft(std_header(), R"({"sub":"u","exp":"9999999999"})"), at(kNow)),
               ErrorCode::TokenInvalid);
}

TEST(JwtVerify, AcceptsFractionalExp) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string payload = R"({"iss":"tenantd-local","token_use":"id","sub":"u","exp":)" +
                              std::to_string(kNow + 100) + ".5}";
  EXPECT_TRUE(verifier.verify(craft(std_header(), payload), at(kNow)).ok());
}

TEST(JwtVerify, RejectsNotBeforeInTheFutureBeyondLeeway) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const auto with_nbf = [&](std::int64_t nbf) {
    return craft(std_header(), R"({"iss":"tenantd-local","token_use":"id","sub":"u","exp":)" +
                                   std::to_string(kNow + 3600) + R"(,"nbf":)" +
                                   std::to_string(nbf) + "}");
  };
  EXPECT_TRUE(verifier.verify(with_nbf(kNow + 60), at(kNow)).ok());
  expect_error(verifier.verify(with_nbf(kNow + 61), at(kNow)), ErrorCode::TokenInvalid);
}

TEST(JwtVerify, RejectsAlgorithmsOtherThanHs256) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string payload = claims_json(kNow + 3600);
  for (const char* header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"RS256","typ":"JWT"})",
        R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"hs256","typ":"JWT"})", R"({"typ":"JWT"})",
        R"({"alg":["HS256"]})", R"({"alg":"HS256","crit":["exp"]})", R"(["HS256"])", "not json"}) {
    expect_error(verifier.verify(craft(header, payload), at(kNow)), ErrorCode::TokenInvalid);
  }
}

TEST(JwtVerify, AcceptsHs256HeaderInAnyJsonLayout) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string token =
      craft(R"({ "typ" : "JWT", "alg" : "HS256" })", claims_json(kNow + 3600));
  EXPECT_TRUE(verifier.verify(token, at(kNow)).ok());
}

TEST(JwtVerify, RejectsUnsignedTokenWithEmptySignature) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string token = b64(R"({"alg":"none"})") + "." + b64(claims_json(kNow + 3600)) + ".";
  expect_error(verifier.verify(token, at(kNow)), ErrorCode::TokenInvalid);
  const std::string hs_header_no_sig =
      b64(std_header()) + "." + b64(claims_json(kNow + 3600)) + ".";
  expect_error(verifier.verify(hs_header_no_sig, at(kNow)), ErrorCode::TokenInvalid);
}

TEST(JwtVerify, RejectsTamperedPayload) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string good = craft(std_header(), claims_json(kNow + 3600));
  const auto dot1 = good.find('.');
  const auto dot2 = good.find('.', dot1 + 1);
  // Swap in a payload granting more groups, keeping the original signature.
  const std::string forged_payload = b64(
      R"({"iss":"tenantd-local","token_use":"id","sub":"user-1","cognito:groups":["platform-admins"],"exp":)" +
      std::to_string(kNow + 3600) + "}");
  const std::string forged = good.substr(0, dot1 + 1) + forged_payload + good.substr(dot2);
  expect_error(verifier.verify(forged, at(kNow)), ErrorCode::TokenInvalid);
}

TEST(JwtVerify, RejectsEveryAlteredCharacter) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string good = craft(std_header(), claims_json(kNow + 3600));
  ASSERT_TRUE(verifier.verify(good, at(kNow)).ok());
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    if (good[i] == '.') {
      bad[i] = 'A';
    }
    const auto r = verifier.verify(bad, at(kNow));
    EXPECT_FALSE(r.ok()) << "position " << i;
  }
}

TEST(JwtVerify, RejectsTamperedSignature) {
  const Hs256Verifier verifier{std::string(kSecret)};
  std::string token = craft(std_header(), claims_json(kNow + 3600));
  token.back() = token.back() == 'A' ? 'Q' : 'A';
  expect_error(verifier.verify(token, at(kNow)), ErrorCode::TokenInvalid);
  std::string truncated = craft(std_header(), claims_json(kNow + 3600));
  truncated.pop_back();
  expect_error(verifier.verify(truncated, at(kNow)), ErrorCode::TokenInvalid);
}

TEST(JwtVerify, RejectsTokenSignedWithAnotherSecret) {
  const Hs256Verifier verifier{std::string(kSecret)};
  expect_error(verifier.verify(craft(std_header(), claims_json(kNow + 3600), "other"), at(kNow)),
               ErrorCode::TokenInvalid);
}

TEST(JwtVerify, VerifierWithEmptySecretAcceptsNothing) {
  const Hs256Verifier verifier{std::string()};
  expect_error(verifier.verify(craft(std_header(), claims_json(kNow + 3600), ""), at(kNow)),
               ErrorCode::TokenInvalid);
}

TEST(JwtVerify, RejectsMalformedStructure) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string good = craft(std_header(), claims_json(kNow + 3600));
  for (const std::string& bad : {std::string(), std::string("abc"), std::string("a.b"),
                                 std::string("a.b.c.d"), std::string(".."), "." + good, good + ".",
                                 good + ".x", std::string("a..c"), std::string(20000, 'a')}) {
    expect_error(verifier.verify(bad, at(kNow)), ErrorCode::TokenInvalid);
  }
}

TEST(JwtVerify, RejectsPayloadThatIsNotJsonObject) {
  const Hs256Verifier verifier{std::string(kSecret)};
  expect_error(verifier.verify(craft(std_header(), "not json"), at(kNow)), ErrorCode::TokenInvalid);
  expect_error(verifier.verify(craft(std_header(), "[1,2]"), at(kNow)), ErrorCode::TokenInvalid);
  // A correctly signed payload that is not base64url at all.
  const std::string input = b64(std_header()) + ".!!!";
  expect_error(verifier.verify(input + "." + b64(hmac_sha256(kSecret, input)), at(kNow)),
               ErrorCode::TokenInvalid);
}

TEST(JwtVerify, TokenWithoutSubOrEmailIsUnauthorized) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string payload =
      R"({"iss":"tenantd-local","token_use":"id","cognito:groups":["platform-admins"],"exp":)" +
      std::to_string(kNow + 3600) + "}";
  expect_error(verifier.verify(craft(std_header(), payload), at(kNow)), ErrorCode::Unauthorized);
  const std::string empty_ids =
      R"({"iss":"tenantd-local","token_use":"id","sub":"","email":"","exp":)" +
      std::to_string(kNow + 3600) + "}";
  expect_error(verifier.verify(craft(std_header(), empty_ids), at(kNow)), ErrorCode::Unauthorized);
}

TEST(JwtVerify, ErrorMessagesNeverContainTheToken) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string expired = craft(std_header(), claims_json(kNow - 1000));
  const std::string wrong = craft(std_header(), claims_json(kNow + 3600), "other");
  for (const auto& token : {expired, wrong}) {
    const auto r = verifier.verify(token, at(kNow));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message.find(token.substr(token.rfind('.') + 1)), std::string::npos);
    EXPECT_EQ(r.error().message.find(token.substr(0, 20)), std::string::npos);
  }
}

TEST(JwtClaimsToPrincipal, LowerCasesEmailAndReadsCognitoGroups) {
  const auto doc =
      parse_json(R"({"sub":"s","email":"MiXeD@Example.Org","cognito:groups":["a","b"]})");
  ASSERT_TRUE(doc.has_value());
  const auto p = principal_from_claims(*doc);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->email, "mixed@example.org");
  EXPECT_EQ(p->groups, (std::vector<std::string>{"a", "b"}));
}

TEST(JwtClaimsToPrincipal, FallsBackToPlainGroupsClaim) {
  const auto doc = parse_json(R"({"email":"a@b.c","groups":["platform-admins"]})");
  ASSERT_TRUE(doc.has_value());
  const auto p = principal_from_claims(*doc);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->platform_admin());
  EXPECT_EQ(p->sub, "");
}

TEST(JwtClaimsToPrincipal, PrefersCognitoGroupsOverGroups) {
  const auto doc = parse_json(R"({"sub":"s","groups":["g"],"cognito:groups":["c"]})");
  ASSERT_TRUE(doc.has_value());
  const auto p = principal_from_claims(*doc);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->groups, (std::vector<std::string>{"c"}));
}

TEST(JwtClaimsToPrincipal, SplitsApiGatewayFlattenedGroupStrings) {
  for (const char* text :
       {R"({"sub":"s","cognito:groups":"[a b]"})", R"({"sub":"s","cognito:groups":"a,b"})",
        R"({"sub":"s","cognito:groups":"a, b"})"}) {
    const auto doc = parse_json(text);
    ASSERT_TRUE(doc.has_value());
    const auto p = principal_from_claims(*doc);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->groups, (std::vector<std::string>{"a", "b"})) << text;
  }
}

TEST(JwtClaimsToPrincipal, NoGroupsClaimMeansNoGroups) {
  const auto doc = parse_json(R"({"sub":"s"})");
  ASSERT_TRUE(doc.has_value());
  const auto p = principal_from_claims(*doc);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->groups.empty());
}

TEST(JwtClaimsToPrincipal, RejectsClaimsOfTheWrongType) {
  for (const char* text :
       {R"({"sub":1})", R"({"sub":"s","email":true})", R"({"sub":"s","cognito:groups":[1]})",
        R"({"sub":"s","cognito:groups":{"a":1}})", R"([])"}) {
    const auto doc = parse_json(text);
    ASSERT_TRUE(doc.has_value());
    const auto p = principal_from_claims(*doc);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.error().code, ErrorCode::TokenInvalid) << text;
  }
}

TEST(JwtBearer, ExtractsTokenWithCaseInsensitiveScheme) {
  const std::string a = "Bearer abc.def.ghi";
  const std::string b = "bearer abc";
  const std::string c = "BEARER   abc  ";
  EXPECT_EQ(bearer_token(&a), "abc.def.ghi");
  EXPECT_EQ(bearer_token(&b), "abc");
  EXPECT_EQ(bearer_token(&c), "abc");
}

TEST(JwtBearer, RejectsMissingOtherSchemeOrEmptyToken) {
  EXPECT_FALSE(bearer_token(nullptr).has_value());
  for (const char* raw : {"", "Bearer", "Bearer ", "Bearer    ", "Basic abc", "Bearerabc",
                          "Token abc", "abc.def.ghi"}) {
    const std::string h = raw;
    EXPECT_FALSE(bearer_token(&h).has_value()) << h;
  }
}

TEST(JwtVerify, LocalModeChecksIssuerAndTokenUseAsTheOtherModesDo) {
  const Hs256Verifier verifier{std::string(kSecret)};
  const std::string exp = std::to_string(kNow + 3600);
  for (const std::string& claims :
       {R"({"sub":"u","exp":)" + exp + "}",  // neither
        R"({"iss":"someone-else","token_use":"id","sub":"u","exp":)" + exp + "}",
        R"({"iss":"tenantd-local","sub":"u","exp":)" + exp + "}",
        R"({"iss":"tenantd-local","token_use":"refresh","sub":"u","exp":)" + exp + "}"}) {
    expect_error(verifier.verify(craft(std_header(), claims), at(kNow)), ErrorCode::TokenInvalid);
  }
  EXPECT_TRUE(verifier
                  .verify(craft(std_header(), R"({"iss":"tenantd-local","token_use":"access",)"
                                              R"("sub":"u","exp":)" +
                                                  exp + "}"),
                          at(kNow))
                  .ok());
}

}  // namespace
}  // namespace tenantd::auth
