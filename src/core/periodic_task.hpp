#pragma once
// Runs a piece of background work every `interval` on its own thread until stopped (sweeps of
// `serve`). stop() waits for a run in progress and returns promptly while the thread waits.
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

 private:
  void run();

  std::chrono::milliseconds interval_;
  std::function<void()> work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tenantd
