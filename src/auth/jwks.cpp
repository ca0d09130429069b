#include "auth/jwks.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace tenantd::auth {

namespace {

// Weaker RSA keys are refused outright; Cognito's are 2048 bits.
constexpr int kMinModulusBits = 2048;
// A JWKS is a handful of keys; anything far larger is not one.
constexpr std::size_t kMaxJwksBytes = std::size_t{256} * 1024;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BigNum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdContext = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

Error bad_key(std::string message) {
  return Error::make(ErrorCode::ValidationError, std::move(message));
}

BigNum big_number(std::string_view b64) {
  const auto bytes = base64url_decode(b64);
  if (!bytes || bytes->empty()) {
    return nullptr;
  }
  return BigNum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()),
                          static_cast<int>(bytes->size()), nullptr));
}

std::string_view string_member(const JsonValue& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return as_view(it->value);
}

}  // namespace

struct RsaPublicKey::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

RsaPublicKey::RsaPublicKey(std::unique_ptr<Key> key) : key_(std::move(key)) {}
RsaPublicKey::~RsaPublicKey() = default;

Result<std::shared_ptr<const RsaPublicKey>> RsaPublicKey::from_jwk(std::string_view n_b64,
                                                                   std::string_view e_b64) {
  BigNum n = big_number(n_b64);
  BigNum e = big_number(e_b64);
  if (!n || !e) {
    return bad_key("the RSA key's n or e is not base64url");
  }
  if (BN_num_bits(n.get()) < kMinModulusBits) {
    return bad_key("the RSA key is shorter than 2048 bits");
  }
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return bad_key("the RSA key could not be built");
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyContext ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  auto key = std::make_unique<Key>();
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key->pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return bad_key("the RSA key could not be built");
  }
  return std::shared_ptr<const RsaPublicKey>(new RsaPublicKey(std::move(key)));
}

bool RsaPublicKey::verify_sha256(std::string_view data, std::string_view signature) const {
  MdContext md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) != 1) {
    return false;
  }
  return EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

Result<KeyMap> parse_jwks(std::string_view json) {
  if (json.size() > kMaxJwksBytes) {
    return bad_key("the JWKS document is too large");
  }
  const auto doc = parse_json(json);
  if (!doc || !doc->IsObject()) {
    return bad_key("the JWKS document is not a JSON object");
  }
  const JsonValue& root = *doc;
  const auto keys = root.FindMember("keys");
  if (keys == root.MemberEnd() || !keys->value.IsArray()) {
    return bad_key("the JWKS document has no \"keys\" array");
  }
  KeyMap out;
  for (const auto& jwk : keys->value.GetArray()) {
    if (!jwk.IsObject() || string_member(jwk, "kty") != "RSA") {
      continue;
    }
    const std::string_view kid = string_member(jwk, "kid");
    const std::string_view use = string_member(jwk, "use");
    const std::string_view alg = string_member(jwk, "alg");
    if (kid.empty() || (!use.empty() && use != "sig") || (!alg.empty() && alg != "RS256")) {
      continue;
    }
    auto key = RsaPublicKey::from_jwk(string_member(jwk, "n"), string_member(jwk, "e"));
    if (key) {
      out.emplace(std::string(kid), std::move(*key));
    }
  }
  return out;
}

JwksCache::JwksCache(JwksFetcher fetch, const Clock& clock, std::chrono::seconds min_refresh)
    : fetch_(std::move(fetch)), clock_(clock), min_refresh_(min_refresh) {}

Result<std::shared_ptr<const RsaPublicKey>> JwksCache::key(std::string_view kid) {
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = keys_.find(kid); it != keys_.end()) {
      return it->second;
    }
  }
  // One fetch at a time; callers of known keys never wait for it (they only take mutex_).
  const std::lock_guard fetching(fetch_mutex_);
  {
    const std::lock_guard lock(mutex_);
    // The fetch this caller waited for may have brought the key.
    if (const auto it = keys_.find(kid); it != keys_.end()) {
      return it->second;
    }
    const TimePoint now = clock_.now();
    if (last_attempt_ && now - *last_attempt_ < min_refresh_) {
      if (keys_.empty()) {
        return Error::make(ErrorCode::ServiceUnavailable,
                           "The token issuer's signing keys could not be fetched; retry shortly");
      }
      return std::shared_ptr<const RsaPublicKey>();
    }
    last_attempt_ = now;
    ++fetches_;
  }
  auto text = fetch_();
  Result<KeyMap> fetched = text ? parse_jwks(*text) : Result<KeyMap>(std::move(text).error());
  if (!fetched) {
    return Error::make(
        ErrorCode::ServiceUnavailable,
        "The token issuer's signing keys could not be fetched: " + fetched.error().message);
  }
  const std::lock_guard lock(mutex_);
  // Keys that left the set are dropped: the issuer no longer signs with them.
  keys_ = std::move(*fetched);
  if (const auto it = keys_.find(kid); it != keys_.end()) {
    return it->second;
  }
  return std::shared_ptr<const RsaPublicKey>();
}

std::size_t JwksCache::fetches() const {
  const std::lock_guard lock(mutex_);
  return fetches_;
}

}  // namespace tenantd::auth
