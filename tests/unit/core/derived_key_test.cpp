#include "core/derived_key.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"

namespace tenantd {
namespace {

TEST(DerivedKey, IsTheHmacOfTheLabelUnderTheSecret) {
  // RFC 4231 test case 2: the derivation is plain HMAC-SHA256, so keys derived before this type
  // existed (page tokens, outbox seals already in a store) are unchanged.
  const DerivedKey key = DerivedKey::derive("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(hex(key.get()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DerivedKey, AKnownKeyIsReturnedAsGiven) {
  EXPECT_EQ(DerivedKey(std::string(32, 'k')).get(), std::string(32, 'k'));
  EXPECT_EQ(DerivedKey().get(), "");
}

TEST(DerivedKey, CopiesAndThreadsShareOneDerivation) {
  const DerivedKey key = DerivedKey::derive("a shared secret", "page-tokens");
  const DerivedKey copy = key;  // NOLINT(performance-unnecessary-copy-initialization)
  std::vector<const std::string*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = &(i % 2 == 0 ? key : copy).get(); });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const std::string* value : seen) {
    EXPECT_EQ(value, seen.front());  // one string, derived once
  }
  EXPECT_EQ(*seen.front(), hmac_sha256("a shared secret", "page-tokens"));
}

}  // namespace
}  // namespace tenantd
