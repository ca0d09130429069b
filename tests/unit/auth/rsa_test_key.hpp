#pragma once
// A fresh RSA key for tests: signs RS256 tokens and publishes itself as a JWKS, so that the
// verifier's checks run against real signatures.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "core/crypto.hpp"

namespace tenantd::auth::testing {

class TestRsaKey {
 public:
  TestRsaKey() : key_(EVP_RSA_gen(2048)) {
    if (key_ == nullptr) {
      throw std::runtime_error("RSA key generation failed");
    }
  }
  ~TestRsaKey() { EVP_PKEY_free(key_); }
  TestRsaKey(const TestRsaKey&) = delete;
  TestRsaKey& operator=(const TestRsaKey&) = delete;

  // RSASSA-PKCS1-v1_5 SHA-256 signature of `data`.
  std::string sign(std::string_view data) const {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    std::size_t length = 0;
    std::string signature;
    if (EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
        EVP_DigestSign(md, nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1) {
      signature.resize(length);
      if (EVP_DigestSign(md, reinterpret_cast<unsigned char*>(signature.data()), &length,
                         reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
        signature.clear();
      }
      signature.resize(length);
    }
    EVP_MD_CTX_free(md);
    return signature;
  }

  std::string n() const { return component(OSSL_PKEY_PARAM_RSA_N); }
  std::string e() const { return component(OSSL_PKEY_PARAM_RSA_E); }

  // One JWK of this key under `kid`.
  std::string jwk(std::string_view kid) const {
    return R"({"kty":"RSA","alg":"RS256","use":"sig","kid":")" + std::string(kid) + R"(","n":")" +
           n() + R"(","e":")" + e() + R"("})";
  }

 private:
  // The base64url big-endian bytes of a key parameter.
  std::string component(const char* name) const {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key_, name, &bn) != 1) {
      throw std::runtime_error("cannot read RSA key parameter");
    }
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return base64url_encode(bytes);
  }

  EVP_PKEY* key_;
};

}  // namespace tenantd::auth::testing
