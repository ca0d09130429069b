#include "events/dispatcher.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "events/outbox_keys.hpp"
#include "obs/logger.hpp"
#include "obs/metrics.hpp"

namespace tenantd::events {

namespace {

constexpr std::size_t kMaxErrorLength = 1000;
constexpr std::size_t kMaxOpsPerWrite = 100;  // DynamoDB's transaction limit
constexpr int kPageSize = 1000;
constexpr std::size_t kPendingGaugeCap = 10000;  // the gauge saturates instead of reading on
constexpr Millis kPendingGaugeRefresh{5000};
constexpr Millis kPendingGaugeRefreshBusy{1000};

std::string sink_error(std::string_view sink, std::string_view message) {
  std::string text(sink);
  text += ": ";
  text += message;
  return text;
}

void append_error(std::string& errors, std::string_view error) {
  if (!errors.empty()) {
    errors += "; ";
  }
  errors += error;
  if (errors.size() > kMaxErrorLength) {
    errors.resize(kMaxErrorLength);
  }
}

// The event as the pending or failed item, keeping the sort key it was stored under.
store::Item item_like(const OutboxEvent& event, const store::Item& original) {
  store::Item item = outbox_item(event);
  item.sk = original.sk;
  return item;
}

bool well_formed(const OutboxEvent& event) {
  return !event.event_id.empty() && !event.source.empty() && !event.detail_type.empty();
}

// The condition under which `event`, as read, may be replaced; it bumps the version to write.
store::Condition take_version(OutboxEvent& event) {
  const store::Condition condition =
      event.version >= 0 ? store::Condition::version_is(event.version) : store::Condition::exists();
  event.version = std::max<std::int64_t>(event.version, 0) + 1;
  return condition;
}

}  // namespace

Millis backoff_delay(const DispatcherOptions& options, std::int64_t attempts) {
  Millis delay = options.base_backoff;
  for (std::int64_t i = 1; i < attempts && delay < options.max_backoff; ++i) {
    delay *= 2;
  }
  return std::min(delay, options.max_backoff);
}

OutboxDispatcher::OutboxDispatcher(store::ItemStore& store,
                                   std::vector<std::unique_ptr<EventSink>> sinks,
                                   const Clock& clock, DispatcherOptions options)
    : store_(store),
      sinks_(std::move(sinks)),
      clock_(clock),
      options_(std::move(options)),
      random_(std::random_device{}()),
      // The first pass runs at start; a notify gathers commits for `linger` before its pass.
      task_(
          options_.poll_interval, [this] { background_pass(); },
          PeriodicTaskOptions{.run_at_start = true, .linger = options_.linger}) {
  options_.batch = std::clamp<std::size_t>(options_.batch, 1, 1000);
  options_.max_attempts = std::max<std::int64_t>(options_.max_attempts, 1);
}

OutboxDispatcher::~OutboxDispatcher() {
  stop();
}

Millis OutboxDispatcher::jittered_delay(std::int64_t attempts) {
  const Millis delay = backoff_delay(options_, attempts);
  if (options_.jitter <= 0) {
    return delay;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double factor = 1.0 - std::min(options_.jitter, 1.0) * unit(random_);
  return std::max(Millis(1),
                  Millis(static_cast<std::int64_t>(static_cast<double>(delay.count()) * factor)));
}

Result<std::size_t> OutboxDispatcher::dispatch_due() {
  const std::lock_guard pass(pass_mutex_);
  const TimePoint now = clock_.now();

  store::Query query;
  query.table = store::Table::Control;
  query.index = kDueIndex;
  query.pk = kDuePk;
  // Due index keys are "<ms>#<id>": everything up to now sorts below "<now + 1 ms>".
  query.sk = store::SortCondition::at_most(padded_epoch_ms(now + Millis(1)));
  query.forward = true;
  query.limit = static_cast<int>(options_.batch);

  std::size_t delivered = 0;
  std::size_t touched = 0;
  for (;;) {
    auto page = store_.query(query);
    if (!page.ok()) {
      return std::move(page).error();
    }
    if (page->empty()) {
      break;
    }
    std::vector<store::Item> mine;
    if (options_.claim_lease > Millis(0)) {
      TENANTD_TRY_ASSIGN(auto claimed, claim(*page, now));
      mine = std::move(claimed);
      if (mine.empty()) {
        // Another dispatcher owns all of them now.
        if (page->size() < options_.batch) {
          break;
        }
        query.start_after = store::cursor_after(page->back(), kDueIndex);
        continue;
      }
    }
    const Outcome outcome = handle_batch(options_.claim_lease > Millis(0) ? mine : *page, now);
    delivered += outcome.delivered;
    touched += outcome.progressed;
    if (outcome.progressed == 0) {
      // Nothing could be recorded: stop before delivering more that we cannot account for.
      return Error::make(ErrorCode::InternalError, "outbox: no delivery outcome could be stored");
    }
    if (page->size() < options_.batch) {
      break;
    }
    // Rescheduled events moved past `now`; continue after this page rather than rereading it.
    query.start_after = store::cursor_after(page->back(), kDueIndex);
  }
  // Counting is a read of the pending partition: at most once a second after a change (under
  // load a pass runs every `linger`, and scrapes are seconds apart), else rarely.
  gauge_stale_ = gauge_stale_ || touched > 0;
  const Millis since_refresh = std::chrono::duration_cast<Millis>(now - last_gauge_refresh_);
  if (options_.metrics != nullptr &&
      (since_refresh >= (gauge_stale_ ? kPendingGaugeRefreshBusy : kPendingGaugeRefresh))) {
    last_gauge_refresh_ = now;
    gauge_stale_ = false;
    refresh_pending_gauge();
  }
  return delivered;
}

Result<std::vector<store::Item>> OutboxDispatcher::claim(const std::vector<store::Item>& page,
                                                         TimePoint now) {
  std::vector<store::Item> claimed;
  std::vector<store::WriteOp> ops;
  for (const auto& item : page) {
    OutboxEvent event = outbox_event_from(item);
    if (!well_formed(event)) {
      claimed.push_back(item);  // handle_batch parks it; parking twice is harmless
      continue;
    }
    const store::Condition condition = take_version(event);
    event.next_attempt_at = now + options_.claim_lease;
    ops.emplace_back(store::Put{store::Table::Control, item_like(event, item), condition});
  }
  // One transaction claims the whole page; an event another dispatcher claimed first fails its
  // condition, and the rest is tried again without it.
  while (!ops.empty()) {
    const store::WriteResult result = store_.write(ops);
    if (result.ok()) {
      break;
    }
    if (!result.condition_failed() || result.failed_op >= ops.size()) {
      return Error::make(ErrorCode::ServiceUnavailable, "outbox: claim failed: " + result.message);
    }
    ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(result.failed_op));
  }
  for (auto& op : ops) {
    claimed.push_back(std::move(std::get<store::Put>(op).item));
  }
  return claimed;
}

// The readable events of one batch and what delivery made of each (indexes aligned).
struct OutboxDispatcher::Batch {
  std::vector<OutboxEvent> events;
  std::vector<const store::Item*> originals;
  std::vector<std::string> errors;
  std::vector<bool> accepted;
  std::vector<bool> hopeless;  // a sink said no attempt can succeed
  std::vector<bool> openable;
};

OutboxDispatcher::Batch OutboxDispatcher::read_batch(const std::vector<store::Item>& items,
                                                     Outcome& outcome) {
  Batch batch;
  batch.events.reserve(items.size());
  for (const auto& item : items) {
    OutboxEvent event = outbox_event_from(item);
    if (well_formed(event)) {
      batch.events.push_back(std::move(event));
      batch.originals.push_back(&item);
      continue;
    }
    // Unreadable items cannot be delivered; park them so that they stop blocking the queue.
    event.status = kStatusFailed;
    if (event.last_error.empty()) {
      event.last_error = "outbox item lacks eventId, source or detailType";
    }
    const auto result = store_.write(
        {store::Delete{store::Table::Control, item.key(), store::Condition::exists()},
         store::Put{store::Table::Control, item_like(event, item), store::Condition::none()}});
    if (result.ok() || result.condition_failed()) {
      ++outcome.progressed;
    }
  }
  const std::size_t n = batch.events.size();
  batch.errors.resize(n);
  batch.accepted.assign(n, true);
  batch.hopeless.assign(n, false);
  batch.openable.assign(n, true);
  return batch;
}

// Sinks see sealed members opened; the events kept in the store stay sealed. Empty when no event
// is sealed (the events go to the sinks as they are).
std::vector<OutboxEvent> OutboxDispatcher::open_sealed(Batch& batch) const {
  std::vector<OutboxEvent> opened;
  const bool any_sealed =
      std::any_of(batch.events.begin(), batch.events.end(),
                  [](const OutboxEvent& e) { return !e.sealed_detail.empty(); });
  if (!any_sealed) {
    return opened;
  }
  opened.reserve(batch.events.size());
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    auto event = batch.events[i].sealed_detail.empty()
                     ? std::optional<OutboxEvent>(batch.events[i])
                     : opened_for_delivery(batch.events[i], options_.seal_key.get());
    if (!event) {
      batch.openable[i] = false;
      batch.accepted[i] = false;
      append_error(batch.errors[i], "its sealed detail cannot be opened with this process's key");
      event = batch.events[i];  // keeps the indexes aligned; never delivered
    }
    opened.push_back(std::move(*event));
  }
  return opened;
}

