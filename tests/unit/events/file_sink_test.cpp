#include "events/file_sink.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/json.hpp"

namespace tenantd::events {
namespace {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("tenantd-sink-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

OutboxEvent event_numbered(int n) {
  OutboxEvent event;
  event.event_id = "evt-" + std::to_string(n);
  event.source = kTenantSource;
  event.detail_type = "TENANT_UPDATED";
  event.time = TimePoint{std::chrono::milliseconds(1769337000000 + n)};
  event.tenant_id = "tenant-1";
  // Long enough that a torn or interleaved write would show.
  event.detail_json =
      R"({"n":)" + std::to_string(n) + R"(,"padding":")" + std::string(300, 'x') + R"("})";
  return event;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

TEST(FileSink, WritesOneEnvelopeLinePerEventAndReportsEachDelivered) {
  TempDir dir;
  // The directory does not exist yet: the sink creates it.
  auto sink = FileSink::open(dir.file("nested/events.ndjson"), "eu-west-1");
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  EXPECT_EQ((*sink)->name(), "file");

  const auto statuses = (*sink)->deliver({event_numbered(1), event_numbered(2)});
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].ok());
  EXPECT_TRUE(statuses[1].ok());

  const auto lines = read_lines(dir.file("nested/events.ndjson"));
  ASSERT_EQ(lines.size(), 2u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto doc = parse_json(lines[i]);
    ASSERT_TRUE(doc.has_value()) << lines[i];
    EXPECT_EQ(as_view((*doc)["id"]), "evt-" + std::to_string(i + 1));
    EXPECT_STREQ((*doc)["region"].GetString(), "eu-west-1");
    EXPECT_EQ((*doc)["detail"]["n"].GetInt(), static_cast<int>(i + 1));
  }
}

TEST(FileSink, AppendsToWhatIsAlreadyThere) {
  TempDir dir;
  const std::string path = dir.file("events.ndjson");
  {
    auto first = FileSink::open(path, "eu-west-1");
    ASSERT_TRUE(first.ok());
    static_cast<void>((*first)->deliver({event_numbered(1)}));
  }
  auto second = FileSink::open(path, "eu-west-1");
  ASSERT_TRUE(second.ok());
  static_cast<void>((*second)->deliver({event_numbered(2)}));
  EXPECT_EQ(read_lines(path).size(), 2u);
}

TEST(FileSink, ConcurrentWritersThroughTwoSinksNeverMixLines) {
  TempDir dir;
  const std::string path = dir.file("events.ndjson");
  auto a = FileSink::open(path, "eu-west-1");
  auto b = FileSink::open(path, "eu-west-1");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());

  constexpr int kThreads = 4;
  constexpr int kBatches = 25;
  constexpr int kBatchSize = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    FileSink& sink = t % 2 == 0 ? **a : **b;
    threads.emplace_back([&sink, t] {
      for (int i = 0; i < kBatches; ++i) {
        std::vector<OutboxEvent> batch;
        batch.reserve(kBatchSize);
        for (int j = 0; j < kBatchSize; ++j) {
          batch.push_back(event_numbered((t * kBatches + i) * kBatchSize + j));
        }
        for (const auto& status : sink.deliver(batch)) {
          EXPECT_TRUE(status.ok());
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }

  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kBatches * kBatchSize));
  std::set<int> seen;
  for (const auto& line : lines) {
    const auto doc = parse_json(line);
    ASSERT_TRUE(doc.has_value()) << "torn line: " << line.substr(0, 80);
    seen.insert((*doc)["detail"]["n"].GetInt());
  }
  EXPECT_EQ(seen.size(), lines.size());
}

TEST(FileSink, OpeningAnImpossiblePathIsAnError) {
  auto sink = FileSink::open("/dev/null/events.ndjson", "eu-west-1");
  EXPECT_FALSE(sink.ok());
}

// Caps the size any file of this process may grow to, as a full disk would, for one scope.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);  // a short write / EFBIG instead of a signal
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_{};
};

TEST(FileSink, AWriteThatRunsOutOfSpaceLeavesNoPartialLineAndTheRetryParses) {
  TempDir dir;
  const std::string path = dir.file("events.ndjson");
  auto sink = FileSink::open(path, "eu-west-1");
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->deliver({event_numbered(1)})[0].ok());
  const auto size = std::filesystem::file_size(path);
  {
    const FileSizeLimit full(size + 100);  // room for a part of the next line only
    const auto failed = (*sink)->deliver({event_numbered(2)});
    EXPECT_FALSE(failed[0].ok());
  }
  EXPECT_EQ(std::filesystem::file_size(path), size);           // cut back to the last whole line
  ASSERT_TRUE((*sink)->deliver({event_numbered(2)})[0].ok());  // the dispatcher's retry
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2U);
  for (const auto& line : lines) {
    EXPECT_TRUE(parse_json(line).has_value()) << line;
  }
}

TEST(FileSink, ATornLastLineFromACrashIsCutOffWhenTheFileIsOpened) {
  TempDir dir;
  const std::string path = dir.file("events.ndjson");
  {
    auto sink = FileSink::open(path, "eu-west-1");
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->deliver({event_numbered(1)})[0].ok());
  }
  {
    std::ofstream torn(path, std::ios::app);
    torn << R"({"version":"0","id":"evt-)";
  }
  auto sink = FileSink::open(path, "eu-west-1");
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->deliver({event_numbered(2)})[0].ok());
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2U);
  for (const auto& line : lines) {
    EXPECT_TRUE(parse_json(line).has_value()) << line;
  }
}

}  // namespace
}  // namespace tenantd::events
