// Runs the item store conformance suite unchanged on DynamoDB, against the moto server of the
// test run. Each test gets its own environment name, hence its own four tables.
#include <unistd.h>

#include <atomic>
#include <string>

#include "conformance/item_store_conformance.hpp"
#include "moto/moto_endpoint.hpp"
#include "store/dynamodb/dynamodb_store.hpp"

namespace tenantd::conformance {
namespace {

using store::dynamodb::DynamoDbStore;

class DynamoDbBackend final : public Backend {
 public:
  DynamoDbBackend() {
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
    const std::string endpoint = testing_support::moto_endpoint();
    if (endpoint.empty()) {
      return nullptr;
    }
    auto opened =
        DynamoDbStore::open(testing_support::moto_environment(endpoint), environment_, clock);
    if (!opened) {
      ADD_FAILURE() << "open: " << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  std::string environment_;
};

INSTANTIATE_TEST_SUITE_P(DynamoDb, ItemStoreConformance,
                         ::testing::Values(BackendParam{
                             "moto", [] { return std::make_unique<DynamoDbBackend>(); }}),
                         backend_param_name);

}  // namespace
}  // namespace tenantd::conformance
