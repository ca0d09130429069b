#pragma once
// Per-principal token buckets (docs/http-api.md): `rate` requests per second on average, up to
// `burst` at once. Sharded by key hash with one mutex per shard so that threads serving different
// principals rarely meet; idle buckets are swept so memory follows the active principals.
#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace tenantd::api {

struct RateDecision {
  bool allowed = true;
  double remaining = 0;                  // whole requests left in the bucket after this one
  std::int64_t retry_after_seconds = 0;  // when denied: wait at least this long (>= 1)
  double limit = 0;                      // the bucket size (burst): X-RateLimit-Limit
};

class RateLimiter {
 public:
  // rate_per_second <= 0 disables limiting. A burst below 1 is raised to 1.
  RateLimiter(double rate_per_second, double burst, const Clock& clock);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token from the key's bucket when there is one.
  RateDecision acquire(std::string_view principal_key);

  // How many buckets are held (for tests and metrics).
  std::size_t tracked_keys() const;

  // A bucket full again and unused for this long is dropped.
  static constexpr std::int64_t kIdleMicros = 60'000'000;
  // Each shard sweeps after this many calls, or when its last sweep is kIdleMicros old.
  static constexpr std::uint32_t kSweepEvery = 1024;

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t last_refill_us = 0;
    std::int64_t last_used_us = 0;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  using BucketMap = std::unordered_map<std::string, Bucket, KeyHash, std::equal_to<>>;
  // Cache-line aligned so neighbouring shards' locks do not share a line.
  struct alignas(64) Shard {
    mutable std::mutex mutex;
    BucketMap buckets;
    std::uint32_t calls_since_sweep = 0;
    std::int64_t last_sweep_us = 0;
  };
  static constexpr std::size_t kShards = 32;

  double refilled(const Bucket& bucket, std::int64_t now_us) const;
  void sweep(Shard& shard, std::int64_t now_us);

  double rate_;
  double burst_;
  const Clock& clock_;
  std::array<Shard, kShards> shards_;
};

}  // namespace tenantd::api
