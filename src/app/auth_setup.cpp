#include "app/auth_setup.hpp"

#include "auth/jwks.hpp"
#include "auth/jwks_fetch.hpp"
#include "auth/jwt.hpp"
#include "auth/rs256_verifier.hpp"
#include "aws/aws_json_client.hpp"
#include "aws/cognito_directory.hpp"
#include "service/local_directory.hpp"

namespace tenantd {

Identity::Identity() = default;
Identity::~Identity() = default;

Result<std::string> cognito_issuer(const Config& config, const aws::EnvLookup& env) {
  if (!config.cognito_issuer.empty()) {
    return config.cognito_issuer;
  }
  if (config.cognito_user_pool_id.empty()) {
    return Error::make(ErrorCode::ValidationError,
                       "AUTH_MODE=cognito needs COGNITO_USER_POOL_ID (or COGNITO_ISSUER)");
  }
  auto region = env("AWS_REGION");
  if (!region) {
    region = env("AWS_DEFAULT_REGION");
  }
  if (!region) {
    // A pool id is "<region>_<suffix>".
    const auto underscore = config.cognito_user_pool_id.find('_');
    if (underscore != std::string::npos && underscore > 0) {
      region = config.cognito_user_pool_id.substr(0, underscore);
    }
  }
  if (!region) {
    return Error::make(ErrorCode::ValidationError,
                       "AUTH_MODE=cognito needs a region (AWS_REGION) or COGNITO_ISSUER");
  }
  return "https://cognito-idp." + *region + ".amazonaws.com/" + config.cognito_user_pool_id;
}

Status check_serve_auth_mode(const Config& config) {
  if (config.auth_mode == "apigw") {
    return Error::make(ErrorCode::ValidationError,
                       "AUTH_MODE=apigw trusts the claims of API Gateway's authoriser and only "
                       "works in Lambda; `serve` needs AUTH_MODE=local or cognito");
  }
  return {};
}

Status Identity::build_auth(const Config& config, const aws::EnvLookup& env, const Clock& clock,
                            const std::string& local_secret) {
  if (config.auth_mode == "apigw") {
    authenticate_ = auth::authorizer_claims_authenticator();
    return {};
  }
  if (config.auth_mode == "cognito") {
    auto issuer = cognito_issuer(config, env);
    if (!issuer) {
      return std::move(issuer).error();
    }
    auto settings = aws::client_settings(env);
    if (!settings) {
      return std::move(settings).error();
    }
    const std::string url =
        config.cognito_jwks_url.empty() ? auth::jwks_url_of(*issuer) : config.cognito_jwks_url;
    auto fetcher = auth::http_jwks_fetcher(url, settings->http);
    if (!fetcher) {
      return std::move(fetcher).error();
    }
    jwks_ = std::make_unique<auth::JwksCache>(std::move(*fetcher), clock);
    rs256_ = std::make_unique<auth::Rs256Verifier>(
        *jwks_, auth::Rs256Expectations{*issuer, config.cognito_client_id});
    const auth::Rs256Verifier* verifier = rs256_.get();
    authenticate_ = auth::bearer_authenticator(
        [verifier](std::string_view token, TimePoint now) { return verifier->verify(token, now); });
    return {};
  }
  hs256_ = std::make_unique<auth::Hs256Verifier>(local_secret);
  const auth::Hs256Verifier* verifier = hs256_.get();
  authenticate_ = auth::bearer_authenticator(
      [verifier](std::string_view token, TimePoint now) { return verifier->verify(token, now); });
  return {};
}

Result<std::unique_ptr<Identity>> Identity::build(const Config& config, const aws::EnvLookup& env,
                                                  store::ItemStore& store, Ids& ids,
                                                  const Clock& clock,
                                                  const std::string& local_secret) {
  auto identity = std::unique_ptr<Identity>(new Identity());
  if (auto ok = identity->build_auth(config, env, clock, local_secret); !ok) {
    return std::move(ok).error();
  }
  if (config.directory == "cognito") {
    auto directory = aws::CognitoDirectory::open(env, config.cognito_user_pool_id, clock);
    if (!directory) {
      return std::move(directory).error();
    }
    identity->directory_ = std::move(*directory);
  } else {
    identity->directory_ = std::make_unique<service::LocalDirectory>(store, ids, clock);
  }
  return identity;
}

}  // namespace tenantd
