#include "aws/aws_query_client.hpp"

#include <gtest/gtest.h>

#include "unit/aws/fake_http_server.hpp"

namespace tenantd::aws {
namespace {

using testing_support::FakeHttpServer;

TEST(FormEncode, PercentEncodesKeysAndValuesAfterActionAndVersion) {
  EXPECT_EQ(
      form_encode("Publish", "2010-03-31",
                  {{"TopicArn", "arn:aws:sns:eu-west-1:1:t"}, {"Message", R"({"a":"b c&d=e/é"})"}}),
      "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A1%3At"
      "&Message=%7B%22a%22%3A%22b%20c%26d%3De%2F%C3%A9%22%7D");
}

TEST(XmlText, ReturnsTheFirstElementsTextWithEntitiesDecoded) {
  const std::string xml =
      "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code>"
      "<Message>Invalid parameter: Message too long &amp; &lt;bad&gt; &quot;x&quot; &apos;y&apos; "
      "&#233;&#x41;</Message></Error><RequestId>r-1</RequestId></ErrorResponse>";
  EXPECT_EQ(xml_text(xml, "Code"), "InvalidParameter");
  EXPECT_EQ(xml_text(xml, "Message"),
            "Invalid parameter: Message too long & <bad> \"x\" 'y' \xC3\xA9"
            "A");
  EXPECT_EQ(xml_text(xml, "RequestId"), "r-1");
  EXPECT_EQ(xml_text(xml, "MessageId"), "");
  EXPECT_EQ(xml_text("<Code>unterminated", "Code"), "");
  EXPECT_EQ(xml_text("<M>a &bogus; b</M>", "M"), "a &bogus; b") << "unknown entities stay";
}

AwsQueryClient client_for(const FakeHttpServer& server, int max_attempts) {
  ClientSettings settings;
  settings.retry.max_attempts = max_attempts;
  settings.retry.base = std::chrono::milliseconds(1);
  ServiceEndpoint endpoint{"sns", "eu-west-1", *Url::parse(server.url())};
  return AwsQueryClient(endpoint, "2010-03-31",
                        std::make_shared<StaticCredentials>(Credentials{"AKID", "secret", "tok"}),
                        settings);
}

TEST(AwsQueryClient, SignsAFormPostAndReadsXmlErrors) {
  std::string content_type;
  std::string authorization;
  std::string token;
  std::string body;
  FakeHttpServer server([&](const FakeHttpServer::Request& r) {
    content_type = std::string(r["Content-Type"]);
    authorization = std::string(r["Authorization"]);
    token = std::string(r["X-Amz-Security-Token"]);
    body = r.body();
    return FakeHttpServer::reply(404,
                                 "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code>"
                                 "<Message>Topic does not exist</Message></Error></ErrorResponse>");
  });
  auto client = client_for(server, 3);
  auto response = client.call("Publish", {{"TopicArn", "arn"}});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->error_type, "NotFound");
  EXPECT_EQ(response->error_message, "Topic does not exist");
  EXPECT_EQ(response->attempts, 1) << "a client error is not retried";
  EXPECT_EQ(content_type, "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKID/", 0), 0u) << authorization;
  EXPECT_NE(authorization.find("/eu-west-1/sns/aws4_request"), std::string::npos);
  EXPECT_EQ(token, "tok");
  EXPECT_EQ(body, "Action=Publish&Version=2010-03-31&TopicArn=arn");
}

TEST(AwsQueryClient, RetriesThrottlingAndServerErrors) {
  int calls = 0;
  FakeHttpServer server([&](const FakeHttpServer::Request&) {
    ++calls;
    if (calls == 1) {
      return FakeHttpServer::reply(
          400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>");
    }
    if (calls == 2) {
      return FakeHttpServer::reply(500, "oops");
    }
    return FakeHttpServer::reply(200, "<PublishResponse/>");
  });
  auto client = client_for(server, 3);
  auto response = client.call("Publish", {});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->attempts, 3);
}

}  // namespace
}  // namespace tenantd::aws