void OutboxDispatcher::deliver_to_sinks(Batch& batch, const std::vector<OutboxEvent>& deliverable) {
  for (const auto& sink : sinks_) {
    const std::string_view name = sink->name();
    // Only the events this sink has not accepted on an earlier attempt.
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
      const auto& done = batch.events[i].delivered_to;
      if (batch.openable[i] && std::find(done.begin(), done.end(), name) == done.end()) {
        todo.push_back(i);
      }
    }
    if (todo.empty()) {
      continue;
    }
    std::vector<Status> statuses;
    if (todo.size() == batch.events.size()) {
      statuses = sink->deliver(deliverable);  // the usual case: no copy
    } else {
      std::vector<OutboxEvent> subset;
      subset.reserve(todo.size());
      for (const std::size_t i : todo) {
        subset.push_back(deliverable[i]);
      }
      statuses = sink->deliver(subset);
    }
    for (std::size_t j = 0; j < todo.size(); ++j) {
      const std::size_t i = todo[j];
      if (statuses.size() != todo.size()) {
        batch.accepted[i] = false;
        append_error(batch.errors[i],
                     sink_error(name, "returned a status count that does not match the batch"));
      } else if (!statuses[j].ok()) {
        batch.accepted[i] = false;
        batch.hopeless[i] =
            batch.hopeless[i] || statuses[j].error().code == ErrorCode::ValidationError;
        append_error(batch.errors[i], sink_error(name, statuses[j].error().message));
      } else {
        batch.events[i].delivered_to.emplace_back(name);
      }
    }
  }
}

