#include "aws/aws_json_client.hpp"

#include <gtest/gtest.h>

#include <map>

#include "unit/aws/fake_http_server.hpp"

namespace tenantd::aws {
namespace {

using testing_support::FakeHttpServer;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

AwsJsonClient client_for(const FakeHttpServer& server, int max_attempts = 4) {
  ClientSettings settings;
  settings.retry.max_attempts = max_attempts;
  settings.retry.base = std::chrono::milliseconds(1);
  ServiceEndpoint endpoint{"dynamodb", "eu-west-1", *Url::parse(server.url())};
  return AwsJsonClient(endpoint, "DynamoDB_20120810", "1.0",
                       std::make_shared<StaticCredentials>(Credentials{"AKID", "secret", "tok"}),
                       settings);
}

std::string error_body(const std::string& type, const std::string& message) {
  return R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":")" + message +
         R"("})";
}

TEST(ResolveEndpoint, RegionAndEndpointComeFromTheStandardVariables) {
  auto aws =
      resolve_endpoint(env_of({{"AWS_DEFAULT_REGION", "eu-west-1"}}), "DYNAMODB", "dynamodb");
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->region, "eu-west-1");
  EXPECT_EQ(aws->url.host, "dynamodb.eu-west-1.amazonaws.com");
  EXPECT_TRUE(aws->url.tls);

  auto general = resolve_endpoint(env_of({{"AWS_REGION", "af-south-1"},
                                          {"AWS_DEFAULT_REGION", "eu-west-1"},
                                          {"AWS_ENDPOINT_URL", "http://localhost:4566"}}),
                                  "DYNAMODB", "dynamodb");
  ASSERT_TRUE(general.ok());
  EXPECT_EQ(general->region, "af-south-1") << "AWS_REGION wins over AWS_DEFAULT_REGION";
  EXPECT_EQ(general->url.host_header(), "localhost:4566");

  auto specific = resolve_endpoint(env_of({{"AWS_REGION", "af-south-1"},
                                           {"AWS_ENDPOINT_URL", "http://localhost:4566"},
                                           {"AWS_ENDPOINT_URL_DYNAMODB", "http://ddb:8000"}}),
                                   "DYNAMODB", "dynamodb");
  ASSERT_TRUE(specific.ok());
  EXPECT_EQ(specific->url.host_header(), "ddb:8000") << "the per-service variable wins";

  auto none = resolve_endpoint(env_of({}), "DYNAMODB", "dynamodb");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("AWS_REGION"), std::string::npos);
}

TEST(ClientSettings, MaxAttemptsAndCaBundleComeFromTheEnvironment) {
  auto settings = client_settings(env_of({{"AWS_MAX_ATTEMPTS", "7"}, {"AWS_CA_BUNDLE", "/x.pem"}}));
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->retry.max_attempts, 7);
  EXPECT_EQ(settings->http.ca_file, "/x.pem");
  for (const char* bad : {"0", "21", "x", "-1"}) {
    EXPECT_FALSE(client_settings(env_of({{"AWS_MAX_ATTEMPTS", bad}})).ok()) << bad;
  }
}

TEST(RetryPolicy, DelaysAreJitteredAndCapped) {
  RetryPolicy policy;
  policy.base = std::chrono::milliseconds(10);
  policy.cap = std::chrono::milliseconds(100);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 200; ++i) {
    const auto d = policy.delay(2);
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d.count(), 40);
    seen.insert(d.count());
    EXPECT_LE(policy.delay(30).count(), 100);
  }
  EXPECT_GT(seen.size(), 5U) << "delays vary";
}

TEST(AwsJsonClient, SendsASignedJsonRequestForTheOperation) {
  FakeHttpServer::Request seen;
  FakeHttpServer server([&seen](const auto& request) {
    seen = request;
    return FakeHttpServer::reply(200, R"({"Table":{}})");
  });
  AwsJsonClient client = client_for(server);
  auto response = client.call("DescribeTable", R"({"TableName":"t"})");
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_TRUE(response->ok());
  EXPECT_EQ(response->body, R"({"Table":{}})");
  EXPECT_EQ(seen.method_string(), "POST");
  EXPECT_EQ(seen["X-Amz-Target"], "DynamoDB_20120810.DescribeTable");
  EXPECT_EQ(seen["Content-Type"], "application/x-amz-json-1.0");
  EXPECT_EQ(seen["X-Amz-Security-Token"], "tok");
  EXPECT_EQ(std::string(seen["Authorization"]).rfind("AWS4-HMAC-SHA256 Credential=AKID/", 0), 0U);
  EXPECT_NE(std::string(seen["Authorization"]).find("/eu-west-1/dynamodb/aws4_request"),
            std::string::npos);
  EXPECT_EQ(seen.body(), R"({"TableName":"t"})");
}

TEST(AwsJsonClient, RetriesThrottlingAndServerErrorsUntilSuccess) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&calls](const auto&) {
    switch (calls++) {
      case 0:
        return FakeHttpServer::reply(400,
                                     error_body("ProvisionedThroughputExceededException", "x"));
      case 1:
        return FakeHttpServer::reply(500, error_body("InternalServerError", "boom"));
      case 2:
        return FakeHttpServer::reply(400, error_body("ThrottlingException", "slow down"));
      default:
        return FakeHttpServer::reply(200, "{}");
    }
  });
  AwsJsonClient client = client_for(server, 5);
  auto response = client.call("GetItem", "{}");
  ASSERT_TRUE(response.ok());
  EXPECT_TRUE(response->ok());
  EXPECT_EQ(response->attempts, 4);
  EXPECT_EQ(server.requests(), 4);
}

TEST(AwsJsonClient, GivesUpAfterMaxAttemptsWithTheLastError) {
  FakeHttpServer server([](const auto&) {
    return FakeHttpServer::reply(503, error_body("ServiceUnavailable", "down"));
  });
  AwsJsonClient client = client_for(server, 3);
  auto response = client.call("GetItem", "{}");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->error_type, "ServiceUnavailable");
  EXPECT_EQ(response->error_message, "down");
  EXPECT_EQ(server.requests(), 3);
}

TEST(AwsJsonClient, DoesNotRetryClientErrors) {
  FakeHttpServer server([](const auto&) {
    return FakeHttpServer::reply(
        400, error_body("ConditionalCheckFailedException", "The conditional request failed"));
  });
  AwsJsonClient client = client_for(server, 5);
  auto response = client.call("PutItem", "{}");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->error_type, "ConditionalCheckFailedException");
  EXPECT_EQ(response->error_message, "The conditional request failed");
  EXPECT_EQ(server.requests(), 1);
}

TEST(AwsJsonClient, RetriesTransportFailuresAndReportsThemWhenTheyPersist) {
  std::string url;
  {
    FakeHttpServer gone([](const auto&) { return FakeHttpServer::reply(200, "{}"); });
    url = gone.url();
  }
  ClientSettings settings;
  settings.retry.max_attempts = 3;
  settings.retry.base = std::chrono::milliseconds(1);
  AwsJsonClient client(ServiceEndpoint{"dynamodb", "eu-west-1", *Url::parse(url)},
                       "DynamoDB_20120810", "1.0",
                       std::make_shared<StaticCredentials>(Credentials{"a", "b", ""}), settings);
  auto response = client.call("GetItem", "{}");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::ServiceUnavailable);
}

}  // namespace
}  // namespace tenantd::aws
