#pragma once
// AWS credentials: from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN) or from the Lambda / ECS container credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN or
// _TOKEN_FILE), cached until shortly before they expire.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "aws/environment.hpp"
#include "aws/sigv4.hpp"
#include "core/http_client.hpp"
#include "core/result.hpp"

namespace tenantd::aws {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> get() = 0;
};

class StaticCredentials final : public CredentialsProvider {
 public:
  explicit StaticCredentials(Credentials credentials) : credentials_(std::move(credentials)) {}
  Result<Credentials> get() override { return credentials_; }

 private:
  Credentials credentials_;
};

// Fetches {AccessKeyId, SecretAccessKey, Token, Expiration} from the container endpoint.
class ContainerCredentials final : public CredentialsProvider {
 public:
  // Credentials are fetched again once fewer than `refresh_before` remain before Expiration.
  ContainerCredentials(Url url, EnvLookup env,
                       std::chrono::seconds refresh_before = std::chrono::minutes(5));
  Result<Credentials> get() override;

 private:
  Result<std::string> authorization_token() const;

  Url url_;
  EnvLookup env_;
  std::chrono::seconds refresh_before_;
  HttpClient http_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
  std::chrono::system_clock::time_point expires_{};
};

// The chain the AWS SDKs use in Lambda and ECS: environment keys first, then the container
// endpoint. An error names the variables to set when neither is configured.
Result<std::unique_ptr<CredentialsProvider>> default_credentials(const EnvLookup& env);

}  // namespace tenantd::aws
