#include "store/ttl_sweeper.hpp"

#include "obs/logger.hpp"

namespace tenantd::store {

TtlSweeper::TtlSweeper(ItemStore& store, std::chrono::milliseconds interval, std::size_t batch,
                       const obs::Logger* logger)
    : store_(store),
      batch_(batch),
      logger_(logger),
      task_(interval, [this] { background_pass(); }) {}

void TtlSweeper::background_pass() {
  // A failed pass is retried at the next interval; reads never see expired items anyway.
  if (auto removed = sweep(); !removed && logger_ != nullptr) {
    logger_->warn("ttl sweep failed: " + removed.error().message);
  }
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

}  // namespace tenantd::store
