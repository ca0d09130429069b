#pragma once
// Events and a request log shared by the sink tests (which talk to a FakeHttpServer).
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "events/outbox_event.hpp"

namespace tenantd::testing_support {

inline events::OutboxEvent sample_event(int n, std::string detail = {}) {
  events::OutboxEvent e;
  e.event_id = "evt-" + std::to_string(n);
  e.source = events::kTenantSource;
  e.detail_type = "TENANT_UPDATED";
  e.time = TimePoint(Millis(1764212400123LL + n));
  e.tenant_id = "tenant-" + std::to_string(n);
  e.detail_json = detail.empty() ? R"({"eventId":"evt-)" + std::to_string(n) + R"(","n":)" +
                                       std::to_string(n) + "}"
                                 : std::move(detail);
  return e;
}

// What a fake server received, in order, readable from the test thread.
struct RequestLog {
  struct Entry {
    std::string target;
    std::string content_type;
    std::string amz_target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };
  std::mutex mutex;
  std::vector<Entry> entries;

  template <class Request>
  void add(const Request& r) {
    Entry e;
    e.target = std::string(r.target());
    for (const auto& field : r) {
      e.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    e.content_type = std::string(r["Content-Type"]);
    e.amz_target = std::string(r["X-Amz-Target"]);
    e.body = r.body();
    const std::lock_guard lock(mutex);
    entries.push_back(std::move(e));
  }
  std::vector<Entry> all() {
    const std::lock_guard lock(mutex);
    return entries;
  }
};

}  // namespace tenantd::testing_support
