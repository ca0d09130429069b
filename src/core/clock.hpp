#pragma once
// Time is injected so that tests drive it instead of sleeping.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tenantd {

using TimePoint = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// A clock that moves only when told to; thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : ms_(to_ms(start)) {}
  TimePoint now() const override { return TimePoint(Millis(ms_.load())); }
  void advance(Millis by) { ms_ += by.count(); }
  void set(TimePoint t) { ms_ = to_ms(t); }

 private:
  static std::int64_t to_ms(TimePoint t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  }
  std::atomic<std::int64_t> ms_;
};

std::int64_t epoch_ms(TimePoint t);
std::int64_t epoch_seconds(TimePoint t);

// RFC 3339 UTC with milliseconds: 2026-01-25T10:30:00.000Z
std::string format_time(TimePoint t);
std::optional<TimePoint> parse_time(std::string_view text);

// "90s", "15m", "48h", "7d" (also plain seconds); nullopt when malformed.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace tenantd
