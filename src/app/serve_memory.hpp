#pragma once
// How `serve` uses glibc's malloc (docs/decisions/0036-a-malloc-arena-per-thread.md): every thread
// gets an arena of its own, so that an event loop never waits for an arena lock that another
// thread holds nor searches free lists that other threads fragmented; and once the process is at
// rest after a burst, the whole free pages that the arenas keep go back to the system.
#include <chrono>

#include "app/config.hpp"
#include "core/periodic_task.hpp"

namespace tenantd {

// The arenas that give every thread of `serve` its own: the event loops (the first runs on the
// main thread), the writer threads and the background threads.
int serve_malloc_arenas(const Config& config);

// Sets glibc's arena limit to serve_malloc_arenas(config), unless MALLOC_ARENA_MAX is set.
void give_each_serve_thread_an_arena(const Config& config);

// Decides, from the process's CPU time at each pass, when to give freed memory back: at the first
// pass at rest (under a twentieth of a core) after a busy one. Not under load, where returning
// pages would stall the thread whose arena is being trimmed and the pages would be faulted in
// again at once; not again and again at rest, where there is nothing new to give back.
class RestAfterWork {
 public:
  // `cpu_time`: the process's CPU time now.
  RestAfterWork(std::chrono::nanoseconds pass_interval, std::chrono::nanoseconds cpu_time);
  // Called every pass_interval with the process's CPU time; true when the memory should go back.
  bool pass(std::chrono::nanoseconds cpu_time);

 private:
  std::chrono::nanoseconds quiet_cpu_;  // the most CPU that a pass at rest uses
  std::chrono::nanoseconds cpu_at_last_pass_;
  bool busy_since_return_ = false;
};

// Gives freed memory back (malloc_trim) whenever RestAfterWork says so, checking every second.
class FreedMemoryReturner {
 public:
  FreedMemoryReturner();
  void start() { task_.start(); }

 private:
  void pass();

  static constexpr std::chrono::seconds kPassEvery{1};
  RestAfterWork rest_after_work_;
  PeriodicTask task_;  // last: its thread stops before the members it uses go
};

}  // namespace tenantd
