#include "console/console_front.hpp"

#include "api/responses.hpp"
#include "auth/jwt.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"

namespace tenantd::console {

namespace {

constexpr std::string_view kPrefix = "/console";
constexpr std::string_view kAssetsPrefix = "assets/";
constexpr std::size_t kMaxExchangeBody = 1024;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

const Asset* find_asset(std::string_view path) {
  for (const auto& a : assets()) {
    if (a.path == path) {
      return &a;
    }
  }
  return nullptr;
}

// If-None-Match names the asset's ETag (a list, or "*").
bool not_modified(const Request& request, const Asset& asset) {
  const std::string* given = request.header("If-None-Match");
  if (given == nullptr) {
    return false;
  }
  return *given == "*" || given->find(asset.etag) != std::string::npos;
}

// Text for a double-quoted HTML attribute.
std::string attribute_text(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

ConsoleFront::ConsoleFront(RequestHandler& api, store::ItemStore& store, const Clock& clock,
                           Ids& ids, ConsoleSettings settings)
    : api_(api), clock_(clock), ids_(ids), settings_(std::move(settings)), codes_(store, clock) {}

// index.html is made when it is first served, not at start: the embedded files are copied out
// of the binary then (~100 KB, page faults included), and the first SHA-256 initialises OpenSSL
// (~2 ms), neither of which a cold start that serves no console page should pay.
const Asset& ConsoleFront::index() {
  std::call_once(index_once_, [this] {
    // The settings travel in index.html itself, so that the console starts without another
    // round trip (config.json serves the same for tools).
    index_ = *find_asset("index.html");
    constexpr std::string_view kPlaceholder = "{{CONFIG}}";
    if (const auto at = index_.body.find(kPlaceholder); at != std::string::npos) {
      index_.body.replace(at, kPlaceholder.size(), attribute_text(config_text()));
    }
    index_.etag = "\"" + sha256_hex(index_.body).substr(0, 20) + "\"";
  });
  return index_;
}

Response ConsoleFront::handle(Request& request) {
  const std::string_view path = request.path;
  if (path == kPrefix) {
    // Relative, so that it also works behind an API Gateway stage prefix.
    Response r;
    r.status = 308;
    r.set_header("Location", "console/");
    secure(r);
    return r;
  }
  if (!starts_with(path, std::string(kPrefix) + "/")) {
    return api_.handle(request);
  }
  return serve_console(request, path.substr(kPrefix.size() + 1));
}

Response ConsoleFront::serve_console(Request& request, std::string_view rest) {
  if (rest == "session") {
    if (request.method != "POST") {
      Response r = fail(Error::make(ErrorCode::MethodNotAllowed,
                                    request.method + " is not allowed here; use POST"));
      r.set_header("Allow", "POST");
      return r;
    }
    return exchange_code(request);
  }
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = fail(
        Error::make(ErrorCode::MethodNotAllowed, request.method + " is not allowed here; use GET"));
    r.set_header("Allow", "GET, HEAD");
    return r;
  }
  if (rest == "config.json") {
    return config_json();
  }
  const Asset* asset = nullptr;
  bool immutable = false;
  if (rest.empty() || rest == "index.html") {
    asset = &index();
  } else if (starts_with(rest, kAssetsPrefix)) {
    // assets/<build>/<path>: only the current build's folder exists.
    std::string_view tail = rest.substr(kAssetsPrefix.size());
    const auto slash = tail.find('/');
    if (slash != std::string_view::npos && tail.substr(0, slash) == build_id()) {
      const std::string_view file = tail.substr(slash + 1);
      if (file != "index.html") {
        asset = find_asset(file);
        immutable = true;
      }
    }
  }
  if (asset == nullptr) {
    return fail(Error::make(ErrorCode::NotFound, "No console file at " + request.path));
  }
  Response r;
  r.set_header("ETag", asset->etag);
  // index.html is revalidated on every load (it names the build); assets never change under
  // their build's folder, so browsers may keep them for a year.
  r.set_header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (not_modified(request, *asset)) {
    r.status = 304;
  } else {
    r.status = 200;
    r.set_header("Content-Type", asset->content_type);
    if (request.method == "GET") {
      r.body = asset->body;
    }
  }
  secure(r);
  return r;
}

std::string ConsoleFront::config_text() const {
  // Which sign-in the console offers: a one-time code (local), the hosted UI with PKCE (a
  // Cognito domain and client are configured), or none.
  std::string sign_in = "unavailable";
  if (settings_.auth_mode == "local") {
    sign_in = "code";
  } else if (!settings_.cognito_domain.empty() && !settings_.cognito_client_id.empty()) {
    sign_in = "cognito";
  }
  JsonWriter out;
  out.begin_object()
      .field("authMode", settings_.auth_mode)
      .field("signIn", sign_in)
      .field("build", build_id());
  if (sign_in == "cognito") {
    out.key("cognito")
        .begin_object()
        .field("domain", settings_.cognito_domain)
        .field("clientId", settings_.cognito_client_id)
        .end_object();
  }
  out.end_object();
  return out.str();
}

Response ConsoleFront::config_json() const {
  Response r = api::json_response(200, config_text());
  r.set_header("Cache-Control", "no-cache");
  secure(r);
  return r;
}

Response ConsoleFront::exchange_code(Request& request) {
  if (settings_.auth_mode != "local" || settings_.local_secret.empty()) {
    return fail(Error::make(ErrorCode::NotFound,
                            "Sign-in codes exist only with AUTH_MODE=local; use the hosted UI"));
  }
  if (request.body.size() > kMaxExchangeBody) {
    return fail(Error::make(ErrorCode::PayloadTooLarge, "The request body is too large"));
  }
  const auto doc = parse_json(request.body);
  if (!doc || !doc->IsObject()) {
    return fail(Error::make(ErrorCode::InvalidJson, "The body must be a JSON object"));
  }
  if (!doc->HasMember("code") || !(*doc)["code"].IsString()) {
    return fail(Error::validation({{"code", "REQUIRED", "code is required (a string)"}}));
  }
  auto grant = codes_.redeem(as_view((*doc)["code"]));
  if (!grant) {
    return fail(grant.error());
  }
  const auto now = epoch_seconds(clock_.now());
  auth::JwtClaims claims;
  claims.sub = grant->sub;
  claims.email = grant->email;
  claims.groups = grant->groups;
  claims.iat = now;
  claims.exp = now + grant->token_ttl_seconds;
  auto token = auth::mint_hs256(settings_.local_secret, claims);
  if (!token) {
    return fail(token.error());
  }
  JsonWriter out;
  out.begin_object()
      .field("token", *token)
      .field("expiresAt", claims.exp)
      .field("email", claims.email)
      .end_object();
  Response r = api::json_response(200, out.str());
  r.set_header("Cache-Control", "no-store");
  secure(r);
  return r;
}

Response ConsoleFront::fail(const Error& error) const {
  const std::string request_id = ids_.uuid();
  Response r = api::error_response(error, request_id, clock_.now());
  r.set_header("X-Request-Id", request_id);
  r.set_header("Cache-Control", "no-store");
  secure(r);
  return r;
}

std::string ConsoleFront::content_security_policy() const {
  std::string connect = "'self'";
  if (!settings_.cognito_domain.empty()) {
    connect += " " + settings_.cognito_domain;
  }
  return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src " +
         connect + "; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

void ConsoleFront::secure(Response& response) const {
  response.set_header("Content-Security-Policy", content_security_policy());
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Cross-Origin-Opener-Policy", "same-origin");
}

}  // namespace tenantd::console
