#pragma once
// Secrets Manager GetSecretValue: where a Lambda keeps the secrets it must share with every other
// instance (SERVICE_SECRET_ARN), instead of a plain environment variable.
#include <string>
#include <string_view>

#include "aws/environment.hpp"
#include "core/result.hpp"

namespace tenantd::aws {

// The SecretString of the secret's current version. A secret that does not exist or holds only
// binary data is a VALIDATION_ERROR naming it; no access or an unreachable service is
// SERVICE_UNAVAILABLE. Messages never contain the secret.
Result<std::string> read_secret_string(const EnvLookup& env, std::string_view secret_id);

}  // namespace tenantd::aws
