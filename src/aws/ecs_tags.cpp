#include "aws/ecs_tags.hpp"

#include "core/json.hpp"

namespace tenantd::aws {

namespace {

// ECS's answers for an ARN it does not know (a deleted service, a stopped task, another account).
bool unknown_resource(const std::string& error_type) {
  return error_type.find("NotFound") != std::string::npos ||
         error_type.find("InvalidParameter") != std::string::npos ||
         error_type.find("ClientException") != std::string::npos;
}

}  // namespace

Result<std::unique_ptr<EcsTagReader>> EcsTagReader::open(const EnvLookup& env) {
  TENANTD_TRY_ASSIGN(
      auto client,
      open_json_client(env, {"ECS", "ecs", "AmazonEC2ContainerServiceV20141113", "1.1"}));
  return std::make_unique<EcsTagReader>(std::move(client));
}

EcsTagReader::EcsTagReader(std::unique_ptr<AwsJsonClient> client) : client_(std::move(client)) {}

Result<std::optional<service::EcsTags>> EcsTagReader::tags(std::string_view arn) {
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(arn); it != cache_.end()) {
      return it->second;
    }
  }
  JsonWriter body;
  body.begin_object().field("resourceArn", arn).end_object();
  TENANTD_TRY_ASSIGN(auto response, client_->call("ListTagsForResource", body.str()));
  std::optional<service::EcsTags> found;
  if (response.ok()) {
    const auto doc = parse_json(response.body);
    if (!doc || !doc->IsObject()) {
      return Error::make(ErrorCode::ServiceUnavailable,
                         "ECS ListTagsForResource: unreadable answer");
    }
    found.emplace();
    if (const auto list = doc->FindMember("tags");
        list != doc->MemberEnd() && list->value.IsArray()) {
      for (const auto& tag : list->value.GetArray()) {
        if (tag.IsObject() && tag.HasMember("key") && tag.HasMember("value") &&
            tag["key"].IsString() && tag["value"].IsString()) {
          found->emplace(std::string(as_view(tag["key"])), std::string(as_view(tag["value"])));
        }
      }
    }
  } else if (!unknown_resource(response.error_type)) {
    return aws_error("ECS ListTagsForResource", response);
  }  // else: ECS does not know the resource (deleted, another account): not ours
  const std::lock_guard lock(mutex_);
  cache_.emplace(std::string(arn), found);
  return found;
}

}  // namespace tenantd::aws
