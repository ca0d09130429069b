#pragma once
// An in-memory store with a tenant and its first instance walked to ACTIVE, for the driver
// tests (the unit tests against a scripted ECS and the moto ones).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "service/instance_service.hpp"
#include "service/tenant_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::testing_support {

class InstanceFixture {
 public:
  InstanceFixture()
      : clock(TimePoint(std::chrono::milliseconds(1769337000000))),
        store(store::sqlite::SqliteStore::open(":memory:", "dev", clock).value()),
        instances(*store, ids, service::InstanceOptions{}, service::InstanceEvents{}),
        tenants(*store, ids, service::ChangeLogOptions{}, service::TenantEvents{}) {}

  service::Context admin() const {
    return service::Context{Principal{"user-admin", "admin@example.com", {"platform-admins"}},
                            "req-1", clock.now(), std::nullopt};
  }

  // A new tenant whose first instance is ACTIVE with the default desired count (2).
  domain::Instance active_instance() {
    service::CreateTenantInput in;
    in.organization_name = "Acme Ltd";
    in.contact_email = "owner@example.com";
    const std::string tid = tenants.create(admin(), in).value().tenant_id;
    auto created = instances.create(admin(), tid, service::CreateInstanceInput{});
    EXPECT_TRUE(created.ok());
    const std::string iid = created->instance.instance_id;
    for (const auto state :
         {domain::InstanceState::Committing, domain::InstanceState::WorkflowQueued,
          domain::InstanceState::WorkflowRunning, domain::InstanceState::Provisioning,
          domain::InstanceState::Active}) {
      domain::ProgressReport r;
      r.state = state;
      EXPECT_TRUE(instances.apply_report(admin(), iid, r)->applied);
    }
    return instances.get(admin(), "", iid).value();
  }

  domain::Instance instance(const std::string& iid) {
    return instances.get(admin(), "", iid).value();
  }
  domain::Operation operation(const std::string& op) {
    return instances.get_operation(admin(), op).value();
  }

  ManualClock clock;
  SequentialIds ids;
  std::unique_ptr<store::ItemStore> store;
  service::InstanceService instances;
  service::TenantService tenants;
};

}  // namespace tenantd::testing_support
