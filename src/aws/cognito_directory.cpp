#include "aws/cognito_directory.hpp"

#include "core/json.hpp"
#include "core/strings.hpp"

namespace tenantd::aws {

namespace {

// Bounds the cache of a long-lived process; it is simply emptied when full.
constexpr std::size_t kMaxCached = 4096;

// A filter value in double quotes, with quotes and backslashes escaped as Cognito requires.
std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string_view attribute_of(const JsonValue& user, std::string_view name) {
  const auto attributes = user.FindMember("Attributes");
  if (attributes == user.MemberEnd() || !attributes->value.IsArray()) {
    return {};
  }
  for (const auto& a : attributes->value.GetArray()) {
    if (a.IsObject() && a.HasMember("Name") && a.HasMember("Value") && a["Name"].IsString() &&
        a["Value"].IsString() && as_view(a["Name"]) == name) {
      return as_view(a["Value"]);
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<CognitoDirectory>> CognitoDirectory::open(const EnvLookup& env,
                                                                 std::string user_pool_id,
                                                                 const Clock& clock) {
  if (user_pool_id.empty()) {
    return Error::make(ErrorCode::ValidationError, "DIRECTORY=cognito needs COGNITO_USER_POOL_ID");
  }
  TENANTD_TRY_ASSIGN(auto client,
                     open_json_client(env, {"COGNITO_IDENTITY_PROVIDER", "cognito-idp",
                                            "AWSCognitoIdentityProviderService", "1.1"}));
  return std::make_unique<CognitoDirectory>(std::move(client), std::move(user_pool_id), clock);
}

CognitoDirectory::CognitoDirectory(std::unique_ptr<AwsJsonClient> client, std::string user_pool_id,
                                   const Clock& clock)
    : client_(std::move(client)), user_pool_id_(std::move(user_pool_id)), clock_(clock) {}

Result<service::User> CognitoDirectory::resolve_email(std::string_view email) {
  TENANTD_TRY_ASSIGN(auto found, find_email(email));
  if (!found.has_value()) {
    return Error::make(ErrorCode::UserNotFound, "No user of the user pool has this e-mail")
        .with("email", to_lower(trim(email)));
  }
  return std::move(*found);
}

Result<std::optional<service::User>> CognitoDirectory::find_email(std::string_view raw_email) {
  const std::string email = to_lower(trim(raw_email));
  if (email.empty()) {
    return std::optional<service::User>{};
  }
  return lookup("email", email);
}

Result<std::optional<service::User>> CognitoDirectory::find_user(std::string_view user_id) {
  if (user_id.empty()) {
    return std::optional<service::User>{};
  }
  return lookup("sub", user_id);
}

Result<std::optional<service::User>> CognitoDirectory::lookup(std::string_view attribute,
                                                              std::string_view value) {
  std::string key = std::string(attribute) + ":" + std::string(value);
  if (auto hit = cached(key)) {
    return hit;
  }
  JsonWriter body;
  body.begin_object()
      .field("UserPoolId", user_pool_id_)
      .field("Filter", std::string(attribute) + " = " + quoted(value))
      .field("Limit", std::int64_t{2})  // two tell "one" from "ambiguous"
      .end_object();
  TENANTD_TRY_ASSIGN(auto response, client_->call("ListUsers", body.str()));
  if (!response.ok()) {
    return aws_error("Cognito ListUsers", response);
  }
  const auto doc = parse_json(response.body);
  const JsonValue* users = nullptr;
  if (doc && doc->IsObject()) {
    const JsonValue& root = *doc;
    if (const auto it = root.FindMember("Users"); it != root.MemberEnd() && it->value.IsArray()) {
      users = &it->value;
    }
  }
  if (users == nullptr) {
    return Error::make(ErrorCode::ServiceUnavailable, "Cognito ListUsers: unreadable answer");
  }
  if (users->Empty()) {
    return std::optional<service::User>{};
  }
  if (users->Size() > 1) {
    return Error::make(ErrorCode::Conflict,
                       "Several users of the user pool match; the user cannot be chosen")
        .with(std::string(attribute), std::string(value));
  }
  const JsonValue& user = (*users)[0];
  service::User found{std::string(attribute_of(user, "sub")),
                      to_lower(attribute_of(user, "email"))};
  if (found.user_id.empty()) {
    return Error::make(ErrorCode::ServiceUnavailable, "Cognito ListUsers: a user without sub");
  }
  remember("sub:" + found.user_id, found);
  if (!found.email.empty()) {
    remember("email:" + found.email, found);
  }
  return std::optional<service::User>{std::move(found)};
}

std::optional<service::User> CognitoDirectory::cached(const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto it = cache_.find(key);
  if (it == cache_.end() || it->second.until <= clock_.now()) {
    return std::nullopt;
  }
  return it->second.user;
}

void CognitoDirectory::remember(const std::string& key, const service::User& user) {
  const std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCached) {
    cache_.clear();
  }
  cache_[key] = Entry{user, clock_.now() + kCacheFor};
}

}  // namespace tenantd::aws
