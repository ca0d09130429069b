#include "provision/gitops_failure.hpp"

#include <variant>

namespace tenantd::provision {

Error gitops_failure(std::string_view code, std::string message, bool retryable) {
  // Retryable is the error code itself: SERVICE_UNAVAILABLE may pass, INTERNAL_ERROR will not.
  Error e = Error::make(retryable ? ErrorCode::ServiceUnavailable : ErrorCode::InternalError,
                        std::move(message));
  e.details.emplace_back("failure", std::string(code));
  return e;
}

domain::ErrorInfo error_info(const Error& error) {
  domain::ErrorInfo info{std::string(code_name(error.code)), error.message,
                         error.code == ErrorCode::ServiceUnavailable};
  for (const auto& [key, value] : error.details) {
    if (key == "failure" && std::holds_alternative<std::string>(value)) {
      info.code = std::get<std::string>(value);
    }
  }
  return info;
}

}  // namespace tenantd::provision
