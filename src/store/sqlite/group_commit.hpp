#pragma once
// Group commit for the SQLite writer (docs/decisions/0030-group-commit.md): callers of write()
// queue their ops; one of them (the leader) takes everything queued and commits it as one
// transaction while the others wait, and every caller returns its own result only after the
// COMMIT that carried its ops. A WAL commit appends every dirty page as a frame, and concurrent
// creates dirty many of the same pages (the rightmost leaves of the list indexes, the outbox), so
// one commit for a group writes those pages once instead of once per caller.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include "store/item_store.hpp"

namespace tenantd::store::sqlite {

// One caller's write while it waits in the queue.
struct QueuedWrite {
  std::vector<WriteOp>* ops = nullptr;
  WriteResult result;
  bool done = false;  // set, under the queue's mutex, once `result` is final
  // Woken when done, or when this write is the oldest queued and nobody leads: only the callers
  // concerned wake, not every waiting thread.
  std::condition_variable wake;
};

class GroupCommitQueue {
 public:
  // Commits a group: sets each entry's result; called by one leader at a time.
  using CommitGroup = std::function<void(const std::vector<QueuedWrite*>& group)>;

  // `max_ops` bounds the ops of one group (a caller larger than that still forms a group alone).
  explicit GroupCommitQueue(std::size_t max_ops) : max_ops_(max_ops) {}

  // Queues `ops` and returns their result once a group holding them has been committed, by this
  // caller or by another.
  WriteResult submit(std::vector<WriteOp>& ops, const CommitGroup& commit);

  // Writes queued behind the group being committed, and whether one is (tests use them to form
  // a group on purpose).
  std::size_t waiting();
  bool leading();

 private:
  std::mutex mutex_;
  std::vector<QueuedWrite*> queue_;  // in arrival order
  bool leading_ = false;             // a leader is committing a group
  std::size_t max_ops_;
};

}  // namespace tenantd::store::sqlite
