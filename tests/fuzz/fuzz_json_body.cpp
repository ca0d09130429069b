// Every JSON body decoder: the first byte picks one of the routes that read a body, the rest is
// the body, sent through the API as the platform admin (progress reports as the `system`
// worker). The body is also parsed and re-serialised by the JSON layer on its own.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "fuzz/fuzz_app.hpp"
#include "fuzz/fuzz_checks.hpp"

namespace {

struct BodyRoute {
  const char* method;
  const char* target;  // with fuzz_app.hpp's placeholders
  bool as_worker;
};

// Order is part of the seed format (corpus/fuzz_json_body/*: first byte % size()).
constexpr std::array<BodyRoute, 18> kRoutes{{
    {"POST", "/v1.0/tenants", false},
    {"PUT", "/v1.0/tenants/{tenant}", false},
    {"PATCH", "/v1.0/tenants/{tenant}/status", false},
    {"POST", "/v1.0/tenants/{tenant}/suspend", false},
    {"POST", "/v1.0/tenants/{tenant}/users", false},
    {"PUT", "/v1.0/tenants/{tenant}/users/{user}", false},
    {"PUT", "/v1.0/tenants/{tenant}/hierarchy", false},
    {"POST", "/v1.0/tenants/{tenant}/invitations", false},
    {"POST", "/v1.0/invitations", false},
    {"POST", "/v1.0/invitations/{invitation}/decline", false},
    {"POST", "/v1.0/tenants/{tenant}/instances", false},
    {"PUT", "/v1.0/instances/{instance}", false},
    {"PUT", "/v1.0/instances/{instance}/status", false},
    {"PUT", "/v1.0/instances/{instance}/size", false},
    {"POST", "/v1.0/instances/{instance}/backup", false},
    {"POST", "/v1.0/instances/{instance}/restore", false},
    {"POST", "/v1.0/instances/{instance}/events", true},
    {"POST", "/v1.0/tenants/{tenant}/resume", false},
}};

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const BodyRoute& route = kRoutes[data[0] % kRoutes.size()];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);

  if (auto doc = tenantd::parse_json(body)) {
    // What the JSON layer writes, it must read back.
    const std::string text = tenantd::to_json(*doc);
    if (!tenantd::parse_json(text)) {
      tenantd::Response shown{0, {}, text};
      tenantd::fuzz::finding("to_json wrote JSON that parse_json refuses", shown);
    }
  }

  auto& app = tenantd::fuzz::FuzzApp::get();
  std::vector<tenantd::Header> headers;
  if (route.as_worker) {
    headers.push_back({"Authorization", app.expand("Bearer {worker}")});
  }
  tenantd::fuzz::check_response(
      app.call(route.method, app.expand(route.target), body, std::move(headers)));
  return 0;
}
