#pragma once
// The ECS tag lookup of the ECS event targets, in-process instead of ecs:ListTagsForResource:
// an ARN containing "untagged" has no tags, one containing "unknown" is not found, one
// containing "failing" fails the lookup, every other carries the tags of a backup run by the
// driver for a tenant of the `dev` environment.
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "service/ecs_events.hpp"

namespace tenantd::fuzz {

inline service::EcsTags backup_task_tags() {
  return {{"bbws:environment", "dev"},
          {"bbws:tenant-id", "tenant-00000000-0000-4000-8000-000000000001"},
          {"bbws:instance-id", "inst-00000000-0000-4000-8000-000000000002"},
          {"bbws:operation-id", "op-00000000-0000-4000-8000-000000000003"},
          {"bbws:operation-type", "BACKUP"},
          {"bbws:backup-location", "s3://bbws-backups-dev/t/1.tar.gz"},
          {"bbws:backup-size-bytes", "1024"},
          {"bbws:backup-checksum", "sha256:00"}};
}

inline Result<std::optional<service::EcsTags>> fuzz_tag_lookup(std::string_view arn) {
  if (arn.find("failing") != std::string_view::npos) {
    return Error::make(ErrorCode::ServiceUnavailable, "tag lookup failed");
  }
  if (arn.find("unknown") != std::string_view::npos) {
    return std::optional<service::EcsTags>();
  }
  if (arn.find("untagged") != std::string_view::npos) {
    return std::optional<service::EcsTags>(service::EcsTags{});
  }
  return std::optional<service::EcsTags>(backup_task_tags());
}

}  // namespace tenantd::fuzz
