#include "lambda/events.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"

namespace tenantd::lambda {
namespace {

// Shapes as API Gateway, ALB and EventBridge send them (trimmed of fields tenantd ignores).
constexpr const char* kRestV1 = R"({
  "resource": "/{proxy+}", "path": "/v1.0/tenants", "httpMethod": "POST",
  "headers": {"Content-Type": "application/json", "Authorization": "Bearer abc"},
  "multiValueHeaders": {"Content-Type": ["application/json"], "Authorization": ["Bearer abc"],
                        "X-Forwarded-For": ["203.0.113.9", "10.0.0.1"]},
  "queryStringParameters": {"q": "a b"},
  "multiValueQueryStringParameters": {"q": ["a b"], "tag": ["x&y", "z"]},
  "pathParameters": {"proxy": "v1.0/tenants"}, "stageVariables": null,
  "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": "POST", "stage": "dev",
                     "path": "/dev/v1.0/tenants", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                     "identity": {"sourceIp": "203.0.113.9"}},
  "body": "eyJvcmdhbml6YXRpb25OYW1lIjoiQWNtZSJ9", "isBase64Encoded": true})";

constexpr const char* kHttpV2 = R"({
  "version": "2.0", "routeKey": "$default", "rawPath": "/dev/v1.0/tenants/t-1",
  "rawQueryString": "limit=5&nextToken=a%2Bb", "cookies": ["session=1", "theme=dark"],
  "headers": {"accept": "application/json", "x-request-id": "client-42"},
  "queryStringParameters": {"limit": "5", "nextToken": "a+b"},
  "requestContext": {"accountId": "123456789012", "apiId": "api", "domainName": "x.example.com",
                     "http": {"method": "GET", "path": "/dev/v1.0/tenants/t-1", "protocol": "HTTP/1.1",
                              "sourceIp": "198.51.100.7", "userAgent": "curl"},
                     "requestId": "JKJaXmPLvHcESHA=", "routeKey": "$default", "stage": "dev"},
  "isBase64Encoded": false})";

constexpr const char* kAlb = R"({
  "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tenantd/abc"}},
  "httpMethod": "GET", "path": "/health", "queryStringParameters": {"x": "a%20b"},
  "headers": {"host": "lb.example.com", "user-agent": "ELB-HealthChecker/2.0"},
  "body": "", "isBase64Encoded": false})";

constexpr const char* kScheduled = R"({
  "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
  "source": "aws.events", "account": "123456789012", "time": "2026-11-27T00:00:00Z",
  "region": "eu-west-1", "resources": ["arn:aws:events:eu-west-1:123456789012:rule/tenantd-jobs-dev"],
  "detail": {}})";

constexpr const char* kEcs = R"({
  "version": "0", "id": "e1", "detail-type": "ECS Service Action", "source": "aws.ecs",
  "account": "123456789012", "time": "2026-11-27T00:00:00Z", "region": "eu-west-1",
  "resources": ["arn:aws:ecs:eu-west-1:123456789012:service/bbws-cluster-dev/tenant-x-wordpress"],
  "detail": {"eventType": "INFO", "eventName": "SERVICE_STEADY_STATE"}})";

JsonDoc parse(const char* text) {
  auto doc = parse_json(text);
  EXPECT_TRUE(doc.has_value());
  return std::move(*doc);
}

TEST(LambdaEvents, ClassifiesEveryKindByShape) {
  EXPECT_EQ(classify(parse(kRestV1)), EventKind::RestV1);
  EXPECT_EQ(classify(parse(kHttpV2)), EventKind::HttpV2);
  EXPECT_EQ(classify(parse(kAlb)), EventKind::Alb);
  EXPECT_EQ(classify(parse(kScheduled)), EventKind::Scheduled);
  EXPECT_EQ(classify(parse(kEcs)), EventKind::Ecs);
  // The runbook's direct invoke is a minimal v1 event.
  EXPECT_EQ(classify(parse(R"({"httpMethod":"GET","path":"/health","headers":{}})")),
            EventKind::RestV1);
  EXPECT_EQ(classify(parse(R"({"Records":[{"eventSource":"aws:sqs"}]})")), EventKind::Unknown);
  EXPECT_EQ(classify(parse("[1,2]")), EventKind::Unknown);
}

TEST(LambdaEvents, DescribesUnknownEventsByTheirSourceOrKeys) {
  EXPECT_EQ(describe(parse(R"({"Records":[],"x":1})")), "an event with the keys [Records, x]");
  EXPECT_EQ(describe(parse(R"({"source":"aws.s3","detail-type":"Object Created"})")),
            "an event of source 'aws.s3' and detail-type 'Object Created'");
}

