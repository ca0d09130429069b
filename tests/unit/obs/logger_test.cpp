#include "obs/logger.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/json.hpp"

namespace tenantd::obs {
namespace {

const TimePoint kNow{std::chrono::milliseconds(1769337000123)};

class Captured {
 public:
  LoggerOptions options(LogLevel min_level = LogLevel::Info) {
    LoggerOptions options;
    options.environment = "sit";
    options.min_level = min_level;
    options.clock = &clock_;
    options.sink = [this](std::string_view line) {
      const std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    };
    return options;
  }
  std::vector<std::string> lines() const {
    const std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  ManualClock clock_{kNow};
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

JsonDoc parse_line(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n') << "every line ends with a newline";
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per record";
  auto doc = parse_json(line.substr(0, line.size() - 1));
  EXPECT_TRUE(doc.has_value()) << line;
  return doc ? std::move(*doc) : JsonDoc{};
}

TEST(Logger, RequestLineCarriesExactlyTheSpecFields) {
  Captured captured;
  const Logger logger(captured.options());
  RequestLog request;
  request.request_id = "req-1";
  request.trace_id = "Root=1-abc";
  request.method = "GET";
  request.route = "/v1.0/tenants/{id}";
  request.path = "/v1.0/tenants/tenant-1";
  request.status = 404;
  request.duration_ms = 1.23456;
  request.tenant_id = "tenant-1";
  request.principal = "user-1";
  request.error_code = "TENANT_NOT_FOUND";
  request.cold_start = true;
  request.store_round_trips = 3;
  logger.log_request(request);

  const auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 1u);
  const JsonDoc doc = parse_line(lines[0]);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc.MemberCount(), 16u);
  EXPECT_STREQ(doc["timestamp"].GetString(), "2026-01-25T10:30:00.123Z");
  EXPECT_STREQ(doc["level"].GetString(), "info");
  EXPECT_STREQ(doc["service"].GetString(), "tenantd");
  EXPECT_STREQ(doc["environment"].GetString(), "sit");
  EXPECT_STREQ(doc["requestId"].GetString(), "req-1");
  EXPECT_STREQ(doc["traceId"].GetString(), "Root=1-abc");
  EXPECT_STREQ(doc["method"].GetString(), "GET");
  EXPECT_STREQ(doc["route"].GetString(), "/v1.0/tenants/{id}");
  EXPECT_STREQ(doc["path"].GetString(), "/v1.0/tenants/tenant-1");
  EXPECT_EQ(doc["status"].GetInt(), 404);
  EXPECT_NEAR(doc["durationMs"].GetDouble(), 1.23456, 0.001);  // kept to 3 decimals
  EXPECT_STREQ(doc["tenantId"].GetString(), "tenant-1");
  EXPECT_STREQ(doc["principal"].GetString(), "user-1");
  EXPECT_STREQ(doc["errorCode"].GetString(), "TENANT_NOT_FOUND");
  EXPECT_TRUE(doc["coldStart"].GetBool());
  EXPECT_EQ(doc["storeRoundTrips"].GetInt(), 3);
}

TEST(Logger, AbsentOptionalRequestFieldsAreLeftOut) {
  Captured captured;
  const Logger logger(captured.options());
  RequestLog request;
  request.request_id = "req-2";
  request.method = "GET";
  request.path = "/health";
  request.status = 200;
  logger.log_request(request);
  const JsonDoc doc = parse_line(captured.lines().at(0));
  for (const char* absent :
       {"traceId", "route", "tenantId", "principal", "errorCode", "storeRoundTrips"}) {
    EXPECT_FALSE(doc.HasMember(absent)) << absent;
  }
  EXPECT_FALSE(doc["coldStart"].GetBool());
}

TEST(Logger, ServerErrorsLogAtErrorAndTheMinimumLevelFilters) {
  Captured captured;
  const Logger logger(captured.options(LogLevel::Warn));
  RequestLog request;
  request.request_id = "r";
  request.method = "POST";
  request.path = "/tenants";
  request.status = 201;
  logger.log_request(request);  // info: filtered out
  request.status = 503;
  logger.log_request(request);
  logger.info("not shown");
  logger.warn("shown");
  const auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_STREQ(parse_line(lines[0])["level"].GetString(), "error");
  EXPECT_STREQ(parse_line(lines[1])["message"].GetString(), "shown");
  EXPECT_FALSE(logger.enabled(LogLevel::Debug));
}

TEST(Logger, EventLineCarriesTypedFieldsAndEscapesText) {
  Captured captured;
  const Logger logger(captured.options());
  const std::string error = "line one\nsaid \"no\" \\ tab\there \x01 bell\x07 é";
  logger.log_event(LogLevel::Error, "outbox event failed",
                   {{"eventId", "evt-1"},
                    {"attempts", std::int64_t{10}},
                    {"ratio", 0.5},
                    {"final", true},
                    {"lastError", error}});
  const JsonDoc doc = parse_line(captured.lines().at(0));
  EXPECT_STREQ(doc["message"].GetString(), "outbox event failed");
  EXPECT_STREQ(doc["level"].GetString(), "error");
  EXPECT_STREQ(doc["eventId"].GetString(), "evt-1");
  EXPECT_EQ(doc["attempts"].GetInt64(), 10);
  EXPECT_DOUBLE_EQ(doc["ratio"].GetDouble(), 0.5);
  EXPECT_TRUE(doc["final"].GetBool());
  EXPECT_EQ(as_view(doc["lastError"]), error);
}

TEST(Logger, EveryAsciiCharacterAtEveryOffsetRoundTrips) {
  Captured captured;
  const Logger logger(captured.options());
  // The escaper skips clean text eight bytes at a time: put each special byte at every
  // position of a chunk, and at the edges of the string.
  std::vector<std::string> values;
  for (int c = 0; c < 128; ++c) {
    for (std::size_t offset = 0; offset < 18; ++offset) {
      std::string value(17, 'x');
      value.insert(value.begin() + static_cast<std::ptrdiff_t>(offset), static_cast<char>(c));
      values.push_back(value);
    }
  }
  for (const auto& value : values) {
    logger.info("v", {{"value", value}});
  }
  const auto lines = captured.lines();
  ASSERT_EQ(lines.size(), values.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const JsonDoc doc = parse_line(lines[i]);
    ASSERT_TRUE(doc.IsObject()) << lines[i];
    ASSERT_EQ(as_view(doc["value"]), values[i]) << lines[i];
  }
}

TEST(Logger, NonFiniteNumbersStillMakeValidJson) {
  Captured captured;
  const Logger logger(captured.options());
  logger.info("odd", {{"value", std::numeric_limits<double>::quiet_NaN()}});
  const JsonDoc doc = parse_line(captured.lines().at(0));
  EXPECT_TRUE(doc["value"].IsNull());
}

TEST(Logger, ParsesTheConfiguredLevel) {
  EXPECT_EQ(parse_log_level("debug"), LogLevel::Debug);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::Warn);
  EXPECT_EQ(parse_log_level("error"), LogLevel::Error);
  EXPECT_FALSE(parse_log_level("loud").has_value());
  EXPECT_EQ(level_name(LogLevel::Warn), "warn");
}

TEST(Logger, ConcurrentLinesThroughAFileDescriptorStayWhole) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("tenantd-log-" + std::to_string(::getpid()) + ".ndjson");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  ASSERT_GE(fd, 0);
  {
    LoggerOptions options;
    options.sink = fd_sink(fd);
    const Logger logger(options);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&logger, t] {
        const std::string padding(200, static_cast<char>('a' + t));
        for (int i = 0; i < 500; ++i) {
          logger.info("tick", {{"thread", t}, {"i", i}, {"padding", padding}});
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
  }
  ::close(fd);
  std::ifstream in(path);
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    const auto doc = parse_json(line);
    ASSERT_TRUE(doc.has_value()) << "interleaved line: " << line.substr(0, 120);
    ++count;
  }
  EXPECT_EQ(count, 2000);
  std::filesystem::remove(path);
}

