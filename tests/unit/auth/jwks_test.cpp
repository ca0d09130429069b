// The JWKS cache: which keys a set yields and the refresh-at-most-once-a-minute rule.
#include "auth/jwks.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>

#include "unit/auth/rsa_test_key.hpp"

namespace tenantd::auth {
namespace {

using testing::TestRsaKey;

const TestRsaKey& key_a() {
  static const TestRsaKey key;
  return key;
}
const TestRsaKey& key_b() {
  static const TestRsaKey key;
  return key;
}

std::string jwks(std::initializer_list<std::string> keys) {
  std::string out = R"({"keys":[)";
  const char* sep = "";
  for (const auto& k : keys) {
    out += sep + k;
    sep = ",";
  }
  return out + "]}";
}

TEST(ParseJwks, KeepsRs256SigningKeysAndSkipsOthers) {
  const std::string doc =
      jwks({key_a().jwk("a"), R"({"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"})",
            R"({"kty":"RSA","kid":"enc","use":"enc","n":")" + key_b().n() + R"(","e":")" +
                key_b().e() + R"("})",
            R"({"kty":"RSA","kid":"rs512","alg":"RS512","n":")" + key_b().n() + R"(","e":")" +
                key_b().e() + R"("})",
            R"({"kty":"RSA","n":")" + key_b().n() + R"(","e":"AQAB"})",
            R"({"kty":"RSA","kid":"bad","n":"!!","e":"AQAB"})"});
  const auto keys = parse_jwks(doc);
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 1U);
  EXPECT_EQ(keys->begin()->first, "a");
}

TEST(ParseJwks, RefusesDocumentsThatAreNotKeySets) {
  EXPECT_FALSE(parse_jwks("not json"));
  EXPECT_FALSE(parse_jwks(R"({"keys":{}})"));
  EXPECT_FALSE(parse_jwks(R"([])"));
}

TEST(RsaPublicKey, RefusesKeysShorterThan2048Bits) {
  EVP_PKEY* small = EVP_RSA_gen(1024);
  ASSERT_NE(small, nullptr);
  BIGNUM* n = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(small, OSSL_PKEY_PARAM_RSA_N, &n), 1);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(n)), '\0');
  BN_bn2bin(n, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(n);
  EVP_PKEY_free(small);
  const auto key = RsaPublicKey::from_jwk(base64url_encode(bytes), "AQAB");
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("2048"), std::string::npos);
}

TEST(RsaPublicKey, VerifiesItsOwnSignaturesOnly) {
  const auto key = RsaPublicKey::from_jwk(key_a().n(), key_a().e());
  ASSERT_TRUE(key);
  const std::string signature = key_a().sign("data");
  EXPECT_TRUE((*key)->verify_sha256("data", signature));
  EXPECT_FALSE((*key)->verify_sha256("datA", signature));
  EXPECT_FALSE((*key)->verify_sha256("data", key_b().sign("data")));
  EXPECT_FALSE((*key)->verify_sha256("data", ""));
}

