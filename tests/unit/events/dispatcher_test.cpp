#include "events/dispatcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "events/outbox_keys.hpp"
#include "obs/logger.hpp"
#include "obs/metrics.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::events {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart{std::chrono::milliseconds(1769337000000)};

// Records what it was given; fails an event while its remaining failure budget lasts.
class FakeSink final : public EventSink {
 public:
  explicit FakeSink(std::string name = "fake") : name_(std::move(name)) {}

  std::string_view name() const override { return name_; }

  std::vector<Status> deliver(const std::vector<OutboxEvent>& batch) override {
    const std::lock_guard lock(mutex_);
    ++calls_;
    std::vector<Status> statuses;
    for (const auto& event : batch) {
      auto& budget = failures_[event.event_id];
      if (refused_.count(event.event_id) > 0) {
        statuses.push_back(Error::make(ErrorCode::ValidationError, "too large for the target"));
      } else if (fail_all_ > 0 || budget > 0) {
        budget = budget > 0 ? budget - 1 : 0;
        statuses.push_back(Error::make(ErrorCode::ServiceUnavailable, "target unavailable"));
      } else {
        delivered_.push_back(event.event_id);
        details_.push_back(event.detail_json);
        statuses.emplace_back();
      }
    }
    if (fail_all_ > 0) {
      --fail_all_;
    }
    if (wrong_count_) {
      statuses.pop_back();
    }
    return statuses;
  }

  void fail_event(const std::string& id, int times) {
    const std::lock_guard lock(mutex_);
    failures_[id] = times;
  }
  // The event can never be delivered (a permanent refusal).
  void refuse_event(const std::string& id) {
    const std::lock_guard lock(mutex_);
    refused_.insert(id);
  }
  void fail_next_calls(int calls) {
    const std::lock_guard lock(mutex_);
    fail_all_ = calls;
  }
  void return_wrong_count() { wrong_count_ = true; }
  std::vector<std::string> delivered() const {
    const std::lock_guard lock(mutex_);
    return delivered_;
  }
  int calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<std::string> details() const {
    const std::lock_guard lock(mutex_);
    return details_;
  }

 private:
  std::string name_;
  mutable std::mutex mutex_;
  std::map<std::string, int> failures_;
  std::set<std::string> refused_;
  int fail_all_ = 0;
  bool wrong_count_ = false;
  int calls_ = 0;
  std::vector<std::string> delivered_;
  std::vector<std::string> details_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : clock_(kStart) {
    auto opened = store::sqlite::SqliteStore::open(":memory:", "dev", clock_);
    EXPECT_TRUE(opened.ok());
    store_ = std::move(opened).value();
    options_.jitter = 0;
    options_.metrics = &metrics_;
  }

  // The dispatcher owns its sinks; tests keep raw pointers to inspect them.
  std::unique_ptr<OutboxDispatcher> make_dispatcher(std::vector<FakeSink*> sinks) {
    std::vector<std::unique_ptr<EventSink>> owned;
    for (FakeSink* sink : sinks) {
      owned.emplace_back(sink);
    }
    return std::make_unique<OutboxDispatcher>(*store_, std::move(owned), clock_, options_);
  }

  OutboxEvent append(const std::string& id, TimePoint time, std::string sealed = {}) {
    OutboxEvent event;
    event.event_id = id;
    event.source = kTenantSource;
    event.detail_type = "TENANT_CREATED";
    event.time = time;
    event.tenant_id = "tenant-1";
    event.detail_json = R"({"eventId":")" + id + R"("})";
    event.sealed_detail = std::move(sealed);
    const auto result = store_->write({outbox_append(event)});
    EXPECT_TRUE(result.ok()) << result.message;
    return event;
  }

  std::vector<OutboxEvent> list(std::string_view status) {
    auto events = list_outbox(*store_, status, 100);
    EXPECT_TRUE(events.ok());
    return events.ok() ? *events : std::vector<OutboxEvent>{};
  }

  ManualClock clock_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  obs::MetricsRegistry metrics_;
  DispatcherOptions options_;
};

TEST_F(DispatcherTest, DeliversDueEventsOldestFirstAndDeletesThem) {
  append("evt-c", kStart - 1s);
  append("evt-a", kStart - 3s);
  append("evt-b", kStart - 2s);
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});

  const auto delivered = dispatcher->dispatch_due();
  ASSERT_TRUE(delivered.ok()) << delivered.error().message;
  EXPECT_EQ(*delivered, 3u);
  EXPECT_EQ(sink->delivered(), (std::vector<std::string>{"evt-a", "evt-b", "evt-c"}));
  EXPECT_TRUE(list("PENDING").empty());
  EXPECT_EQ(metrics_.outbox_pending().value(), 0);
}

