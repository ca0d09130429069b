#pragma once
// Structured JSON-lines logging (docs/operations.md#observability): one line per request and per
// notable event. Each line is formatted into a thread-local buffer and handed to the sink in one
// piece, so lines never interleave and the request path allocates nothing once the buffer has
// grown. A thread that runs an event loop may batch its lines (batch_thread_lines()): they then
// reach the sink together, once per loop turn, in one write. There is deliberately no way to dump
// headers: tokens and secrets cannot reach a log line unless a caller names them as a field.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace tenantd::obs {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };

std::string_view level_name(LogLevel level);                     // "debug", "info", "warn", "error"
std::optional<LogLevel> parse_log_level(std::string_view text);  // also accepts "warning"

// One value of a log_event field. Holds views: the referenced text must outlive the call.
class LogValue {
 public:
  enum class Kind { Text, Int, Double, Bool };

  LogValue(std::string_view v) : kind_(Kind::Text), text_(v) {}                        // NOLINT
  LogValue(const char* v) : kind_(Kind::Text), text_(v) {}                             // NOLINT
  LogValue(const std::string& v) : kind_(Kind::Text), text_(v) {}                      // NOLINT
  LogValue(int v) : kind_(Kind::Int), int_(v) {}                                       // NOLINT
  LogValue(long v) : kind_(Kind::Int), int_(v) {}                                      // NOLINT
  LogValue(long long v) : kind_(Kind::Int), int_(v) {}                                 // NOLINT
  LogValue(unsigned v) : kind_(Kind::Int), int_(v) {}                                  // NOLINT
  LogValue(unsigned long v) : kind_(Kind::Int), int_(static_cast<std::int64_t>(v)) {}  // NOLINT
  LogValue(unsigned long long v)                                                       // NOLINT
      : kind_(Kind::Int), int_(static_cast<std::int64_t>(v)) {}
  LogValue(double v) : kind_(Kind::Double), double_(v) {}  // NOLINT
  LogValue(bool v) : kind_(Kind::Bool), bool_(v) {}        // NOLINT

  Kind kind() const { return kind_; }
  std::string_view text() const { return text_; }
  std::int64_t integer() const { return int_; }
  double real() const { return double_; }
  bool boolean() const { return bool_; }

 private:
  Kind kind_;
  std::string_view text_;
  std::int64_t int_ = 0;
  double double_ = 0;
  bool bool_ = false;
};

struct LogField {
  std::string_view key;
  LogValue value;
};

// What docs/operations.md#observability asks of a request line. Empty optional text fields are left
// out.
struct RequestLog {
  std::string_view request_id;
  std::string_view trace_id;  // optional (X-Amzn-Trace-Id / _X_AMZN_TRACE_ID)
  std::string_view method;
  std::string_view route;  // the matched route template, e.g. /v1.0/tenants/{id}; optional
  std::string_view path;
  int status = 0;
  double duration_ms = 0;
  std::string_view tenant_id;   // optional
  std::string_view principal;   // optional: the principal's sub or email, never a token
  std::string_view error_code;  // optional: e.g. TENANT_NOT_FOUND
  bool cold_start = false;
  std::uint64_t store_round_trips = 0;  // DynamoDB requests made for it; left out when 0
};

// Receives one or more complete lines, each ending in '\n'. Must be thread-safe.
using LogSink = std::function<void(std::string_view lines)>;

// A sink that writes to `fd` (stdout by default) with one write() per call, so that concurrent
// calls never interleave; on a pipe or socket, whose writes are only whole up to PIPE_BUF bytes,
// a longer batch of lines is cut at line ends into writes of at most PIPE_BUF bytes.
LogSink fd_sink(int fd = 1);

struct LoggerOptions {
  std::string environment = "dev";
  LogLevel min_level = LogLevel::Info;
  LogSink sink;                  // default: fd_sink(1)
  const Clock* clock = nullptr;  // default: the system clock; must outlive the logger
};

class Logger {
 public:
  explicit Logger(LoggerOptions options = {});

  bool enabled(LogLevel level) const { return level >= min_level_; }
  LogLevel min_level() const { return min_level_; }

  // Level: error for 5xx, warn for 429, info otherwise.
  void log_request(const RequestLog& request) const;
  void log_event(LogLevel level, std::string_view message,
                 std::initializer_list<LogField> fields = {}) const;

  void debug(std::string_view message, std::initializer_list<LogField> fields = {}) const {
    log_event(LogLevel::Debug, message, fields);
  }
  void info(std::string_view message, std::initializer_list<LogField> fields = {}) const {
    log_event(LogLevel::Info, message, fields);
  }
  void warn(std::string_view message, std::initializer_list<LogField> fields = {}) const {
    log_event(LogLevel::Warn, message, fields);
  }
  void error(std::string_view message, std::initializer_list<LogField> fields = {}) const {
    log_event(LogLevel::Error, message, fields);
  }

  // Batching for a thread that runs an event loop (the HTTP server's loops call these through
  // its hooks): after batch_thread_lines(), this logger's lines from the calling thread are
  // appended to a per-thread buffer that reaches the sink in one call at flush_thread_lines()
  // (the end of each loop turn) or as soon as it holds kBatchBytes. end_thread_batch() flushes
  // and returns the thread to one sink call per line; a thread must call it before it ends or
  // the logger goes. A crash loses at most the lines of the current turn.
  static constexpr std::size_t kBatchBytes = std::size_t{32} * 1024;
  void batch_thread_lines() const;
  void flush_thread_lines() const;
  void end_thread_batch() const;

 private:
  void emit(std::string_view line) const;

  std::string environment_;
  LogLevel min_level_;
  LogSink sink_;
  const Clock* clock_;
};

}  // namespace tenantd::obs
