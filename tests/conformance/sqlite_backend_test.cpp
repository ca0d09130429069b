// Runs the conformance suite against SQLite (a temp file, the same with reads on the writer's
// connection as a Lambda opens it, and ":memory:"), plus the checks that
// only make sense for SQLite: query plans use the indexes, and kill -9 loses no acknowledged write.
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <latch>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "conformance/item_store_conformance.hpp"
#include "core/thread_kind.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::conformance {
namespace {

using store::sqlite::SqliteStore;

// A unique file under the temp dir, removed (with its -wal/-shm) when the test ends.
class TempDbFile {
 public:
  TempDbFile() {
    static std::atomic<int> counter{0};
    path_ =
        (std::filesystem::temp_directory_path() /
         ("tenantd-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
            .string();
    remove_all();
  }
  TempDbFile(const TempDbFile&) = delete;
  TempDbFile& operator=(const TempDbFile&) = delete;
  ~TempDbFile() { remove_all(); }
  const std::string& path() const { return path_; }

 private:
  void remove_all() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ec;
      std::filesystem::remove(path_ + suffix, ec);
    }
  }
  std::string path_;
};

std::unique_ptr<SqliteStore> open_or_die(const std::string& path, const Clock& clock,
                                         SqliteStore::Readers readers = SqliteStore::Readers::Own) {
  auto opened = SqliteStore::open(path, "test", clock, readers);
  if (!opened) {
    ADD_FAILURE() << "open " << path << ": " << opened.error().message;
    return nullptr;
  }
  return std::move(opened.value());
}

class SqliteFileBackend final : public Backend {
 public:
  explicit SqliteFileBackend(SqliteStore::Readers readers) : readers_(readers) {}
  std::unique_ptr<store::ItemStore> create(const Clock& clock) override {
    return open_or_die(file_.path(), clock, readers_);
  }
  std::unique_ptr<store::ItemStore> reopen(const Clock& clock) override {
    return open_or_die(file_.path(), clock, readers_);
  }

