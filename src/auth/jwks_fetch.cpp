#include "auth/jwks_fetch.hpp"

#include <memory>

namespace tenantd::auth {

std::string jwks_url_of(std::string_view issuer) {
  while (!issuer.empty() && issuer.back() == '/') {
    issuer.remove_suffix(1);
  }
  return std::string(issuer) + "/.well-known/jwks.json";
}

Result<JwksFetcher> http_jwks_fetcher(const std::string& url, HttpOptions options) {
  TENANTD_TRY_ASSIGN(auto parsed, Url::parse(url));
  auto client = std::make_shared<HttpClient>(parsed, std::move(options));
  return JwksFetcher([client, url]() -> Result<std::string> {
    HttpRequest request;
    request.method = "GET";
    request.target = client->origin().path;
    request.headers.push_back({"Accept", "application/json"});
    TENANTD_TRY_ASSIGN(auto response, client->send(request));
    if (response.status != 200) {
      return Error::make(ErrorCode::ServiceUnavailable,
                         "GET " + url + " answered " + std::to_string(response.status));
    }
    return std::move(response.body);
  });
}

}  // namespace tenantd::auth
