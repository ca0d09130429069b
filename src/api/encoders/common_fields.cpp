#include "api/encoders/common_fields.hpp"

namespace tenantd::api::encoders {

void write_optional_time(JsonWriter& out, std::string_view key, const std::optional<TimePoint>& t) {
  if (t) {
    out.field(key, format_time(*t));
  }
}

void write_error_info(JsonWriter& out, std::string_view key,
                      const std::optional<domain::ErrorInfo>& error) {
  if (error) {
    out.key(key)
        .begin_object()
        .field("code", error->code)
        .field("message", error->message)
        .field("retryable", error->retryable)
        .end_object();
  }
}

}  // namespace tenantd::api::encoders
