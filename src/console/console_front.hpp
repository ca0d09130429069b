#pragma once
// The door in front of the API that serves the admin console (console/, embedded at build time)
// under /console/ and passes every other request on to the API unchanged. Used by `serve` and
// the Lambda alike. See docs/console.md and docs/decisions/0021-admin-console.md.
#include <memory>
#include <mutex>
#include <string>

#include "console/console_assets.hpp"
#include "console/sign_in_codes.hpp"
#include "core/clock.hpp"
#include "core/http_message.hpp"
#include "core/ids.hpp"
#include "store/item_store.hpp"

namespace tenantd::console {

struct ConsoleSettings {
  std::string auth_mode = "local";  // AUTH_MODE: local, cognito or apigw
  std::string cognito_domain;       // hosted UI origin (https://...); empty: none configured
  std::string cognito_client_id;    // the app client the console signs in with
  std::string local_secret;         // HS256 key of AUTH_MODE=local (mints exchanged tokens)
};

class ConsoleFront final : public RequestHandler {
 public:
  ConsoleFront(RequestHandler& api, store::ItemStore& store, const Clock& clock, Ids& ids,
               ConsoleSettings settings);

  Response handle(Request& request) override;

  // The Content-Security-Policy of every console response (the hosted UI's origin is added to
  // connect-src when Cognito sign-in is configured, for the token exchange).
  std::string content_security_policy() const;

 private:
  const Asset& index();
  Response serve_console(Request& request, std::string_view rest);
  Response exchange_code(Request& request);
  Response config_json() const;
  std::string config_text() const;
  Response fail(const Error& error) const;
  void secure(Response& response) const;

  RequestHandler& api_;
  const Clock& clock_;
  Ids& ids_;
  ConsoleSettings settings_;
  SignInCodes codes_;
  Asset index_;  // index.html with this deployment's settings in its <meta>, made by index()
  std::once_flag index_once_;
};

}  // namespace tenantd::console
