#pragma once
// The event sinks that EVENT_SINKS names, built from the configuration (docs/events.md).
#include <memory>
#include <vector>

#include "app/config.hpp"
#include "aws/environment.hpp"
#include "core/result.hpp"
#include "events/event_sink.hpp"

namespace tenantd {

// One sink per name in config.event_sinks, in that order. A sink whose required setting is
// missing (SNS_TOPIC_ARN, WEBHOOK_URL, WEBHOOK_SECRET) is a VALIDATION_ERROR naming it.
// `aws_env` supplies region, endpoints and credentials to the AWS sinks.
Result<std::vector<std::unique_ptr<events::EventSink>>> make_sinks(const Config& config,
                                                                   const aws::EnvLookup& aws_env);

}  // namespace tenantd