 private:
  SqliteStore::Readers readers_;
  TempDbFile file_;
};

class SqliteMemoryBackend final : public Backend {
 public:
  std::unique_ptr<store::ItemStore> create(const Clock& clock) override {
    return open_or_die(":memory:", clock);
  }
  std::unique_ptr<store::ItemStore> reopen(const Clock&) override { return nullptr; }
};

INSTANTIATE_TEST_SUITE_P(
    Sqlite, ItemStoreConformance,
    ::testing::Values(
        BackendParam{"file",
                     [] { return std::make_unique<SqliteFileBackend>(SqliteStore::Readers::Own); }},
        BackendParam{
            "file_reads_on_writer",
            [] { return std::make_unique<SqliteFileBackend>(SqliteStore::Readers::Writer); }},
        BackendParam{"memory", [] { return std::make_unique<SqliteMemoryBackend>(); }}),
    backend_param_name);

// ---- SQLite only ----

class SqliteStoreTest : public ::testing::Test {
 protected:
  ManualClock clock_{TimePoint(std::chrono::seconds(1769337000))};
  TempDbFile file_;
};

TEST_F(SqliteStoreTest, EveryQueryShapeSearchesAnIndexAndNeverSortsOrScans) {
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  const std::vector<store::SortCondition> conditions = {
      store::SortCondition::any(),           store::SortCondition::begins_with("USER#"),
      store::SortCondition::begins_with(""), store::SortCondition::between("a", "m"),
      store::SortCondition::at_least("c"),   store::SortCondition::at_most("x")};
  const std::vector<std::optional<store::Cursor>> cursors = {
      std::nullopt, store::Cursor{"G", "b", "P", "S"}, store::Cursor{"G", "zz", "P", "zz"}};
  int checked = 0;
  for (store::Table table : store::kAllTables) {
    for (int index = 0; index <= store::kIndexCount; ++index) {
      for (const auto& condition : conditions) {
        for (const auto& cursor : cursors) {
          for (bool forward : {true, false}) {
            store::Query q;
            q.table = table;
            q.index = index;
            q.pk = "P";
            q.sk = condition;
            q.forward = forward;
            q.start_after = cursor;
            auto plan = store->query_plan(q);
            ASSERT_TRUE(plan.ok()) << plan.error().message;
            const std::string index_name =
                index == 0
                    ? "PRIMARY KEY"
                    : "INDEX " + store::table_name(table, "test") + "-gsi" + std::to_string(index);
            EXPECT_NE(
                plan->find("SEARCH " + store::table_name(table, "test") + " USING " + index_name),
                std::string::npos)
                << *plan;
            EXPECT_EQ(plan->find("SCAN"), std::string::npos) << *plan;
            EXPECT_EQ(plan->find("TEMP B-TREE"), std::string::npos) << *plan;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 4 * (store::kIndexCount + 1) * 6 * 3 * 2);
}

TEST_F(SqliteStoreTest, CursorAndRangeBoundCollapseToOneIndexRange) {
  // A cursor inside the range replaces the range's lower bound, so a deep page starts its
  // index search at the cursor instead of filtering everything before it.
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  store::Query q;
  q.index = 1;
  q.pk = "G";
  q.sk = store::SortCondition::begins_with("A#");
  q.start_after = store::Cursor{"G", "A#5", "P", "S"};
  auto plan = store->query_plan(q);
  ASSERT_TRUE(plan.ok());
  EXPECT_NE(plan->find("(gsi1sk,pk,sk)>(?,?,?) AND gsi1sk<?"), std::string::npos) << *plan;
}

TEST_F(SqliteStoreTest, UsesWriteAheadLogging) {
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  std::vector<store::WriteOp> ops;
  ops.emplace_back(store::Put{store::Table::Tenants, store::Item{"P", "S", {}, {}, "{}"},
                              store::Condition::none()});
  ASSERT_TRUE(store->write(std::move(ops)).ok());
  EXPECT_TRUE(std::filesystem::exists(file_.path() + "-wal"));
}

TEST_F(SqliteStoreTest, BackgroundCheckpointsMoveTheWalIntoTheDatabaseFile) {
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  const std::string data = "{\"blob\":\"" + std::string(4000, 'x') + "\"}";
  for (int i = 0; i < 1500; ++i) {
    std::vector<store::WriteOp> ops;
    ops.emplace_back(store::Put{store::Table::Control,
                                store::Item{"BLOB#" + std::to_string(i), "X", {}, {}, data},
                                store::Condition::none()});
    ASSERT_TRUE(store->write(std::move(ops)).ok());
  }
  // Commits do not checkpoint themselves; the checkpointer thread must have copied pages over.
  std::uintmax_t size = 0;
  for (int i = 0; i < 100 && size < 4'000'000; ++i) {
    size = std::filesystem::file_size(file_.path());
    if (size < 4'000'000) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_GE(size, 4'000'000U);
}

TEST_F(SqliteStoreTest, ReopeningACurrentFileWritesNothing) {
  // A Lambda cold start opens an existing file: a write there would cost a WAL sync.
  ASSERT_NE(open_or_die(file_.path(), clock_), nullptr);  // creates the schema, closes the file
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  std::error_code ec;
  const auto wal_bytes = std::filesystem::file_size(file_.path() + "-wal", ec);
  EXPECT_TRUE(ec || wal_bytes == 0) << wal_bytes << " bytes written to the WAL by opening";
}

TEST_F(SqliteStoreTest, OpeningForAnotherEnvironmentCreatesItsTables) {
  ASSERT_NE(open_or_die(file_.path(), clock_), nullptr);
  auto opened = SqliteStore::open(file_.path(), "other", clock_);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::vector<store::WriteOp> ops;
  ops.emplace_back(store::Put{store::Table::Tenants, store::Item{"P", "S", {}, {}, "{}"},
                              store::Condition::none()});
  EXPECT_TRUE((*opened)->write(std::move(ops)).ok());
}

// An item's data that fills eight 4 KiB pages: enough WAL frames to cross a limit on purpose.
std::string eight_pages_of_data() {
  return "{\"pad\":\"" + std::string(30000, 'x') + "\"}";
}

void put_data(store::ItemStore& store, const std::string& pk, const std::string& data) {
  std::vector<store::WriteOp> ops;
  ops.emplace_back(store::Put{store::Table::Tenants, store::Item{pk, "S", {}, {}, data},
                              store::Condition::none()});
  ASSERT_TRUE(store.write(std::move(ops)).ok());
}

std::string read_data(store::ItemStore& store, const std::string& pk, const std::string& sk = "S") {
  auto got = store.get(store::Table::Tenants, store::Key{pk, sk});
  EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
  return got.ok() && got->has_value() ? (*got)->data : std::string("(absent)");
}

// Descriptors this process holds on `path` (each SQLite connection opens the file once).
int descriptors_on(const std::string& path) {
  int count = 0;
  const auto target = std::filesystem::canonical(path);
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(fd.path(), ec) == target) {
      ++count;
    }
  }
  return count;
}

TEST_F(SqliteStoreTest, TheCheckpointerConnectsOnlyWhenACheckpointIsDue) {
  // A short-lived process (a Lambda cold start, a CLI command) should not pay for a connection
  // it never uses: opening the store and writing a little opens the writer's connection only.
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  put_data(*store, "P", "{}");
  EXPECT_EQ(descriptors_on(file_.path()), 1);
}

// The HTTP server's writer threads are many and read now and then: they borrow a pooled read
// connection instead of keeping one each, with a page cache each (core/thread_kind.hpp).
TEST_F(SqliteStoreTest, PooledThreadsBorrowAReadConnectionInsteadOfKeepingOneEach) {
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  put_data(*store, "P", "{}");
  constexpr int kThreads = 8;
  std::mutex one_read_at_a_time;
  std::latch all_have_read(kThreads);  // every thread is alive while the others read
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      thread_kind::pooled = true;
      {
        std::lock_guard lock(one_read_at_a_time);
        EXPECT_EQ(read_data(*store, "P"), "{}");
      }
      all_have_read.arrive_and_wait();
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(descriptors_on(file_.path()), 2);  // the writer's, and one read connection lent out
}

// A steady stream of commits with readers beside it: a passive checkpoint alone never catches up
// with the last frame, so without a restart the WAL and its index (mapped into the process) grow
// for as long as the stream lasts. These 40,000 frames over 400 items grew the index to 12 blocks
// of 32 KiB before the restart; restarted every 8,192 frames it stays at 3 or 4.
TEST_F(SqliteStoreTest, ASteadyStreamOfCommitsKeepsTheWalBounded) {
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  std::atomic<bool> writing{true};
  std::thread reader([&] {
    while (writing.load()) {
      EXPECT_TRUE(store->get(store::Table::Tenants, store::Key{"P0", "S"}).ok());
    }
  });
  const std::string data = eight_pages_of_data();
  for (int commit = 0; commit < 1250; ++commit) {
    std::vector<store::WriteOp> ops;
    for (int i = 0; i < 4; ++i) {
      const std::string pk = "P" + std::to_string((commit * 4 + i) % 400);
      ops.emplace_back(store::Put{store::Table::Tenants, store::Item{pk, "S", {}, {}, data},
                                  store::Condition::none()});
    }
    if (!store->write(std::move(ops)).ok()) {
      ADD_FAILURE() << "commit " << commit << " failed";
      break;
    }
  }
  writing = false;
  reader.join();
  const auto index_bytes = std::filesystem::file_size(file_.path() + "-shm");
  EXPECT_LE(index_bytes, std::uintmax_t{6} * 32768) << "the WAL index grew to " << index_bytes;
}

std::size_t threads_of_this_process() {
  return static_cast<std::size_t>(
      std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                    std::filesystem::directory_iterator{}));
}

// A Lambda's cold start opens the store and writes a probe: no checkpointer thread is started
// for that, only once the WAL is long enough to be checkpointed.
TEST_F(SqliteStoreTest, TheCheckpointerThreadStartsWhenTheFirstCheckpointIsDue) {
  // ThreadSanitizer starts a thread of its own with the process's first thread: let it now.
  std::thread([] {}).join();
  const std::size_t before = threads_of_this_process();
  auto store = open_or_die(file_.path(), clock_, SqliteStore::Readers::Writer);
  ASSERT_NE(store, nullptr);
  put_data(*store, "P", "{}");
  EXPECT_EQ(threads_of_this_process(), before);
  const std::string data = eight_pages_of_data();
  for (int commit = 0; commit < 130; ++commit) {  // ~1,040 pages
    put_data(*store, "P" + std::to_string(commit), data);
  }
  EXPECT_EQ(threads_of_this_process(), before + 1);
  store.reset();
  EXPECT_EQ(threads_of_this_process(), before);
}

// A thread reads on a connection of its own (kept between calls): it sees every write committed
// since its last read (no snapshot is held between calls), and the connection goes with its
// store, so a thread that outlives several stores reads each one's own data.
TEST_F(SqliteStoreTest, AThreadsOwnReaderSeesNewWritesAndGoesWithItsStore) {
  TempDbFile other_file;
  std::thread reader([&] {
    for (int round = 0; round < 3; ++round) {
      auto store = open_or_die(round % 2 == 0 ? file_.path() : other_file.path(), clock_);
      ASSERT_NE(store, nullptr);
      const std::string mark = "{\"round\":" + std::to_string(round) + "}";
      EXPECT_EQ(read_data(*store, "P"), round < 2 ? "(absent)" : "{\"round\":0}");
      // Written from another thread (the writer connection), then read again on this one's own.
      std::thread writer([&] { put_data(*store, "P", mark); });
      writer.join();
      EXPECT_EQ(read_data(*store, "P"), mark);
      // A get_many is one read transaction on the same connection.
      auto many = store->get_many(store::Table::Tenants, {{"P", "S"}, {"Q", "S"}});
      ASSERT_TRUE(many.ok());
      ASSERT_EQ(many->size(), 2u);
      EXPECT_TRUE((*many)[0].has_value());
      EXPECT_FALSE((*many)[1].has_value());
    }
  });
  reader.join();
}

// A read batch (an HTTP loop's turn of read requests) keeps the snapshot its first read took, so
// that it starts one read transaction, not one per read: another process's commit (here another
// store on the same file) stays unseen until the batch ends. A write of its own store is seen at
// once: the snapshot is renewed after it. Queries and get_many read the same snapshot.
TEST_F(SqliteStoreTest, AReadBatchSharesOneSnapshotYetSeesItsOwnStoresWrites) {
  auto store = open_or_die(file_.path(), clock_);
  auto other = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  ASSERT_NE(other, nullptr);
  auto many = [&store](const std::string& pk) {
    auto got = store->get_many(store::Table::Tenants, {{pk, "S"}});
    EXPECT_TRUE(got.ok() && got->size() == 1u);
    return got.ok() && got->size() == 1u && (*got)[0].has_value();
  };
  auto listed = [&store](const std::string& pk) {
    store::Query query;
    query.table = store::Table::Tenants;
    query.pk = pk;
    auto got = store->query(query);
    EXPECT_TRUE(got.ok());
    return got.ok() ? got->size() : 0u;
  };

  store->begin_read_batch();
  EXPECT_EQ(read_data(*store, "P"), "(absent)");
  put_data(*other, "P", R"({"by":"other"})");
  EXPECT_EQ(read_data(*store, "P"), "(absent)") << "the batch did not keep its snapshot";
  EXPECT_FALSE(many("P"));
  EXPECT_EQ(listed("P"), 0u);

  put_data(*store, "Q", R"({"by":"own"})");
  EXPECT_EQ(read_data(*store, "Q"), R"({"by":"own"})");
  EXPECT_EQ(read_data(*store, "P"), R"({"by":"other"})");  // the renewed snapshot has both

  put_data(*other, "R", "{}");
  EXPECT_FALSE(many("R"));
  store->end_read_batch();

  EXPECT_EQ(read_data(*store, "R"), "{}");  // outside a batch every read sees every commit
  put_data(*other, "T", "{}");
  EXPECT_EQ(listed("T"), 1u);
}

// More reading threads than there are thread slots: the rest share the pool.
TEST_F(SqliteStoreTest, MoreReadingThreadsThanThreadReadersShareThePool) {
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  put_data(*store, "P", "{}");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (std::size_t t = 0; t < store::sqlite::kThreadReaders + 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (read_data(*store, "P") != "{}") {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(SqliteStoreTest, OpenReportsAnUnusablePathAsAnError) {
  auto opened = SqliteStore::open("/proc/no-such-dir/tenantd.db", "test", clock_);
  EXPECT_FALSE(opened.ok());
}

TEST_F(SqliteStoreTest, CreatesTheParentDirectory) {
  const std::string dir = file_.path() + ".d";
  auto store = open_or_die(dir + "/nested/tenantd.db", clock_);
  EXPECT_NE(store, nullptr);
  store.reset();
  std::filesystem::remove_all(dir);
}

std::vector<store::WriteOp> put_new(const std::string& pk) {
  std::vector<store::WriteOp> ops;
  ops.emplace_back(store::Put{store::Table::Tenants, store::Item{pk, "S", {}, {}, "{}"},
                              store::Condition::not_exists()});
  return ops;
}

TEST_F(SqliteStoreTest, ACallerWhoseConditionFailsInAGroupRollsBackOnlyItsOwnOps) {
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  // Another connection holds the write lock, so that the first write waits in BEGIN while the
  // next three queue behind it and are then committed as one group.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(file_.path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  store::WriteResult first;
  std::thread leader([&] { first = store->write(put_new("FIRST")); });
  while (!store->committing_group() || store->queued_writes() != 0) {
    std::this_thread::yield();  // until the leader has taken its group of one
  }

  // Puts a new item, then checks an item that does not exist: fails at op 1.
  std::vector<store::WriteOp> failing = put_new("LOST");
  failing.emplace_back(
      store::Check{store::Table::Tenants, {"MISSING", "S"}, store::Condition::exists()});
  store::WriteResult failed;
  store::WriteResult landed;
  store::WriteResult duplicate;
  std::thread a([&] { failed = store->write(failing); });
  while (store->queued_writes() < 1) {
    std::this_thread::yield();
  }
  std::thread b([&] { landed = store->write(put_new("LANDED")); });
  while (store->queued_writes() < 2) {
    std::this_thread::yield();
  }
  // Queued after "LANDED" in the same group: its condition sees that caller's put.
  std::thread c([&] { duplicate = store->write(put_new("LANDED")); });
  while (store->queued_writes() < 3) {
    std::this_thread::yield();
  }
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  for (auto* t : {&leader, &a, &b, &c}) {
    t->join();
  }

  EXPECT_TRUE(first.ok()) << first.message;
  ASSERT_TRUE(failed.condition_failed()) << failed.message;
  EXPECT_EQ(failed.failed_op, 1U);
  EXPECT_TRUE(landed.ok()) << landed.message;
  ASSERT_TRUE(duplicate.condition_failed()) << duplicate.message;
  EXPECT_EQ(duplicate.failed_op, 0U);
  for (const auto& [pk, present] :
       {std::pair{"FIRST", true}, std::pair{"LOST", false}, std::pair{"LANDED", true}}) {
    auto got = store->get(store::Table::Tenants, {pk, "S"});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->has_value(), present) << pk;
  }
}

TEST_F(SqliteStoreTest, ConcurrentWritersEachGetTheirOwnResult) {
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kWrites = 50;
  std::atomic<int> ok{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        // Every key is written by two threads: exactly one of them creates it.
        const auto result = store->write(put_new("K" + std::to_string((t / 2) * kWrites + i)));
        (result.ok() ? ok : conflicts).fetch_add(1);
        EXPECT_TRUE(result.ok() || result.condition_failed()) << result.message;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), kThreads / 2 * kWrites);
  EXPECT_EQ(conflicts.load(), kThreads / 2 * kWrites);
}

TEST_F(SqliteStoreTest, AcknowledgedWritesSurviveKillDashNine) {
  int acks[2];
  ASSERT_EQ(::pipe(acks), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child writes forever, acknowledging each committed write on the pipe.
    ::close(acks[0]);
    SystemClock system_clock;
    auto opened = SqliteStore::open(file_.path(), "test", system_clock);
    if (!opened) {
      ::_exit(2);
    }
    for (std::uint32_t i = 0;; ++i) {
      std::vector<store::WriteOp> ops;
      ops.emplace_back(store::Put{store::Table::Tenants,
                                  store::Item{"KILL", "ITEM#" + std::to_string(i), {}, {}, "{}"},
                                  store::Condition::not_exists()});
      if (!(*opened)->write(std::move(ops)).ok()) {
        ::_exit(3);
      }
      if (::write(acks[1], &i, sizeof i) != static_cast<ssize_t>(sizeof i)) {
        ::_exit(4);
      }
    }
  }
  ::close(acks[1]);
  std::uint32_t last = 0;
  std::uint32_t received = 0;
  while (received < 500) {
    if (::read(acks[0], &last, sizeof last) != static_cast<ssize_t>(sizeof last)) {
      break;
    }
    ++received;
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(acks[0]);
  ASSERT_EQ(received, 500U) << "child stopped early, status " << status;
  EXPECT_TRUE(WIFSIGNALED(status));

  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  for (std::uint32_t i = 0; i <= last; ++i) {
    auto got = store->get(store::Table::Tenants, {"KILL", "ITEM#" + std::to_string(i)});
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value()) << "acknowledged write " << i << " lost";
  }
}

// The WAL's frames are written in batches (src/store/sqlite/wal_write_buffer.hpp): a transaction
// of ~3 MiB spans several batches, and every one of its items is back after reopening.
TEST_F(SqliteStoreTest, ATransactionLargerThanTheWalBufferIsWrittenWhole) {
  const std::string data = eight_pages_of_data();
  {
    auto store = open_or_die(file_.path(), clock_);
    ASSERT_NE(store, nullptr);
    std::vector<store::WriteOp> ops;
    for (int i = 0; i < 100; ++i) {
      ops.emplace_back(store::Put{store::Table::Tenants,
                                  store::Item{"BIG", "ITEM#" + std::to_string(i), {}, {}, data},
                                  store::Condition::none()});
    }
    ASSERT_TRUE(store->write(std::move(ops)).ok());
  }
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(read_data(*store, "BIG", "ITEM#" + std::to_string(i)), data) << i;
  }
}

// A commit whose WAL frames cannot be written (here the file size limit, as a full disk would)
// fails, and leaves the store as it was: the write is absent, the earlier one intact, in the
// process and after reopening. The limit is set in a child process, which reports by exit code.
TEST_F(SqliteStoreTest, ACommitWhoseWalWriteFailsFailsAndChangesNothing) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // the write then fails with EFBIG instead of killing the child
    SystemClock system_clock;
    auto opened = SqliteStore::open(file_.path(), "test", system_clock);
    if (!opened) {
      ::_exit(2);
    }
    store::ItemStore& store = **opened;
    put_data(store, "KEPT", "{}");
    const auto wal_bytes = std::filesystem::file_size(file_.path() + "-wal");
    rlimit limit{};
    ::getrlimit(RLIMIT_FSIZE, &limit);
    const rlimit unlimited = limit;
    limit.rlim_cur = wal_bytes + 8192;  // two frames more, of the eight the write needs
    ::setrlimit(RLIMIT_FSIZE, &limit);
    std::vector<store::WriteOp> ops;
    ops.emplace_back(store::Put{store::Table::Tenants,
                                store::Item{"LOST", "S", {}, {}, eight_pages_of_data()},
                                store::Condition::none()});
    const bool failed = store.write(std::move(ops)).status == store::WriteResult::Status::Failed;
    ::setrlimit(RLIMIT_FSIZE, &unlimited);
    const bool unchanged =
        read_data(store, "LOST") == "(absent)" && read_data(store, "KEPT") == "{}";
    ::_exit(failed ? (unchanged ? 0 : 4) : 3);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "3: the write did not fail; 4: the store changed";
  auto store = open_or_die(file_.path(), clock_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(read_data(*store, "LOST"), "(absent)");
  EXPECT_EQ(read_data(*store, "KEPT"), "{}");
  put_data(*store, "AFTER", "{}");  // the WAL takes new commits after the failed one
  EXPECT_EQ(read_data(*store, "AFTER"), "{}");
}

}  // namespace
}  // namespace tenantd::conformance
