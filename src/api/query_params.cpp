#include "api/query_params.hpp"

namespace tenantd::api {

QueryParams QueryParams::parse(std::string_view raw) {
  QueryParams q;
  while (!raw.empty()) {
    const auto amp = raw.find('&');
    const std::string_view part = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (part.empty()) {
      continue;
    }
    const auto eq = part.find('=');
    std::string name = percent_decode(part.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : percent_decode(part.substr(eq + 1), true);
    q.params_.emplace_back(std::move(name), std::move(value));
  }
  return q;
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

}  // namespace tenantd::api
