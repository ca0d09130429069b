#include "core/clock.hpp"

#include <charconv>

namespace tenantd {

std::int64_t epoch_ms(TimePoint t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

std::int64_t epoch_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

namespace {
// Writes `value` as exactly `width` decimal digits at `out` (value < 10^width).
char* put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}
}  // namespace

std::string format_time(TimePoint t) {
  // Hand-written rather than snprintf: every timestamp of every item served passes here.
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss clock{ms - day};
  // A nanosecond system_clock spans the years 1677 to 2262: always four digits.
  const auto year = static_cast<unsigned>(static_cast<int>(date.year()));
  std::string text(24, '\0');
  char* out = text.data();
  out = put_digits(out, year, 4);
  *out++ = '-';
  out = put_digits(out, static_cast<unsigned>(date.month()), 2);
  *out++ = '-';
  out = put_digits(out, static_cast<unsigned>(date.day()), 2);
  *out++ = 'T';
  out = put_digits(out, static_cast<unsigned>(clock.hours().count()), 2);
  *out++ = ':';
  out = put_digits(out, static_cast<unsigned>(clock.minutes().count()), 2);
  *out++ = ':';
  out = put_digits(out, static_cast<unsigned>(clock.seconds().count()), 2);
  *out++ = '.';
  out = put_digits(out, static_cast<unsigned>(clock.subseconds().count()), 3);
  *out = 'Z';
  return text;
}

namespace {
bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) {
    return false;
  }
  const char* b = s.data() + pos;
  auto [p, ec] = std::from_chars(b, b + len, out);
  return ec == std::errc() && p == b + len;
}
}  // namespace

std::optional<TimePoint> parse_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, ms = 0;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
      s.back() != 'Z') {
    return std::nullopt;
  }
  if (!read_int(s, 0, 4, y) || !read_int(s, 5, 2, mo) || !read_int(s, 8, 2, d) ||
      !read_int(s, 11, 2, h) || !read_int(s, 14, 2, mi) || !read_int(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (s.size() == 24) {
    if (s[19] != '.' || !read_int(s, 20, 3, ms)) {
      return std::nullopt;
    }
  } else if (s.size() != 20) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
    return std::nullopt;
  }
  // An impossible day (31 April) rolls over into the next month, as timegm would.
  const std::chrono::sys_days day{std::chrono::year{y} /
                                  std::chrono::month{static_cast<unsigned>(mo)} /
                                  std::chrono::day{static_cast<unsigned>(d)}};
  return TimePoint(day + std::chrono::hours(h) + std::chrono::minutes(mi) +
                   std::chrono::seconds(se) + Millis(ms));
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      text.remove_suffix(1);
      break;
    case 'm':
      unit = 60;
      text.remove_suffix(1);
      break;
    case 'h':
      unit = 3600;
      text.remove_suffix(1);
      break;
    case 'd':
      unit = 86400;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n <= 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(n * unit);
}

}  // namespace tenantd
