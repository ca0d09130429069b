#pragma once
// Delivers outbox events to an EventBridge bus with PutEvents (docs/events.md): up to 10
// entries per call and at most 256 KB per call; an entry that EventBridge refuses
// (FailedEntryCount / Entries[i].ErrorCode) fails only that event, so only it is retried.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "aws/aws_json_client.hpp"
#include "aws/environment.hpp"
#include "core/result.hpp"
#include "events/event_sink.hpp"

namespace tenantd::events {

// PutEvents limits: entries per call and bytes per entry / per call (as EventBridge counts them).
inline constexpr std::size_t kPutEventsMaxEntries = 10;
inline constexpr std::size_t kPutEventsMaxBytes = std::size_t{256} * 1024;

// An entry's size as EventBridge computes it: 14 bytes for Time, plus Source, DetailType and
// Detail in UTF-8 bytes (no Resources are sent).
std::size_t put_events_entry_size(const OutboxEvent& event);

// The PutEvents request body for `batch` (indexes into `events`).
std::string put_events_body(const std::string& bus_name, const std::vector<OutboxEvent>& events,
                            const std::vector<std::size_t>& batch);

// One Status per entry of a PutEvents answer with `count` entries: OK for an entry with an
// EventId, its ErrorCode and ErrorMessage otherwise; every entry fails when the answer is an
// error or cannot be read.
std::vector<Status> put_events_statuses(const aws::AwsResponse& response, std::size_t count);

class EventBridgeSink final : public EventSink {
 public:
  // Endpoint (AWS_ENDPOINT_URL_EVENTBRIDGE, ...), region, credentials and retries from `env`.
  static Result<std::unique_ptr<EventBridgeSink>> open(const aws::EnvLookup& env,
                                                       std::string bus_name);
  EventBridgeSink(std::unique_ptr<aws::AwsJsonClient> client, std::string bus_name);

  std::string_view name() const override { return "eventbridge"; }
  std::vector<Status> deliver(const std::vector<OutboxEvent>& batch) override;

 private:
  std::unique_ptr<aws::AwsJsonClient> client_;
  std::string bus_name_;
};

}  // namespace tenantd::events
