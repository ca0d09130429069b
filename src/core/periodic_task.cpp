#include "core/periodic_task.hpp"

namespace tenantd {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> work,
                           PeriodicTaskOptions options)
    : interval_(interval), work_(std::move(work)), options_(options) {}

PeriodicTask::~PeriodicTask() {
  stop();
}

void PeriodicTask::start() {
  const std::lock_guard lock(mutex_);
  if (thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

bool PeriodicTask::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (!thread_.joinable()) {
    return false;
  }
  thread_.join();
  return true;
}

void PeriodicTask::wake() {
  {
    const std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

bool PeriodicTask::wait_for_turn(std::unique_lock<std::mutex>& lock) {
  wake_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
  if (stopping_) {
    return false;
  }
  if (woken_ && options_.linger.count() > 0) {
    wake_.wait_for(lock, options_.linger, [this] { return stopping_; });
    if (stopping_) {
      return false;
    }
  }
  woken_ = false;
  return true;
}

void PeriodicTask::run() {
  std::unique_lock lock(mutex_);
  if (!options_.run_at_start && !wait_for_turn(lock)) {
    return;
  }
  for (;;) {
    lock.unlock();
    work_();
    lock.lock();
    if (!wait_for_turn(lock)) {
      return;
    }
  }
}

}  // namespace tenantd
