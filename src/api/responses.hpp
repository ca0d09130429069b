#pragma once
// Building responses: JSON bodies, the API's error format (docs/http-api.md#errors), ETags.
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/http_message.hpp"
#include "core/result.hpp"

namespace tenantd::api {

Response json_response(int status, std::string body);

// {"error":{"code","message","details"},"requestId","timestamp"}; internal errors never leak
// their message: the caller gets a generic one and details.supportReference = the request id.
// A 401 also carries the RFC 6750 challenge (bearer_challenge).
Response error_response(const Error& error, std::string_view request_id, TimePoint now);
// `Bearer realm="tenantd"`, plus error="invalid_token" and error_description for a token that
// was sent but refused (expired, bad signature, ...).
std::string bearer_challenge(const Error& error);

std::string etag(std::int64_t version);  // "\"3\""
// Parses If-Match ("3", "\"3\"", W/"3"); nullopt for "*" or absent; Error for garbage.
Result<std::optional<std::int64_t>> parse_if_match(const std::string* header);

}  // namespace tenantd::api
