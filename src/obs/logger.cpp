#include "obs/logger.hpp"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "core/unicode_text.hpp"
#include "core/write_all.hpp"

namespace tenantd::obs {

namespace {

// Builds one JSON object per line in a per-thread string, reused line after line so that the
// hot path neither allocates nor copies twice. Hand-written because a general JSON writer
// spends most of a request line's cost escaping one byte at a time.
class Line {
 public:
  static Line& start() {
    thread_local Line line;
    line.out_.clear();
    line.out_ += '{';
    line.first_ = true;
    return line;
  }

  Line& text(std::string_view k, std::string_view v) {
    key(k);
    quoted(v);
    return *this;
  }
  // Absent optional fields are left out.
  Line& optional_text(std::string_view k, std::string_view v) {
    if (!v.empty()) {
      text(k, v);
    }
    return *this;
  }
  Line& integer(std::string_view k, std::int64_t v) {
    key(k);
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
    out_.append(buffer, result.ptr);
    return *this;
  }
  // `decimals` < 0: shortest exact form; else fixed, trailing zeros dropped.
  Line& real(std::string_view k, double v, int decimals = -1) {
    key(k);
    if (!std::isfinite(v)) {
      out_ += "null";  // JSON has no NaN or Infinity
      return *this;
    }
    char buffer[64];
    const auto result = decimals < 0 ? std::to_chars(buffer, buffer + sizeof(buffer), v)
                                     : std::to_chars(buffer, buffer + sizeof(buffer), v,
                                                     std::chars_format::fixed, decimals);
    std::string_view digits(buffer, static_cast<std::size_t>(result.ptr - buffer));
    if (decimals > 0) {
      while (digits.back() == '0') {
        digits.remove_suffix(1);
      }
      if (digits.back() == '.') {
        digits.remove_suffix(1);
      }
    }
    out_ += digits;
    return *this;
  }
  Line& boolean(std::string_view k, bool v) {
    key(k);
    out_ += v ? "true" : "false";
    return *this;
  }
  Line& timestamp(std::string_view k, TimePoint t);

  std::string_view finish() {
    out_ += "}\n";
    return out_;
  }

 private:
  void key(std::string_view k) {
    if (!first_) {
      out_ += ',';
    }
    first_ = false;
    quoted(k);
    out_ += ':';
  }

  // True when one of the 8 bytes of `x` is a control character, '"' or '\\' (bit tricks
  // from "Bit Twiddling Hacks": a byte is zero / below n exactly when its high bit survives).
  static bool needs_escape(std::uint64_t x) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    const std::uint64_t below_space = (x - kOnes * 0x20) & ~x & kHigh;
    return (below_space | has_zero(x ^ (kOnes * '"')) | has_zero(x ^ (kOnes * '\\'))) != 0;
  }

  void quoted(std::string_view raw) {
    // A request path or a peer's answer may hold bytes that are not UTF-8: a log line stays
    // valid JSON, with U+FFFD in their place.
    std::string repaired;
    std::string_view v = raw;
    if (!unicode::is_valid_utf8(raw)) {
      repaired = unicode::to_valid_utf8(raw);
      v = repaired;
    }
    out_ += '"';
    std::size_t run = 0;  // start of the pending run of bytes that need no escape
    std::size_t i = 0;
    while (i < v.size()) {
      // Skip eight clean bytes at a time; most text has nothing to escape.
      if (i + 8 <= v.size()) {
        std::uint64_t chunk;
        std::memcpy(&chunk, v.data() + i, sizeof(chunk));
        if (!needs_escape(chunk)) {
          i += 8;
          continue;
        }
      }
      const auto c = static_cast<unsigned char>(v[i]);
      ++i;
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      const std::size_t at = i - 1;
      out_.append(v.data() + run, at - run);
      run = i;
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
          out_.append(escaped, sizeof(escaped));
        }
      }
    }
    out_.append(v.data() + run, v.size() - run);
    out_ += '"';
  }

  std::string out_;
  bool first_ = true;
};

// "2026-01-25T10:30:00.123Z", formatting the date only once per second per thread:
// gmtime_r takes a process-wide lock in glibc, which the request path must not contend on.
Line& Line::timestamp(std::string_view k, TimePoint t) {
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local std::string prefix;  // everything up to and including the '.'
  const std::int64_t ms = epoch_ms(t);
  std::int64_t second = ms / 1000;
  std::int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    second -= 1;
  }
  if (second != cached_second) {
    const std::string full = format_time(TimePoint(Millis(second * 1000)));
    prefix = full.substr(0, full.size() - 4);  // drop "000Z"
    cached_second = second;
  }
  key(k);
  out_ += '"';
  out_ += prefix;
  const char millis[] = {static_cast<char>('0' + frac / 100),
                         static_cast<char>('0' + frac / 10 % 10),
                         static_cast<char>('0' + frac % 10), 'Z', '"'};
  out_.append(millis, sizeof(millis));
  return *this;
}

// The lines a batching thread has not handed to its logger's sink yet.
struct ThreadBatch {
  const Logger* owner = nullptr;  // the logger whose lines are batched; nullptr: none
  std::string pending;
};

