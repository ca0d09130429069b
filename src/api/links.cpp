#include "api/links.hpp"

namespace tenantd::api {

namespace {
std::string path(std::string_view collection, std::string_view id) {
  std::string out(kVersionPrefix);
  out += '/';
  out += collection;
  out += '/';
  out += id;
  return out;
}
}  // namespace

std::string tenant_path(std::string_view tenant_id) {
  return path("tenants", tenant_id);
}

std::string tenant_instances_path(std::string_view tenant_id) {
  return tenant_path(tenant_id) + "/instances";
}

std::string member_path(std::string_view tenant_id, std::string_view user_id) {
  return tenant_path(tenant_id) + "/users/" + std::string(user_id);
}

std::string instance_path(std::string_view instance_id) {
  return path("instances", instance_id);
}

std::string instance_status_path(std::string_view instance_id) {
  return instance_path(instance_id) + "/status";
}

std::string backup_path(std::string_view instance_id, std::string_view backup_id) {
  return instance_path(instance_id) + "/backups/" + std::string(backup_id);
}

std::string operation_path(std::string_view operation_id) {
  return path("operations", operation_id);
}

std::string invitation_path(std::string_view invitation_id) {
  return path("invitations", invitation_id);
}

void write_link(JsonWriter& out, std::string_view name, const std::string& href) {
  out.key(name).begin_object().field("href", href).end_object();
}

}  // namespace tenantd::api
