#pragma once
// Physically removes expired items (audit entries after their retention, finished idempotency
// records) in the background. Reads already treat them as absent; this only reclaims space,
// in small batches so that it never holds the writer for long.
#include <chrono>
#include <cstddef>

#include "core/periodic_task.hpp"
#include "store/item_store.hpp"

namespace tenantd::obs {
class Logger;
}

namespace tenantd::store {

class TtlSweeper {
 public:
  // `logger` (optional) hears of a failed background pass.
  TtlSweeper(ItemStore& store, std::chrono::milliseconds interval, std::size_t batch = 500,
             const obs::Logger* logger = nullptr);

  // One pass over every table; returns how many items were removed.
  Result<std::size_t> sweep();
  void start() { task_.start(); }
  void stop() { task_.stop(); }

 private:
  void background_pass();

  ItemStore& store_;
  std::size_t batch_;
  const obs::Logger* logger_;
  // Last: stopped (by its destructor) before the members its work uses go away.
  PeriodicTask task_;
};

}  // namespace tenantd::store
