#include "events/sns_sink.hpp"

namespace tenantd::events {

namespace {

constexpr const char* kSnsVersion = "2010-03-31";

Error publish_failed(std::string message) {
  return Error::make(ErrorCode::ServiceUnavailable, "SNS Publish: " + std::move(message));
}

void add_attribute(aws::QueryParams& params, int n, const char* name, const std::string& value) {
  const std::string prefix = "MessageAttributes.entry." + std::to_string(n);
  params.emplace_back(prefix + ".Name", name);
  params.emplace_back(prefix + ".Value.DataType", "String");
  params.emplace_back(prefix + ".Value.StringValue", value);
}

}  // namespace

aws::QueryParams publish_params(const std::string& topic_arn, const OutboxEvent& event,
                                const std::string& envelope) {
  aws::QueryParams params = {{"TopicArn", topic_arn}, {"Message", envelope}};
  add_attribute(params, 1, "eventType", event.detail_type);
  // SNS refuses an attribute with an empty value; events of no tenant carry none.
  if (!event.tenant_id.empty()) {
    add_attribute(params, 2, "tenantId", event.tenant_id);
  }
  return params;
}

Status publish_status(const aws::AwsResponse& response) {
  if (!response.ok()) {
    return publish_failed(response.failure());
  }
  if (aws::xml_text(response.body, "MessageId").empty()) {
    return publish_failed("an answer without a MessageId");
  }
  return {};
}

Result<std::unique_ptr<SnsSink>> SnsSink::open(const aws::EnvLookup& env, std::string topic_arn) {
  TENANTD_TRY_ASSIGN(auto endpoint, aws::resolve_endpoint(env, "SNS", "sns"));
  TENANTD_TRY_ASSIGN(auto credentials, aws::default_credentials(env));
  TENANTD_TRY_ASSIGN(auto settings, aws::client_settings(env));
  std::string region = endpoint.region;
  return std::make_unique<SnsSink>(
      std::make_unique<aws::AwsQueryClient>(
          std::move(endpoint), kSnsVersion,
          std::shared_ptr<aws::CredentialsProvider>(std::move(credentials)), std::move(settings)),
      std::move(topic_arn), std::move(region));
}

SnsSink::SnsSink(std::unique_ptr<aws::AwsQueryClient> client, std::string topic_arn,
                 std::string region)
    : client_(std::move(client)), topic_arn_(std::move(topic_arn)), region_(std::move(region)) {}

std::vector<Status> SnsSink::deliver(const std::vector<OutboxEvent>& batch) {
  std::vector<Status> statuses;
  statuses.reserve(batch.size());
  for (const auto& event : batch) {
    const std::string envelope = envelope_json(event, region_);
    if (envelope.size() > kSnsMaxMessageBytes) {
      statuses.emplace_back(
          Error::make(ErrorCode::ValidationError,
                      "SNS Publish: the envelope is " + std::to_string(envelope.size()) +
                          " bytes, over SNS's limit of " + std::to_string(kSnsMaxMessageBytes) +
                          " (not retryable)"));
      continue;
    }
    auto response = client_->call("Publish", publish_params(topic_arn_, event, envelope));
    statuses.emplace_back(response ? publish_status(*response)
                                   : Status(publish_failed(response.error().message)));
  }
  return statuses;
}

}  // namespace tenantd::events
