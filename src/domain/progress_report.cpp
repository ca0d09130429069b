#include "domain/progress_report.hpp"

#include <array>
#include <utility>

namespace tenantd::domain {

namespace {
constexpr std::array<std::pair<ReportType, std::string_view>, 3> kNames = {{
    {ReportType::StateChanged, "STATE_CHANGED"},
    {ReportType::OperationCompleted, "OPERATION_COMPLETED"},
    {ReportType::OperationFailed, "OPERATION_FAILED"},
}};
}  // namespace

std::string_view to_string(ReportType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) {
      return name;
    }
  }
  return "UNKNOWN";
}

std::optional<ReportType> parse_report_type(std::string_view text) {
  for (const auto& [t, name] : kNames) {
    if (name == text) {
      return t;
    }
  }
  return std::nullopt;
}

}  // namespace tenantd::domain
