#include "obs/logger.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

namespace tenantd::obs {

namespace {

using Buffer = rapidjson::StringBuffer;
using Writer = rapidjson::Writer<Buffer>;

// Per-thread formatting state, reused line after line so the hot path does not allocate.
struct LineBuffer {
  Buffer buffer;
  Writer writer;

  LineBuffer() : writer(buffer) { writer.SetMaxDecimalPlaces(3); }

  Writer& start() {
    buffer.Clear();
    writer.Reset(buffer);
    return writer;
  }
  std::string_view finish() {
    buffer.Put('\n');
    return std::string_view(buffer.GetString(), buffer.GetSize());
  }
};

LineBuffer& line_buffer() {
  thread_local LineBuffer line;
  return line;
}

const SystemClock& system_clock() {
  static const SystemClock clock;
  return clock;
}

void key(Writer& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

void text(Writer& w, std::string_view v) {
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

void real(Writer& w, double v) {
  // rapidjson refuses NaN/Inf and would leave a broken line behind.
  if (std::isfinite(v)) {
    w.Double(v);
  } else {
    w.Null();
  }
}

void optional_text(Writer& w, std::string_view k, std::string_view v) {
  if (!v.empty()) {
    key(w, k);
    text(w, v);
  }
}

void value(Writer& w, const LogValue& v) {
  switch (v.kind()) {
    case LogValue::Kind::Text:
      text(w, v.text());
      break;
    case LogValue::Kind::Int:
      w.Int64(v.integer());
      break;
    case LogValue::Kind::Double:
      real(w, v.real());
      break;
    case LogValue::Kind::Bool:
      w.Bool(v.boolean());
      break;
  }
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
  return [fd](std::string_view line) {
    // One write() per line keeps concurrent lines whole; resume only after a short write.
    while (!line.empty()) {
      const ssize_t n = ::write(fd, line.data(), line.size());
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return;  // Nowhere left to report a failing log stream.
      }
      line.remove_prefix(static_cast<std::size_t>(n));
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
  LineBuffer& line = line_buffer();
  Writer& w = line.start();
  w.StartObject();
  key(w, "timestamp");
  text(w, format_time(clock_->now()));
  key(w, "level");
  text(w, level_name(level));
  key(w, "service");
  text(w, "tenantd");
  key(w, "environment");
  text(w, environment_);
  key(w, "requestId");
  text(w, request.request_id);
  optional_text(w, "traceId", request.trace_id);
  key(w, "method");
  text(w, request.method);
  optional_text(w, "route", request.route);
  key(w, "path");
  text(w, request.path);
  key(w, "status");
  w.Int(request.status);
  key(w, "durationMs");
  real(w, request.duration_ms);
  optional_text(w, "tenantId", request.tenant_id);
  optional_text(w, "principal", request.principal);
  optional_text(w, "errorCode", request.error_code);
  key(w, "coldStart");
  w.Bool(request.cold_start);
  w.EndObject();
  sink_(line.finish());
}

void Logger::log_event(LogLevel level, std::string_view message,
                       std::initializer_list<LogField> fields) const {
  if (!enabled(level)) {
    return;
  }
  LineBuffer& line = line_buffer();
  Writer& w = line.start();
  w.StartObject();
  key(w, "timestamp");
  text(w, format_time(clock_->now()));
  key(w, "level");
  text(w, level_name(level));
  key(w, "service");
  text(w, "tenantd");
  key(w, "environment");
  text(w, environment_);
  key(w, "message");
  text(w, message);
  for (const auto& field : fields) {
    key(w, field.key);
    value(w, field.value);
  }
  w.EndObject();
  sink_(line.finish());
}

}  // namespace tenantd::obs
