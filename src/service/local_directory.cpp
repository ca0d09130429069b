#include "service/local_directory.hpp"

#include <vector>

#include "core/json.hpp"
#include "core/strings.hpp"
#include "domain/tenant.hpp"

namespace tenantd::service {

namespace {
store::Key user_email_key(const std::string& email) {
  return {"USER#EMAIL#" + email, "USER"};
}

store::Key user_id_key(std::string_view user_id) {
  return {"USER#ID#" + std::string(user_id), "USER"};
}

Result<User> user_from(const store::Item& item) {
  const auto doc = parse_json(item.data);
  if (!doc || !doc->IsObject() || !doc->HasMember("userId") || !doc->HasMember("email")) {
    return Error::make(ErrorCode::InternalError, "stored user is unreadable");
  }
  return User{std::string(as_view((*doc)["userId"])), std::string(as_view((*doc)["email"]))};
}
}  // namespace

LocalDirectory::LocalDirectory(store::ItemStore& store, Ids& ids, const Clock& clock)
    : store_(store), ids_(ids), clock_(clock) {}

Result<std::optional<User>> LocalDirectory::find_email(std::string_view raw_email) {
  auto item = store_.get(store::Table::Control, user_email_key(to_lower(trim(raw_email))));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return std::optional<User>{};
  }
  auto user = user_from(**item);
  if (!user) {
    return std::move(user).error();
  }
  return std::optional<User>{std::move(*user)};
}

Result<User> LocalDirectory::find_or_create(std::string_view raw_email) {
  return find_or_create_as(raw_email, {});
}

Result<User> LocalDirectory::resolve_email_with_id(std::string_view email,
                                                   std::string_view user_id) {
  auto user = find_or_create_as(email, user_id);
  if (user && user->user_id != user_id) {
    return id_mismatch(*user, user_id);
  }
  return user;
}

Result<User> LocalDirectory::find_or_create_as(std::string_view raw_email,
                                               std::string_view wanted_id) {
  const std::string email = to_lower(trim(raw_email));
  const store::Key key = user_email_key(email);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto existing = store_.get(store::Table::Control, key);
    if (!existing) {
      return std::move(existing).error();
    }
    if (existing->has_value()) {
      return user_from(**existing);
    }
    if (!wanted_id.empty()) {
      auto taken = find_user(wanted_id);
      if (!taken) {
        return std::move(taken).error();
      }
      if (taken->has_value()) {  // the id is another e-mail's user
        return id_mismatch(User{**taken}, wanted_id);
      }
    }
    User user{wanted_id.empty() ? ids_.make("user") : std::string(wanted_id), email};
    JsonWriter out;
    out.begin_object()
        .field("userId", user.user_id)
        .field("email", user.email)
        .field("createdAt", format_time(clock_.now()))
        .end_object();
    store::Item item;
    item.pk = key.pk;
    item.sk = key.sk;
    item.data = out.str();
    const store::Key by_id_key = user_id_key(user.user_id);
    store::Item by_id = item;
    by_id.pk = by_id_key.pk;
    by_id.sk = by_id_key.sk;
    // Both lookups appear together or not at all; the e-mail item's condition decides races.
    std::vector<store::WriteOp> ops;
    ops.emplace_back(
        store::Put{store::Table::Control, std::move(item), store::Condition::not_exists()});
    ops.emplace_back(
        store::Put{store::Table::Control, std::move(by_id), store::Condition::not_exists()});
    const auto written = store_.write(std::move(ops));
    if (written.ok()) {
      return user;
    }
    if (!written.condition_failed()) {
      return Error::make(ErrorCode::ServiceUnavailable, "The store could not save the user");
    }
    // Someone created the user first: read theirs.
  }
  return Error::make(ErrorCode::InternalError, "could not resolve the user");
}

Result<std::optional<User>> LocalDirectory::find_user(std::string_view user_id) {
  if (user_id.empty()) {
    return std::optional<User>{};
  }
  auto existing = store_.get(store::Table::Control, user_id_key(user_id));
  if (!existing) {
    return std::move(existing).error();
  }
  if (!existing->has_value()) {
    return std::optional<User>{};
  }
  auto user = user_from(**existing);
  if (!user) {
    return std::move(user).error();
  }
  return std::optional<User>{std::move(*user)};
}

}  // namespace tenantd::service
