#include "aws/credentials.hpp"

#include <fstream>
#include <sstream>

#include "core/clock.hpp"
#include "core/json.hpp"

namespace tenantd::aws {

namespace {

constexpr const char* kEcsHost = "http://169.254.170.2";

// Plain-http full URIs may only point at the hosts the AWS SDKs accept: loopback and the
// ECS / EKS link-local agents. Anything else must be https.
bool allowed_http_host(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

std::string member(const JsonValue& doc, const char* name) {
  if (!doc.HasMember(name) || !doc[name].IsString()) {
    return {};
  }
  return std::string(as_view(doc[name]));
}

}  // namespace

ContainerCredentials::ContainerCredentials(Url url, EnvLookup env,
                                           std::chrono::seconds refresh_before)
    : url_(std::move(url)),
      env_(std::move(env)),
      refresh_before_(refresh_before),
      http_(url_, HttpOptions{std::chrono::milliseconds(2000), std::chrono::milliseconds(5000),
                              env_("AWS_CA_BUNDLE").value_or(""), 2}) {}

Result<std::string> ContainerCredentials::authorization_token() const {
  if (auto token = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    return *token;
  }
  if (auto path = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    std::ifstream in(*path);
    if (!in) {
      return Error::make(ErrorCode::ServiceUnavailable,
                         "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *path);
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
      token.pop_back();
    }
    return token;
  }
  return std::string();
}

Result<Credentials> ContainerCredentials::get() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::system_clock::now();
  if (cached_ && now + refresh_before_ < expires_) {
    return *cached_;
  }
  TENANTD_TRY_ASSIGN(auto token, authorization_token());
  HttpRequest request;
  request.method = "GET";
  request.target = url_.path;
  if (!token.empty()) {
    request.headers.push_back(Header{"Authorization", token});
  }
  TENANTD_TRY_ASSIGN(auto response, http_.send(request));
  auto doc = parse_json(response.body);
  if (response.status != 200 || !doc || !doc->IsObject()) {
    return Error::make(ErrorCode::ServiceUnavailable, "container credentials endpoint answered " +
                                                          std::to_string(response.status));
  }
  Credentials credentials{member(*doc, "AccessKeyId"), member(*doc, "SecretAccessKey"),
                          member(*doc, "Token")};
  const auto expiration = parse_time(member(*doc, "Expiration"));
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() || !expiration) {
    return Error::make(ErrorCode::ServiceUnavailable,
                       "container credentials endpoint answered without AccessKeyId, "
                       "SecretAccessKey or a valid Expiration");
  }
  cached_ = credentials;
  expires_ = *expiration;
  return credentials;
}

Result<std::unique_ptr<CredentialsProvider>> default_credentials(const EnvLookup& env) {
  const auto key = env("AWS_ACCESS_KEY_ID");
  const auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (key && secret) {
    return std::unique_ptr<CredentialsProvider>(std::make_unique<StaticCredentials>(
        Credentials{*key, *secret, env("AWS_SESSION_TOKEN").value_or("")}));
  }
  std::string uri;
  if (auto full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    uri = *full;
  } else if (auto relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    uri = std::string(kEcsHost) + *relative;
  } else {
    return Error::make(ErrorCode::ServiceUnavailable,
                       "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                       "run where AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI is set");
  }
  TENANTD_TRY_ASSIGN(auto url, Url::parse(uri));
  if (!url.tls && !allowed_http_host(url.host)) {
    return Error::make(ErrorCode::ValidationError,
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI over http must point at a loopback "
                       "or container agent address, not " +
                           url.host);
  }
  return std::unique_ptr<CredentialsProvider>(
      std::make_unique<ContainerCredentials>(std::move(url), env));
}

}  // namespace tenantd::aws
