#pragma once
// Where AWS settings come from: the process environment, or a map in tests.
#include <functional>
#include <optional>
#include <string>

namespace tenantd::aws {

// The value of a variable, nullopt when unset or empty.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

EnvLookup process_environment();

}  // namespace tenantd::aws
