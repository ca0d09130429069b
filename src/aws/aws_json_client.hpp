#pragma once
// Calls to AWS JSON-protocol services (DynamoDB, EventBridge, ...): signs each request with
// SigV4, retries throttling, 5xx and transport failures with jittered exponential backoff, and
// turns error bodies into a type and a message.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.hpp"
#include "aws/environment.hpp"
#include "aws/http_client.hpp"
#include "core/result.hpp"

namespace tenantd::aws {

struct ServiceEndpoint {
  std::string signing_name;  // "dynamodb"
  std::string region;
  Url url;
};

// Region from AWS_REGION or AWS_DEFAULT_REGION; URL from AWS_ENDPOINT_URL_<SERVICE_ID>, else
// AWS_ENDPOINT_URL, else https://<signing_name>.<region>.amazonaws.com.
Result<ServiceEndpoint> resolve_endpoint(const EnvLookup& env, std::string_view service_id,
                                         std::string_view signing_name);

struct RetryPolicy {
  int max_attempts = 5;  // AWS_MAX_ATTEMPTS; 1 means no retry
  std::chrono::milliseconds base{25};
  std::chrono::milliseconds cap{2000};

  // "Full jitter": a uniform delay in [0, min(cap, base * 2^retry)].
  std::chrono::milliseconds delay(int retry) const;
};

// HTTP and retry settings from AWS_CA_BUNDLE, AWS_MAX_ATTEMPTS (defaults otherwise).
struct ClientSettings {
  HttpOptions http;
  RetryPolicy retry;
};
Result<ClientSettings> client_settings(const EnvLookup& env);

struct AwsResponse {
  int status = 0;
  std::string body;
  std::string error_type;  // "ConditionalCheckFailedException", ... (empty on success)
  std::string error_message;
  int attempts = 1;

  bool ok() const { return status >= 200 && status < 300; }
};

// Throttling and server-side errors that a later attempt may not meet.
bool is_retryable(const AwsResponse& response);

// The signed HTTP request of one call: POST to the endpoint's path with Content-Type,
// X-Amz-Target, X-Amz-Date, X-Amz-Security-Token (temporary credentials) and Authorization.
// Host is left to the HTTP client but signed as url.host_header().
HttpRequest signed_json_request(const ServiceEndpoint& endpoint, std::string_view content_type,
                                std::string_view target, std::string_view body,
                                const Credentials& credentials,
                                std::chrono::system_clock::time_point now);

class AwsJsonClient {
 public:
  // `target_prefix` is the X-Amz-Target prefix ("DynamoDB_20120810"), `json_version` "1.0" or
  // "1.1" (the Content-Type application/x-amz-json-<version>).
  AwsJsonClient(ServiceEndpoint endpoint, std::string target_prefix,
                const std::string& json_version, std::shared_ptr<CredentialsProvider> credentials,
                ClientSettings settings);

  // A response for every HTTP answer (2xx or a service error after retries); an error only when
  // no answer could be had (credentials, transport after retries).
  Result<AwsResponse> call(std::string_view operation, std::string_view body);

  const ServiceEndpoint& endpoint() const { return endpoint_; }
  HttpClient& http() { return http_; }

 private:
  Result<AwsResponse> attempt(std::string_view operation, std::string_view body);

  ServiceEndpoint endpoint_;
  std::string target_prefix_;
  std::string content_type_;
  std::shared_ptr<CredentialsProvider> credentials_;
  RetryPolicy retry_;
  HttpClient http_;
};

// A client of one JSON-protocol service with everything from the environment: endpoint and
// region (`service_id` as in AWS_ENDPOINT_URL_<service_id>), credentials, TLS and retries.
struct JsonService {
  std::string_view service_id;     // "DYNAMODB", "ECS", "SECRETS_MANAGER"
  std::string_view signing_name;   // "dynamodb", "ecs", "secretsmanager"
  std::string_view target_prefix;  // "DynamoDB_20120810"
  std::string_view json_version;   // "1.0" or "1.1"
};
Result<std::unique_ptr<AwsJsonClient>> open_json_client(const EnvLookup& env,
                                                        const JsonService& service);

}  // namespace tenantd::aws
