#pragma once
// The user directory port (docs/members.md): resolves users by e-mail and by id. `local` keeps
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
  // The user with this e-mail, which must have `user_id` (the original API's assign names both):
  // 409 USER_ID_MISMATCH when the directory gives the e-mail another id. A directory that creates
  // users (`local`) creates an unknown e-mail with `user_id`; the default resolves as usual.
  virtual Result<User> resolve_email_with_id(std::string_view email, std::string_view user_id) {
    auto user = resolve_email(email);
    if (user && user->user_id != user_id) {
      return id_mismatch(*user, user_id);
    }
    return user;
  }

 protected:
  static Error id_mismatch(const User& user, std::string_view user_id) {
    return Error::make(ErrorCode::UserIdMismatch, "userId " + std::string(user_id) +
                                                      " is not the user with e-mail " + user.email +
                                                      " (that user is " + user.user_id + ")")
        .with("userId", std::string(user_id))
        .with("directoryUserId", user.user_id);
  }
};

}  // namespace tenantd::service
