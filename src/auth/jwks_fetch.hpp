#pragma once
// Fetching an issuer's JWKS over HTTP(S) with the AWS HTTP client (TLS verified against the
// configured CA bundle, timeouts, connection reuse).
#include <string>

#include "auth/jwks.hpp"
#include "core/http_client.hpp"

namespace tenantd::auth {

// The default JWKS location of an OpenID issuer: <issuer>/.well-known/jwks.json.
std::string jwks_url_of(std::string_view issuer);

// A fetcher that GETs `url`; SERVICE_UNAVAILABLE on a transport failure or a status other
// than 200. VALIDATION_ERROR when `url` is not an http(s) URL.
Result<JwksFetcher> http_jwks_fetcher(const std::string& url, HttpOptions options);

}  // namespace tenantd::auth
