#pragma once
// The user directory port (SPEC section 5): resolves users by e-mail and by id. `local` keeps
// users in the store; `cognito` (later) asks the user pool. The principal's `sub` is its userId.
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tenantd::service {

struct User {
  std::string user_id;
  std::string email;  // normalised: trimmed, lower case
};

class Directory {
 public:
  virtual ~Directory() = default;
  // The user with this e-mail. `local` creates it on first reference; `cognito` answers
  // 404 USER_NOT_FOUND for an unknown e-mail.
  virtual Result<User> resolve_email(std::string_view email) = 0;
  // The user with this e-mail when the directory knows it; never creates one.
  virtual Result<std::optional<User>> find_email(std::string_view email) = 0;
  // The user with this id, or nullopt when the directory does not know it.
  virtual Result<std::optional<User>> find_user(std::string_view user_id) = 0;
};

}  // namespace tenantd::service
