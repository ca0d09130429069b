#include "store/ttl_sweeper.hpp"

namespace tenantd::store {

TtlSweeper::TtlSweeper(ItemStore& store, std::chrono::milliseconds interval, std::size_t batch)
    : store_(store),
      batch_(batch),
      // A failed pass is retried at the next interval; reads never see expired items anyway.
      task_(interval, [this] { (void)sweep(); }) {}

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
