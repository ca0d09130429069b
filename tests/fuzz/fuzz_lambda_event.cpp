// Lambda events: the invocation handler (shape detection, API Gateway v1 / v2 and ALB request
// translation and their responses, scheduled and ECS events) on the input as the event JSON.
// HTTP-shaped events go to the real API; ECS events to the ECS event mapping (with
// fuzz_ecs_tags.hpp's tags instead of AWS).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "fuzz/fuzz_app.hpp"
#include "fuzz/fuzz_ecs_tags.hpp"
#include "lambda/handler.hpp"

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& app = tenantd::fuzz::FuzzApp::get();
  static tenantd::SystemClock clock;
  static tenantd::lambda::LambdaHandler handler(
      app.api(),
      tenantd::lambda::Jobs{
          [] { return tenantd::Result<std::string>(std::string("{}")); },
          [](std::string_view event) -> tenantd::Result<std::string> {
            auto mapped =
                tenantd::service::map_ecs_event(event, "dev", tenantd::fuzz::fuzz_tag_lookup);
            if (!mapped) {
              return std::move(mapped).error();
            }
            return std::string(mapped->has_value() ? R"({"applied":true})" : "{}");
          },
          nullptr, nullptr},
      clock);
  const std::string event = app.expand(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto outcome = handler.handle(event, tenantd::lambda::Invocation{"fuzz-request", "", {}});
  if (outcome.ok && !tenantd::parse_json(outcome.body)) {
    std::fprintf(stderr, "FUZZ FINDING: a response document that is not JSON: %.2000s\n",
                 outcome.body.c_str());
    std::abort();
  }
  (void)tenantd::lambda::error_document(outcome);
  return 0;
}
