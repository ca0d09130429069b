#include "app/serve_memory.hpp"

#include <malloc.h>
#include <time.h>

#include <cstdlib>

namespace tenantd {
namespace {

// The signal waiter, the SQLite checkpointer, the outbox dispatcher, the TTL and invitation
// sweepers, the provisioner and the thread that returns freed memory, with one to spare.
constexpr int kBackgroundThreads = 8;

std::chrono::nanoseconds process_cpu_time() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

int serve_malloc_arenas(const Config& config) {
  return config.event_loops() + config.write_threads + kBackgroundThreads;
}

void give_each_serve_thread_an_arena(const Config& config) {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
    mallopt(M_ARENA_MAX, serve_malloc_arenas(config));
  }
}

RestAfterWork::RestAfterWork(std::chrono::nanoseconds pass_interval,
                             std::chrono::nanoseconds cpu_time)
    : quiet_cpu_(pass_interval / 20), cpu_at_last_pass_(cpu_time) {}

bool RestAfterWork::pass(std::chrono::nanoseconds cpu_time) {
  const bool at_rest = cpu_time - cpu_at_last_pass_ < quiet_cpu_;
  cpu_at_last_pass_ = cpu_time;
  if (!at_rest) {
    busy_since_return_ = true;
    return false;
  }
  const bool give_back = busy_since_return_;
  busy_since_return_ = false;
  return give_back;
}

FreedMemoryReturner::FreedMemoryReturner()
    : rest_after_work_(kPassEvery, process_cpu_time()), task_(kPassEvery, [this] { pass(); }) {}

void FreedMemoryReturner::pass() {
  if (rest_after_work_.pass(process_cpu_time())) {
    malloc_trim(0);
  }
}

}  // namespace tenantd
