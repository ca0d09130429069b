#include "store/ttl_sweeper.hpp"

namespace tenantd::store {

TtlSweeper::TtlSweeper(ItemStore& store, std::chrono::milliseconds interval, std::size_t batch)
    : store_(store), interval_(interval), batch_(batch) {}

TtlSweeper::~TtlSweeper() {
  stop();
}

Result<std::size_t> TtlSweeper::sweep() {
  std::size_t removed = 0;
  for (const Table table : kAllTables) {
    // Batches until a table has nothing more to remove, so a backlog clears in one pass.
    for (;;) {
      auto purged = store_.purge_expired(table, batch_);
      if (!purged) {
        return purged;
      }
      removed += *purged;
      if (*purged < batch_) {
        break;
      }
    }
  }
  return removed;
}

void TtlSweeper::start() {
  const std::lock_guard lock(mutex_);
  if (thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void TtlSweeper::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void TtlSweeper::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    (void)sweep();  // a failed pass is retried at the next interval; reads never see expired items
    lock.lock();
  }
}

}  // namespace tenantd::store
