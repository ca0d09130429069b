#pragma once
// The provisioner port (docs/instances.md#drivers): who carries out the operations the API records.
// Every driver reports progress through InstanceService::apply_report, the same path as
// external reports, so the state machine is exercised the same way whoever does the work.
#include <cstddef>
#include <memory>
#include <string_view>

#include "core/result.hpp"

namespace tenantd::provision {

class Provisioner {
 public:
  virtual ~Provisioner() = default;
  virtual std::string_view name() const = 0;
  // An operation was accepted: look for work now rather than at the next tick.
  virtual void wake() = 0;
  virtual void start() = 0;
  virtual void stop() = 0;
  // One pass of the driver's work on the caller's thread, for the Lambda (no background thread):
  // run_if_woken after each invocation (only when an operation was accepted in it), run_once on
  // the scheduled event. Returns how many reports were applied.
  virtual Result<std::size_t> run_once() { return std::size_t{0}; }
  virtual Result<std::size_t> run_if_woken() { return std::size_t{0}; }
};

// `events`: does nothing itself; the outbox events (INSTANCE_*_REQUESTED) are the commands for
// an external worker, which reports back through POST /instances/{id}/events.
class EventsProvisioner final : public Provisioner {
 public:
  std::string_view name() const override { return "events"; }
  void wake() override {}
  void start() override {}
  void stop() override {}
};

}  // namespace tenantd::provision
