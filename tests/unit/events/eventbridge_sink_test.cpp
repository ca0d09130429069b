#include "events/eventbridge_sink.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "unit/aws/fake_http_server.hpp"
#include "unit/events/sink_test_support.hpp"

namespace tenantd::events {
namespace {

using testing_support::FakeHttpServer;
using testing_support::RequestLog;
using testing_support::sample_event;

std::unique_ptr<EventBridgeSink> sink_for(const FakeHttpServer& server) {
  aws::ClientSettings settings;
  settings.retry.max_attempts = 1;
  aws::ServiceEndpoint endpoint{"events", "eu-west-1", *Url::parse(server.url())};
  return std::make_unique<EventBridgeSink>(
      std::make_unique<aws::AwsJsonClient>(
          endpoint, "AWSEvents", "1.1",
          std::make_shared<aws::StaticCredentials>(aws::Credentials{"AKID", "secret", ""}),
          settings),
      "tenant-events-dev");
}

// Answers each PutEvents with one EventId per entry, except entries whose Detail has
// "fail":true, which get an ErrorCode.
FakeHttpServer::Response answer_entries(const FakeHttpServer::Request& request) {
  auto doc = parse_json(request.body());
  JsonWriter w;
  w.begin_object().field("FailedEntryCount", 0).key("Entries").begin_array();
  int n = 0;
  for (const auto& entry : (*doc)["Entries"].GetArray()) {
    auto detail = parse_json(as_view(entry["Detail"]));
    if (detail->HasMember("fail")) {
      w.begin_object()
          .field("ErrorCode", "InternalFailure")
          .field("ErrorMessage", "try again")
          .end_object();
    } else {
      w.begin_object().field("EventId", "eb-" + std::to_string(n)).end_object();
    }
    ++n;
  }
  w.end_array().end_object();
  return FakeHttpServer::reply(200, w.str());
}

TEST(PutEventsBody, CarriesBusSourceDetailTypeDetailAndTheEventsOwnTime) {
  const std::vector<OutboxEvent> events = {sample_event(1), sample_event(2), sample_event(3)};
  const auto doc = parse_json(put_events_body("bus-x", events, {0, 2}));
  ASSERT_TRUE(doc);
  const auto& entries = (*doc)["Entries"];
  ASSERT_EQ(entries.Size(), 2u);
  EXPECT_EQ(as_view(entries[0]["EventBusName"]), "bus-x");
  EXPECT_EQ(as_view(entries[0]["Source"]), "bbws.tenant-management");
  EXPECT_EQ(as_view(entries[0]["DetailType"]), "TENANT_UPDATED");
  EXPECT_EQ(as_view(entries[0]["Detail"]), events[0].detail_json) << "Detail is a JSON string";
  EXPECT_EQ(as_view(entries[1]["Detail"]), events[2].detail_json);
  // Epoch seconds with the milliseconds kept.
  EXPECT_DOUBLE_EQ(entries[0]["Time"].GetDouble(), 1764212400.124);
  EXPECT_FALSE(entries[0].HasMember("Resources"));
}

TEST(PutEventsEntrySize, CountsTimeSourceDetailTypeAndDetailBytes) {
  const OutboxEvent e = sample_event(1, R"({"x":"é"})");
  EXPECT_EQ(put_events_entry_size(e), 14 + std::string("bbws.tenant-management").size() +
                                          std::string("TENANT_UPDATED").size() + 10);
}

TEST(PutEventsStatuses, PerEntryFailuresFailOnlyTheirEvent) {
  aws::AwsResponse r;
  r.status = 200;
  r.body = R"({"FailedEntryCount":1,"Entries":[{"EventId":"a"},)"
           R"({"ErrorCode":"ThrottlingException","ErrorMessage":"slow down"},{"EventId":"c"}]})";
  const auto statuses = put_events_statuses(r, 3);
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_TRUE(statuses[0].ok());
  ASSERT_FALSE(statuses[1].ok());
  EXPECT_NE(statuses[1].error().message.find("ThrottlingException: slow down"), std::string::npos)
      << statuses[1].error().message;
  EXPECT_TRUE(statuses[2].ok());
}

TEST(PutEventsStatuses, AnErrorOrAnUnreadableAnswerFailsEveryEntry) {
  aws::AwsResponse error;
  error.status = 400;
  error.error_type = "ResourceNotFoundException";
  error.error_message = "Event bus x does not exist.";
  for (const auto& s : put_events_statuses(error, 2)) {
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("ResourceNotFoundException: Event bus x does not exist."),
              std::string::npos);
  }
  aws::AwsResponse short_answer;
  short_answer.status = 200;
  short_answer.body = R"({"Entries":[{"EventId":"a"}]})";
  const auto statuses = put_events_statuses(short_answer, 2);
  EXPECT_FALSE(statuses[0].ok()) << "an answer that does not match the batch proves nothing";
  EXPECT_FALSE(statuses[1].ok());
  aws::AwsResponse neither;
  neither.status = 200;
  neither.body = R"({"Entries":[{}]})";
  EXPECT_FALSE(put_events_statuses(neither, 1)[0].ok());
}

TEST(EventBridgeSink, SendsAtMostTenEntriesPerCallAndMapsFailuresBackToTheirEvents) {
  RequestLog log;
  FakeHttpServer server([&](const FakeHttpServer::Request& r) {
    log.add(r);
    return answer_entries(r);
  });
  auto sink = sink_for(server);
  std::vector<OutboxEvent> batch;
  for (int i = 0; i < 23; ++i) {
    batch.push_back(i == 14 ? sample_event(i, R"({"fail":true})") : sample_event(i));
  }
  const auto statuses = sink->deliver(batch);
  ASSERT_EQ(statuses.size(), 23u);
  for (int i = 0; i < 23; ++i) {
    EXPECT_EQ(statuses[i].ok(), i != 14) << i;
  }
  const auto calls = log.all();
  ASSERT_EQ(calls.size(), 3u);
  std::vector<unsigned> sizes;
  for (const auto& call : calls) {
    EXPECT_EQ(call.amz_target, "AWSEvents.PutEvents");
    EXPECT_EQ(call.content_type, "application/x-amz-json-1.1");
    sizes.push_back((*parse_json(call.body))["Entries"].Size());
  }
  EXPECT_EQ(sizes, (std::vector<unsigned>{10, 10, 3}));
  // Entries keep the batch's order across calls.
  EXPECT_EQ(as_view((*parse_json(calls[1].body))["Entries"][0]["Detail"]), batch[10].detail_json);
}

TEST(EventBridgeSink, KeepsEachCallUnder256KilobytesAndRefusesAnOversizedEventAlone) {
  RequestLog log;
  FakeHttpServer server([&](const FakeHttpServer::Request& r) {
    log.add(r);
    return answer_entries(r);
  });
  auto sink = sink_for(server);
  const std::string big(100 * 1024, 'x');
  const std::string huge(kPutEventsMaxBytes, 'y');
  std::vector<OutboxEvent> batch = {
      sample_event(0, R"({"pad":")" + big + R"("})"),
      sample_event(1, R"({"pad":")" + huge + R"("})"),
      sample_event(2, R"({"pad":")" + big + R"("})"),
      sample_event(3, R"({"pad":")" + big + R"("})"),
  };
  const auto statuses = sink->deliver(batch);
  ASSERT_EQ(statuses.size(), 4u);
  EXPECT_TRUE(statuses[0].ok());
  ASSERT_FALSE(statuses[1].ok());
  EXPECT_EQ(statuses[1].error().code, ErrorCode::ValidationError);
  EXPECT_NE(statuses[1].error().message.find("over EventBridge's limit"), std::string::npos);
  EXPECT_TRUE(statuses[2].ok());
  EXPECT_TRUE(statuses[3].ok());
  const auto calls = log.all();
  ASSERT_EQ(calls.size(), 2u) << "two 100 KB entries fit in a call, a third does not";
  EXPECT_EQ((*parse_json(calls[0].body))["Entries"].Size(), 2u);
  EXPECT_EQ((*parse_json(calls[1].body))["Entries"].Size(), 1u);
  for (const auto& call : calls) {
    EXPECT_EQ(call.body.find(huge), std::string::npos) << "the oversized event is never sent";
  }
}

TEST(EventBridgeSink, AServiceErrorFailsTheEventsOfThatCallOnly) {
  int calls = 0;
  FakeHttpServer server([&](const FakeHttpServer::Request& r) {
    if (++calls == 1) {
      return FakeHttpServer::reply(
          400, R"({"__type":"ResourceNotFoundException","message":"Event bus gone"})");
    }
    return answer_entries(r);
  });
  auto sink = sink_for(server);
  std::vector<OutboxEvent> batch;
  for (int i = 0; i < 12; ++i) {
    batch.push_back(sample_event(i));
  }
  const auto statuses = sink->deliver(batch);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(statuses[i].ok(), i >= 10) << i;
  }
  EXPECT_NE(statuses[0].error().message.find("ResourceNotFoundException: Event bus gone"),
            std::string::npos);
}

}  // namespace
}  // namespace tenantd::events