// Counting reads the pending partition; under load a pass runs every few milliseconds.
TEST_F(DispatcherTest, ThePendingGaugeIsCountedAtMostOnceASecondAfterAChange) {
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});
  append("evt-a", kStart);
  ASSERT_EQ(*dispatcher->dispatch_due(), 1u);
  EXPECT_EQ(metrics_.outbox_pending().value(), 0);

  sink->fail_event("evt-b", 5);
  append("evt-b", kStart);
  append("evt-c", kStart);
  clock_.advance(std::chrono::milliseconds(10));
  ASSERT_EQ(*dispatcher->dispatch_due(), 1u);  // evt-b stays pending, evt-c is delivered
  EXPECT_EQ(metrics_.outbox_pending().value(), 0) << "not counted again within the second";

  clock_.advance(std::chrono::milliseconds(1000));
  ASSERT_EQ(*dispatcher->dispatch_due(), 0u);  // evt-b's retry fails again
  EXPECT_EQ(metrics_.outbox_pending().value(), 1) << "the change is counted a second later";
}

TEST_F(DispatcherTest, ASecondPassDoesNotRedeliver) {
  append("evt-a", kStart);
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});
  ASSERT_EQ(*dispatcher->dispatch_due(), 1u);
  const auto again = dispatcher->dispatch_due();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  EXPECT_EQ(sink->delivered().size(), 1u);
}

TEST_F(DispatcherTest, EventsFromTheFutureWaitUntilTheyAreDue) {
  append("evt-later", kStart + 10s);
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});
  EXPECT_EQ(*dispatcher->dispatch_due(), 0u);
  EXPECT_EQ(sink->calls(), 0) << "nothing due means no sink call";
  clock_.advance(10s);
  EXPECT_EQ(*dispatcher->dispatch_due(), 1u);
}

TEST_F(DispatcherTest, DeliversEverythingDueAcrossSeveralBatchesInOnePass) {
  options_.batch = 2;
  for (int i = 0; i < 7; ++i) {
    append("evt-" + std::to_string(i), kStart - std::chrono::seconds(10 - i));
  }
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});
  EXPECT_EQ(*dispatcher->dispatch_due(), 7u);
  EXPECT_EQ(sink->calls(), 4);
  EXPECT_EQ(sink->delivered().front(), "evt-0");
  EXPECT_EQ(sink->delivered().back(), "evt-6");
}

TEST_F(DispatcherTest, FailedDeliveryBacksOffExponentiallyUntilItSucceeds) {
  append("evt-a", kStart);
  auto* sink = new FakeSink();
  sink->fail_event("evt-a", 3);
  auto dispatcher = make_dispatcher({sink});

  // Attempt 1 fails: due again after 1 s; attempt 2 after 2 s more; attempt 3 after 4 s more.
  const std::vector<std::chrono::seconds> waits = {1s, 2s, 4s};
  for (std::size_t i = 0; i < waits.size(); ++i) {
    EXPECT_EQ(*dispatcher->dispatch_due(), 0u);
    const auto pending = list("PENDING");
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].attempts, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(pending[0].next_attempt_at, clock_.now() + waits[i]);
    EXPECT_NE(pending[0].last_error.find("fake: target unavailable"), std::string::npos);

    clock_.advance(waits[i] - 1ms);
    EXPECT_EQ(*dispatcher->dispatch_due(), 0u) << "retried before its backoff ended";
    clock_.advance(1ms);
  }
  EXPECT_EQ(*dispatcher->dispatch_due(), 1u);
  EXPECT_TRUE(list("PENDING").empty());
  EXPECT_EQ(sink->calls(), 4);
}

TEST_F(DispatcherTest, BackoffDoublesFromTheBaseAndIsCapped) {
  DispatcherOptions options;
  options.base_backoff = 1000ms;
  options.max_backoff = 5min;
  EXPECT_EQ(backoff_delay(options, 1), 1s);
  EXPECT_EQ(backoff_delay(options, 2), 2s);
  EXPECT_EQ(backoff_delay(options, 5), 16s);
  EXPECT_EQ(backoff_delay(options, 9), 256s);
  EXPECT_EQ(backoff_delay(options, 10), 5min);
  EXPECT_EQ(backoff_delay(options, 1000), 5min);
}

