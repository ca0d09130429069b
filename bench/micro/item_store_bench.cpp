// Item store micro benchmarks on the SQLite backend (a file in WAL mode, as `serve` runs it):
// get of an existing item, a put conditioned on NotExists, and a 20-item page of a GSI that
// holds 100,000 items. Run e.g.: micro_bench --benchmark_filter=ItemStore --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using tenantd::SystemClock;
using tenantd::store::Condition;
using tenantd::store::IndexKey;
using tenantd::store::Item;
using tenantd::store::Put;
using tenantd::store::Query;
using tenantd::store::Table;
using tenantd::store::WriteOp;
using tenantd::store::sqlite::SqliteStore;

constexpr int kItems = 100000;
constexpr int kPartitions = 10;  // GSI1 partitions of 10,000 items each

std::string data_for(int i) {
  return R"({"tenantId":"t)" + std::to_string(i) + R"(","name":"Tenant number )" +
         std::to_string(i) +
         R"(","status":"ACTIVE","plan":"standard","region":"af-south-1",)"
         R"("createdAt":"2026-01-25T10:30:00.000Z","updatedAt":"2026-01-25T10:30:00.000Z",)"
         R"("version":1})";
}

// GSI1 sort keys grow with i, like creation timestamps.
void sk_buf(int i, char* out, std::size_t size) {
  std::snprintf(out, size, "2026-01-25T10:%02d:%02d.%03d#t%06d", (i / 60000) % 60, (i / 1000) % 60,
                i % 1000, i);
}

// One store with 100,000 items, shared by all benchmarks and removed at exit.
struct Fixture {
  SystemClock clock;
  std::string path;
  std::unique_ptr<SqliteStore> store;

  Fixture() {
    path = (std::filesystem::temp_directory_path() /
            ("tenantd-bench-" + std::to_string(::getpid()) + ".db"))
               .string();
    auto opened = SqliteStore::open(path, "bench", clock);
    if (!opened) {
      std::fprintf(stderr, "open: %s\n", opened.error().message.c_str());
      std::abort();
    }
    store = std::move(opened.value());
    std::vector<WriteOp> batch;
    for (int i = 0; i < kItems; ++i) {
      Item item;
      item.pk = "TENANT#t" + std::to_string(i);
      item.sk = "METADATA";
      char sk[64];
      sk_buf(i, sk, sizeof sk);
      item.indexes[0] = IndexKey{"ORG#o" + std::to_string(i % kPartitions), sk};
      item.data = data_for(i);
      batch.emplace_back(Put{Table::Tenants, std::move(item), Condition::none()});
      if (batch.size() == tenantd::store::sqlite::kMaxWriteOps) {
        if (!store->write(std::move(batch)).ok()) {
          std::abort();
        }
        batch.clear();
      }
    }
  }
  ~Fixture() {
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ec;
      std::filesystem::remove(path + suffix, ec);
    }
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_ItemStoreGet(benchmark::State& state) {
  SqliteStore& store = *fixture().store;
  std::uint64_t i = static_cast<std::uint64_t>(state.thread_index()) * 7919;
  const tenantd::store::Key key_base{"TENANT#t", "METADATA"};
  tenantd::store::Key key = key_base;
  for (auto _ : state) {
    key.pk.resize(8);
    key.pk += std::to_string((i * 2654435761U) % kItems);
    auto got = store.get(Table::Tenants, key);
    if (!got.ok() || !got->has_value()) {
      state.SkipWithError("get failed");
      break;
    }
    benchmark::DoNotOptimize(got);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ItemStoreGet)->Threads(1)->Threads(2)->UseRealTime();

void BM_ItemStorePutNotExists(benchmark::State& state) {
  SqliteStore& store = *fixture().store;
  static std::atomic<std::uint64_t> next{0};
  for (auto _ : state) {
    Item item;
    item.pk = "GUARD#" + std::to_string(next++);
    item.sk = "UNIQUE";
    item.data = R"({"tenantId":"t1","version":1})";
    std::vector<WriteOp> ops;
    ops.emplace_back(Put{Table::Control, std::move(item), Condition::not_exists()});
    if (!store.write(std::move(ops)).ok()) {
      state.SkipWithError("put failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ItemStorePutNotExists)->Threads(1)->Threads(2)->UseRealTime();

void BM_ItemStoreQueryGsi20(benchmark::State& state) {
  SqliteStore& store = *fixture().store;
  const bool deep = state.range(0) != 0;
  Query q;
  q.table = Table::Tenants;
  q.index = 1;
  q.limit = 20;
  std::uint64_t i = 0;
  for (auto _ : state) {
    q.pk = "ORG#o" + std::to_string(i % kPartitions);
    if (deep) {
      // A page from the middle of the partition, continuing after a cursor.
      const int after = static_cast<int>((i * 2654435761U) % kItems);
      char sk[64];
      sk_buf(after, sk, sizeof sk);
      q.pk = "ORG#o" + std::to_string(after % kPartitions);
      q.start_after =
          tenantd::store::Cursor{q.pk, sk, "TENANT#t" + std::to_string(after), "METADATA"};
    }
    auto page = store.query(q);
    if (!page.ok() || (!deep && page->size() != 20)) {
      state.SkipWithError("query failed");
      break;
    }
    benchmark::DoNotOptimize(page);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ItemStoreQueryGsi20)->ArgName("after_cursor")->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
