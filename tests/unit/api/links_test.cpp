#include "api/links.hpp"

#include <gtest/gtest.h>

namespace tenantd::api {
namespace {

TEST(Links, PathsSitUnderTheVersionPrefix) {
  EXPECT_EQ(tenant_path("ten_1"), "/v1.0/tenants/ten_1");
  EXPECT_EQ(tenant_instances_path("ten_1"), "/v1.0/tenants/ten_1/instances");
  EXPECT_EQ(member_path("ten_1", "u1"), "/v1.0/tenants/ten_1/users/u1");
  EXPECT_EQ(instance_path("inst_1"), "/v1.0/instances/inst_1");
  EXPECT_EQ(instance_status_path("inst_1"), "/v1.0/instances/inst_1/status");
  EXPECT_EQ(backup_path("inst_1", "bak_1"), "/v1.0/instances/inst_1/backups/bak_1");
  EXPECT_EQ(operation_path("op_1"), "/v1.0/operations/op_1");
  EXPECT_EQ(invitation_path("inv_1"), "/v1.0/invitations/inv_1");
}

TEST(Links, WriteLinkWritesAnHrefObject) {
  JsonWriter out;
  out.begin_object();
  write_link(out, "self", "/v1.0/tenants/ten_1");
  out.end_object();
  EXPECT_EQ(out.str(), R"({"self":{"href":"/v1.0/tenants/ten_1"}})");
}

}  // namespace
}  // namespace tenantd::api
