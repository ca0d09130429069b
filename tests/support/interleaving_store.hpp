#pragma once
// A store that lets a test commit a competing change between a use case's reads and its write,
// to prove that the write's conditions catch the race.
#include <functional>
#include <utility>

#include "store/item_store.hpp"

namespace tenantd::test_support {

class InterleavingStore final : public store::ItemStore {
 public:
  explicit InterleavingStore(store::ItemStore& inner) : inner_(inner) {}

  // Runs once, right before the next write reaches the inner store.
  std::function<void()> before_next_write;
  // Runs before every get (until cleared), so a test can commit a change between two reads.
  std::function<void(const store::Key&)> before_get;

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
