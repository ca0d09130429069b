#pragma once
// What the AWS clients of both protocols (JSON: aws_json_client.hpp, query: aws_query_client.hpp)
// share: the endpoint and settings from the environment, SigV4 signing, retries of throttling,
// 5xx and transport failures with jittered exponential backoff, and the Error of a failed answer.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.hpp"
#include "aws/environment.hpp"
#include "core/http_client.hpp"
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
  // "<error_type>: <error_message>", how a failed answer reads in an error message.
  std::string failure() const { return error_type + ": " + error_message; }
};

// Throttling and server-side errors that a later attempt may not meet.
bool is_retryable(const AwsResponse& response);

// The Error of an answer that is not 2xx: `code` with "<what>: <error_type>: <error_message>".
Error aws_error(std::string_view what, const AwsResponse& response,
                ErrorCode code = ErrorCode::ServiceUnavailable);

// Signs `request` for `endpoint` at `now`: adds X-Amz-Date, X-Amz-Security-Token (temporary
// credentials) and Authorization. Host is left to the HTTP client but signed as
// url.host_header().
void sign_request(HttpRequest& request, const ServiceEndpoint& endpoint,
                  const Credentials& credentials, std::chrono::system_clock::time_point now);

// Sends signed requests to one endpoint, with fresh credentials and a new signature for every
// attempt. Each protocol says how its error answers read and what else it retries.
class AwsTransport {
 public:
  struct Protocol {
    // Fills error_type and error_message of `response` (not 2xx) from its body and `answer`'s
    // headers.
    void (*read_error)(AwsResponse& response, const HttpResponse& answer);
    // Whether an answer that is not 2xx may succeed when sent again.
    bool (*retryable)(const AwsResponse& response);
  };

  AwsTransport(ServiceEndpoint endpoint, std::shared_ptr<CredentialsProvider> credentials,
               ClientSettings settings, Protocol protocol);

  // `request` is unsigned (no Host). A response for every HTTP answer (2xx or a service error
  // after retries); an error only when no answer could be had (credentials, transport after
  // retries).
  Result<AwsResponse> call(const HttpRequest& request);

  const ServiceEndpoint& endpoint() const { return endpoint_; }
  HttpClient& http() { return http_; }

 private:
  Result<AwsResponse> attempt(HttpRequest request);

  ServiceEndpoint endpoint_;
  std::shared_ptr<CredentialsProvider> credentials_;
  RetryPolicy retry_;
  Protocol protocol_;
  HttpClient http_;
};

}  // namespace tenantd::aws
