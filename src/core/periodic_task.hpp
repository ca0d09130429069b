#pragma once
// Runs a piece of background work every `interval` on its own thread until stopped (sweeps of
// `serve`, provisioner drivers), or sooner after wake(). stop() waits for a run in progress and
// returns promptly while the thread waits.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tenantd {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> work);
  ~PeriodicTask();  // stops the thread
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start();  // idempotent
  void stop();   // idempotent
  // Runs the work as soon as the thread is free instead of at the next interval; wakes during a
  // run make one more run, not one each.
  void wake();

 private:
  void run();

  std::chrono::milliseconds interval_;
  std::function<void()> work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace tenantd
