#include "store/sqlite/group_commit.hpp"

#include <exception>
#include <string>

namespace tenantd::store::sqlite {

WriteResult GroupCommitQueue::submit(std::vector<WriteOp>& ops, const CommitGroup& commit) {
  QueuedWrite mine;
  mine.ops = &ops;
  std::unique_lock lock(mutex_);
  queue_.push_back(&mine);
  for (;;) {
    mine.wake.wait(lock, [&] { return mine.done || (!leading_ && queue_.front() == &mine); });
    if (mine.done) {
      return std::move(mine.result);
    }
    // Lead: take the oldest writes that fit in one group (at least one). This caller's own write
    // is among them or still queued; the loop leads again until it is done.
    leading_ = true;
    std::size_t taken = 0;
    std::size_t group_ops = 0;
    while (taken < queue_.size() &&
           (taken == 0 || group_ops + queue_[taken]->ops->size() <= max_ops_)) {
      group_ops += queue_[taken]->ops->size();
      ++taken;
    }
    std::vector<QueuedWrite*> group(queue_.begin(),
                                    queue_.begin() + static_cast<std::ptrdiff_t>(taken));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(taken));
    lock.unlock();
    try {
      commit(group);
    } catch (const std::exception& e) {
      // Nothing of the group is known to be committed: every caller hears it failed.
      for (QueuedWrite* write : group) {
        write->result = WriteResult{WriteResult::Status::Failed, 0,
                                    std::string("sqlite: group commit threw: ") + e.what()};
      }
    }
    lock.lock();
    for (QueuedWrite* write : group) {
      write->done = true;
      if (write != &mine) {
        write->wake.notify_one();
      }
    }
    leading_ = false;
    if (!queue_.empty() && queue_.front() != &mine) {
      queue_.front()->wake.notify_one();  // the next leader
    }
  }
}

std::size_t GroupCommitQueue::waiting() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

bool GroupCommitQueue::leading() {
  std::lock_guard lock(mutex_);
  return leading_;
}

}  // namespace tenantd::store::sqlite
