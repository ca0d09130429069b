#pragma once
// Calls to AWS JSON-protocol services (DynamoDB, EventBridge, ...): a JSON body POSTed with an
// X-Amz-Target naming the operation; error answers carry the type in "__type" or the
// x-amzn-ErrorType header. Signing and retries are the transport's (aws_transport.hpp).
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "aws/aws_transport.hpp"
#include "aws/credentials.hpp"
#include "aws/environment.hpp"
#include "core/http_client.hpp"
#include "core/result.hpp"

namespace tenantd::aws {

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

  const ServiceEndpoint& endpoint() const { return transport_.endpoint(); }
  HttpClient& http() { return transport_.http(); }

 private:
  std::string target_prefix_;
  std::string content_type_;
  AwsTransport transport_;
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
