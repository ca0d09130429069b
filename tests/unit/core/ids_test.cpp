#include "core/ids.hpp"

#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace tenantd {
namespace {

TEST(TimeOrderedIds, MakesPrefixedVersionSevenUuidsStartingWithTheMillisecond) {
  ManualClock clock{*parse_time("2026-01-25T10:30:00.000Z")};  // 1769337000000 ms = 0x019bf4b41040
  TimeOrderedIds ids(clock);
  const std::string id = ids.make("tenant");
  EXPECT_TRUE(is_id(id, "tenant")) << id;
  EXPECT_EQ(id.substr(7, 13), "019bf4b4-1040") << id;
  EXPECT_EQ(id[7 + 14], '7') << id;                                          // the version
  EXPECT_NE(std::string("89ab").find(id[7 + 19]), std::string::npos) << id;  // RFC 9562 variant
  EXPECT_NE(ids.uuid(), ids.uuid());  // the same millisecond, told apart by the random bits
}

TEST(TimeOrderedIds, IdsMadeLaterSortAfterEarlierOnes) {
  ManualClock clock{*parse_time("2026-01-25T10:30:00.000Z")};
  TimeOrderedIds ids(clock);
  std::string previous = ids.uuid();
  for (int i = 0; i < 1000; ++i) {
    clock.advance(Millis(1));
    const std::string next = ids.uuid();
    ASSERT_LT(previous, next);
    previous = next;
  }
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
