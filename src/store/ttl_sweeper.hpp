#pragma once
// Physically removes expired items (audit entries after their retention, finished idempotency
// records) in the background. Reads already treat them as absent; this only reclaims space,
// in small batches so that it never holds the writer for long.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "store/item_store.hpp"

namespace tenantd::store {

class TtlSweeper {
 public:
  TtlSweeper(ItemStore& store, std::chrono::milliseconds interval, std::size_t batch = 500);
  ~TtlSweeper();  // stops the thread
  TtlSweeper(const TtlSweeper&) = delete;
  TtlSweeper& operator=(const TtlSweeper&) = delete;

  // One pass over every table; returns how many items were removed.
  Result<std::size_t> sweep();
  void start();
  void stop();

 private:
  void run();

  ItemStore& store_;
  std::chrono::milliseconds interval_;
  std::size_t batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tenantd::store
