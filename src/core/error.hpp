#pragma once
// The one error type of tenantd: a typed code that maps to exactly one HTTP status,
// a human message and structured details. Every layer returns it by value.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tenantd {

enum class ErrorCode {
  ValidationError,
  InvalidJson,
  InvalidPaginationToken,
  Unauthorized,
  TokenExpired,
  TokenInvalid,
  Forbidden,
  TenantSuspended,
  NotFound,
  TenantNotFound,
  InstanceNotFound,
  UserNotFound,
  InvitationNotFound,
  OperationNotFound,
  BackupNotFound,
  MethodNotAllowed,
  Conflict,
  UserAlreadyMember,
  DuplicateInvitation,
  InstanceExists,
  OperationInProgress,
  VersionConflict,
  IdempotencyKeyReused,
  InvitationExpired,
  PreconditionFailed,
  PayloadTooLarge,
  UnsupportedMediaType,
  InvalidStatusTransition,
  TenantNotActive,
  ScaleLimitExceeded,
  QuotaExceeded,
  CannotRemoveLastAdmin,
  HierarchyNotEmpty,
  InvitationNotPending,
  RateLimited,
  InternalError,
  ServiceUnavailable,
  UserIdMismatch,  // an original-API assign whose userId is not the directory's for the e-mail
};

// "VALIDATION_ERROR", "TENANT_NOT_FOUND", ...
std::string_view code_name(ErrorCode code);
int http_status(ErrorCode code);

struct FieldError {
  std::string field;
  std::string code;  // e.g. "REQUIRED", "TOO_LONG", "INVALID_FORMAT", "UNKNOWN_FIELD"
  std::string message;
};

using DetailValue = std::variant<std::string, std::int64_t, std::vector<std::string>>;

struct Error {
  ErrorCode code = ErrorCode::InternalError;
  std::string message;
  std::vector<FieldError> errors;  // details.errors for VALIDATION_ERROR
  std::vector<std::pair<std::string, DetailValue>> details;

  static Error make(ErrorCode code, std::string message) {
    return Error{code, std::move(message), {}, {}};
  }
  static Error validation(std::vector<FieldError> errors) {
    return Error{ErrorCode::ValidationError, "The request is not valid", std::move(errors), {}};
  }
  Error&& with(std::string key, DetailValue value) && {
    details.emplace_back(std::move(key), std::move(value));
    return std::move(*this);
  }
};

// A failure with a code of its own for an operation's error (ECS_THROTTLED, GIT_PUSH_REJECTED,
// ...): SERVICE_UNAVAILABLE when a retry may succeed, else INTERNAL_ERROR; the code goes in the
// detail "failure".
Error coded_failure(std::string_view code, std::string message, bool retryable);
// The detail "failure" of `error` (set by coded_failure), or "" when it has none.
std::string_view failure_code(const Error& error);

}  // namespace tenantd
