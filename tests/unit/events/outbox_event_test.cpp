#include "events/outbox_event.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "core/json.hpp"
#include "events/outbox_keys.hpp"

namespace tenantd::events {
namespace {

const TimePoint kTime{std::chrono::milliseconds(1769337000123)};

OutboxEvent sample_event() {
  OutboxEvent event;
  event.event_id = "evt-00000000-0000-4000-8000-000000000001";
  event.source = kTenantSource;
  event.detail_type = "TENANT_CREATED";
  event.time = kTime;
  event.tenant_id = "tenant-00000000-0000-4000-8000-000000000002";
  event.detail_json =
      R"({"eventId":"evt-00000000-0000-4000-8000-000000000001","tenantId":"tenant-1","actor":"a@b.c","quote":"say \"hi\""})";
  return event;
}

TEST(OutboxEnvelope, HasTheEventBridgeShapeWithDetailEmbeddedVerbatim) {
  const std::string json = envelope_json(sample_event(), "eu-west-1");
  const auto doc = parse_json(json);
  ASSERT_TRUE(doc.has_value()) << json;
  ASSERT_TRUE(doc->IsObject());
  EXPECT_EQ(doc->MemberCount(), 8u);
  EXPECT_STREQ((*doc)["version"].GetString(), "0");
  EXPECT_STREQ((*doc)["id"].GetString(), "evt-00000000-0000-4000-8000-000000000001");
  EXPECT_STREQ((*doc)["source"].GetString(), "bbws.tenant-management");
  EXPECT_STREQ((*doc)["detail-type"].GetString(), "TENANT_CREATED");
  EXPECT_STREQ((*doc)["time"].GetString(), "2026-01-25T10:30:00.123Z");
  EXPECT_STREQ((*doc)["region"].GetString(), "eu-west-1");
  ASSERT_TRUE((*doc)["resources"].IsArray());
  EXPECT_EQ((*doc)["resources"].Size(), 0u);
  ASSERT_TRUE((*doc)["detail"].IsObject());
  EXPECT_EQ(to_json((*doc)["detail"]), sample_event().detail_json);
}

TEST(OutboxEnvelope, EmptyDetailBecomesAnEmptyObject) {
  OutboxEvent event = sample_event();
  event.detail_json.clear();
  const auto doc = parse_json(envelope_json(event, "eu-west-1"));
  ASSERT_TRUE(doc.has_value());
  ASSERT_TRUE((*doc)["detail"].IsObject());
  EXPECT_EQ((*doc)["detail"].MemberCount(), 0u);
}

TEST(OutboxItem, PendingEventIsKeyedByTimeAndIndexedByDueTime) {
  OutboxEvent event = sample_event();
  event.next_attempt_at = kTime + std::chrono::seconds(4);
  const store::Item item = outbox_item(event);
  EXPECT_EQ(item.pk, "OUTBOX#PENDING");
  EXPECT_EQ(item.sk, "1769337000123#evt-00000000-0000-4000-8000-000000000001");
  ASSERT_TRUE(item.indexes[0].has_value());
  EXPECT_EQ(item.indexes[0]->pk, "OUTBOX#DUE");
  EXPECT_EQ(item.indexes[0]->sk, "1769337004123#evt-00000000-0000-4000-8000-000000000001");
  EXPECT_FALSE(item.indexes[1].has_value());
  EXPECT_FALSE(item.ttl.has_value());

  const auto data = parse_json(item.data);
  ASSERT_TRUE(data.has_value());
  EXPECT_TRUE((*data)["detail"].IsObject()) << "detail is embedded, not a string";
  EXPECT_STREQ((*data)["detailType"].GetString(), "TENANT_CREATED");
  EXPECT_STREQ((*data)["status"].GetString(), "PENDING");
  EXPECT_EQ((*data)["attempts"].GetInt64(), 0);
  EXPECT_FALSE(data->HasMember("lastError"));
}

TEST(OutboxItem, UnscheduledEventIsDueAtItsOwnTime) {
  const store::Item item = outbox_item(sample_event());
  ASSERT_TRUE(item.indexes[0].has_value());
  EXPECT_EQ(item.indexes[0]->sk, item.sk);
}

TEST(OutboxItem, EarlyTimesArePaddedToThirteenDigitsSoTextOrderIsTimeOrder) {
  EXPECT_EQ(padded_epoch_ms(TimePoint{std::chrono::milliseconds(42)}), "0000000000042");
  EXPECT_LT(outbox_sort_key(TimePoint{std::chrono::milliseconds(999)}, "evt-b"),
            outbox_sort_key(TimePoint{std::chrono::milliseconds(1000)}, "evt-a"));
}

TEST(OutboxItem, RoundTripsEveryField) {
  OutboxEvent event = sample_event();
  event.attempts = 3;
  event.next_attempt_at = kTime + std::chrono::seconds(8);
  event.last_error = "file: disk full";
  event.delivered_to = {"eventbridge"};
  const OutboxEvent back = outbox_event_from(outbox_item(event));
  EXPECT_EQ(back.event_id, event.event_id);
  EXPECT_EQ(back.source, event.source);
  EXPECT_EQ(back.detail_type, event.detail_type);
  EXPECT_EQ(back.time, event.time);
  EXPECT_EQ(back.tenant_id, event.tenant_id);
  EXPECT_EQ(back.detail_json, event.detail_json);
  EXPECT_EQ(back.attempts, 3);
  EXPECT_EQ(back.status, "PENDING");
  EXPECT_EQ(back.next_attempt_at, event.next_attempt_at);
  EXPECT_EQ(back.last_error, "file: disk full");
  EXPECT_EQ(back.delivered_to, std::vector<std::string>{"eventbridge"});
}

TEST(OutboxItem, FailedEventLeavesTheDueIndexAndIsFindableById) {
  OutboxEvent event = sample_event();
  event.status = "FAILED";
  event.attempts = 10;
  const store::Item item = outbox_item(event);
  EXPECT_EQ(item.pk, "OUTBOX#FAILED");
  EXPECT_EQ(item.sk, "1769337000123#evt-00000000-0000-4000-8000-000000000001");
  EXPECT_FALSE(item.indexes[0].has_value());
  ASSERT_TRUE(item.indexes[1].has_value());
  EXPECT_EQ(item.indexes[1]->sk, event.event_id);
  EXPECT_EQ(outbox_event_from(item).status, "FAILED");
}

TEST(OutboxItem, AppendIsAPutIntoControlThatNeverOverwrites) {
  const store::WriteOp op = outbox_append(sample_event());
  const auto* put = std::get_if<store::Put>(&op);
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->table, store::Table::Control);
  EXPECT_EQ(put->condition.kind, store::Condition::Kind::NotExists);
  EXPECT_EQ(put->item.pk, "OUTBOX#PENDING");
}

TEST(OutboxItem, UnreadableDataStillNamesTheEventFromItsKey) {
  store::Item item;
  item.pk = "OUTBOX#PENDING";
  item.sk = "1769337000123#evt-x";
  item.data = "not json";
  const OutboxEvent event = outbox_event_from(item);
  EXPECT_EQ(event.event_id, "evt-x");
  EXPECT_FALSE(event.last_error.empty());
  EXPECT_TRUE(event.source.empty());
}

}  // namespace
}  // namespace tenantd::events
