#include "lambda/handler.hpp"

#include <gtest/gtest.h>

namespace tenantd::lambda {
namespace {

// Records what reached the API and answers with a fixed response.
class RecordingApi final : public RequestHandler {
 public:
  Response handle(Request& request) override {
    seen.push_back(request);
    Response r;
    r.status = 200;
    r.set_header("Content-Type", "application/json");
    r.body = R"({"path":")" + request.path + "\"}";
    return r;
  }
  std::vector<Request> seen;
};

class LambdaHandlerTest : public ::testing::Test {
 protected:
  LambdaHandlerTest() : clock_(TimePoint(std::chrono::milliseconds(1769337000000))) {}

  LambdaHandler make() {
    Jobs jobs;
    jobs.scheduled = [this]() -> Result<std::string> {
      ++scheduled_runs_;
      return std::string(R"({"outboxDelivered":0})");
    };
    jobs.flush = [this](std::optional<TimePoint>) { ++flushes_; };
    jobs.observed = [this](double) { ++observed_; };
    return LambdaHandler(api_, std::move(jobs), clock_);
  }
  Invocation invocation() const {
    return Invocation{"8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                      "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
                      clock_.now() + std::chrono::seconds(3)};
  }

  ManualClock clock_;
  RecordingApi api_;
  int scheduled_runs_ = 0;
  int flushes_ = 0;
  int observed_ = 0;
};

TEST_F(LambdaHandlerTest, HttpEventsReachTheApiWithTheLambdaIdsAndColdStartOnlyFirst) {
  auto handler = make();
  const auto first =
      handler.handle(R"({"httpMethod":"GET","path":"/health","headers":{}})", invocation());
  ASSERT_TRUE(first.ok) << first.error_message;
  handler.finish(invocation());
  const auto second = handler.handle(
      R"({"httpMethod":"GET","path":"/x","headers":{"X-Request-Id":"client-1"}})", invocation());
  ASSERT_TRUE(second.ok);
  handler.finish(invocation());
  ASSERT_EQ(api_.seen.size(), 2U);
  EXPECT_EQ(api_.seen[0].request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  EXPECT_EQ(api_.seen[1].request_id, "client-1");  // the caller's own id wins, as in serve
  EXPECT_EQ(api_.seen[0].trace_id, invocation().trace_id);
  EXPECT_TRUE(api_.seen[0].cold_start);
  EXPECT_FALSE(api_.seen[1].cold_start);
  EXPECT_NE(first.body.find(R"(\"path\":\"/health\")"), std::string::npos);
  EXPECT_EQ(flushes_, 2);  // every invocation delivers what it wrote
}

TEST_F(LambdaHandlerTest, TheFlushAndTheMetricsLineWaitForFinishAndRunOnceAnInvocation) {
  auto handler = make();
  const auto outcome = handler.handle(R"({"httpMethod":"GET","path":"/health"})", invocation());
  ASSERT_TRUE(outcome.ok);
  EXPECT_EQ(flushes_, 0);  // the answer is not held up by them
  EXPECT_EQ(observed_, 0);
  handler.finish(invocation());
  handler.finish(invocation());
  EXPECT_EQ(flushes_, 1);
  EXPECT_EQ(observed_, 1);

  Invocation late = invocation();
  late.deadline = clock_.now();
  EXPECT_EQ(handler.handle(R"({"httpMethod":"GET","path":"/health"})", late).error_type,
            "DeadlineExceeded");
  handler.finish(late);
  EXPECT_EQ(flushes_, 1);  // nothing ran, so nothing is left to finish
  EXPECT_EQ(observed_, 1);
}

TEST_F(LambdaHandlerTest, ScheduledEventsRunThePeriodicJobs) {
  auto handler = make();
  const auto outcome = handler.handle(
      R"({"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","detail":{}})",
      invocation());
  ASSERT_TRUE(outcome.ok);
  EXPECT_EQ(scheduled_runs_, 1);
  EXPECT_EQ(outcome.body, R"({"outboxDelivered":0})");
}

TEST_F(LambdaHandlerTest, UnknownMalformedAndUnhandledEventsAreInvocationErrorsThatNameThem) {
  auto handler = make();
  const auto unknown = handler.handle(R"({"Records":[]})", invocation());
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.error_type, "UnsupportedEvent");
  EXPECT_NE(unknown.error_message.find("[Records]"), std::string::npos);
  const auto garbage = handler.handle("{not json", invocation());
  EXPECT_EQ(garbage.error_type, "InvalidEvent");
  const auto ecs = handler.handle(
      R"({"source":"aws.ecs","detail-type":"ECS Service Action","detail":{}})", invocation());
  EXPECT_EQ(ecs.error_type, "UnsupportedEvent");  // no ECS consumer wired in this handler
  EXPECT_TRUE(api_.seen.empty());
  const auto document = error_document(unknown);
  EXPECT_NE(document.find(R"("errorType":"UnsupportedEvent")"), std::string::npos);
}

TEST_F(LambdaHandlerTest, WorkPastTheDeadlineIsNotStarted) {
  auto handler = make();
  Invocation late = invocation();
  late.deadline = clock_.now();
  const auto outcome = handler.handle(R"({"httpMethod":"GET","path":"/health"})", late);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error_type, "DeadlineExceeded");
  EXPECT_TRUE(api_.seen.empty());
}

TEST_F(LambdaHandlerTest, AnEventNestedVeryDeeplyIsAnInvalidEventNotACrash) {
  auto handler = make();
  // 150,000 levels once exhausted the stack of the recursive DOM parser (SIGSEGV).
  const std::string deep = std::string(150'000, '[') + std::string(150'000, ']');
  const auto outcome = handler.handle(deep, invocation());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error_type, "InvalidEvent");
  EXPECT_NE(outcome.error_message.find("deeper than 64 levels"), std::string::npos)
      << outcome.error_message;
  EXPECT_TRUE(api_.seen.empty());
}

TEST_F(LambdaHandlerTest, AnEventOverSixMegabytesIsRefusedBeforeParsing) {
  auto handler = make();
  const std::string big = R"({"path":")" + std::string(std::size_t{6} * 1024 * 1024, 'a') + "\"}";
  const auto outcome = handler.handle(big, invocation());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error_type, "InvalidEvent");
  EXPECT_NE(outcome.error_message.find("exceeds"), std::string::npos) << outcome.error_message;
}

}  // namespace
}  // namespace tenantd::lambda
