#pragma once
// Runs a piece of background work every `interval` on its own thread until stopped (sweeps of
// `serve`, provisioner drivers, the outbox dispatcher), or sooner after wake(). stop() waits for
// a run in progress and returns promptly while the thread waits.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tenantd {

struct PeriodicTaskOptions {
  bool run_at_start = false;  // the first run at start() rather than one interval later
  // After a wake(), how long to gather further wakes before the run (stop() cuts it short).
  std::chrono::milliseconds linger{0};
};

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> work,
               PeriodicTaskOptions options = {});
  ~PeriodicTask();  // stops the thread
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start();  // idempotent
  // Idempotent; true when it stopped a running thread.
  bool stop();
  // Runs the work as soon as the thread is free instead of at the next interval; wakes during a
  // run make one more run, not one each.
  void wake();

 private:
  void run();
  // Waits for the next run; false when stopping.
  bool wait_for_turn(std::unique_lock<std::mutex>& lock);

  std::chrono::milliseconds interval_;
  std::function<void()> work_;
  PeriodicTaskOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace tenantd
