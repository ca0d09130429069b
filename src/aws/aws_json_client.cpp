#include "aws/aws_json_client.hpp"

#include <random>
#include <thread>

#include "core/json.hpp"

namespace tenantd::aws {

namespace {

// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" -> the part after '#'.
std::string short_type(std::string_view type) {
  const auto hash = type.rfind('#');
  if (hash != std::string_view::npos) {
    type = type.substr(hash + 1);
  }
  const auto colon = type.find(':');  // x-amzn-ErrorType may carry ":http://..."
  return std::string(type.substr(0, colon));
}

void parse_error(AwsResponse& response, std::string_view header_type) {
  auto doc = parse_json(response.body);
  if (doc && doc->IsObject()) {
    if (doc->HasMember("__type") && (*doc)["__type"].IsString()) {
      response.error_type = short_type(as_view((*doc)["__type"]));
    }
    for (const char* name : {"message", "Message"}) {
      if (doc->HasMember(name) && (*doc)[name].IsString()) {
        response.error_message = std::string(as_view((*doc)[name]));
      }
    }
  }
  if (response.error_type.empty()) {
    response.error_type = short_type(header_type);
  }
  if (response.error_type.empty()) {
    response.error_type = "HTTP" + std::to_string(response.status);
  }
}

}  // namespace

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
  TENANTD_TRY_ASSIGN(auto parsed, Url::parse(url));
  out.url = std::move(parsed);
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

AwsJsonClient::AwsJsonClient(ServiceEndpoint endpoint, std::string target_prefix,
                             const std::string& json_version,
                             std::shared_ptr<CredentialsProvider> credentials,
                             ClientSettings settings)
    : endpoint_(std::move(endpoint)),
      target_prefix_(std::move(target_prefix)),
      content_type_("application/x-amz-json-" + json_version),
      credentials_(std::move(credentials)),
      retry_(settings.retry),
      http_(endpoint_.url, std::move(settings.http)) {}

HttpRequest signed_json_request(const ServiceEndpoint& endpoint, std::string_view content_type,
                                std::string_view target, std::string_view body,
                                const Credentials& credentials,
                                std::chrono::system_clock::time_point now) {
  HttpRequest request;
  request.method = "POST";
  request.target = endpoint.url.path;
  request.body = std::string(body);
  request.headers = {
      {"Host", endpoint.url.host_header()},
      {"Content-Type", std::string(content_type)},
      {"X-Amz-Target", std::string(target)},
  };
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
  return request;
}

Result<AwsResponse> AwsJsonClient::attempt(std::string_view operation, std::string_view body) {
  TENANTD_TRY_ASSIGN(auto credentials, credentials_->get());
  const HttpRequest request =
      signed_json_request(endpoint_, content_type_, target_prefix_ + "." + std::string(operation),
                          body, credentials, std::chrono::system_clock::now());
  TENANTD_TRY_ASSIGN(auto response, http_.send(request));
  AwsResponse out;
  out.status = response.status;
  out.body = std::move(response.body);
  if (!out.ok()) {
    parse_error(out, response.header("x-amzn-ErrorType"));
  }
  return out;
}

Result<AwsResponse> AwsJsonClient::call(std::string_view operation, std::string_view body) {
  for (int n = 1;; ++n) {
    auto response = attempt(operation, body);
    const bool last = n >= retry_.max_attempts;
    if (response) {
      response->attempts = n;
      if (response->ok() || last || !is_retryable(*response)) {
        return response;
      }
    } else if (last || response.error().code != ErrorCode::ServiceUnavailable) {
      return response;
    }
    std::this_thread::sleep_for(retry_.delay(n - 1));
  }
}

Result<std::unique_ptr<AwsJsonClient>> open_json_client(const EnvLookup& env,
                                                        const JsonService& service) {
  TENANTD_TRY_ASSIGN(auto endpoint,
                     resolve_endpoint(env, service.service_id, service.signing_name));
  TENANTD_TRY_ASSIGN(auto credentials, default_credentials(env));
  TENANTD_TRY_ASSIGN(auto settings, client_settings(env));
  return std::make_unique<AwsJsonClient>(
      std::move(endpoint), std::string(service.target_prefix), std::string(service.json_version),
      std::shared_ptr<CredentialsProvider>(std::move(credentials)), std::move(settings));
}

}  // namespace tenantd::aws
