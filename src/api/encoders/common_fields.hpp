#pragma once
// Field encodings shared by the API's resource encoders.
#include <optional>
#include <string_view>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "domain/instance.hpp"

namespace tenantd::api::encoders {

// `key` with the time in API format; nothing when the time is absent.
void write_optional_time(JsonWriter& out, std::string_view key, const std::optional<TimePoint>& t);
// `key` as {code, message, retryable}; nothing when there is no error.
void write_error_info(JsonWriter& out, std::string_view key,
                      const std::optional<domain::ErrorInfo>& error);

}  // namespace tenantd::api::encoders
