#pragma once
#include <string_view>

namespace tenantd::api {

// docs/openapi.yaml as JSON, embedded at build time.
std::string_view openapi_json();

}  // namespace tenantd::api
