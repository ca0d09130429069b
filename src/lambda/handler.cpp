#include "lambda/handler.hpp"

#include "core/json_input.hpp"
#include "lambda/events.hpp"

#include <chrono>

namespace tenantd::lambda {

namespace {

Outcome failure(std::string type, std::string message) {
  Outcome o;
  o.ok = false;
  o.error_type = std::move(type);
  o.error_message = std::move(message);
  return o;
}

Outcome success(std::string body) {
  Outcome o;
  o.body = std::move(body);
  return o;
}

}  // namespace

LambdaHandler::LambdaHandler(RequestHandler& api, Jobs jobs, const Clock& clock)
    : api_(api), jobs_(std::move(jobs)), clock_(clock) {}

Outcome LambdaHandler::handle(std::string_view event_json, const Invocation& invocation) {
  // Work past the deadline is not started: its answer could not be delivered anyway.
  if (invocation.deadline && clock_.now() >= *invocation.deadline) {
    return failure("DeadlineExceeded", "The invocation's deadline passed before it started");
  }
  const auto started = std::chrono::steady_clock::now();
  JsonInputError problem;
  const auto event = parse_untrusted_json(event_json, kLambdaEventLimits, &problem);
  Outcome outcome = event ? dispatch(*event, event_json, invocation)
                          : failure("InvalidEvent", "The event " + problem.message);
  cold_ = false;
  latency_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

void LambdaHandler::finish(const Invocation& invocation) {
  if (!latency_ms_) {
    return;  // nothing was handled (past its deadline), or finish() ran already
  }
  const double latency_ms = *latency_ms_;
  latency_ms_.reset();
  if (jobs_.flush) {
    jobs_.flush(invocation.deadline);
  }
  if (jobs_.observed) {
    jobs_.observed(latency_ms);
  }
}

Outcome LambdaHandler::dispatch(const JsonValue& event, std::string_view event_json,
                                const Invocation& invocation) {
  const EventKind kind = classify(event);
  switch (kind) {
    case EventKind::RestV1:
    case EventKind::HttpV2:
    case EventKind::Alb: {
      auto request = to_request(event, kind);
      if (!request) {
        const auto& errors = request.error().errors;
        return failure("InvalidEvent",
                       errors.empty() ? request.error().message : errors.front().message);
      }
      // The caller's own X-Request-Id wins, as in `serve`; else the Lambda request id.
      const std::string* given = request->header("X-Request-Id");
      request->request_id =
          given != nullptr && is_sane_request_id(*given) ? *given : invocation.request_id;
      request->trace_id = invocation.trace_id;
      request->cold_start = cold_;
      const Response response = api_.handle(*request);
      return success(to_response(response, kind, event));
    }
    case EventKind::Scheduled: {
      if (!jobs_.scheduled) {
        return failure("UnsupportedEvent", "Scheduled events are not handled by this process");
      }
      auto summary = jobs_.scheduled();
      if (!summary) {
        return failure("JobFailed", summary.error().message);
      }
      return success(*summary);
    }
    case EventKind::Ecs: {
      if (!jobs_.ecs) {
        return failure("UnsupportedEvent", "ECS events are not handled by this process");
      }
      auto report = jobs_.ecs(event_json);
      if (!report) {
        return failure("InvalidEvent", report.error().message);
      }
      return success(*report);
    }
    case EventKind::Unknown:
      break;
  }
  return failure("UnsupportedEvent", "tenantd does not handle " + describe(event) +
                                         "; it answers API Gateway (v1, v2), ALB, EventBridge "
                                         "scheduled and ECS events");
}

std::string error_document(const Outcome& outcome) {
  JsonWriter out;
  out.begin_object()
      .field("errorType", outcome.error_type)
      .field("errorMessage", outcome.error_message)
      .end_object();
  return out.str();
}

}  // namespace tenantd::lambda
