#include "app/sinks.hpp"

#include "events/eventbridge_sink.hpp"
#include "events/file_sink.hpp"
#include "events/sns_sink.hpp"
#include "events/webhook_sink.hpp"

namespace tenantd {

namespace {

Error missing(const char* setting, const char* sink) {
  return Error{ErrorCode::ValidationError,
               "invalid configuration",
               {{setting, "REQUIRED", std::string("is required by EVENT_SINKS=") + sink}},
               {}};
}

// The envelope's region outside EventBridge (which sets its own): the AWS region when known.
std::string envelope_region(const aws::EnvLookup& aws_env) {
  if (auto region = aws_env("AWS_REGION")) {
    return *region;
  }
  return aws_env("AWS_DEFAULT_REGION").value_or("local");
}

template <class Sink>
Status add(std::vector<std::unique_ptr<events::EventSink>>& sinks, Result<Sink> opened) {
  if (!opened) {
    return std::move(opened).error();
  }
  sinks.push_back(std::move(*opened));
  return {};
}

}  // namespace

Result<std::vector<std::unique_ptr<events::EventSink>>> make_sinks(const Config& config,
                                                                   const aws::EnvLookup& aws_env) {
  std::vector<std::unique_ptr<events::EventSink>> sinks;
  for (const auto& name : config.event_sinks) {
    Status added;
    if (name == "file") {
      added = add(sinks, events::FileSink::open(config.events_path(), "local"));
    } else if (name == "eventbridge") {
      std::string bus = config.event_bus_name.empty() ? "tenant-events-" + config.environment
                                                      : config.event_bus_name;
      added = add(sinks, events::EventBridgeSink::open(aws_env, std::move(bus)));
    } else if (name == "sns") {
      if (config.sns_topic_arn.empty()) {
        return missing("SNS_TOPIC_ARN", "sns");
      }
      added = add(sinks, events::SnsSink::open(aws_env, config.sns_topic_arn));
    } else if (name == "webhook") {
      if (config.webhook_url.empty()) {
        return missing("WEBHOOK_URL", "webhook");
      }
      if (config.webhook_secret.empty()) {
        return missing("WEBHOOK_SECRET", "webhook");
      }
      added = add(sinks, events::WebhookSink::open(config.webhook_url, config.webhook_secret,
                                                   envelope_region(aws_env), config.ca_bundle));
    } else {
      return Error::make(ErrorCode::ValidationError, "EVENT_SINKS: unknown sink '" + name + "'");
    }
    if (!added) {
      return std::move(added).error();
    }
  }
  return sinks;
}

}  // namespace tenantd
