#pragma once
// The tags of ECS services and tasks (ListTagsForResource), for matching EventBridge ECS events to
// tenants (docs/instances.md#progress-reports): the events carry ARNs but no tags. Answers are
// cached per ARN for the life of the process, as tags of a tenant's service do not change.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_json_client.hpp"
#include "aws/environment.hpp"
#include "core/result.hpp"
#include "service/ecs_events.hpp"

namespace tenantd::aws {

class EcsTagReader {
 public:
  // Endpoint, region, credentials and retries from the environment (AWS_ENDPOINT_URL_ECS, ...).
  static Result<std::unique_ptr<EcsTagReader>> open(const EnvLookup& env);
  explicit EcsTagReader(std::unique_ptr<AwsJsonClient> client);

  // The resource's tags; nullopt when ECS does not know the ARN.
  Result<std::optional<service::EcsTags>> tags(std::string_view arn);

 private:
  std::unique_ptr<AwsJsonClient> client_;
  std::mutex mutex_;
  std::map<std::string, std::optional<service::EcsTags>, std::less<>> cache_;
};

}  // namespace tenantd::aws
