#pragma once
// `simulated` driver, for local development and demos only: walks every running operation
// through its real intermediate states, one state per step (SIMULATED_STEP_MS), by sending the
// progress reports a real driver would send. Running operations are found through their index,
// so operations started by a tenant park or accepted before a restart are walked too.
// Operations of the types in `fail` (SIMULATED_FAIL) end FAILED (SIMULATED_FAILURE) where they
// would complete, so that failure handling can be tried without a cloud.
#include <chrono>
#include <cstddef>
#include <set>

#include "core/clock.hpp"
#include "core/periodic_task.hpp"
#include "provision/provisioner.hpp"
#include "service/instance_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::obs {
class Logger;
}  // namespace tenantd::obs

namespace tenantd::provision {

class SimulatedProvisioner final : public Provisioner {
 public:
  // `store` is no longer read (the running operations come through `instances`); the parameter
  // stays until the wiring stops passing it.
  SimulatedProvisioner(service::InstanceService& instances, store::ItemStore& store,
                       const Clock& clock, std::chrono::milliseconds step,
                       const obs::Logger* logger, std::set<domain::OperationType> fail = {});
  ~SimulatedProvisioner() override;

  std::string_view name() const override { return "simulated"; }
  void wake() override;
  void start() override;
  void stop() override;

  // Moves every operation whose last change is at least one step old forward by one step;
  // returns how many reports were applied. Tests call it with a ManualClock.
  Result<std::size_t> step_due();

 private:
  void pass();

  service::InstanceService& instances_;
  const Clock& clock_;
  std::chrono::milliseconds step_;
  const obs::Logger* logger_;
  std::set<domain::OperationType> fail_;
  // Last: stopped (by its destructor) before the members its passes use go away.
  PeriodicTask loop_;
};

}  // namespace tenantd::provision
