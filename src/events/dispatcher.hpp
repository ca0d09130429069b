#pragma once
// Delivers outbox events to the configured sinks, at least once (docs/events.md).
// An event is deleted only after every sink accepted it, so a crash between delivery and
// delete redelivers it. After a partial failure the sinks that accepted it are recorded on
// the item (deliveredTo) and a retry goes only to the others. Failures back off exponentially (with
// jitter); after max_attempts (or at once, when a sink answers VALIDATION_ERROR: it can never
// take the event) the event is moved to OUTBOX#FAILED, counted and logged, until
// `tenantd outbox retry`.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/derived_key.hpp"
#include "core/periodic_task.hpp"
#include "core/result.hpp"
#include "events/event_sink.hpp"
#include "events/outbox_event.hpp"
#include "store/item_store.hpp"

namespace tenantd::obs {
class Logger;
class MetricsRegistry;
}  // namespace tenantd::obs

namespace tenantd::events {

// Sinks carry the envelope's region themselves (see FileSink::open).
struct DispatcherOptions {
  std::int64_t max_attempts = 10;
  std::size_t batch = 100;  // events read and handed to the sinks at once
  Millis base_backoff{1000};
  Millis max_backoff{5 * 60 * 1000};
  Millis poll_interval{200};  // the background thread's sleep when nothing notifies it
  // After a notify, how long to gather further commits before a pass: one pass (one file sync,
  // one delete transaction) then carries many events instead of one.
  Millis linger{10};
  // A retry waits base * 2^(attempts-1) capped at max_backoff, shortened by up to this fraction
  // at random so that failures of many events do not retry in lockstep. 0 is deterministic.
  double jitter = 0.2;
  // Opens events' sealed detail members (32 bytes; see seal()); events that carry sealed
  // members cannot be delivered without it.
  DerivedKey seal_key;
  // > 0: before delivering, a pass claims its events with one conditional write that moves
  // them this far into the future, so that dispatchers sharing the store (replicas) never
  // deliver an event at once; a claimer that dies leaves its events to others after the lease.
  Millis claim_lease{0};
  obs::MetricsRegistry* metrics = nullptr;  // optional: outbox_failed, outbox_pending
  const obs::Logger* logger = nullptr;      // optional: failures and dead letters
};

// The delay before attempt `attempts + 1` after `attempts` failed ones, before jitter.
Millis backoff_delay(const DispatcherOptions& options, std::int64_t attempts);

class OutboxDispatcher {
 public:
  // `store`, `clock` and the optional logger / metrics must outlive the dispatcher.
  OutboxDispatcher(store::ItemStore& store, std::vector<std::unique_ptr<EventSink>> sinks,
                   const Clock& clock, DispatcherOptions options = {});
  ~OutboxDispatcher();  // stops the background thread (with its final flush)
  OutboxDispatcher(const OutboxDispatcher&) = delete;
  OutboxDispatcher& operator=(const OutboxDispatcher&) = delete;

  // One pass: delivers every event due now, oldest due first; returns how many were
  // delivered (and deleted). Passes of one dispatcher never overlap.
  Result<std::size_t> dispatch_due();

  // Background delivery for `serve`: a thread that runs dispatch_due every poll_interval,
  // or sooner after notify(). stop() lets the current pass finish, then flushes once more.
  // Both are idempotent.
  void start();
  void stop();
  // Called after a commit that appended events, so that delivery starts at once.
  void notify();

 private:
  struct Outcome {
    std::size_t delivered = 0;
    std::size_t progressed = 0;  // events whose item was successfully deleted or rescheduled
  };
  Outcome handle_batch(const std::vector<store::Item>& items, TimePoint now);
  // The steps of handle_batch.
  struct Batch;
  Batch read_batch(const std::vector<store::Item>& items, Outcome& outcome);
  std::vector<OutboxEvent> open_sealed(Batch& batch) const;
  void deliver_to_sinks(Batch& batch, const std::vector<OutboxEvent>& deliverable);
  void delete_delivered(const Batch& batch, Outcome& outcome);
  void reschedule_failed(Batch& batch, TimePoint now, Outcome& outcome);
  void report_failure(const OutboxEvent& event, bool dead) const;
  // The items of `page` this dispatcher now owns, as stored after the claim.
  Result<std::vector<store::Item>> claim(const std::vector<store::Item>& page, TimePoint now);
  Millis jittered_delay(std::int64_t attempts);
  void refresh_pending_gauge();
  void background_pass();  // one pass of the background thread, errors logged

  store::ItemStore& store_;
  std::vector<std::unique_ptr<EventSink>> sinks_;
  const Clock& clock_;
  DispatcherOptions options_;

  std::mutex pass_mutex_;           // one pass at a time
  std::mt19937_64 random_;          // guarded by pass_mutex_
  TimePoint last_gauge_refresh_{};  // guarded by pass_mutex_
  bool gauge_stale_ = false;        // events changed since; guarded by pass_mutex_

  // Set by a notify until the next background pass starts: later notifies need not wake it.
  std::atomic<bool> wake_pending_{false};
  PeriodicTask task_;  // last: its thread stops before the members it uses go
};

// `tenantd outbox list`: up to `limit` events of `status` (PENDING | FAILED), oldest first.
Result<std::vector<OutboxEvent>> list_outbox(store::ItemStore& store, std::string_view status,
                                             std::size_t limit);

// `tenantd outbox retry [EVENT_ID]`: moves FAILED events (all, or the one named) back to
// PENDING with attempts reset and due now; returns how many moved. An unknown id is NOT_FOUND.
Result<std::size_t> retry_failed(store::ItemStore& store, const Clock& clock,
                                 std::optional<std::string> event_id);

}  // namespace tenantd::events
