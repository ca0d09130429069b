#pragma once
// Builds the provisioner driver PROVISIONER names (docs/instances.md#drivers), apart from the
// runtime's wiring so that each driver's settings stay in one place.
#include <memory>

#include "app/config.hpp"
#include "aws/environment.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "provision/provisioner.hpp"
#include "service/instance_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::obs {
class Logger;
}  // namespace tenantd::obs

namespace tenantd {

// The `ecs` driver; it also becomes the instance service's source of live status counts.
Result<std::unique_ptr<provision::Provisioner>> make_ecs_provisioner(
    const Config& config, const aws::EnvLookup& env, service::InstanceService& instances,
    store::ItemStore& store, const Clock& clock, const obs::Logger* logger);

}  // namespace tenantd
