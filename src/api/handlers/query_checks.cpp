#include "api/handlers/query_checks.hpp"

#include <algorithm>
#include <vector>

namespace tenantd::api {

bool is_page_param(std::string_view name) {
  return name == "limit" || name == "pageSize" || name == "nextToken" || name == "startAt";
}

FieldError unknown_query_param(const std::string& name) {
  return {name, "UNKNOWN_FIELD", "Unknown query parameter '" + name + "'"};
}

Status only_page_params(const Call& call, std::initializer_list<std::string_view> allowed) {
  std::vector<FieldError> errors;
  for (const auto& [name, value] : call.query.all()) {
    if (!is_page_param(name) && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      errors.push_back(unknown_query_param(name));
    }
  }
  if (!errors.empty()) {
    return Error::validation(std::move(errors));
  }
  return {};
}

Status no_query_params(const Call& call) {
  if (call.query.all().empty()) {
    return {};
  }
  return Error::validation({unknown_query_param(call.query.all().front().first)});
}

}  // namespace tenantd::api
