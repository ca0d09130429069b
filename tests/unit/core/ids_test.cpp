#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace tenantd {
namespace {

TEST(RandomIds, MakesPrefixedVersionFourUuids) {
  RandomIds ids;
  const std::string id = ids.make("tenant");
  EXPECT_TRUE(is_id(id, "tenant")) << id;
  EXPECT_EQ(id[7 + 14], '4') << id;  // the version nibble
  EXPECT_NE(ids.uuid(), ids.uuid());
}

TEST(CorrelationUuid, IsAVersionFourUuid) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = correlation_uuid();
    EXPECT_TRUE(is_id("x-" + id, "x")) << id;
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122 variant
  }
}

TEST(CorrelationUuid, NeverRepeatsWithinOrAcrossThreads) {
  constexpr int kPerThread = 20000;
  std::vector<std::string> first;
  std::vector<std::string> second;
  auto fill = [](std::vector<std::string>& out) {
    out.reserve(kPerThread);
    for (int i = 0; i < kPerThread; ++i) {
      out.push_back(correlation_uuid());
    }
  };
  std::thread a(fill, std::ref(first));
  std::thread b(fill, std::ref(second));
  a.join();
  b.join();
  std::unordered_set<std::string> seen(first.begin(), first.end());
  seen.insert(second.begin(), second.end());
  EXPECT_EQ(seen.size(), std::size_t{2} * kPerThread);
}

}  // namespace
}  // namespace tenantd