TEST_F(DispatcherTest, JitterOnlyShortensTheBackoffWithinItsFraction) {
  options_.jitter = 0.5;
  std::set<std::int64_t> delays;
  for (int i = 0; i < 20; ++i) {
    append("evt-" + std::to_string(i), kStart);
  }
  auto* sink = new FakeSink();
  sink->fail_next_calls(1);
  auto dispatcher = make_dispatcher({sink});
  EXPECT_EQ(*dispatcher->dispatch_due(), 0u);
  for (const auto& event : list("PENDING")) {
    const auto delay = event.next_attempt_at - kStart;
    EXPECT_GE(delay, 500ms);
    EXPECT_LE(delay, 1000ms);
    delays.insert(std::chrono::duration_cast<Millis>(delay).count());
  }
  EXPECT_GT(delays.size(), 1u) << "jitter spreads retries";
}

TEST_F(DispatcherTest, EventIsParkedAsFailedAfterMaxAttemptsAndCounted) {
  options_.max_attempts = 3;
  append("evt-a", kStart);
  append("evt-b", kStart - 1ms);
  auto* sink = new FakeSink();
  sink->fail_event("evt-a", 100);
  auto dispatcher = make_dispatcher({sink});

  for (int attempt = 0; attempt < 3; ++attempt) {
    static_cast<void>(dispatcher->dispatch_due());
    clock_.advance(10min);
  }
  const auto failed = list("FAILED");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].event_id, "evt-a");
  EXPECT_EQ(failed[0].status, "FAILED");
  EXPECT_EQ(failed[0].attempts, 3);
  EXPECT_EQ(failed[0].detail_json, R"({"eventId":"evt-a"})");
  EXPECT_TRUE(list("PENDING").empty());
  EXPECT_EQ(metrics_.outbox_failed().value(), 1u);

  const int calls = sink->calls();
  EXPECT_EQ(*dispatcher->dispatch_due(), 0u);
  EXPECT_EQ(sink->calls(), calls) << "a dead letter is not retried by itself";
}

TEST_F(DispatcherTest, RetryFailedBringsDeadLettersBackDueNow) {
  options_.max_attempts = 1;
  append("evt-a", kStart);
  append("evt-b", kStart - 1ms);
  auto* sink = new FakeSink();
  sink->fail_next_calls(1);
  auto dispatcher = make_dispatcher({sink});
  EXPECT_EQ(*dispatcher->dispatch_due(), 0u);
  ASSERT_EQ(list("FAILED").size(), 2u);

  clock_.advance(1h);
  const auto one = retry_failed(*store_, clock_, std::string("evt-b"));
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(*one, 1u);
  auto pending = list("PENDING");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].event_id, "evt-b");
  EXPECT_EQ(pending[0].attempts, 0);
  EXPECT_EQ(pending[0].next_attempt_at, clock_.now());

  const auto rest = retry_failed(*store_, clock_, std::nullopt);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, 1u);
  EXPECT_TRUE(list("FAILED").empty());

  EXPECT_EQ(*dispatcher->dispatch_due(), 2u);
  EXPECT_EQ(sink->delivered(), (std::vector<std::string>{"evt-a", "evt-b"}));
}

TEST_F(DispatcherTest, RetryOfAnUnknownEventIsNotFound) {
  const auto result = retry_failed(*store_, clock_, std::string("evt-missing"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
}

TEST_F(DispatcherTest, AnEventASinkCanNeverTakeIsParkedAtOnce) {
  append("evt-a", kStart);
  append("evt-b", kStart - 1ms);
  auto* sink = new FakeSink();
  sink->refuse_event("evt-a");
  auto dispatcher = make_dispatcher({sink});
  EXPECT_EQ(*dispatcher->dispatch_due(), 1u);
  EXPECT_TRUE(list("PENDING").empty()) << "no retry of what cannot succeed";
  const auto failed = list("FAILED");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].event_id, "evt-a");
  EXPECT_EQ(failed[0].attempts, 1);
  EXPECT_NE(failed[0].last_error.find("fake: too large for the target"), std::string::npos);
  EXPECT_EQ(metrics_.outbox_failed().value(), 1u);
  EXPECT_EQ(sink->delivered(), std::vector<std::string>{"evt-b"});
}

TEST_F(DispatcherTest, OnlyTheEntriesASinkRejectedAreRetried) {
  append("evt-a", kStart);
  append("evt-b", kStart - 1ms);
  append("evt-c", kStart - 2ms);
  auto* sink = new FakeSink();
  sink->fail_event("evt-b", 1);
  auto dispatcher = make_dispatcher({sink});
  EXPECT_EQ(*dispatcher->dispatch_due(), 2u);
  const auto pending = list("PENDING");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].event_id, "evt-b");
  EXPECT_EQ(metrics_.outbox_pending().value(), 1);
}

