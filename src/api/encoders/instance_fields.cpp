#include "api/encoders/instance_fields.hpp"

#include "api/encoders/common_fields.hpp"

namespace tenantd::api::encoders {

namespace {

void write_configuration(JsonWriter& out, const domain::InstanceConfiguration& c) {
  out.key("configuration")
      .begin_object()
      .field("desiredCount", c.desired_count)
      .field("wordpressVersion", c.wordpress_version)
      .field("phpVersion", c.php_version)
      .end_object();
}

void write_requested(JsonWriter& out, const std::optional<domain::RequestedChange>& r) {
  if (!r) {
    return;
  }
  out.key("requested").begin_object().field("tier", domain::to_string(r->tier));
  write_configuration(out, r->configuration);
  out.field("desiredCount", r->desired_count).field("suspendedBy", r->suspended_by).end_object();
}

// The AWS tags the instance's resources carry.
void write_tags(JsonWriter& out, const domain::Instance& i) {
  out.key("tags").begin_object();
  out.field("bbws:tenant-id", i.tenant_id)
      .field("bbws:environment", i.environment)
      .field("bbws:component", "wordpress")
      .field("bbws:managed-by", "tenantd")
      .field("bbws:opportunity", i.opportunity_id);
  out.end_object();
}

}  // namespace

void write_instance_fields(JsonWriter& out, const domain::Instance& i) {
  const std::string_view state = domain::to_string(i.state);
  out.field("instanceId", i.instance_id)
      .field("tenantId", i.tenant_id)
      .field("organizationName", i.organization_name)
      .field("contactEmail", i.contact_email)
      .field("opportunityId", i.opportunity_id)
      .field("tier", domain::to_string(i.tier));
  write_configuration(out, i.configuration);
  out.field("state", state)
      .field("provisioningState", state)
      .field("desiredCount", i.desired_count)
      .field("runningCount", i.running_count)
      .field("environment", i.environment)
      .field("domain", i.domain)
      .field("endpoint", i.endpoint);
  write_tags(out, i);
  write_error_info(out, "lastError", i.last_error);
  out.field("suspendedBy", i.suspended_by)
      .field("createdAt", format_time(i.created_at))
      .field("updatedAt", format_time(i.updated_at))
      .field("version", i.version);
}

void write_operation_fields(JsonWriter& out, const domain::Operation& o) {
  out.field("operationId", o.operation_id)
      .field("type", domain::to_string(o.type))
      .field("status", domain::to_string(o.status))
      .field("instanceId", o.instance_id)
      .field("tenantId", o.tenant_id)
      .field("progress", o.progress)
      .field("currentStep", o.current_step)
      .field("backupId", o.backup_id);
  write_requested(out, o.requested);
  write_error_info(out, "error", o.error);
  out.field("createdAt", format_time(o.created_at)).field("updatedAt", format_time(o.updated_at));
  write_optional_time(out, "completedAt", o.completed_at);
  out.field("version", o.version);
}

void write_backup_fields(JsonWriter& out, const domain::Backup& b) {
  out.field("backupId", b.backup_id)
      .field("instanceId", b.instance_id)
      .field("tenantId", b.tenant_id)
      .field("type", domain::to_string(b.type))
      .field("label", b.label)
      .field("status", domain::to_string(b.status))
      .field("sizeBytes", b.size_bytes)
      .field("location", b.location)
      .field("checksum", b.checksum)
      .field("operationId", b.operation_id)
      .field("createdAt", format_time(b.created_at));
  write_optional_time(out, "completedAt", b.completed_at);
  out.field("expiresAt", format_time(b.expires_at)).field("version", b.version);
}

}  // namespace tenantd::api::encoders
