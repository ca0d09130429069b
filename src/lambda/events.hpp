#pragma once
// The Lambda events tenantd answers (docs/lambda.md), told apart by shape, and the translation
// of the HTTP-shaped ones to and from the Request/Response that every door shares.
#include <string>
#include <string_view>

#include "core/http_message.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace tenantd::lambda {

enum class EventKind {
  RestV1,     // API Gateway REST API proxy integration (payload 1.0)
  HttpV2,     // API Gateway HTTP API (payload 2.0)
  Alb,        // Application Load Balancer target
  Scheduled,  // EventBridge schedule: the periodic jobs
  Ecs,        // EventBridge ECS event: an instance progress report
  Unknown,
};

std::string_view to_string(EventKind kind);  // "API Gateway REST (v1)", ...

EventKind classify(const JsonValue& event);

// A short description of an event of unknown shape (its source / detail-type or its top-level
// keys), for the error that refuses it.
std::string describe(const JsonValue& event);

// The Request of an HTTP-shaped event: method, path (without the API Gateway stage), raw query
// string, headers (multi-value ones repeated), cookies, body (base64 decoded), the caller's
// address and the claims of API Gateway's Cognito/JWT authoriser (REST v1
// requestContext.authorizer.claims, HTTP API v2 requestContext.authorizer.jwt.claims).
// VALIDATION_ERROR when a required part is missing or malformed.
Result<Request> to_request(const JsonValue& event, EventKind kind);

// The response document in the shape the event's integration expects: v1 `headers` and
// `multiValueHeaders`, v2 `headers` and `cookies`, ALB `statusDescription` (and multi-value
// headers when the request came with them); bodies that are not text are base64.
std::string to_response(const Response& response, EventKind kind, const JsonValue& event);

}  // namespace tenantd::lambda
