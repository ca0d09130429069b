#pragma once
// The signing keys of a token issuer (RFC 7517 JSON Web Key Sets), for AUTH_MODE=cognito
// (docs/auth.md): RSA public keys by `kid`, fetched from the issuer, cached, and fetched again
// when a token names a key we do not hold, at most once a minute so that tokens with made-up
// kids cannot turn into a flood of requests to the issuer.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace tenantd::auth {

// An RSA public key ready for signature checks (an OpenSSL EVP_PKEY); immutable, shareable.
class RsaPublicKey {
 public:
  // From the base64url big-endian modulus and exponent of a JWK; VALIDATION_ERROR when either
  // is malformed or the modulus is shorter than 2048 bits.
  static Result<std::shared_ptr<const RsaPublicKey>> from_jwk(std::string_view n_b64,
                                                              std::string_view e_b64);
  // True when `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `data`.
  bool verify_sha256(std::string_view data, std::string_view signature) const;

  ~RsaPublicKey();
  RsaPublicKey(const RsaPublicKey&) = delete;
  RsaPublicKey& operator=(const RsaPublicKey&) = delete;

 private:
  struct Key;
  explicit RsaPublicKey(std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
};

using KeyMap = std::map<std::string, std::shared_ptr<const RsaPublicKey>, std::less<>>;

// The RS256 signing keys of a JWKS document: RSA keys with a kid whose `use` (if given) is
// "sig" and whose `alg` (if given) is "RS256"; other keys are skipped. VALIDATION_ERROR when the
// document is not a JWKS (no "keys" array).
Result<KeyMap> parse_jwks(std::string_view json);

// Fetches the JWKS document's text; an error when it cannot be had.
using JwksFetcher = std::function<Result<std::string>()>;

class JwksCache {
 public:
  static constexpr std::chrono::seconds kMinRefreshInterval{60};

  JwksCache(JwksFetcher fetch, const Clock& clock,
            std::chrono::seconds min_refresh = kMinRefreshInterval);

  // The key named `kid`. Fetches the set on first use and again when `kid` is unknown, unless
  // the last fetch attempt (successful or not) is less than `min_refresh` old. nullptr when the
  // key is not in the set; SERVICE_UNAVAILABLE when no set could ever be fetched (or the refresh
  // failed) and the key is not known. Thread-safe: lookups of known keys never wait for a
  // fetch; concurrent callers with unknown kids wait for the one fetch in progress.
  Result<std::shared_ptr<const RsaPublicKey>> key(std::string_view kid);

  // Fetch attempts so far (tests check the refresh rule).
  std::size_t fetches() const;

 private:
  JwksFetcher fetch_;
  const Clock& clock_;
  std::chrono::seconds min_refresh_;
  mutable std::mutex mutex_;  // keys_, last_attempt_, fetches_
  std::mutex fetch_mutex_;    // held for the whole of a fetch
  KeyMap keys_;
  std::optional<TimePoint> last_attempt_;
  std::size_t fetches_ = 0;
};

}  // namespace tenantd::auth
