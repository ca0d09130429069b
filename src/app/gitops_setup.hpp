#pragma once
// Builds the gitops driver from the configuration (PROVISIONER=gitops), or says why it cannot.
#include <memory>

#include "app/config.hpp"
#include "core/clock.hpp"
#include "provision/provisioner.hpp"
#include "service/instance_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::obs {
class Logger;
}  // namespace tenantd::obs

namespace tenantd {

Result<std::unique_ptr<provision::Provisioner>> make_gitops_provisioner(
    const Config& config, service::InstanceService& instances, store::ItemStore& store,
    const Clock& clock, const obs::Logger* logger);

}  // namespace tenantd