// Delivered events: delete them, in as few transactions as the store allows.
void OutboxDispatcher::delete_delivered(const Batch& batch, Outcome& outcome) {
  std::vector<store::WriteOp> deletes;
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    if (batch.accepted[i]) {
      ++outcome.delivered;
      deletes.emplace_back(store::Delete{store::Table::Control, batch.originals[i]->key(),
                                         store::Condition::exists()});
    }
  }
  for (std::size_t start = 0; start < deletes.size(); start += kMaxOpsPerWrite) {
    const std::size_t end = std::min(deletes.size(), start + kMaxOpsPerWrite);
    std::vector<store::WriteOp> chunk(deletes.begin() + static_cast<std::ptrdiff_t>(start),
                                      deletes.begin() + static_cast<std::ptrdiff_t>(end));
    if (store_.write(chunk).ok()) {
      outcome.progressed += chunk.size();
      continue;
    }
    // One event was already gone (another dispatcher) or the write failed: go one by one.
    for (auto& op : chunk) {
      const auto result = store_.write({std::move(op)});
      if (result.ok() || result.condition_failed()) {
        ++outcome.progressed;
      }
    }
  }
}

// Failed events: back off, or give up after the last attempt.
void OutboxDispatcher::reschedule_failed(Batch& batch, TimePoint now, Outcome& outcome) {
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    if (batch.accepted[i]) {
      continue;
    }
    OutboxEvent& event = batch.events[i];
    const store::Item& original = *batch.originals[i];
    event.attempts += 1;
    event.last_error = batch.errors[i];
    store::WriteResult result;
    const bool dead = event.attempts >= options_.max_attempts || batch.hopeless[i];
    if (dead) {
      event.status = kStatusFailed;
      result = store_.write(
          {store::Delete{store::Table::Control, original.key(), store::Condition::exists()},
           store::Put{store::Table::Control, item_like(event, original),
                      store::Condition::none()}});
    } else {
      event.next_attempt_at = now + jittered_delay(event.attempts);
      // Only while it is still ours: after a lease ran out another dispatcher may own it.
      const store::Condition unchanged = take_version(event);
      result =
          store_.write({store::Put{store::Table::Control, item_like(event, original), unchanged}});
    }
    if (result.ok() || result.condition_failed()) {
      ++outcome.progressed;
    }
    if (result.ok()) {
      report_failure(event, dead);
    }
  }
}

