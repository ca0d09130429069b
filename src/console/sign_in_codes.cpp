#include "console/sign_in_codes.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace tenantd::console {

namespace {

constexpr std::size_t kCodeBytes = 32;
constexpr std::size_t kMaxCodeLength = 128;

store::Key code_key(std::string_view code) {
  return store::Key{"CONSOLE_CODE#" + sha256_hex(code), "GRANT"};
}

Error unusable_code() {
  return Error::make(ErrorCode::Unauthorized,
                     "This sign-in link is unknown, already used or expired; ask for a new one");
}

}  // namespace

Result<std::string> SignInCodes::issue(const SignInGrant& grant) {
  const std::string code = base64url_encode(random_bytes(kCodeBytes));
  JsonWriter data;
  data.begin_object()
      .field("sub", grant.sub)
      .field("email", grant.email)
      .field("tokenTtlSeconds", grant.token_ttl_seconds)
      .key("groups")
      .begin_array();
  for (const auto& g : grant.groups) {
    data.value(g);
  }
  data.end_array().end_object();
  const store::Key key = code_key(code);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  item.ttl = epoch_seconds(clock_.now() + kCodeLifetime);
  item.data = data.str();
  const auto written = store_.write(
      {store::Put{store::Table::Control, std::move(item), store::Condition::not_exists()}});
  if (!written.ok()) {
    return Error::make(ErrorCode::ServiceUnavailable, "The store is not available");
  }
  return code;
}

Result<SignInGrant> SignInCodes::redeem(std::string_view code) {
  if (code.empty() || code.size() > kMaxCodeLength) {
    return unusable_code();
  }
  const store::Key key = code_key(code);
  TENANTD_TRY_ASSIGN(auto found, store_.get(store::Table::Control, key));
  if (!found.has_value()) {
    return unusable_code();
  }
  // The delete's condition makes the code single-use even when two exchanges race.
  const auto deleted =
      store_.write({store::Delete{store::Table::Control, key, store::Condition::exists()}});
  if (deleted.condition_failed()) {
    return unusable_code();
  }
  if (!deleted.ok()) {
    return Error::make(ErrorCode::ServiceUnavailable, "The store is not available");
  }
  const auto doc = parse_json(found->data);
  if (!doc || !doc->IsObject() || !(*doc)["sub"].IsString() || !(*doc)["email"].IsString() ||
      !(*doc)["groups"].IsArray() || !(*doc)["tokenTtlSeconds"].IsInt64()) {
    return Error::make(ErrorCode::InternalError, "A stored sign-in grant is malformed");
  }
  SignInGrant grant;
  grant.sub = std::string(as_view((*doc)["sub"]));
  grant.email = std::string(as_view((*doc)["email"]));
  grant.token_ttl_seconds = (*doc)["tokenTtlSeconds"].GetInt64();
  for (const auto& g : (*doc)["groups"].GetArray()) {
    if (g.IsString()) {
      grant.groups.emplace_back(as_view(g));
    }
  }
  return grant;
}

}  // namespace tenantd::console
