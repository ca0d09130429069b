#pragma once
// The `local` user directory (SPEC section 5): users kept in the store, created on first
// reference by e-mail, e-mails normalised to lower case.
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

struct User {
  std::string user_id;
  std::string email;
};

class LocalDirectory {
 public:
  LocalDirectory(store::ItemStore& store, Ids& ids, const Clock& clock);
  // The user with this e-mail, created when new (safe under concurrent first references).
  Result<User> find_or_create(std::string_view email);

 private:
  store::ItemStore& store_;
  Ids& ids_;
  const Clock& clock_;
};

}  // namespace tenantd::service
