// AUTH_MODE=apigw: the claims API Gateway's authoriser verified travel from the Lambda event into
// the request, and only from where API Gateway puts them.
#include <gtest/gtest.h>

#include "auth/authenticator.hpp"
#include "lambda/events.hpp"

namespace tenantd::lambda {
namespace {

// A REST API (v1) Cognito user pool authoriser flattens every claim into a string.
constexpr const char* kRestV1WithCognito = R"({
  "path": "/v1.0/tenants", "httpMethod": "GET", "headers": {"Authorization": "eyJraWQiOi.x.y"},
  "requestContext": {"stage": "dev", "identity": {"sourceIp": "203.0.113.9"},
    "authorizer": {"claims": {"sub": "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc",
      "email": "Ann@Example.com", "cognito:groups": "platform-admins,ops",
      "token_use": "id", "exp": "Fri Nov 27 04:00:00 UTC 2026"}}}})";

// An HTTP API (v2) JWT authoriser: claims under authorizer.jwt, arrays as "[a b]".
constexpr const char* kHttpV2WithJwt = R"({
  "version": "2.0", "rawPath": "/v1.0/tenants", "rawQueryString": "",
  "headers": {"authorization": "Bearer eyJraWQiOi.x.y"},
  "requestContext": {"http": {"method": "GET", "sourceIp": "198.51.100.7"}, "stage": "$default",
    "authorizer": {"jwt": {"claims": {"sub": "9a8b7c6d-aaaa-4bbb-8ccc-123456789abc",
      "cognito:groups": "[platform-operators other]", "client_id": "c1"},
      "scopes": ["openid"]}}}})";

Request request_of(const char* text) {
  const auto event = parse_json(text);
  EXPECT_TRUE(event.has_value());
  auto request = to_request(*event, classify(*event));
  EXPECT_TRUE(request.ok());
  return std::move(*request);
}

Result<Principal> principal_of(const Request& request) {
  return auth::authorizer_claims_authenticator()(request, TimePoint{});
}

TEST(AuthorizerClaims, RestV1CognitoAuthoriserClaimsBecomeThePrincipal) {
  const auto p = principal_of(request_of(kRestV1WithCognito));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->sub, "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc");
  EXPECT_EQ(p->email, "ann@example.com");
  EXPECT_EQ(p->groups, (std::vector<std::string>{"platform-admins", "ops"}));
  EXPECT_TRUE(p->platform_admin());
}

TEST(AuthorizerClaims, HttpV2JwtAuthoriserClaimsBecomeThePrincipal) {
  const auto p = principal_of(request_of(kHttpV2WithJwt));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->sub, "9a8b7c6d-aaaa-4bbb-8ccc-123456789abc");
  EXPECT_EQ(p->groups, (std::vector<std::string>{"platform-operators", "other"}));
}

TEST(AuthorizerClaims, ClaimsAreTakenOnlyFromWhereApiGatewayPutsThem) {
  // Elsewhere in the event (a client cannot write requestContext, but a misrouted or
  // hand-made event could have these shapes): no claims.
  const char* misplaced[] = {
      // v1 with a Lambda (non-Cognito) authoriser context: not verified claims.
      R"({"path":"/t","httpMethod":"GET","requestContext":{"authorizer":{"principalId":"x","sub":"u"}}})",
      // v1 with the v2 placement.
      R"({"path":"/t","httpMethod":"GET","requestContext":{"authorizer":{"jwt":{"claims":{"sub":"u"}}}}})",
      // v2 with the v1 placement.
      R"({"version":"2.0","rawPath":"/t","requestContext":{"http":{"method":"GET"},"authorizer":{"claims":{"sub":"u"}}}})",
      // claims at the top level or in a body.
      R"({"path":"/t","httpMethod":"GET","claims":{"sub":"u"},"body":"{\"requestContext\":{\"authorizer\":{\"claims\":{\"sub\":\"u\"}}}}"})",
      // ALB has no authoriser at all.
      R"({"path":"/t","httpMethod":"GET","requestContext":{"elb":{},"authorizer":{"claims":{"sub":"u"}}}})",
  };
  for (const char* text : misplaced) {
    const Request request = request_of(text);
    EXPECT_TRUE(request.authorizer_claims.empty()) << text;
    const auto p = principal_of(request);
    ASSERT_FALSE(p) << text;
    EXPECT_EQ(p.error().code, ErrorCode::Unauthorized);
  }
}

TEST(AuthorizerClaims, HeadersNeverStandInForTheAuthoriser) {
  // A Bearer token or look-alike headers are not claims: apigw mode cannot verify a token.
  Request request;
  request.method = "GET";
  request.path = "/tenants";
  request.headers = {{"Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0."},
                     {"X-Authorizer-Claims", R"({"sub":"u","cognito:groups":["platform-admins"]})"},
                     {"authorizer_claims", R"({"sub":"u"})"}};
  const auto p = principal_of(request);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::Unauthorized);
}

TEST(AuthorizerClaims, ClaimsWithoutIdentityAreUnauthorized) {
  Request request;
  request.authorizer_claims = R"({"token_use":"id"})";
  const auto p = principal_of(request);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::Unauthorized);
}

}  // namespace
}  // namespace tenantd::lambda
