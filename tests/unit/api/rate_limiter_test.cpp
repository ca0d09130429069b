#include "api/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tenantd::api {
namespace {

ManualClock make_clock() {
  return ManualClock(TimePoint(std::chrono::seconds(1'770'000'000)));
}

TEST(RateLimiter, AllowsUpToBurstAtOnceThenDenies) {
  ManualClock clock = make_clock();
  RateLimiter limiter(10, 5, clock);
  for (int i = 0; i < 5; ++i) {
    const auto d = limiter.acquire("user-1");
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 4 - i);
    EXPECT_EQ(d.limit, 5);
  }
  const auto denied = limiter.acquire("user-1");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.remaining, 0);
  EXPECT_GE(denied.retry_after_seconds, 1);
}

TEST(RateLimiter, RefillsAtTheConfiguredRate) {
  ManualClock clock = make_clock();
  RateLimiter limiter(10, 5, clock);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(limiter.acquire("k").allowed);
  }
  ASSERT_FALSE(limiter.acquire("k").allowed);
  clock.advance(Millis(100));  // one token at 10/s
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_FALSE(limiter.acquire("k").allowed);
  clock.advance(Millis(250));  // two and a half tokens
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_FALSE(limiter.acquire("k").allowed);
}

TEST(RateLimiter, RefillNeverExceedsBurst) {
  ManualClock clock = make_clock();
  RateLimiter limiter(10, 3, clock);
  ASSERT_TRUE(limiter.acquire("k").allowed);
  clock.advance(Millis(3'600'000));
  int allowed = 0;
  while (limiter.acquire("k").allowed) {
    ++allowed;
  }
  EXPECT_EQ(allowed, 3);
}

TEST(RateLimiter, RetryAfterCoversTheWaitForOneToken) {
  ManualClock clock = make_clock();
  RateLimiter slow(0.2, 1, clock);  // one request per 5 s
  ASSERT_TRUE(slow.acquire("k").allowed);
  EXPECT_EQ(slow.acquire("k").retry_after_seconds, 5);
  clock.advance(Millis(2'500));
  EXPECT_EQ(slow.acquire("k").retry_after_seconds, 3);  // 2.5 s left, rounded up
  clock.advance(Millis(2'500));
  EXPECT_TRUE(slow.acquire("k").allowed);

  RateLimiter fast(100, 1, clock);
  ASSERT_TRUE(fast.acquire("k").allowed);
  EXPECT_EQ(fast.acquire("k").retry_after_seconds, 1);  // never 0 when denied
}

TEST(RateLimiter, KeysHaveIndependentBuckets) {
  ManualClock clock = make_clock();
  RateLimiter limiter(1, 2, clock);
  EXPECT_TRUE(limiter.acquire("alice").allowed);
  EXPECT_TRUE(limiter.acquire("alice").allowed);
  EXPECT_FALSE(limiter.acquire("alice").allowed);
  EXPECT_TRUE(limiter.acquire("bob").allowed);
  EXPECT_TRUE(limiter.acquire("bob").allowed);
  EXPECT_FALSE(limiter.acquire("bob").allowed);
}

TEST(RateLimiter, ZeroRateDisablesLimiting) {
  ManualClock clock = make_clock();
  RateLimiter limiter(0, 1, clock);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(limiter.acquire("k").allowed);
  }
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(RateLimiter, BurstBelowOneStillAdmitsOneRequest) {
  ManualClock clock = make_clock();
  RateLimiter limiter(1, 0, clock);
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_FALSE(limiter.acquire("k").allowed);
}

TEST(RateLimiter, ClockSteppingBackDoesNotRefill) {
  ManualClock clock = make_clock();
  RateLimiter limiter(1, 1, clock);
  ASSERT_TRUE(limiter.acquire("k").allowed);
  clock.advance(Millis(-10'000));
  EXPECT_FALSE(limiter.acquire("k").allowed);
  clock.advance(Millis(10'000));
  EXPECT_FALSE(limiter.acquire("k").allowed);  // no credit for the backwards jump
  clock.advance(Millis(1'000));
  EXPECT_TRUE(limiter.acquire("k").allowed);
}

TEST(RateLimiter, EvictsBucketsIdleForAMinuteAndFullAgain) {
  ManualClock clock = make_clock();
  RateLimiter limiter(100, 200, clock);
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(limiter.acquire("user-" + std::to_string(i)).allowed);
  }
  EXPECT_EQ(limiter.tracked_keys(), 500u);
  clock.advance(Millis(61'000));
  // Enough calls from one active key to visit every shard's sweep at least once.
  for (int i = 0; i < 200; ++i) {
    (void)limiter.acquire("active-" + std::to_string(i));
  }
  EXPECT_EQ(limiter.tracked_keys(), 200u);
}

TEST(RateLimiter, KeepsBucketsThatAreStillDraining) {
  ManualClock clock = make_clock();
  RateLimiter limiter(0.001, 2, clock);  // refills in ~33 minutes
  ASSERT_TRUE(limiter.acquire("drained").allowed);
  ASSERT_TRUE(limiter.acquire("drained").allowed);
  clock.advance(Millis(120'000));
  for (int i = 0; i < 200; ++i) {
    (void)limiter.acquire("other-" + std::to_string(i));
  }
  // Forgetting it would hand the caller a fresh burst.
  EXPECT_FALSE(limiter.acquire("drained").allowed);
}

TEST(RateLimiter, AdmitsExactlyBurstUnderConcurrentCallers) {
  ManualClock clock = make_clock();
  RateLimiter limiter(1, 1000, clock);  // clock frozen: no refill during the test
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.acquire("shared").allowed) {
          ++allowed;
        }
        (void)limiter.acquire("own-" + std::to_string(t));
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(allowed.load(), 1000);
  EXPECT_EQ(limiter.tracked_keys(), 9u);
}

}  // namespace
}  // namespace tenantd::api