TEST(LambdaEvents, RestV1BecomesTheSharedRequest) {
  const auto event = parse(kRestV1);
  auto request = to_request(event, EventKind::RestV1);
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->path, "/v1.0/tenants");  // v1 paths carry no stage
  EXPECT_EQ(request->query, "q=a%20b&tag=x%26y&tag=z");
  EXPECT_EQ(request->body, R"({"organizationName":"Acme"})");
  EXPECT_EQ(request->remote_address, "203.0.113.9");
  ASSERT_NE(request->header("authorization"), nullptr);
  int forwarded = 0;
  for (const auto& h : request->headers) {
    forwarded += iequals(h.name, "X-Forwarded-For") ? 1 : 0;
  }
  EXPECT_EQ(forwarded, 2);
}

TEST(LambdaEvents, HttpV2DropsTheStageAndKeepsTheRawQueryAndCookies) {
  const auto event = parse(kHttpV2);
  auto request = to_request(event, EventKind::HttpV2);
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->path, "/v1.0/tenants/t-1");
  EXPECT_EQ(request->query, "limit=5&nextToken=a%2Bb");
  ASSERT_NE(request->header("Cookie"), nullptr);
  EXPECT_EQ(*request->header("Cookie"), "session=1; theme=dark");
  EXPECT_EQ(request->remote_address, "198.51.100.7");
}

TEST(LambdaEvents, AlbQueryValuesArriveEncodedAndStayThatWay) {
  const auto event = parse(kAlb);
  auto request = to_request(event, EventKind::Alb);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->path, "/health");
  EXPECT_EQ(request->query, "x=a%20b");
}

TEST(LambdaEvents, MalformedHttpEventsAreRefusedWithAReason) {
  const auto bad_body =
      parse(R"({"httpMethod":"POST","path":"/x","body":"@@","isBase64Encoded":true})");
  auto r = to_request(bad_body, EventKind::RestV1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().errors.at(0).message.find("base64"), std::string::npos);
  const auto relative = parse(R"({"httpMethod":"GET","path":"health"})");
  EXPECT_FALSE(to_request(relative, EventKind::RestV1).ok());
  EXPECT_FALSE(to_request(parse(kScheduled), EventKind::Scheduled).ok());
}

Response sample_response() {
  Response r;
  r.status = 201;
  r.set_header("Content-Type", "application/json");
  r.headers.push_back({"Set-Cookie", "a=1"});
  r.headers.push_back({"Set-Cookie", "b=2"});
  r.headers.push_back({"Vary", "Accept"});
  r.headers.push_back({"Vary", "Origin"});
  r.body = R"({"ok":true})";
  return r;
}

TEST(LambdaEvents, RestV1ResponsesCarryHeadersAndMultiValueHeaders) {
  const auto event = parse(kRestV1);
  const auto doc = parse_json(to_response(sample_response(), EventKind::RestV1, event));
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["statusCode"].GetInt(), 201);
  EXPECT_EQ(as_view((*doc)["headers"]["Vary"]), "Origin");
  EXPECT_EQ((*doc)["multiValueHeaders"]["Set-Cookie"].Size(), 2U);
  EXPECT_EQ((*doc)["multiValueHeaders"]["Vary"].Size(), 2U);
  EXPECT_EQ(as_view((*doc)["body"]), R"({"ok":true})");
  EXPECT_FALSE((*doc)["isBase64Encoded"].GetBool());
}

TEST(LambdaEvents, HttpV2ResponsesFoldHeadersAndReturnCookiesApart) {
  const auto event = parse(kHttpV2);
  const auto doc = parse_json(to_response(sample_response(), EventKind::HttpV2, event));
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(as_view((*doc)["headers"]["Vary"]), "Accept, Origin");
  EXPECT_FALSE((*doc)["headers"].HasMember("Set-Cookie"));
  ASSERT_EQ((*doc)["cookies"].Size(), 2U);
  EXPECT_EQ(as_view((*doc)["cookies"][1]), "b=2");
}

TEST(LambdaEvents, AlbResponsesHaveAStatusDescriptionAndBinaryBodiesAreBase64) {
  const auto event = parse(kAlb);
  Response r;
  r.status = 404;
  r.set_header("Content-Type", "application/octet-stream");
  r.body = std::string("\x00\xff\x10", 3);
  const auto doc = parse_json(to_response(r, EventKind::Alb, event));
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(as_view((*doc)["statusDescription"]), "404 Not Found");
  EXPECT_TRUE((*doc)["isBase64Encoded"].GetBool());
  EXPECT_EQ(base64_decode(as_view((*doc)["body"])), r.body);
  EXPECT_FALSE(doc->HasMember("multiValueHeaders"));  // the request had none
}

}  // namespace
}  // namespace tenantd::lambda
