#pragma once
// DIRECTORY=cognito (docs/members.md): users are the user pool's; the Cognito `sub` is the
// userId. Lookups are ListUsers with an exact-match filter (email or sub), so they work
// whether or not the pool uses e-mail addresses as user names. Answers found are kept for a
// short while, as a member assignment reads the same user several times.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_json_client.hpp"
#include "aws/environment.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "service/directory.hpp"

namespace tenantd::aws {

class CognitoDirectory final : public service::Directory {
 public:
  static constexpr std::chrono::seconds kCacheFor{60};

  // Endpoint, region, credentials and retries from the environment
  // (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, ...).
  static Result<std::unique_ptr<CognitoDirectory>> open(const EnvLookup& env,
                                                        std::string user_pool_id,
                                                        const Clock& clock);
  CognitoDirectory(std::unique_ptr<AwsJsonClient> client, std::string user_pool_id,
                   const Clock& clock);

  // 404 USER_NOT_FOUND for an e-mail the pool does not know; CONFLICT when several users of the
  // pool share it (a userId cannot be chosen for them); SERVICE_UNAVAILABLE when Cognito fails.
  Result<service::User> resolve_email(std::string_view email) override;
  Result<std::optional<service::User>> find_email(std::string_view email) override;
  Result<std::optional<service::User>> find_user(std::string_view user_id) override;

 private:
  // The one user whose `attribute` equals `value`, nullopt when none.
  Result<std::optional<service::User>> lookup(std::string_view attribute, std::string_view value);
  std::optional<service::User> cached(const std::string& key);
  void remember(const std::string& key, const service::User& user);

  std::unique_ptr<AwsJsonClient> client_;
  std::string user_pool_id_;
  const Clock& clock_;
  std::mutex mutex_;
  struct Entry {
    service::User user;
    TimePoint until;
  };
  std::map<std::string, Entry, std::less<>> cache_;  // "email:<e>" / "sub:<id>"
};

}  // namespace tenantd::aws
