#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tenantd {
namespace {

std::string bytes_of(std::initializer_list<int> values) {
  std::string out;
  for (const int v : values) {
    out.push_back(static_cast<char>(v));
  }
  return out;
}

std::string repeat(char c, std::size_t n) {
  return std::string(n, c);
}

struct HmacVector {
  std::string key;
  std::string data;
  std::string expected_hex;
};

// RFC 4231 section 4 (test case 5 is checked truncated to 128 bits, as the RFC specifies).
std::vector<HmacVector> rfc4231_vectors() {
  std::string key4;
  for (int i = 1; i <= 25; ++i) {
    key4.push_back(static_cast<char>(i));
  }
  return {
      {repeat('\x0b', 20), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {repeat('\xaa', 20), repeat('\xdd', 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {key4, repeat('\xcd', 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {repeat('\xaa', 131),
       "This is a test using a larger than block-size key and a larger than block-size data. The "
       "key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

TEST(CryptoHmac, MatchesRfc4231Vectors) {
  for (const auto& v : rfc4231_vectors()) {
    EXPECT_EQ(hex(hmac_sha256(v.key, v.data)), v.expected_hex) << "key size " << v.key.size();
  }
}

TEST(CryptoHmac, MatchesRfc4231TruncatedVector) {
  const std::string mac = hmac_sha256(repeat('\x0c', 20), "Test With Truncation");
  EXPECT_EQ(hex(mac.substr(0, 16)), "a3b6167473100ee06e0c796c2955552b");
}

TEST(CryptoHmac, RepeatedAndInterleavedKeysGiveTheSameResultAsFirstUse) {
  // The per-thread context cache must never leak one key's state into another's MAC.
  const auto vectors = rfc4231_vectors();
  for (int round = 0; round < 3; ++round) {
    for (const auto& v : vectors) {
      EXPECT_EQ(hex(hmac_sha256(v.key, v.data)), v.expected_hex);
    }
  }
}

TEST(CryptoHmac, EmptyKeyAndEmptyDataAreSupported) {
  EXPECT_EQ(hex(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(hex(hmac_sha256("", "abc")),
            "fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351");
}

TEST(CryptoHmac, DigestVariantEqualsStringVariant) {
  const Sha256Digest d = hmac_sha256_digest("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.data()), d.size()),
            hmac_sha256("Jefe", "what do ya want for nothing?"));
}

TEST(CryptoHmac, IsCorrectFromManyThreadsAtOnce) {
  const auto vectors = rfc4231_vectors();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        const auto& v = vectors[static_cast<std::size_t>(i) % vectors.size()];
        if (hex(hmac_sha256(v.key, v.data)) != v.expected_hex) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST(CryptoSha256, MatchesKnownDigests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256("abc").size(), 32u);
  EXPECT_EQ(hex(sha256("abc")), sha256_hex("abc"));
}

TEST(CryptoHex, EncodesEveryByteLowerCase) {
  EXPECT_EQ(hex(""), "");
  EXPECT_EQ(hex(bytes_of({0x00, 0x0f, 0x10, 0xab, 0xff})), "000f10abff");
}

TEST(CryptoBase64Url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
}

TEST(CryptoBase64Url, UsesUrlSafeAlphabet) {
  EXPECT_EQ(base64url_encode(bytes_of({0xfb, 0xff, 0xbf})), "-_-_");
  EXPECT_EQ(base64url_decode("-_-_"), bytes_of({0xfb, 0xff, 0xbf}));
}

TEST(CryptoBase64Url, RoundTripsEveryLengthAndByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  for (std::size_t n = 0; n <= all.size(); ++n) {
    const std::string data = all.substr(0, n);
    const auto decoded = base64url_decode(base64url_encode(data));
    ASSERT_TRUE(decoded.has_value()) << n;
    EXPECT_EQ(*decoded, data) << n;
  }
}

TEST(CryptoBase64Url, RejectsPaddingAndStandardAlphabetAndJunk) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());
  EXPECT_FALSE(base64url_decode("Zm8=").has_value());
  EXPECT_FALSE(base64url_decode("+/+/").has_value());
  EXPECT_FALSE(base64url_decode("Zm9v YmFy").has_value());
  EXPECT_FALSE(base64url_decode("Zm9v\n").has_value());
  EXPECT_FALSE(base64url_decode(std::string("Zm9v\0", 5)).has_value());
  EXPECT_FALSE(base64url_decode("Zm9v.").has_value());
}

TEST(CryptoBase64Url, RejectsImpossibleLength) {
  EXPECT_FALSE(base64url_decode("Z").has_value());
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());
}

TEST(CryptoBase64Url, RejectsNonCanonicalTrailingBits) {
  // "Zg" is "f"; "Zh" carries the same byte with a stray low bit set.
  EXPECT_TRUE(base64url_decode("Zg").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
  EXPECT_FALSE(base64url_decode("Zm9").has_value());
}

TEST(CryptoBase64Url, DecodesEmptyText) {
  EXPECT_EQ(base64url_decode(""), std::string());
}

TEST(CryptoBase64, EncodesRfc4648VectorsWithPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(bytes_of({0xfb, 0xff, 0xbf})), "+/+/");
}

TEST(CryptoBase64, DecodesPaddedText) {
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64_decode("+/+/"), bytes_of({0xfb, 0xff, 0xbf}));
  EXPECT_EQ(base64_decode(""), std::string());
}

TEST(CryptoBase64, RejectsMissingMisplacedOrExcessPadding) {
  EXPECT_FALSE(base64_decode("Zg").has_value());
  EXPECT_FALSE(base64_decode("Zg=").has_value());
  EXPECT_FALSE(base64_decode("Z===").has_value());
  EXPECT_FALSE(base64_decode("====").has_value());
  EXPECT_FALSE(base64_decode("Zg==Zm8=").has_value());
  EXPECT_FALSE(base64_decode("Z=g=").has_value());
  EXPECT_FALSE(base64_decode("-_-_").has_value());
  EXPECT_FALSE(base64_decode("Zh==").has_value());
}

TEST(CryptoRandom, ReturnsRequestedLengthAndDiffersBetweenCalls) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(32).size(), 32u);
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    seen.insert(random_bytes(16));
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(CryptoSeal, RoundTripsWithTheKeyAndUsesAFreshNonceEachTime) {
  const std::string key(32, 'k');
  const std::string a = seal(key, "\"acceptUrl\":\"https://x/?token=abc\"");
  const std::string b = seal(key, "\"acceptUrl\":\"https://x/?token=abc\"");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find("token"), std::string::npos);
  EXPECT_EQ(unseal(key, a), "\"acceptUrl\":\"https://x/?token=abc\"");
  EXPECT_EQ(unseal(key, b), unseal(key, a));
  EXPECT_EQ(unseal(key, seal(key, "")), "");
}

TEST(CryptoSeal, RefusesAnotherKeyAlteredOrTruncatedText) {
  const std::string key(32, 'k');
  const std::string sealed = seal(key, "secret");
  EXPECT_FALSE(unseal(std::string(32, 'j'), sealed).has_value());
  EXPECT_FALSE(unseal("short", sealed).has_value());
  std::string altered = *base64url_decode(sealed);
  altered[14] = static_cast<char>(altered[14] ^ 1);
  EXPECT_FALSE(unseal(key, base64url_encode(altered)).has_value());
  EXPECT_FALSE(unseal(key, sealed.substr(0, 20)).has_value());
  EXPECT_FALSE(unseal(key, "not base64url!").has_value());
  EXPECT_THROW(seal("short", "x"), std::invalid_argument);
}

TEST(CryptoConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
  EXPECT_FALSE(constant_time_equals("abc", ""));
  EXPECT_FALSE(constant_time_equals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace tenantd
