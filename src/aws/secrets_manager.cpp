#include "aws/secrets_manager.hpp"

#include "aws/aws_json_client.hpp"
#include "core/json.hpp"

namespace tenantd::aws {

Result<std::string> read_secret_string(const EnvLookup& env, std::string_view secret_id) {
  TENANTD_TRY_ASSIGN(auto client, open_json_client(env, {"SECRETS_MANAGER", "secretsmanager",
                                                         "secretsmanager", "1.1"}));
  JsonWriter body;
  body.begin_object().field("SecretId", secret_id).end_object();
  TENANTD_TRY_ASSIGN(auto response, client->call("GetSecretValue", body.str()));
  const std::string what = "Secrets Manager secret " + std::string(secret_id);
  if (!response.ok()) {
    const auto code = response.error_type == "ResourceNotFoundException"
                          ? ErrorCode::ValidationError
                          : ErrorCode::ServiceUnavailable;
    return aws_error(what, response, code);
  }
  const auto doc = parse_json(response.body);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::ServiceUnavailable, what + ": unreadable answer");
  }
  const auto value = doc->FindMember("SecretString");
  if (value == doc->MemberEnd() || !value->value.IsString() ||
      value->value.GetStringLength() == 0) {
    return Error::make(ErrorCode::ValidationError, what + " has no SecretString");
  }
  return std::string(as_view(value->value));
}

}  // namespace tenantd::aws