TEST_F(DispatcherTest, AnEventStaysPendingUntilEverySinkAcceptedIt) {
  append("evt-a", kStart);
  auto* good = new FakeSink("good");
  auto* bad = new FakeSink("bad");
  bad->fail_event("evt-a", 1);
  auto dispatcher = make_dispatcher({good, bad});
  EXPECT_EQ(*dispatcher->dispatch_due(), 0u);
  const auto pending = list("PENDING");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_NE(pending[0].last_error.find("bad: "), std::string::npos);
  EXPECT_EQ(pending[0].last_error.find("good: "), std::string::npos);
}

TEST_F(DispatcherTest, ARetryGoesOnlyToTheSinksThatHaveNotAcceptedTheEvent) {
  append("evt-a", kStart);
  auto* good = new FakeSink("good");
  auto* bad = new FakeSink("bad");
  bad->fail_event("evt-a", 1);
  auto dispatcher = make_dispatcher({good, bad});
  EXPECT_EQ(*dispatcher->dispatch_due(), 0u);
  const auto pending = list("PENDING");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].delivered_to, std::vector<std::string>{"good"});

  clock_.advance(1s);
  EXPECT_EQ(*dispatcher->dispatch_due(), 1u);
  EXPECT_EQ(good->calls(), 1) << "the sink that accepted the event does not get it twice";
  EXPECT_EQ(bad->delivered(), std::vector<std::string>{"evt-a"});
  EXPECT_TRUE(list("PENDING").empty());
}

TEST_F(DispatcherTest, ASinkThatMiscountsItsStatusesFailsTheBatch) {
  append("evt-a", kStart);
  auto* sink = new FakeSink();
  sink->return_wrong_count();
  auto dispatcher = make_dispatcher({sink});
  EXPECT_EQ(*dispatcher->dispatch_due(), 0u);
  EXPECT_EQ(list("PENDING").size(), 1u);
}

TEST_F(DispatcherTest, UnreadableItemsAreParkedInsteadOfBlockingTheQueue) {
  store::Item junk;
  junk.pk = kPendingPk;
  junk.sk = outbox_sort_key(kStart - 1s, "evt-junk");
  junk.indexes[0] = store::IndexKey{kDuePk, junk.sk};
  junk.data = "{}";
  ASSERT_TRUE(store_->write({store::Put{store::Table::Control, junk, {}}}).ok());
  append("evt-a", kStart);
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});
  EXPECT_EQ(*dispatcher->dispatch_due(), 1u);
  EXPECT_EQ(sink->delivered(), std::vector<std::string>{"evt-a"});
  const auto failed = list("FAILED");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].event_id, "evt-junk");
}

TEST_F(DispatcherTest, ListRejectsAnUnknownStatus) {
  const auto result = list_outbox(*store_, "DONE", 10);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::ValidationError);
}

TEST_F(DispatcherTest, NotifyWakesTheBackgroundThreadBeforeItsPollInterval) {
  options_.poll_interval = 1h;
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});
  dispatcher->start();
  append("evt-a", kStart);
  dispatcher->notify();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sink->delivered().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(sink->delivered(), std::vector<std::string>{"evt-a"});
  dispatcher->stop();
}

TEST_F(DispatcherTest, StopFlushesWhatWasCommittedDuringTheLastPass) {
  options_.poll_interval = 1h;
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});
  append("evt-0", kStart - 3ms);
  dispatcher->start();
  // Once evt-0 arrived, the first pass is over and the thread sleeps for an hour.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sink->delivered().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  // No notify: only the final flush of stop() can deliver these.
  append("evt-a", kStart - 2ms);
  append("evt-b", kStart - 1ms);
  dispatcher->stop();
  EXPECT_EQ(sink->delivered(), (std::vector<std::string>{"evt-0", "evt-a", "evt-b"}));
  dispatcher->stop();  // idempotent
}

TEST_F(DispatcherTest, DeadLettersAreLoggedWithTheirLastError) {
  std::vector<std::string> lines;
  std::mutex lines_mutex;
  obs::LoggerOptions log_options;
  log_options.sink = [&](std::string_view line) {
    const std::lock_guard lock(lines_mutex);
    lines.emplace_back(line);
  };
  const obs::Logger logger(log_options);
  options_.logger = &logger;
  options_.max_attempts = 1;
  append("evt-a", kStart);
  auto* sink = new FakeSink();
  sink->fail_event("evt-a", 1);
  auto dispatcher = make_dispatcher({sink});
  static_cast<void>(dispatcher->dispatch_due());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"level\":\"error\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"eventId\":\"evt-a\""), std::string::npos);
  EXPECT_NE(lines[0].find("target unavailable"), std::string::npos);
}

