#pragma once
// Builds the application from a Config: the store, services, API and background work.
// main.cpp uses only this, so every mode (serve, lambda, invoke, CLI) is wired the same way.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "core/clock.hpp"
#include "core/http_message.hpp"
#include "core/result.hpp"

namespace tenantd::obs {
class Logger;
class MetricsRegistry;
}  // namespace tenantd::obs

namespace tenantd::store {
class ItemStore;
}  // namespace tenantd::store

namespace tenantd {

class Runtime {
 public:
  virtual ~Runtime() = default;
  // The API: every door sends its requests here.
  virtual RequestHandler& handler() = 0;
  // Background work of `serve` (outbox dispatcher, TTL sweep); idempotent.
  virtual void start_background() = 0;
  // Stops background work after one last outbox flush.
  virtual void stop_background() = 0;
  // One pass of the periodic jobs (a Lambda scheduled event): outbox drain and invitation
  // expiry. Returns a JSON object with what each did.
  virtual Result<std::string> run_scheduled_jobs() = 0;
  // Delivers the outbox events due now unless `deadline` is too close (Lambda, per invocation).
  virtual void flush_outbox(std::optional<TimePoint> deadline) = 0;
  // An EventBridge ECS event: matched to an instance by its resource's tags and applied as a
  // progress report. Returns a JSON object saying what happened.
  virtual Result<std::string> handle_ecs_event(std::string_view event_json) = 0;
  // The process's metrics (Prometheus in `serve`, EMF lines in Lambda).
  virtual obs::MetricsRegistry& metrics() = 0;
  // The process's logger (JSON lines on stderr).
  virtual const obs::Logger& logger() = 0;
  // The item store the API reads and writes (`serve` brackets each loop's read batch with it).
  virtual store::ItemStore& store() = 0;
};

// Opens the store (creating tables when missing) and wires everything.
Result<std::unique_ptr<Runtime>> build_runtime(const Config& config);

struct TokenRequest {
  std::string email;
  std::vector<std::string> groups;
  std::optional<std::string> sub;  // default: the local directory's userId for the email
  std::int64_t ttl_seconds = 3600;
};
// `tenantd token`: a JWT that `serve` with the same data dir / JWT_SECRET accepts.
Result<std::string> mint_token(const Config& config, const TokenRequest& request);

// `tenantd console-link`: a one-time code that the console (AUTH_MODE=local) exchanges for a
// token of `request` (see src/console/sign_in_codes.hpp).
Result<std::string> console_sign_in_code(const Config& config, const TokenRequest& request);

// `tenantd migrate`: creates tables and indexes of the configured backend.
Status migrate(const Config& config);

// `tenantd outbox list [--status PENDING|FAILED]`: one JSON line per event.
Result<std::vector<std::string>> outbox_list(const Config& config, const std::string& status);
// `tenantd outbox retry [EVENT_ID]`: FAILED events back to PENDING; returns how many.
Result<std::size_t> outbox_retry(const Config& config, const std::optional<std::string>& event_id);
// `tenantd outbox drain`: delivers everything due now; returns how many were delivered.
Result<std::size_t> outbox_drain(const Config& config);

}  // namespace tenantd
