#pragma once
// The `local` user directory (docs/members.md): users kept in the Control table, created on first
// reference by e-mail, e-mails normalised to lower case. Two items per user, written together:
// PK=USER#EMAIL#{email} SK=USER (lookup by e-mail) and PK=USER#ID#{id} SK=USER (lookup by id).
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "service/directory.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

class LocalDirectory final : public Directory {
 public:
  LocalDirectory(store::ItemStore& store, Ids& ids, const Clock& clock);
  // The user with this e-mail, created when new (safe under concurrent first references).
  Result<User> find_or_create(std::string_view email);

  Result<User> resolve_email(std::string_view email) override { return find_or_create(email); }
  Result<User> resolve_email_with_id(std::string_view email, std::string_view user_id) override;
  Result<std::optional<User>> find_email(std::string_view email) override;
  Result<std::optional<User>> find_user(std::string_view user_id) override;

 private:
  // Finds the e-mail's user or creates it with `user_id` (a new id when empty). `id_given`:
  // an id already taken by another e-mail is 409 USER_ID_MISMATCH rather than a retry.
  Result<User> find_or_create_as(std::string_view email, std::string_view user_id);

  store::ItemStore& store_;
  Ids& ids_;
  const Clock& clock_;
};

}  // namespace tenantd::service