ThreadBatch& thread_batch() {
  thread_local ThreadBatch batch;
  return batch;
}

// The end of the last whole line of `lines` that lies within `limit` bytes, or of the first
// line when even that is longer.
std::size_t cut_at_line_end(std::string_view lines, std::size_t limit) {
  if (lines.size() <= limit) {
    return lines.size();
  }
  const std::size_t last = lines.rfind('\n', limit - 1);
  if (last != std::string_view::npos) {
    return last + 1;
  }
  const std::size_t first = lines.find('\n');
  return first == std::string_view::npos ? lines.size() : first + 1;
}

const SystemClock& system_clock() {
  static const SystemClock kClock;
  return kClock;
}

}  // namespace

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  if (text == "debug") {
    return LogLevel::Debug;
  }
  if (text == "info") {
    return LogLevel::Info;
  }
  if (text == "warn" || text == "warning") {
    return LogLevel::Warn;
  }
  if (text == "error") {
    return LogLevel::Error;
  }
  return std::nullopt;
}

LogSink fd_sink(int fd) {
  struct stat st {};
  const bool whole_writes = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  return [fd, whole_writes](std::string_view lines) {
    // A write() to a regular file is whole however long; to a pipe or socket only up to PIPE_BUF
    // bytes, so a batch is cut at line ends to keep concurrent lines whole.
    if (whole_writes) {
      // Nowhere left to report a failing log stream.
      static_cast<void>(write_all(fd, lines));
      return;
    }
    while (!lines.empty()) {
      const std::size_t n = cut_at_line_end(lines, PIPE_BUF);
      static_cast<void>(write_all(fd, lines.substr(0, n)));
      lines.remove_prefix(n);
    }
  };
}

Logger::Logger(LoggerOptions options)
    : environment_(std::move(options.environment)),
      min_level_(options.min_level),
      sink_(options.sink ? std::move(options.sink) : fd_sink(1)),
      clock_(options.clock != nullptr ? options.clock : &system_clock()) {}

void Logger::log_request(const RequestLog& request) const {
  LogLevel level = LogLevel::Info;
  if (request.status >= 500) {
    level = LogLevel::Error;
  } else if (request.status == 429) {
    level = LogLevel::Warn;
  }
  if (!enabled(level)) {
    return;
  }
  Line& line = Line::start();
  line.timestamp("timestamp", clock_->now())
      .text("level", level_name(level))
      .text("service", "tenantd")
      .text("environment", environment_)
      .text("requestId", request.request_id)
      .optional_text("traceId", request.trace_id)
      .text("method", request.method)
      .optional_text("route", request.route)
      .text("path", request.path)
      .integer("status", request.status)
      .real("durationMs", request.duration_ms, 3)
      .optional_text("tenantId", request.tenant_id)
      .optional_text("principal", request.principal)
      .optional_text("errorCode", request.error_code)
      .boolean("coldStart", request.cold_start);
  if (request.store_round_trips > 0) {
    line.integer("storeRoundTrips", static_cast<std::int64_t>(request.store_round_trips));
  }
  emit(line.finish());
}

void Logger::log_event(LogLevel level, std::string_view message,
                       std::initializer_list<LogField> fields) const {
  if (!enabled(level)) {
    return;
  }
  Line& line = Line::start();
  line.timestamp("timestamp", clock_->now())
      .text("level", level_name(level))
      .text("service", "tenantd")
      .text("environment", environment_)
      .text("message", message);
  for (const auto& field : fields) {
    switch (field.value.kind()) {
      case LogValue::Kind::Text:
        line.text(field.key, field.value.text());
        break;
      case LogValue::Kind::Int:
        line.integer(field.key, field.value.integer());
        break;
      case LogValue::Kind::Double:
        line.real(field.key, field.value.real());
        break;
      case LogValue::Kind::Bool:
        line.boolean(field.key, field.value.boolean());
        break;
    }
  }
  emit(line.finish());
}

void Logger::emit(std::string_view line) const {
  ThreadBatch& batch = thread_batch();
  if (batch.owner != this) {
    sink_(line);
    return;
  }
  batch.pending += line;
  if (batch.pending.size() >= kBatchBytes) {
    flush_thread_lines();
  }
}

void Logger::batch_thread_lines() const {
  ThreadBatch& batch = thread_batch();
  if (batch.owner != nullptr && batch.owner != this) {
    batch.owner->flush_thread_lines();
  }
  batch.owner = this;
}

void Logger::flush_thread_lines() const {
  ThreadBatch& batch = thread_batch();
  if (batch.owner != this || batch.pending.empty()) {
    return;
  }
  sink_(batch.pending);
  batch.pending.clear();
}

void Logger::end_thread_batch() const {
  flush_thread_lines();
  ThreadBatch& batch = thread_batch();
  if (batch.owner == this) {
    batch.owner = nullptr;
    // A loop's burst may have grown the buffer; give the memory back with the batch.
    std::string().swap(batch.pending);
  }
}

}  // namespace tenantd::obs