class JwksCacheTest : public ::testing::Test {
 protected:
  JwksCacheTest()
      : clock_(TimePoint(std::chrono::seconds(1'770'000'000))),
        cache_(
            [this]() -> Result<std::string> {
              ++calls_;
              if (!available_) {
                return Error::make(ErrorCode::ServiceUnavailable, "issuer down");
              }
              return document_;
            },
            clock_) {}

  ManualClock clock_;
  std::string document_ = jwks({key_a().jwk("a")});
  bool available_ = true;
  int calls_ = 0;
  JwksCache cache_;
};

TEST_F(JwksCacheTest, FetchesOnFirstUseAndServesKnownKeysFromTheCache) {
  EXPECT_EQ(calls_, 0);
  auto key = cache_.key("a");
  ASSERT_TRUE(key);
  EXPECT_NE(*key, nullptr);
  for (int i = 0; i < 5; ++i) {
    clock_.advance(std::chrono::minutes(10));
    ASSERT_TRUE(cache_.key("a"));
  }
  EXPECT_EQ(calls_, 1);
}

TEST_F(JwksCacheTest, UnknownKidRefreshesAtMostOnceAMinute) {
  ASSERT_TRUE(cache_.key("a"));
  EXPECT_EQ(calls_, 1);
  // Within the minute after the last fetch, unknown kids are answered from the cache.
  clock_.advance(std::chrono::seconds(30));
  for (int i = 0; i < 10; ++i) {
    auto missing = cache_.key("forged-" + std::to_string(i));
    ASSERT_TRUE(missing);
    EXPECT_EQ(*missing, nullptr);
  }
  EXPECT_EQ(calls_, 1);
  // A minute after it, an unknown kid fetches again: a rotated key is found.
  document_ = jwks({key_a().jwk("a"), key_b().jwk("b")});
  clock_.advance(std::chrono::seconds(30));
  auto rotated = cache_.key("b");
  ASSERT_TRUE(rotated);
  EXPECT_NE(*rotated, nullptr);
  EXPECT_EQ(calls_, 2);
  // The refresh that just happened counts: the next unknown kid waits for another minute.
  clock_.advance(std::chrono::seconds(59));
  ASSERT_TRUE(cache_.key("c"));
  EXPECT_EQ(calls_, 2);
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(cache_.key("c"));
  EXPECT_EQ(calls_, 3);
  EXPECT_EQ(cache_.fetches(), 3U);
}

TEST_F(JwksCacheTest, KeysThatLeaveTheSetAreDropped) {
  document_ = jwks({key_a().jwk("a"), key_b().jwk("b")});
  ASSERT_NE(*cache_.key("a"), nullptr);
  document_ = jwks({key_b().jwk("b")});
  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE(cache_.key("unknown"));  // the refresh
  auto gone = cache_.key("a");
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, nullptr);
}

TEST_F(JwksCacheTest, AnUnreachableIssuerIsServiceUnavailableAndNotHammered) {
  available_ = false;
  auto first = cache_.key("a");
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::ServiceUnavailable);
  clock_.advance(std::chrono::seconds(10));
  auto again = cache_.key("a");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::ServiceUnavailable);
  EXPECT_EQ(calls_, 1);
  available_ = true;
  clock_.advance(std::chrono::seconds(50));
  auto recovered = cache_.key("a");
  ASSERT_TRUE(recovered);
  EXPECT_NE(*recovered, nullptr);
  EXPECT_EQ(calls_, 2);
}

TEST_F(JwksCacheTest, AFailedRefreshKeepsTheKeysItHad) {
  ASSERT_TRUE(cache_.key("a"));
  available_ = false;
  clock_.advance(std::chrono::minutes(2));
  auto refresh = cache_.key("b");
  ASSERT_FALSE(refresh);
  EXPECT_EQ(refresh.error().code, ErrorCode::ServiceUnavailable);
  auto kept = cache_.key("a");
  ASSERT_TRUE(kept);
  EXPECT_NE(*kept, nullptr);
}

}  // namespace
}  // namespace tenantd::auth

namespace tenantd::auth {
namespace {

TEST(JwksCacheConcurrency, KnownKeysAreServedWhileARefreshIsInProgress) {
  ManualClock clock(TimePoint(std::chrono::seconds(1'770'000'000)));
  std::atomic<int> calls{0};
  std::promise<void> fetch_started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  JwksCache cache(
      [&]() -> Result<std::string> {
        if (++calls == 2) {
          fetch_started.set_value();
          released.wait();
        }
        return jwks({key_a().jwk("a"), key_b().jwk("b")});
      },
      clock);
  // "a" is known; two minutes later an unknown kid may refresh.
  ASSERT_NE(*cache.key("a"), nullptr);
  clock.advance(std::chrono::minutes(2));
  auto refresh = std::async(std::launch::async, [&] { return cache.key("c"); });
  fetch_started.get_future().wait();
  auto known = std::async(std::launch::async, [&] { return cache.key("a"); });
  const auto status = known.wait_for(std::chrono::seconds(5));
  release.set_value();  // before any assertion, so that a failure cannot hang the test
  ASSERT_EQ(status, std::future_status::ready) << "a known key waited for the refresh";
  EXPECT_NE(*known.get(), nullptr);
  const auto unknown = refresh.get();
  ASSERT_TRUE(unknown);
  EXPECT_EQ(*unknown, nullptr);
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace tenantd::auth
