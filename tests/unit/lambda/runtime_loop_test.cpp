#include <gtest/gtest.h>

#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

#include "lambda/runtime_api.hpp"

namespace tenantd::lambda {
namespace {

// A scripted Runtime API: hands out its events, then fails `next` until the loop gives up.
class ScriptedRuntime final : public RuntimeClient {
 public:
  std::deque<NextInvocation> events;
  std::vector<std::pair<std::string, std::string>> responses;  // request id, body
  std::vector<std::pair<std::string, Outcome>> errors;
  int failed_nexts = 0;
  std::vector<std::string>* log = nullptr;  // when set: "respond ID" for each answer

  Result<NextInvocation> next() override {
    if (events.empty()) {
      ++failed_nexts;
      return Error::make(ErrorCode::ServiceUnavailable, "runtime gone");
    }
    auto next = std::move(events.front());
    events.pop_front();
    return next;
  }
  Status respond(std::string_view id, std::string_view body) override {
    responses.emplace_back(std::string(id), std::string(body));
    if (log != nullptr) {
      log->push_back("respond " + std::string(id));
    }
    return {};
  }
  Status fail(std::string_view id, const Outcome& outcome) override {
    errors.emplace_back(std::string(id), outcome);
    return {};
  }
};

// An API that fails hard on one path, as a bug would.
class FragileApi final : public RequestHandler {
 public:
  Response handle(Request& request) override {
    if (request.path == "/boom") {
      throw std::runtime_error("handler exploded");
    }
    Response r;
    r.set_header("Content-Type", "application/json");
    r.body = "{}";
    return r;
  }
};

NextInvocation event(std::string id, std::string body) {
  NextInvocation next;
  next.invocation.request_id = std::move(id);
  next.event = std::move(body);
  return next;
}

TEST(RuntimeLoop, AHandlerFailureIsAnInvocationErrorAndTheLoopGoesOn) {
  ScriptedRuntime runtime;
  runtime.events.push_back(event("a", R"({"httpMethod":"GET","path":"/boom"})"));
  runtime.events.push_back(event("b", R"({"httpMethod":"GET","path":"/fine"})"));
  FragileApi api;
  SystemClock clock;
  LambdaHandler handler(api, Jobs{}, clock);

  const Status ended = run_runtime_loop(runtime, handler);
  EXPECT_FALSE(ended.ok());  // it stops only when the Runtime API stays unreachable
  EXPECT_EQ(runtime.failed_nexts, 5);
  ASSERT_EQ(runtime.errors.size(), 1U);
  EXPECT_EQ(runtime.errors[0].first, "a");
  EXPECT_EQ(runtime.errors[0].second.error_type, "HandlerFailed");
  EXPECT_EQ(runtime.errors[0].second.error_message, "handler exploded");
  ASSERT_EQ(runtime.responses.size(), 1U);
  EXPECT_EQ(runtime.responses[0].first, "b");
}

TEST(RuntimeLoop, TheAnswerIsPostedBeforeTheOutboxFlushAndTheMetricsLine) {
  std::vector<std::string> log;
  ScriptedRuntime runtime;
  runtime.log = &log;
  runtime.events.push_back(event("a", R"({"httpMethod":"GET","path":"/fine"})"));
  runtime.events.push_back(event("b", R"({"httpMethod":"GET","path":"/fine"})"));
  FragileApi api;
  SystemClock clock;
  Jobs jobs;
  jobs.flush = [&log](std::optional<TimePoint>) { log.emplace_back("flush"); };
  jobs.observed = [&log](double) { log.emplace_back("metrics"); };
  LambdaHandler handler(api, std::move(jobs), clock);

  (void)run_runtime_loop(runtime, handler);
  const std::vector<std::string> expected = {"respond a", "flush", "metrics",
                                             "respond b", "flush", "metrics"};
  EXPECT_EQ(log, expected);
}

}  // namespace
}  // namespace tenantd::lambda
