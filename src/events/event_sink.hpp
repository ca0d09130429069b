#pragma once
// The port through which the outbox dispatcher delivers events (docs/events.md). Adapters:
// file_sink (local NDJSON), eventbridge_sink, sns_sink, webhook_sink.
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "events/outbox_event.hpp"

namespace tenantd::events {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // "file", "eventbridge", ...: for logs and lastError.
  virtual std::string_view name() const = 0;
  // Delivers `batch` and returns exactly one Status per event, in order, so that batching
  // sinks can report per-entry failures. OK means the event is durably accepted by the target.
  // A VALIDATION_ERROR status means no attempt can succeed (the event is over the target's size
  // limit, ...): the dispatcher parks the event as FAILED at once instead of retrying it.
  // Must be safe to call from several threads.
  virtual std::vector<Status> deliver(const std::vector<OutboxEvent>& batch) = 0;
};

}  // namespace tenantd::events
