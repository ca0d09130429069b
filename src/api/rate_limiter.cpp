#include "api/rate_limiter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tenantd::api {

namespace {

std::int64_t micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

RateLimiter::RateLimiter(double rate_per_second, double burst, const Clock& clock)
    : rate_(rate_per_second), burst_(std::max(burst, 1.0)), clock_(clock) {}

double RateLimiter::refilled(const Bucket& bucket, std::int64_t now_us) const {
  // A clock stepping backwards must not drain or overfill a bucket.
  const auto elapsed_us = std::max<std::int64_t>(0, now_us - bucket.last_refill_us);
  return std::min(burst_, bucket.tokens + static_cast<double>(elapsed_us) * rate_ / 1e6);
}

RateDecision RateLimiter::acquire(std::string_view principal_key) {
  if (rate_ <= 0) {
    return RateDecision{true, burst_, 0, burst_};
  }
  const std::int64_t now_us = micros(clock_.now());
  const std::size_t h = KeyHash{}(principal_key);
  // The map uses the low bits of the same hash; pick the shard from the high ones.
  Shard& shard = shards_[(h >> 20) % kShards];

  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(principal_key);
  if (it == shard.buckets.end()) {
    it = shard.buckets.emplace(std::string(principal_key), Bucket{burst_, now_us, now_us}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = refilled(bucket, now_us);
  bucket.last_refill_us = std::max(bucket.last_refill_us, now_us);
  bucket.last_used_us = std::max(bucket.last_used_us, now_us);

  RateDecision decision;
  decision.limit = burst_;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    decision.allowed = true;
    decision.remaining = std::floor(bucket.tokens);
  } else {
    decision.allowed = false;
    decision.remaining = 0;
    const double wait_s = (1.0 - bucket.tokens) / rate_;
    decision.retry_after_seconds =
        std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait_s)));
  }

  if (++shard.calls_since_sweep >= kSweepEvery || now_us - shard.last_sweep_us >= kIdleMicros) {
    sweep(shard, now_us);
  }
  return decision;
}

void RateLimiter::sweep(Shard& shard, std::int64_t now_us) {
  shard.calls_since_sweep = 0;
  shard.last_sweep_us = now_us;
  std::erase_if(shard.buckets, [&](const auto& entry) {
    const Bucket& b = entry.second;
    return now_us - b.last_used_us >= kIdleMicros && refilled(b, now_us) >= burst_;
  });
}

std::size_t RateLimiter::tracked_keys() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.buckets.size();
  }
  return n;
}

}  // namespace tenantd::api
