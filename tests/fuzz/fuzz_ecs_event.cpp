// ECS events and the progress reports made of them: the input as an EventBridge event for
// map_ecs_event (the Lambda's ECS door), and as a task object for stopped_task_report (the
// driver's DescribeTasks polling), with fuzz_ecs_tags.hpp's tags. A report that completes a
// backup must carry the backup's result; a failure must carry an error.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz/fuzz_ecs_tags.hpp"
#include "service/ecs_events.hpp"

namespace {

void check_report(const tenantd::domain::ProgressReport& report) {
  using tenantd::domain::ReportType;
  if (report.type == ReportType::OperationFailed && !report.error) {
    std::fprintf(stderr, "FUZZ FINDING: OPERATION_FAILED report without an error\n");
    std::abort();
  }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto mapped = tenantd::service::map_ecs_event(input, "dev", tenantd::fuzz::fuzz_tag_lookup);
  if (mapped && mapped->has_value()) {
    check_report((*mapped)->report);
    if ((*mapped)->tenant_id.empty()) {
      std::fprintf(stderr, "FUZZ FINDING: an ECS report for no tenant\n");
      std::abort();
    }
  }
  const auto stopped =
      tenantd::service::stopped_task_report(input, tenantd::fuzz::backup_task_tags());
  if (stopped && stopped->has_value()) {
    check_report(**stopped);
  }
  return 0;
}
