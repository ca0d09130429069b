#pragma once
// The item store conformance suite: written against store::ItemStore only, so that every
// backend runs it unchanged. A backend instantiates it with a factory (see
// sqlite_backend_test.cpp):
//
//   INSTANTIATE_TEST_SUITE_P(MyBackend, ItemStoreConformance,
//                            ::testing::Values(BackendParam{"name", [] { return make(); }}),
//                            backend_param_name);
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "core/clock.hpp"
#include "store/item_store.hpp"

namespace tenantd::conformance {

// One backend under test. Each test makes its own Backend, so tests never share data.
class Backend {
 public:
  virtual ~Backend() = default;
  // A store over empty tables (a fresh file, a fresh table prefix, ...), reading time from `clock`.
  virtual std::unique_ptr<store::ItemStore> create(const Clock& clock) = 0;
  // Another store over the same data as the last create(), as after a restart; called after the
  // previous store is destroyed. nullptr when the backend does not keep data (":memory:").
  virtual std::unique_ptr<store::ItemStore> reopen(const Clock& clock) = 0;
};

struct BackendParam {
  std::string name;  // letters, digits and '_' only (it becomes part of the test name)
  std::function<std::unique_ptr<Backend>()> make;
};

// Test output names the backend instead of dumping the struct's bytes.
inline void PrintTo(const BackendParam& param, std::ostream* os) {
  *os << param.name;
}

inline std::string backend_param_name(const ::testing::TestParamInfo<BackendParam>& info) {
  return info.param.name;
}

class ItemStoreConformance : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Tests start at a fixed time; ttl values are relative to it.
  static constexpr std::int64_t kStart = 1769337000;

  std::unique_ptr<Backend> backend_;
  ManualClock clock_{TimePoint(std::chrono::seconds(kStart))};
  std::unique_ptr<store::ItemStore> store_;
};

}  // namespace tenantd::conformance
