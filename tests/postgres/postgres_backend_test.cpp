// Runs the item store conformance suite unchanged on PostgreSQL, against the server of the test
// run. Each test gets its own environment name, hence its own four tables.
#include <unistd.h>

#include <atomic>
#include <string>

#include "conformance/item_store_conformance.hpp"
#include "postgres/postgres_endpoint.hpp"
#include "store/postgres/postgres_store.hpp"

namespace tenantd::conformance {
namespace {

using store::postgres::PostgresStore;

class PostgresBackend final : public Backend {
 public:
  PostgresBackend() {
    static std::atomic<int> counter{0};
    environment_ = "conf" + std::to_string(::getpid()) + "x" + std::to_string(counter++);
  }

  std::unique_ptr<store::ItemStore> create(const Clock& clock) override {
    auto store = open(clock);
    if (store != nullptr) {
      const Status migrated = store->migrate();
      if (!migrated) {
        ADD_FAILURE() << "migrate: " << migrated.error().message;
        return nullptr;
      }
    }
    return store;
  }
  std::unique_ptr<store::ItemStore> reopen(const Clock& clock) override { return open(clock); }

 private:
  std::unique_ptr<store::ItemStore> open(const Clock& clock) {
    const std::string url = testing_support::postgres_url();
    if (url.empty()) {
      return nullptr;
    }
    auto opened = PostgresStore::open(url, environment_, clock);
    if (!opened) {
      ADD_FAILURE() << "open: " << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  std::string environment_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, ItemStoreConformance,
                         ::testing::Values(BackendParam{
                             "pg15", [] { return std::make_unique<PostgresBackend>(); }}),
                         backend_param_name);

}  // namespace
}  // namespace tenantd::conformance
