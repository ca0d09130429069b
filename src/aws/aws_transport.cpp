#include "aws/aws_transport.hpp"

#include <random>
#include <thread>

namespace tenantd::aws {

Result<ServiceEndpoint> resolve_endpoint(const EnvLookup& env, std::string_view service_id,
                                         std::string_view signing_name) {
  ServiceEndpoint out;
  out.signing_name = std::string(signing_name);
  auto region = env("AWS_REGION");
  if (!region) {
    region = env("AWS_DEFAULT_REGION");
  }
  if (!region) {
    return Error::make(ErrorCode::ValidationError,
                       "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION)");
  }
  out.region = *region;
  std::string url = "https://" + out.signing_name + "." + out.region + ".amazonaws.com";
  if (auto specific = env("AWS_ENDPOINT_URL_" + std::string(service_id))) {
    url = *specific;
  } else if (auto general = env("AWS_ENDPOINT_URL")) {
    url = *general;
  }
  TENANTD_TRY_ASSIGN(out.url, Url::parse(url));
  return out;
}

std::chrono::milliseconds RetryPolicy::delay(int retry) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::int64_t ceiling = base.count();
  for (int i = 0; i < retry && ceiling < cap.count(); ++i) {
    ceiling *= 2;
  }
  ceiling = std::min<std::int64_t>(ceiling, cap.count());
  std::uniform_int_distribution<std::int64_t> pick(0, ceiling);
  return std::chrono::milliseconds(pick(rng));
}

Result<ClientSettings> client_settings(const EnvLookup& env) {
  ClientSettings settings;
  settings.http.ca_file = env("AWS_CA_BUNDLE").value_or("");
  if (auto attempts = env("AWS_MAX_ATTEMPTS")) {
    int n = 0;
    for (const char c : *attempts) {
      n = (c >= '0' && c <= '9' && n < 1000) ? n * 10 + (c - '0') : -1;
      if (n < 0) {
        break;
      }
    }
    if (n < 1 || n > 20) {
      return Error::make(ErrorCode::ValidationError,
                         "AWS_MAX_ATTEMPTS must be a whole number from 1 to 20");
    }
    settings.retry.max_attempts = n;
  }
  return settings;
}

bool is_retryable(const AwsResponse& response) {
  if (response.status >= 500) {
    return true;
  }
  const std::string& t = response.error_type;
  return t == "ThrottlingException" || t == "ProvisionedThroughputExceededException" ||
         t == "RequestLimitExceeded" || t == "TooManyRequestsException" ||
         t == "LimitExceededException" || t == "RequestThrottled" ||
         t == "RequestThrottledException" || t == "ThrottledException" ||
         t == "TransactionInProgressException" || t == "SlowDown" || response.status == 429;
}

Error aws_error(std::string_view what, const AwsResponse& response, ErrorCode code) {
  return Error::make(code, std::string(what) + ": " + response.failure());
}

void sign_request(HttpRequest& request, const ServiceEndpoint& endpoint,
                  const Credentials& credentials, std::chrono::system_clock::time_point now) {
  request.headers.insert(request.headers.begin(), {"Host", endpoint.url.host_header()});
  SignInput in;
  in.method = request.method;
  const auto query_at = request.target.find('?');
  in.path = std::string_view(request.target).substr(0, query_at);
  if (query_at != std::string::npos) {
    in.query = std::string_view(request.target).substr(query_at + 1);
  }
  in.headers = &request.headers;
  in.payload = request.body;
  in.region = endpoint.region;
  in.service = endpoint.signing_name;
  const Signature signature = sign(in, credentials, now);
  request.headers.erase(request.headers.begin());  // Host: the HTTP client sets it
  request.headers.push_back({"X-Amz-Date", signature.amz_date});
  if (!credentials.session_token.empty()) {
    request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  request.headers.push_back({"Authorization", signature.authorization});
}

AwsTransport::AwsTransport(ServiceEndpoint endpoint,
                           std::shared_ptr<CredentialsProvider> credentials,
                           ClientSettings settings, Protocol protocol)
    : endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      retry_(settings.retry),
      protocol_(protocol),
      http_(endpoint_.url, std::move(settings.http)) {}

Result<AwsResponse> AwsTransport::attempt(HttpRequest request) {
  TENANTD_TRY_ASSIGN(auto credentials, credentials_->get());
  sign_request(request, endpoint_, credentials, std::chrono::system_clock::now());
  TENANTD_TRY_ASSIGN(auto answer, http_.send(request));
  AwsResponse out;
  out.status = answer.status;
  out.body = std::move(answer.body);
  if (!out.ok()) {
    protocol_.read_error(out, answer);
  }
  return out;
}

Result<AwsResponse> AwsTransport::call(const HttpRequest& request) {
  for (int n = 1;; ++n) {
    auto response = attempt(request);
    const bool last = n >= retry_.max_attempts;
    if (response) {
      response->attempts = n;
      if (response->ok() || last || !protocol_.retryable(*response)) {
        return response;
      }
    } else if (last || response.error().code != ErrorCode::ServiceUnavailable) {
      return response;
    }
    std::this_thread::sleep_for(retry_.delay(n - 1));
  }
}

}  // namespace tenantd::aws
