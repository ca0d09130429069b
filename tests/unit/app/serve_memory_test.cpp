#include "app/serve_memory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace tenantd {
namespace {

using std::chrono::milliseconds;

TEST(ServeMemoryTest, EveryLoopWriterAndBackgroundThreadGetsAnArenaOfItsOwn) {
  Config config;
  config.threads = 2;
  config.write_threads = 16;
  // 2 event loops, 16 writer threads and 8 background threads.
  EXPECT_EQ(serve_malloc_arenas(config), 26);
  config.write_threads = 0;
  EXPECT_EQ(serve_malloc_arenas(config), 10);
}

TEST(ServeMemoryTest, ZeroThreadsCountsALoopPerCore) {
  Config config;
  config.threads = 0;
  config.write_threads = 4;
  const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  EXPECT_EQ(serve_malloc_arenas(config), cores + 4 + 8);
}

// Passes of one second: at rest means under 50 ms of CPU in the pass.
TEST(ServeMemoryTest, MemoryGoesBackOnceWhenTheProcessRestsAfterWork) {
  RestAfterWork rest(milliseconds(1000), milliseconds(300));
  EXPECT_FALSE(rest.pass(milliseconds(1300)));  // a second of work
  EXPECT_FALSE(rest.pass(milliseconds(1400)));  // and a tenth more
  EXPECT_TRUE(rest.pass(milliseconds(1410)));   // at rest after it
  EXPECT_FALSE(rest.pass(milliseconds(1440)));  // still at rest: nothing new to give back
  EXPECT_FALSE(rest.pass(milliseconds(1450)));
  EXPECT_FALSE(rest.pass(milliseconds(1550)));  // a burst of 100 ms
  EXPECT_TRUE(rest.pass(milliseconds(1560)));
}

TEST(ServeMemoryTest, ABusyProcessKeepsItsMemory) {
  RestAfterWork rest(milliseconds(1000), milliseconds(0));
  for (int second = 1; second <= 10; ++second) {
    EXPECT_FALSE(rest.pass(milliseconds(second * 60))) << second;  // 6% of a core, every pass
  }
}

TEST(ServeMemoryTest, AProcessThatWasNeverBusyHasNothingToGiveBack) {
  RestAfterWork rest(milliseconds(1000), milliseconds(5000));  // its start-up counts for nothing
  for (int second = 1; second <= 10; ++second) {
    EXPECT_FALSE(rest.pass(milliseconds(5000 + second * 40))) << second;  // 4% of a core
  }
}

}  // namespace
}  // namespace tenantd
