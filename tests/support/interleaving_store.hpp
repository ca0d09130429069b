#pragma once
// A store that lets a test interleave with a use case: commit a competing change between its
// reads and its write (to prove that the write's conditions catch the race), or fail a write,
// before or after it is applied (an answer lost on the way back).
#include <functional>
#include <utility>
#include <vector>

#include "store/item_store.hpp"

namespace tenantd::test_support {

class InterleavingStore final : public store::ItemStore {
 public:
  explicit InterleavingStore(store::ItemStore& inner) : inner_(inner) {}

  // Runs once, right before the next write reaches the inner store.
  std::function<void()> before_next_write;
  // Runs before every get (until cleared), so a test can commit a change between two reads.
  std::function<void(const store::Key&)> before_get;
  // The first write it returns true for is reported Failed (then it is cleared): after it
  // reached the inner store when `failed_write_applies`, else without reaching it.
  std::function<bool(const std::vector<store::WriteOp>&)> fail_next_write;
  bool failed_write_applies = false;

  Result<std::optional<store::Item>> get(store::Table table, const store::Key& key) override {
    if (before_get) {
      before_get(key);
    }
    return inner_.get(table, key);
  }
  Result<std::vector<std::optional<store::Item>>> get_many(
      store::Table table, const std::vector<store::Key>& keys) override {
    return inner_.get_many(table, keys);
  }
  Result<std::vector<store::Item>> query(const store::Query& query) override {
    return inner_.query(query);
  }
  store::WriteResult write(std::vector<store::WriteOp> ops) override {
    if (before_next_write) {
      auto interleaved = std::move(before_next_write);
      before_next_write = nullptr;
      interleaved();
    }
    if (fail_next_write && fail_next_write(ops)) {
      fail_next_write = nullptr;
      if (failed_write_applies) {
        (void)inner_.write(std::move(ops));
      }
      return store::WriteResult{store::WriteResult::Status::Failed, 0, "injected failure"};
    }
    return inner_.write(std::move(ops));
  }
  Result<std::size_t> purge_expired(store::Table table, std::size_t max_items) override {
    return inner_.purge_expired(table, max_items);
  }
  Status migrate() override { return inner_.migrate(); }
  Status ping() override { return inner_.ping(); }

 private:
  store::ItemStore& inner_;
};

}  // namespace tenantd::test_support
