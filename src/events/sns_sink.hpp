#pragma once
// Delivers outbox events to an SNS topic (docs/events.md): one Publish per event whose message is
// the event's envelope JSON and whose message attributes eventType and tenantId (String) let
// subscribers filter without reading the message.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "aws/aws_query_client.hpp"
#include "aws/environment.hpp"
#include "core/result.hpp"
#include "events/event_sink.hpp"

namespace tenantd::events {

inline constexpr std::size_t kSnsMaxMessageBytes = std::size_t{256} * 1024;

// The Publish parameters (besides Action and Version) for one event's envelope.
aws::QueryParams publish_params(const std::string& topic_arn, const OutboxEvent& event,
                                const std::string& envelope);

// The event's Status from a Publish answer: OK when it carries a MessageId.
Status publish_status(const aws::AwsResponse& response);

class SnsSink final : public EventSink {
 public:
  // Endpoint (AWS_ENDPOINT_URL_SNS, ...), region, credentials and retries from `env`.
  static Result<std::unique_ptr<SnsSink>> open(const aws::EnvLookup& env, std::string topic_arn);
  SnsSink(std::unique_ptr<aws::AwsQueryClient> client, std::string topic_arn, std::string region);

  std::string_view name() const override { return "sns"; }
  std::vector<Status> deliver(const std::vector<OutboxEvent>& batch) override;

 private:
  std::unique_ptr<aws::AwsQueryClient> client_;
  std::string topic_arn_;
  std::string region_;  // the envelope's region
};

}  // namespace tenantd::events
