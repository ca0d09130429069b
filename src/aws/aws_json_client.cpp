#include "aws/aws_json_client.hpp"

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

void read_json_error(AwsResponse& response, const HttpResponse& answer) {
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
    response.error_type = short_type(answer.header("x-amzn-ErrorType"));
  }
  if (response.error_type.empty()) {
    response.error_type = "HTTP" + std::to_string(response.status);
  }
}

HttpRequest json_request(const ServiceEndpoint& endpoint, std::string_view content_type,
                         std::string_view target, std::string_view body) {
  HttpRequest request;
  request.method = "POST";
  request.target = endpoint.url.path;
  request.body = std::string(body);
  request.headers = {
      {"Content-Type", std::string(content_type)},
      {"X-Amz-Target", std::string(target)},
  };
  return request;
}

}  // namespace

HttpRequest signed_json_request(const ServiceEndpoint& endpoint, std::string_view content_type,
                                std::string_view target, std::string_view body,
                                const Credentials& credentials,
                                std::chrono::system_clock::time_point now) {
  HttpRequest request = json_request(endpoint, content_type, target, body);
  sign_request(request, endpoint, credentials, now);
  return request;
}

AwsJsonClient::AwsJsonClient(ServiceEndpoint endpoint, std::string target_prefix,
                             const std::string& json_version,
                             std::shared_ptr<CredentialsProvider> credentials,
                             ClientSettings settings)
    : target_prefix_(std::move(target_prefix)),
      content_type_("application/x-amz-json-" + json_version),
      transport_(std::move(endpoint), std::move(credentials), std::move(settings),
                 {&read_json_error, &is_retryable}) {}

Result<AwsResponse> AwsJsonClient::call(std::string_view operation, std::string_view body) {
  return transport_.call(json_request(transport_.endpoint(), content_type_,
                                      target_prefix_ + "." + std::string(operation), body));
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
