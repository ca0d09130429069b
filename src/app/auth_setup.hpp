#pragma once
// Who is calling and where users live, by AUTH_MODE and DIRECTORY (docs/auth.md and
// docs/members.md): the request authenticator and the user directory the runtime hands to the API
// and services.
#include <memory>
#include <string>

#include "app/config.hpp"
#include "auth/authenticator.hpp"
#include "aws/environment.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "service/directory.hpp"
#include "store/item_store.hpp"

namespace tenantd::auth {
class Hs256Verifier;
class JwksCache;
class Rs256Verifier;
}  // namespace tenantd::auth

namespace tenantd {

class Identity {
 public:
  // `local_secret` is the HS256 secret of AUTH_MODE=local (unused by the other modes).
  // VALIDATION_ERROR naming the missing setting (COGNITO_USER_POOL_ID, a region, ...).
  static Result<std::unique_ptr<Identity>> build(const Config& config, const aws::EnvLookup& env,
                                                 store::ItemStore& store, Ids& ids,
                                                 const Clock& clock,
                                                 const std::string& local_secret);
  ~Identity();
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;

  const auth::Authenticator& authenticator() const { return authenticate_; }
  service::Directory& directory() { return *directory_; }

 private:
  Identity();
  Status build_auth(const Config& config, const aws::EnvLookup& env, const Clock& clock,
                    const std::string& local_secret);

  std::unique_ptr<auth::Hs256Verifier> hs256_;
  std::unique_ptr<auth::JwksCache> jwks_;
  std::unique_ptr<auth::Rs256Verifier> rs256_;
  std::unique_ptr<service::Directory> directory_;
  auth::Authenticator authenticate_;
};

// The issuer whose tokens AUTH_MODE=cognito accepts: COGNITO_ISSUER, else
// https://cognito-idp.<region>.amazonaws.com/<COGNITO_USER_POOL_ID>.
Result<std::string> cognito_issuer(const Config& config, const aws::EnvLookup& env);

// `serve` has no authoriser in front of it, so it refuses AUTH_MODE=apigw (docs/auth.md):
// trusting claims there would mean trusting whatever a client sends.
Status check_serve_auth_mode(const Config& config);

}  // namespace tenantd
