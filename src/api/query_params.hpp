#pragma once
// Query strings: percent-decoded name/value pairs.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/percent_encoding.hpp"

namespace tenantd::api {

class QueryParams {
 public:
  static QueryParams parse(std::string_view raw);

  // The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return params_; }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace tenantd::api
