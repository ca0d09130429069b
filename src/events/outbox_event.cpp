#include "events/outbox_event.hpp"

#include <cstdio>
#include <string_view>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "events/outbox_keys.hpp"

namespace tenantd::events {

namespace {

// The outbox stores `detail` as an embedded object; an empty detail is the empty object so
// that the item and the envelope stay valid JSON.
std::string_view detail_or_empty(const std::string& detail_json) {
  if (detail_json.empty()) {
    return "{}";
  }
  return detail_json;
}

TimePoint due_time(const OutboxEvent& event) {
  // An event appended without a schedule is due as soon as it exists.
  if (event.next_attempt_at == TimePoint{}) {
    return event.time;
  }
  return event.next_attempt_at;
}

std::string string_member(const JsonValue& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return std::string(as_view(it->value));
}

}  // namespace

std::string outbox_sort_key(TimePoint t, std::string_view event_id) {
  std::string key = padded_epoch_ms(t);
  key += '#';
  key += event_id;
  return key;
}

std::string padded_epoch_ms(TimePoint t) {
  std::int64_t ms = epoch_ms(t);
  if (ms < 0) {
    ms = 0;
  }
  char buffer[32];
  const int n = std::snprintf(buffer, sizeof(buffer), "%013lld", static_cast<long long>(ms));
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string envelope_json(const OutboxEvent& event, const std::string& region) {
  JsonWriter w;
  w.begin_object()
      .field("version", "0")
      .field("id", event.event_id)
      .field("source", event.source)
      .field("detail-type", event.detail_type)
      .field("time", format_time(event.time))
      .field("region", region)
      .key("resources")
      .begin_array()
      .end_array()
      .key("detail")
      .raw(detail_or_empty(event.detail_json))
      .end_object();
  return w.str();
}

store::Item outbox_item(const OutboxEvent& event) {
  const bool failed = event.status == kStatusFailed;
  store::Item item;
  item.pk = failed ? kFailedPk : kPendingPk;
  item.sk = outbox_sort_key(event.time, event.event_id);
  if (failed) {
    // Lets `tenantd outbox retry <eventId>` find one dead letter without reading them all.
    item.indexes[1] = store::IndexKey{kFailedPk, event.event_id};
  } else {
    item.indexes[0] = store::IndexKey{kDuePk, outbox_sort_key(due_time(event), event.event_id)};
  }

  JsonWriter w;
  w.begin_object()
      .field("eventId", event.event_id)
      .field("source", event.source)
      .field("detailType", event.detail_type)
      .field("time", format_time(event.time))
      .field("tenantId", event.tenant_id)
      .key("detail")
      .raw(detail_or_empty(event.detail_json))
      .field("attempts", event.attempts)
      .field("status", failed ? kStatusFailed : kStatusPending)
      .field("nextAttemptAt", format_time(due_time(event)));
  if (event.version >= 0) {
    w.field("version", event.version);
  }
  if (!event.sealed_detail.empty()) {
    w.field("sealedDetail", event.sealed_detail);
  }
  if (!event.last_error.empty()) {
    w.field("lastError", event.last_error);
  }
  if (!event.delivered_to.empty()) {
    w.key("deliveredTo").begin_array();
    for (const auto& sink : event.delivered_to) {
      w.value(sink);
    }
    w.end_array();
  }
  w.end_object();
  item.data = w.str();
  return item;
}

std::optional<OutboxEvent> opened_for_delivery(const OutboxEvent& event, std::string_view key) {
  auto members = unseal(key, event.sealed_detail);
  if (!members) {
    return std::nullopt;
  }
  OutboxEvent opened = event;
  opened.sealed_detail.clear();
  std::string detail(detail_or_empty(event.detail_json));
  detail.pop_back();  // the closing brace
  if (detail.size() > 1 && !members->empty()) {
    detail += ',';
  }
  detail += *members;
  detail += '}';
  opened.detail_json = std::move(detail);
  return opened;
}

store::WriteOp outbox_append(const OutboxEvent& event) {
  return store::Put{store::Table::Control, outbox_item(event), store::Condition::not_exists()};
}

OutboxEvent outbox_event_from(const store::Item& item) {
  OutboxEvent event;
  event.status = item.pk == kFailedPk ? kStatusFailed : kStatusPending;
  // The sort key alone still names the event if the data cannot be read.
  const auto hash = item.sk.find('#');
  if (hash != std::string::npos) {
    event.event_id = item.sk.substr(hash + 1);
  }

  const auto doc = parse_json(item.data);
  if (!doc || !doc->IsObject()) {
    event.last_error = "outbox item data is not a JSON object";
    return event;
  }
  const JsonValue& data = *doc;
  if (auto id = string_member(data, "eventId"); !id.empty()) {
    event.event_id = std::move(id);
  }
  event.source = string_member(data, "source");
  event.detail_type = string_member(data, "detailType");
  event.tenant_id = string_member(data, "tenantId");
  event.last_error = string_member(data, "lastError");
  event.sealed_detail = string_member(data, "sealedDetail");
  if (auto status = string_member(data, "status"); !status.empty()) {
    event.status = std::move(status);
  }
  if (const auto t = parse_time(string_member(data, "time"))) {
    event.time = *t;
  }
  if (const auto t = parse_time(string_member(data, "nextAttemptAt"))) {
    event.next_attempt_at = *t;
  }
  if (const auto it = data.FindMember("attempts"); it != data.MemberEnd() && it->value.IsInt64()) {
    event.attempts = it->value.GetInt64();
  }
  const auto version = data.FindMember("version");
  event.version =
      version != data.MemberEnd() && version->value.IsInt64() ? version->value.GetInt64() : -1;
  if (const auto it = data.FindMember("deliveredTo");
      it != data.MemberEnd() && it->value.IsArray()) {
    for (const auto& sink : it->value.GetArray()) {
      if (sink.IsString()) {
        event.delivered_to.emplace_back(as_view(sink));
      }
    }
  }
  if (const auto it = data.FindMember("detail"); it != data.MemberEnd()) {
    event.detail_json = to_json(it->value);
  }
  return event;
}

}  // namespace tenantd::events
