#include "core/error.hpp"

namespace tenantd {

namespace {
struct CodeInfo {
  std::string_view name;
  int status;
};

CodeInfo info(ErrorCode code) {
  switch (code) {
    case ErrorCode::ValidationError:
      return {"VALIDATION_ERROR", 400};
    case ErrorCode::InvalidJson:
      return {"INVALID_JSON", 400};
    case ErrorCode::InvalidPaginationToken:
      return {"INVALID_PAGINATION_TOKEN", 400};
    case ErrorCode::Unauthorized:
      return {"UNAUTHORIZED", 401};
    case ErrorCode::TokenExpired:
      return {"TOKEN_EXPIRED", 401};
    case ErrorCode::TokenInvalid:
      return {"TOKEN_INVALID", 401};
    case ErrorCode::Forbidden:
      return {"FORBIDDEN", 403};
    case ErrorCode::TenantSuspended:
      return {"TENANT_SUSPENDED", 403};
    case ErrorCode::NotFound:
      return {"NOT_FOUND", 404};
    case ErrorCode::TenantNotFound:
      return {"TENANT_NOT_FOUND", 404};
    case ErrorCode::InstanceNotFound:
      return {"INSTANCE_NOT_FOUND", 404};
    case ErrorCode::UserNotFound:
      return {"USER_NOT_FOUND", 404};
    case ErrorCode::InvitationNotFound:
      return {"INVITATION_NOT_FOUND", 404};
    case ErrorCode::OperationNotFound:
      return {"OPERATION_NOT_FOUND", 404};
    case ErrorCode::BackupNotFound:
      return {"BACKUP_NOT_FOUND", 404};
    case ErrorCode::MethodNotAllowed:
      return {"METHOD_NOT_ALLOWED", 405};
    case ErrorCode::Conflict:
      return {"CONFLICT", 409};
    case ErrorCode::UserAlreadyMember:
      return {"USER_ALREADY_MEMBER", 409};
    case ErrorCode::DuplicateInvitation:
      return {"DUPLICATE_INVITATION", 409};
    case ErrorCode::InstanceExists:
      return {"INSTANCE_EXISTS", 409};
    case ErrorCode::OperationInProgress:
      return {"OPERATION_IN_PROGRESS", 409};
    case ErrorCode::VersionConflict:
      return {"VERSION_CONFLICT", 409};
    case ErrorCode::IdempotencyKeyReused:
      return {"IDEMPOTENCY_KEY_REUSED", 409};
    case ErrorCode::InvitationExpired:
      return {"INVITATION_EXPIRED", 410};
    case ErrorCode::PreconditionFailed:
      return {"PRECONDITION_FAILED", 412};
    case ErrorCode::PayloadTooLarge:
      return {"PAYLOAD_TOO_LARGE", 413};
    case ErrorCode::UnsupportedMediaType:
      return {"UNSUPPORTED_MEDIA_TYPE", 415};
    case ErrorCode::InvalidStatusTransition:
      return {"INVALID_STATUS_TRANSITION", 422};
    case ErrorCode::TenantNotActive:
      return {"TENANT_NOT_ACTIVE", 422};
    case ErrorCode::ScaleLimitExceeded:
      return {"SCALE_LIMIT_EXCEEDED", 422};
    case ErrorCode::QuotaExceeded:
      return {"QUOTA_EXCEEDED", 422};
    case ErrorCode::CannotRemoveLastAdmin:
      return {"CANNOT_REMOVE_LAST_ADMIN", 422};
    case ErrorCode::HierarchyNotEmpty:
      return {"HIERARCHY_NOT_EMPTY", 422};
    case ErrorCode::InvitationNotPending:
      return {"INVITATION_NOT_PENDING", 422};
    case ErrorCode::RateLimited:
      return {"RATE_LIMITED", 429};
    case ErrorCode::InternalError:
      return {"INTERNAL_ERROR", 500};
    case ErrorCode::ServiceUnavailable:
      return {"SERVICE_UNAVAILABLE", 503};
    case ErrorCode::UserIdMismatch:
      return {"USER_ID_MISMATCH", 409};
  }
  return {"INTERNAL_ERROR", 500};
}
}  // namespace

std::string_view code_name(ErrorCode code) {
  return info(code).name;
}
int http_status(ErrorCode code) {
  return info(code).status;
}

Error coded_failure(std::string_view code, std::string message, bool retryable) {
  // Retryable is the error code itself: SERVICE_UNAVAILABLE may pass, INTERNAL_ERROR will not.
  return Error::make(retryable ? ErrorCode::ServiceUnavailable : ErrorCode::InternalError,
                     std::move(message))
      .with("failure", std::string(code));
}

std::string_view failure_code(const Error& error) {
  for (const auto& [key, value] : error.details) {
    if (key == "failure" && std::holds_alternative<std::string>(value)) {
      return std::get<std::string>(value);
    }
  }
  return {};
}

}  // namespace tenantd
