#include "events/sns_sink.hpp"

#include <gtest/gtest.h>

#include <map>

#include "unit/aws/fake_http_server.hpp"
#include "unit/events/sink_test_support.hpp"

namespace tenantd::events {
namespace {

using testing_support::FakeHttpServer;
using testing_support::RequestLog;
using testing_support::sample_event;

constexpr const char* kTopic = "arn:aws:sns:eu-west-1:123456789012:tenant-notifications-dev";

std::map<std::string, std::string> as_map(const aws::QueryParams& params) {
  return {params.begin(), params.end()};
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> form_of(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= body.size()) {
    const auto amp = body.find('&', start);
    const std::string pair = body.substr(start, amp - start);
    const auto eq = pair.find('=');
    out[percent_decode(pair.substr(0, eq))] = percent_decode(pair.substr(eq + 1));
    if (amp == std::string::npos) {
      break;
    }
    start = amp + 1;
  }
  return out;
}

const char* const kPublished =
    "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
    "<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>"
    "</PublishResponse>";

std::unique_ptr<SnsSink> sink_for(const FakeHttpServer& server) {
  aws::ClientSettings settings;
  settings.retry.max_attempts = 1;
  aws::ServiceEndpoint endpoint{"sns", "eu-west-1", *Url::parse(server.url())};
  return std::make_unique<SnsSink>(
      std::make_unique<aws::AwsQueryClient>(
          endpoint, "2010-03-31",
          std::make_shared<aws::StaticCredentials>(aws::Credentials{"AKID", "secret", ""}),
          settings),
      kTopic, "eu-west-1");
}

TEST(PublishParams, MessageIsTheEnvelopeWithEventTypeAndTenantAttributes) {
  const OutboxEvent e = sample_event(7);
  const auto params = as_map(publish_params(kTopic, e, "{envelope}"));
  EXPECT_EQ(params, (std::map<std::string, std::string>{
                        {"TopicArn", kTopic},
                        {"Message", "{envelope}"},
                        {"MessageAttributes.entry.1.Name", "eventType"},
                        {"MessageAttributes.entry.1.Value.DataType", "String"},
                        {"MessageAttributes.entry.1.Value.StringValue", "TENANT_UPDATED"},
                        {"MessageAttributes.entry.2.Name", "tenantId"},
                        {"MessageAttributes.entry.2.Value.DataType", "String"},
                        {"MessageAttributes.entry.2.Value.StringValue", "tenant-7"},
                    }));
  OutboxEvent no_tenant = e;
  no_tenant.tenant_id.clear();
  EXPECT_EQ(as_map(publish_params(kTopic, no_tenant, "{}")).count("MessageAttributes.entry.2.Name"),
            0u)
      << "SNS refuses empty attribute values";
}

TEST(PublishStatus, NeedsAMessageIdAndReportsErrorsWithCodeAndMessage) {
  aws::AwsResponse ok;
  ok.status = 200;
  ok.body = kPublished;
  EXPECT_TRUE(publish_status(ok).ok());
  aws::AwsResponse empty;
  empty.status = 200;
  empty.body = "<PublishResponse/>";
  EXPECT_FALSE(publish_status(empty).ok());
  aws::AwsResponse error;
  error.status = 400;
  error.error_type = "InvalidParameter";
  error.error_message = "Invalid parameter: TopicArn";
  ASSERT_FALSE(publish_status(error).ok());
  EXPECT_NE(publish_status(error).error().message.find("InvalidParameter: Invalid parameter"),
            std::string::npos);
}

TEST(SnsSink, PublishesEachEventsEnvelopeAndReportsEachOutcome) {
  RequestLog log;
  FakeHttpServer server([&](const FakeHttpServer::Request& r) {
    log.add(r);
    if (r.body().find("tenant-1") != std::string::npos) {
      return FakeHttpServer::reply(
          400,
          "<ErrorResponse><Error><Code>InvalidParameter</Code><Message>bad &amp; worse"
          "</Message></Error></ErrorResponse>");
    }
    return FakeHttpServer::reply(200, kPublished);
  });
  auto sink = sink_for(server);
  const std::vector<OutboxEvent> batch = {sample_event(0), sample_event(1), sample_event(2)};
  const auto statuses = sink->deliver(batch);
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_TRUE(statuses[0].ok());
  ASSERT_FALSE(statuses[1].ok());
  EXPECT_NE(statuses[1].error().message.find("InvalidParameter: bad & worse"), std::string::npos)
      << statuses[1].error().message;
  EXPECT_TRUE(statuses[2].ok());

  const auto calls = log.all();
  ASSERT_EQ(calls.size(), 3u);
  const auto form = form_of(calls[2].body);
  EXPECT_EQ(form.at("Action"), "Publish");
  EXPECT_EQ(form.at("Version"), "2010-03-31");
  EXPECT_EQ(form.at("TopicArn"), kTopic);
  EXPECT_EQ(form.at("Message"), envelope_json(batch[2], "eu-west-1"));
  EXPECT_EQ(form.at("MessageAttributes.entry.2.Value.StringValue"), "tenant-2");
  EXPECT_TRUE(calls[2].amz_target.empty()) << "the query protocol has no X-Amz-Target";
}

TEST(SnsSink, RefusesAnEnvelopeOverTheMessageLimitWithoutSendingIt) {
  int calls = 0;
  FakeHttpServer server([&](const FakeHttpServer::Request&) {
    ++calls;
    return FakeHttpServer::reply(200, kPublished);
  });
  auto sink = sink_for(server);
  const auto statuses = sink->deliver(
      {sample_event(0, R"({"pad":")" + std::string(kSnsMaxMessageBytes, 'z') + R"("})")});
  ASSERT_FALSE(statuses.at(0).ok());
  EXPECT_EQ(statuses[0].error().code, ErrorCode::ValidationError);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace tenantd::events
