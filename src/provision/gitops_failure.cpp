#include "provision/gitops_failure.hpp"

namespace tenantd::provision {

Error gitops_failure(std::string_view code, std::string message, bool retryable) {
  return coded_failure(code, std::move(message), retryable);
}

domain::ErrorInfo error_info(const Error& error) {
  domain::ErrorInfo info{std::string(code_name(error.code)), error.message,
                         error.code == ErrorCode::ServiceUnavailable};
  if (const std::string_view code = failure_code(error); !code.empty()) {
    info.code = std::string(code);
  }
  return info;
}

}  // namespace tenantd::provision