TEST_F(DispatcherTest, SinksSeeSealedMembersOpenedWhileTheStoreKeepsThemSealed) {
  options_.seal_key = DerivedKey(std::string(32, 's'));
  append("evt-a", kStart,
         seal(options_.seal_key.get(), R"("acceptUrl":"https://x/?token=SECRET")"));
  auto* opened_by = new FakeSink("first");
  auto* failing = new FakeSink("second");
  failing->fail_event("evt-a", 1);
  auto dispatcher = make_dispatcher({opened_by, failing});

  ASSERT_TRUE(dispatcher->dispatch_due().ok());
  ASSERT_EQ(opened_by->details().size(), 1u);
  EXPECT_EQ(opened_by->details()[0],
            R"({"eventId":"evt-a","acceptUrl":"https://x/?token=SECRET"})");
  // Still pending for the failing sink: what is stored is sealed.
  const auto pending = list("PENDING");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(outbox_item(pending[0]).data.find("SECRET"), std::string::npos);
  EXPECT_FALSE(pending[0].sealed_detail.empty());
}

TEST_F(DispatcherTest, AnEventWhoseSealCannotBeOpenedIsNeverDelivered) {
  append("evt-a", kStart, seal(std::string(32, 'x'), R"("acceptUrl":"u")"));
  append("evt-b", kStart);
  options_.seal_key = DerivedKey(std::string(32, 'y'));
  auto* sink = new FakeSink();
  auto dispatcher = make_dispatcher({sink});

  ASSERT_TRUE(dispatcher->dispatch_due().ok());
  EXPECT_EQ(sink->delivered(), std::vector<std::string>{"evt-b"});
  const auto pending = list("PENDING");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_NE(pending[0].last_error.find("sealed"), std::string::npos);
}

// ---- claims (replicas sharing a store, decision 0024) ----

// Accepts everything; runs `during` inside the delivery, as another replica would run meanwhile.
class InterleavingSink final : public EventSink {
 public:
  explicit InterleavingSink(std::function<void()> during) : during_(std::move(during)) {}
  std::string_view name() const override { return "fake"; }
  std::vector<Status> deliver(const std::vector<OutboxEvent>& batch) override {
    during_();
    for (const auto& event : batch) {
      delivered.push_back(event.event_id);
    }
    return std::vector<Status>(batch.size());
  }
  std::vector<std::string> delivered;

 private:
  std::function<void()> during_;
};

TEST_F(DispatcherTest, EventsClaimedByOneDispatcherAreNotDeliveredByAnotherMeanwhile) {
  options_.claim_lease = 30s;
  append("evt-a", kStart - 2s);
  append("evt-b", kStart - 1s);
  auto* other_sink = new FakeSink("fake");
  auto other = make_dispatcher({other_sink});
  std::size_t delivered_by_other = 99;
  auto* sink = new InterleavingSink([&] {
    auto during = other->dispatch_due();
    ASSERT_TRUE(during.ok()) << during.error().message;
    delivered_by_other = *during;
  });
  std::vector<std::unique_ptr<EventSink>> owned;
  owned.emplace_back(sink);
  OutboxDispatcher first(*store_, std::move(owned), clock_, options_);

  const auto delivered = first.dispatch_due();
  ASSERT_TRUE(delivered.ok()) << delivered.error().message;
  EXPECT_EQ(*delivered, 2u);
  EXPECT_EQ(sink->delivered, (std::vector<std::string>{"evt-a", "evt-b"}));
  EXPECT_EQ(delivered_by_other, 0u);
  EXPECT_TRUE(other_sink->delivered().empty());
  EXPECT_TRUE(list("PENDING").empty());
}

TEST_F(DispatcherTest, EventsOfADispatcherThatOutlivedItsLeaseAreTakenOverByAnother) {
  options_.claim_lease = 30s;
  append("evt-a", kStart - 1s);
  auto* other_sink = new FakeSink("fake");
  auto other = make_dispatcher({other_sink});
  auto* sink = new InterleavingSink([&] {
    clock_.advance(31s);  // the first dispatcher stalls (or died) past its lease
    ASSERT_TRUE(other->dispatch_due().ok());
  });
  std::vector<std::unique_ptr<EventSink>> owned;
  owned.emplace_back(sink);
  OutboxDispatcher first(*store_, std::move(owned), clock_, options_);

  ASSERT_TRUE(first.dispatch_due().ok());
  EXPECT_EQ(other_sink->delivered(), (std::vector<std::string>{"evt-a"}));
  EXPECT_TRUE(list("PENDING").empty());
}

}  // namespace
}  // namespace tenantd::events
