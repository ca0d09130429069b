#pragma once
// One Lambda invocation (docs/lambda.md): the event is told apart by shape; HTTP-shaped events
// go through the same API as `serve`, scheduled events run the periodic jobs, ECS events become
// instance progress reports. Anything else is an invocation error that names the event.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/http_message.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace tenantd::lambda {

struct Invocation {
  std::string request_id;  // Lambda-Runtime-Aws-Request-Id
  std::string trace_id;    // Lambda-Runtime-Trace-Id (_X_AMZN_TRACE_ID)
  std::optional<TimePoint> deadline;
};

struct Jobs {
  // The periodic work of a scheduled event; returns a JSON object summarising what it did.
  std::function<Result<std::string>()> scheduled;
  // An ECS event (its JSON text): an instance progress report; may be empty.
  std::function<Result<std::string>(std::string_view event_json)> ecs;
  // After every invocation's answer: delivers the outbox events it wrote while time remains.
  std::function<void(std::optional<TimePoint> deadline)> flush;
  // Last, with the invocation's latency (event in, answer out): its metrics line (EMF in
  // Lambda); may be empty.
  std::function<void(double latency_ms)> observed;
};

// What the runtime posts back: a response document, or an invocation error.
struct Outcome {
  bool ok = true;
  std::string body;        // the response document when ok
  std::string error_type;  // "UnsupportedEvent", "InvalidEvent", "DeadlineExceeded", ...
  std::string error_message;
};

class LambdaHandler {
 public:
  LambdaHandler(RequestHandler& api, Jobs jobs, const Clock& clock);

  // The invocation's answer, to be posted at once; what can wait for it is left to finish().
  Outcome handle(std::string_view event_json, const Invocation& invocation);
  // After the answer is posted and before the next event is asked for (the Lambda service
  // freezes a runtime only then): the outbox flush, then the metrics line.
  void finish(const Invocation& invocation);

 private:
  Outcome dispatch(const JsonValue& event, std::string_view event_json,
                   const Invocation& invocation);

  RequestHandler& api_;
  Jobs jobs_;
  const Clock& clock_;
  bool cold_ = true;                  // the first invocation of this process
  std::optional<double> latency_ms_;  // of a handled invocation that finish() has yet to close
};

// The body of an invocation error as the Runtime API and `tenantd invoke` show it.
std::string error_document(const Outcome& outcome);

}  // namespace tenantd::lambda