void OutboxDispatcher::report_failure(const OutboxEvent& event, bool dead) const {
  if (dead) {
    if (options_.metrics != nullptr) {
      options_.metrics->outbox_failed().inc();
    }
    if (options_.logger != nullptr) {
      options_.logger->error("outbox event failed permanently", {{"eventId", event.event_id},
                                                                 {"detailType", event.detail_type},
                                                                 {"tenantId", event.tenant_id},
                                                                 {"attempts", event.attempts},
                                                                 {"lastError", event.last_error}});
    }
  } else if (options_.logger != nullptr) {
    options_.logger->warn("outbox delivery failed; will retry",
                          {{"eventId", event.event_id},
                           {"detailType", event.detail_type},
                           {"attempts", event.attempts},
                           {"nextAttemptAt", format_time(event.next_attempt_at)},
                           {"lastError", event.last_error}});
  }
}

OutboxDispatcher::Outcome OutboxDispatcher::handle_batch(const std::vector<store::Item>& items,
                                                         TimePoint now) {
  Outcome outcome;
  Batch batch = read_batch(items, outcome);
  if (batch.events.empty()) {
    return outcome;
  }
  const std::vector<OutboxEvent> opened = open_sealed(batch);
  deliver_to_sinks(batch, opened.empty() ? batch.events : opened);
  delete_delivered(batch, outcome);
  reschedule_failed(batch, now, outcome);
  return outcome;
}

void OutboxDispatcher::refresh_pending_gauge() {
  store::Query query;
  query.table = store::Table::Control;
  query.pk = kPendingPk;
  query.limit = kPageSize;
  std::size_t pending = 0;
  while (pending < kPendingGaugeCap) {
    auto page = store_.query(query);
    if (!page.ok()) {
      return;  // keep the last known value
    }
    pending += page->size();
    if (page->size() < static_cast<std::size_t>(kPageSize)) {
      break;
    }
    query.start_after = store::cursor_after(page->back(), 0);
  }
  options_.metrics->outbox_pending().set(static_cast<double>(pending));
}

void OutboxDispatcher::start() {
  task_.start();
}

void OutboxDispatcher::stop() {
  if (!task_.stop()) {
    return;
  }
  // The flush on shutdown: whatever was committed while the last pass ran.
  const auto flushed = dispatch_due();
  if (!flushed.ok() && options_.logger != nullptr) {
    options_.logger->error("outbox flush on shutdown failed", {{"error", flushed.error().message}});
  }
}

