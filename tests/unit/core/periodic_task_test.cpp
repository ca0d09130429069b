#include "core/periodic_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace tenantd {
namespace {

using namespace std::chrono_literals;

// Waits up to `limit` for `runs` to reach `expected`.
bool reaches(const std::atomic<int>& runs, int expected, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (runs.load() < expected) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(PeriodicTask, RunsEveryInterval) {
  std::atomic<int> runs{0};
  PeriodicTask task(5ms, [&runs] { ++runs; });
  task.start();
  EXPECT_TRUE(reaches(runs, 3, 5s));
}

TEST(PeriodicTask, WakeRunsTheWorkWithoutWaitingForTheInterval) {
  // An accepted operation must not wait a whole poll interval for its driver.
  std::atomic<int> runs{0};
  PeriodicTask task(1h, [&runs] { ++runs; });
  task.start();
  task.wake();
  EXPECT_TRUE(reaches(runs, 1, 5s));
  task.wake();
  EXPECT_TRUE(reaches(runs, 2, 5s));
}

TEST(PeriodicTask, StopReturnsPromptlyWhileTheThreadWaits) {
  std::atomic<int> runs{0};
  PeriodicTask task(1h, [&runs] { ++runs; });
  task.start();
  const auto before = std::chrono::steady_clock::now();
  task.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  EXPECT_EQ(runs.load(), 0);
  task.wake();  // after stop: nothing runs, nothing hangs
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(runs.load(), 0);
}

TEST(PeriodicTask, RunAtStartRunsOnceWithoutWaitingForTheInterval) {
  std::atomic<int> runs{0};
  PeriodicTask task(
      1h, [&runs] { ++runs; }, PeriodicTaskOptions{.run_at_start = true});
  task.start();
  EXPECT_TRUE(reaches(runs, 1, 5s));
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(runs.load(), 1);
}

TEST(PeriodicTask, WakesDuringTheLingerMakeOneRun) {
  // The outbox dispatcher gathers the commits of a burst into one pass.
  std::atomic<int> runs{0};
  PeriodicTask task(
      1h, [&runs] { ++runs; }, PeriodicTaskOptions{.linger = 200ms});
  task.start();
  task.wake();
  task.wake();
  task.wake();
  EXPECT_TRUE(reaches(runs, 1, 5s));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(runs.load(), 1);
}

TEST(PeriodicTask, StopSaysWhetherItStoppedARunningThread) {
  PeriodicTask task(1h, [] {});
  EXPECT_FALSE(task.stop());
  task.start();
  EXPECT_TRUE(task.stop());
  EXPECT_FALSE(task.stop());
}

}  // namespace
}  // namespace tenantd
