#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace tenantd {
namespace {

TEST(Clock, FormatsRfc3339WithMilliseconds) {
  const TimePoint t{std::chrono::milliseconds(1769337000123)};
  EXPECT_EQ(format_time(t), "2026-01-25T10:30:00.123Z");
}

TEST(Clock, FormatsLeapDaysTheEpochAndTimesBeforeIt) {
  using std::chrono::milliseconds;
  EXPECT_EQ(format_time(TimePoint{milliseconds(1709251199999)}), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(format_time(TimePoint{milliseconds(0)}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(TimePoint{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_time(TimePoint{milliseconds(4102444799999)}), "2099-12-31T23:59:59.999Z");
}

TEST(Clock, ParsesWhatItFormats) {
  const TimePoint t{std::chrono::milliseconds(1769337000123)};
  const auto parsed = parse_time(format_time(t));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, t);
  EXPECT_FALSE(parse_time("2026-13-01T00:00:00.000Z").has_value());
  EXPECT_FALSE(parse_time("yesterday").has_value());
  EXPECT_EQ(parse_time("2026-04-31T00:00:00Z"), parse_time("2026-05-01T00:00:00.000Z"));
  EXPECT_EQ(parse_time("1969-12-31T23:59:59.999Z"), TimePoint{std::chrono::milliseconds(-1)});
}

TEST(Clock, ParsesDurations) {
  EXPECT_EQ(parse_duration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(parse_duration("15m"), std::chrono::seconds(900));
  EXPECT_EQ(parse_duration("48h"), std::chrono::seconds(48 * 3600));
  EXPECT_EQ(parse_duration("7d"), std::chrono::seconds(7 * 86400));
  EXPECT_FALSE(parse_duration("").has_value());
  EXPECT_FALSE(parse_duration("7w").has_value());
  EXPECT_FALSE(parse_duration("-5s").has_value());
}

}  // namespace
}  // namespace tenantd