void OutboxDispatcher::notify() {
  if (wake_pending_.exchange(true)) {
    return;  // the thread is already woken for a pass that will see this commit
  }
  task_.wake();
}

void OutboxDispatcher::background_pass() {
  wake_pending_.store(false);  // commits from here on are not yet covered by a pass
  // The thread's outermost frame: nothing may escape it, but nothing is swallowed silently.
  try {
    const auto result = dispatch_due();
    if (!result.ok() && options_.logger != nullptr) {
      options_.logger->error("outbox dispatch failed", {{"error", result.error().message}});
    }
  } catch (const std::exception& e) {
    if (options_.logger != nullptr) {
      options_.logger->error("outbox dispatch threw", {{"error", e.what()}});
    }
  }
}

Result<std::vector<OutboxEvent>> list_outbox(store::ItemStore& store, std::string_view status,
                                             std::size_t limit) {
  if (status != kStatusPending && status != kStatusFailed) {
    return Error::validation({{"status", "INVALID_VALUE", "status must be PENDING or FAILED"}});
  }
  store::Query query;
  query.table = store::Table::Control;
  query.pk = status == kStatusPending ? kPendingPk : kFailedPk;
  std::vector<OutboxEvent> events;
  while (events.size() < limit) {
    query.limit = static_cast<int>(std::min<std::size_t>(limit - events.size(), kPageSize));
    TENANTD_TRY_ASSIGN(auto page, store.query(query));
    for (const auto& item : page) {
      events.push_back(outbox_event_from(item));
    }
    if (page.size() < static_cast<std::size_t>(query.limit)) {
      break;
    }
    query.start_after = store::cursor_after(page.back(), 0);
  }
  return events;
}

namespace {

// FAILED -> PENDING in one transaction; false when another process moved it first.
Result<bool> revive(store::ItemStore& store, const store::Item& failed, TimePoint now) {
  OutboxEvent event = outbox_event_from(failed);
  event.status = kStatusPending;
  event.attempts = 0;
  event.next_attempt_at = now;
  const auto result =
      store.write({store::Delete{store::Table::Control, failed.key(), store::Condition::exists()},
                   store::Put{store::Table::Control, item_like(event, failed),
                              store::Condition::not_exists()}});
  if (result.condition_failed()) {
    return false;
  }
  if (!result.ok()) {
    return Error::make(ErrorCode::InternalError, "outbox retry failed: " + result.message);
  }
  return true;
}

}  // namespace

Result<std::size_t> retry_failed(store::ItemStore& store, const Clock& clock,
                                 std::optional<std::string> event_id) {
  const TimePoint now = clock.now();
  if (event_id) {
    store::Query query;
    query.table = store::Table::Control;
    query.index = kFailedIdIndex;
    query.pk = kFailedPk;
    query.sk = store::SortCondition::begins_with(*event_id);
    query.limit = 10;
    TENANTD_TRY_ASSIGN(auto page, store.query(query));
    for (const auto& item : page) {
      if (item.indexes[kFailedIdIndex - 1] && item.indexes[kFailedIdIndex - 1]->sk == *event_id) {
        TENANTD_TRY_ASSIGN(auto moved, revive(store, item, now));
        return std::size_t{moved ? 1u : 0u};
      }
    }
    return Error::make(ErrorCode::NotFound, "no FAILED outbox event " + *event_id);
  }

  store::Query query;
  query.table = store::Table::Control;
  query.pk = kFailedPk;
  query.limit = kPageSize;
  std::size_t moved_count = 0;
  for (;;) {
    TENANTD_TRY_ASSIGN(auto page, store.query(query));
    for (const auto& item : page) {
      TENANTD_TRY_ASSIGN(auto moved, revive(store, item, now));
      moved_count += moved ? 1 : 0;
    }
    if (page.size() < static_cast<std::size_t>(kPageSize)) {
      break;
    }
    query.start_after = store::cursor_after(page.back(), 0);
  }
  return moved_count;
}

}  // namespace tenantd::events