// An event loop's thread batches its lines: nothing reaches the sink until the turn's flush, then
// every line arrives in one call, whole and in order; other threads are not batched.
TEST(Logger, BatchedLinesReachTheSinkTogetherAtTheFlush) {
  Captured captured;
  const Logger logger(captured.options());
  logger.batch_thread_lines();
  logger.info("one");
  logger.info("two");
  EXPECT_TRUE(captured.lines().empty());
  std::thread other([&logger] { logger.info("elsewhere"); });
  other.join();
  ASSERT_EQ(captured.lines().size(), 1u);
  logger.flush_thread_lines();
  auto lines = captured.lines();
  ASSERT_EQ(lines.size(), 2u);
  const std::string& batch = lines[1];
  const auto first_end = batch.find('\n');
  ASSERT_NE(first_end, std::string::npos);
  EXPECT_STREQ(parse_line(batch.substr(0, first_end + 1))["message"].GetString(), "one");
  EXPECT_STREQ(parse_line(batch.substr(first_end + 1))["message"].GetString(), "two");
  logger.flush_thread_lines();  // nothing pending: no call
  EXPECT_EQ(captured.lines().size(), 2u);
  logger.info("three");
  logger.end_thread_batch();  // flushes, then lines go out one by one again
  logger.info("four");
  lines = captured.lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[2].find("\"three\""), std::string::npos);
  EXPECT_NE(lines[3].find("\"four\""), std::string::npos);
}

TEST(Logger, ABatchIsFlushedWhenItPassesItsSizeWithoutWaitingForTheTurn) {
  Captured captured;
  const Logger logger(captured.options());
  logger.batch_thread_lines();
  const std::string padding(1000, 'x');
  std::size_t logged = 0;
  while (captured.lines().empty()) {
    logger.info("tick", {{"padding", padding}});
    ++logged;
    ASSERT_LT(logged, 100u);
  }
  EXPECT_GE(captured.lines().front().size(), Logger::kBatchBytes);
  logger.end_thread_batch();
}

// A batch longer than PIPE_BUF through a pipe is cut at line ends, so that concurrent writers'
// lines never interleave (a pipe keeps only writes of at most PIPE_BUF bytes whole).
TEST(Logger, BatchesThroughAPipeStayWholeLines) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string received;
  std::thread reader([&received, fd = fds[0]] {
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) {
      received.append(buffer, static_cast<std::size_t>(n));
    }
  });
  {
    LoggerOptions options;
    options.sink = fd_sink(fds[1]);
    const Logger logger(options);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&logger, t] {
        logger.batch_thread_lines();
        const std::string padding(300, static_cast<char>('a' + t));
        for (int i = 0; i < 500; ++i) {
          logger.info("tick", {{"thread", t}, {"i", i}, {"padding", padding}});
          if (i % 50 == 49) {
            logger.flush_thread_lines();
          }
        }
        logger.end_thread_batch();
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  std::size_t count = 0;
  for (std::size_t start = 0; start < received.size();) {
    const auto end = received.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    const auto doc = parse_json(received.substr(start, end - start));
    ASSERT_TRUE(doc.has_value()) << "interleaved line: " << received.substr(start, 120);
    ++count;
    start = end + 1;
  }
  EXPECT_EQ(count, 2000u);
}

}  // namespace
}  // namespace tenantd::obs
