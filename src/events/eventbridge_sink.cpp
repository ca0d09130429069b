#include "events/eventbridge_sink.hpp"

#include "core/json.hpp"

namespace tenantd::events {

namespace {

constexpr std::size_t kTimeBytes = 14;  // EventBridge's fixed charge for an entry's Time

Error call_failed(std::string message) {
  return Error::make(ErrorCode::ServiceUnavailable, "PutEvents: " + std::move(message));
}

std::string string_member(const JsonValue& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return std::string(as_view(it->value));
}

std::string_view detail_of(const OutboxEvent& event) {
  return event.detail_json.empty() ? std::string_view("{}") : std::string_view(event.detail_json);
}

}  // namespace

std::size_t put_events_entry_size(const OutboxEvent& event) {
  return kTimeBytes + event.source.size() + event.detail_type.size() + detail_of(event).size();
}

std::string put_events_body(const std::string& bus_name, const std::vector<OutboxEvent>& events,
                            const std::vector<std::size_t>& batch) {
  JsonWriter w;
  w.begin_object().key("Entries").begin_array();
  for (const std::size_t i : batch) {
    const OutboxEvent& event = events[i];
    // The JSON protocol sends timestamps as epoch seconds; the event keeps its own time rather
    // than the time of delivery.
    w.begin_object()
        .field("EventBusName", bus_name)
        .field("Source", event.source)
        .field("DetailType", event.detail_type)
        .field("Detail", detail_of(event))
        .field("Time", static_cast<double>(epoch_ms(event.time)) / 1000.0)
        .end_object();
  }
  w.end_array().end_object();
  return w.str();
}

std::vector<Status> put_events_statuses(const aws::AwsResponse& response, std::size_t count) {
  if (!response.ok()) {
    return std::vector<Status>(count, call_failed(response.failure()));
  }
  const auto doc = parse_json(response.body);
  const JsonValue* entries = nullptr;
  if (doc && doc->IsObject()) {
    const auto it = doc->FindMember("Entries");
    if (it != doc->MemberEnd() && it->value.IsArray() && it->value.Size() == count) {
      entries = &it->value;
    }
  }
  if (entries == nullptr) {
    return std::vector<Status>(count, call_failed("an answer without one entry per event"));
  }
  std::vector<Status> statuses;
  statuses.reserve(count);
  for (const auto& entry : entries->GetArray()) {
    if (!entry.IsObject()) {
      statuses.emplace_back(call_failed("an entry of the answer is not an object"));
      continue;
    }
    const std::string code = string_member(entry, "ErrorCode");
    if (!code.empty()) {
      statuses.emplace_back(
          call_failed("entry refused: " + code + ": " + string_member(entry, "ErrorMessage")));
    } else if (string_member(entry, "EventId").empty()) {
      statuses.emplace_back(
          call_failed("an entry of the answer has neither EventId nor ErrorCode"));
    } else {
      statuses.emplace_back();
    }
  }
  return statuses;
}

Result<std::unique_ptr<EventBridgeSink>> EventBridgeSink::open(const aws::EnvLookup& env,
                                                               std::string bus_name) {
  TENANTD_TRY_ASSIGN(auto client,
                     aws::open_json_client(env, {"EVENTBRIDGE", "events", "AWSEvents", "1.1"}));
  return std::make_unique<EventBridgeSink>(std::move(client), std::move(bus_name));
}

EventBridgeSink::EventBridgeSink(std::unique_ptr<aws::AwsJsonClient> client, std::string bus_name)
    : client_(std::move(client)), bus_name_(std::move(bus_name)) {}

std::vector<Status> EventBridgeSink::deliver(const std::vector<OutboxEvent>& batch) {
  std::vector<Status> statuses(batch.size());
  std::vector<std::size_t> pending;
  std::size_t pending_bytes = 0;
  const auto flush = [&] {
    if (pending.empty()) {
      return;
    }
    const std::string body = put_events_body(bus_name_, batch, pending);
    auto response = client_->call("PutEvents", body);
    std::vector<Status> answered =
        response ? put_events_statuses(*response, pending.size())
                 : std::vector<Status>(pending.size(), call_failed(response.error().message));
    for (std::size_t j = 0; j < pending.size(); ++j) {
      statuses[pending[j]] = std::move(answered[j]);
    }
    pending.clear();
    pending_bytes = 0;
  };
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::size_t size = put_events_entry_size(batch[i]);
    if (size > kPutEventsMaxBytes) {
      // EventBridge would refuse it on every attempt: fail it here, with the reason.
      statuses[i] = Error::make(ErrorCode::ValidationError,
                                "PutEvents: the event is " + std::to_string(size) +
                                    " bytes, over EventBridge's limit of " +
                                    std::to_string(kPutEventsMaxBytes) + " (not retryable)");
      continue;
    }
    if (pending.size() == kPutEventsMaxEntries || pending_bytes + size > kPutEventsMaxBytes) {
      flush();
    }
    pending.push_back(i);
    pending_bytes += size;
  }
  flush();
  return statuses;
}

}  // namespace tenantd::events
