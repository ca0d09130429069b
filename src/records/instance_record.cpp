#include "records/instance_record.hpp"

#include <cstdio>

namespace tenantd::records {

using domain::Backup;
using domain::Instance;
using domain::Operation;

namespace {

std::string ms_key(TimePoint t, std::string_view id) {
  char ms[24];
  std::snprintf(ms, sizeof ms, "%013lld#", static_cast<long long>(epoch_ms(t)));
  std::string key = ms;
  key += id;
  return key;
}

void write_error(JsonWriter& out, std::string_view key, const std::optional<domain::ErrorInfo>& e) {
  if (e) {
    out.key(key)
        .begin_object()
        .field("code", e->code)
        .field("message", e->message)
        .field("retryable", e->retryable)
        .end_object();
  }
}

void write_time(JsonWriter& out, std::string_view key, const std::optional<TimePoint>& t) {
  if (t) {
    out.field(key, format_time(*t));
  }
}

// Reads attributes of one stored object; missing or mistyped attributes read as absent.
class Reader {
 public:
  explicit Reader(const JsonValue& v) : v_(v) {}
  std::optional<std::string> str(const char* name) const {
    const auto it = v_.FindMember(name);
    if (it == v_.MemberEnd() || !it->value.IsString()) {
      return std::nullopt;
    }
    return std::string(as_view(it->value));
  }
  std::optional<TimePoint> time(const char* name) const {
    const auto text = str(name);
    return text ? parse_time(*text) : std::nullopt;
  }
  std::optional<std::int64_t> integer(const char* name) const {
    const auto it = v_.FindMember(name);
    if (it == v_.MemberEnd() || !it->value.IsInt64()) {
      return std::nullopt;
    }
    return it->value.GetInt64();
  }
  std::optional<domain::ErrorInfo> error(const char* name) const {
    const auto it = v_.FindMember(name);
    if (it == v_.MemberEnd() || !it->value.IsObject()) {
      return std::nullopt;
    }
    const Reader e(it->value);
    domain::ErrorInfo info{e.str("code").value_or(""), e.str("message").value_or(""), std::nullopt};
    if (const auto r = it->value.FindMember("retryable");
        r != it->value.MemberEnd() && r->value.IsBool()) {
      info.retryable = r->value.GetBool();
    }
    return info;
  }
  const JsonValue* object(const char* name) const {
    const auto it = v_.FindMember(name);
    return it != v_.MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
  }

 private:
  const JsonValue& v_;
};

Error corrupt(std::string_view what) {
  return Error::make(ErrorCode::InternalError, "stored item is unreadable: " + std::string(what));
}

Result<JsonDoc> parse_item(const store::Item& item) {
  auto doc = parse_json(item.data);
  if (!doc || !doc->IsObject()) {
    return corrupt(item.pk);
  }
  return std::move(*doc);
}

int as_int(std::optional<std::int64_t> v, int fallback) {
  return v ? static_cast<int>(*v) : fallback;
}

void write_configuration(JsonWriter& out, const domain::InstanceConfiguration& c) {
  out.key("configuration")
      .begin_object()
      .field("desiredCount", c.desired_count)
      .field("wordpressVersion", c.wordpress_version)
      .field("phpVersion", c.php_version)
      .end_object();
}

domain::InstanceConfiguration read_configuration(const JsonValue* c) {
  domain::InstanceConfiguration out;
  if (c != nullptr) {
    const Reader cr(*c);
    out.desired_count = as_int(cr.integer("desiredCount"), domain::kMinDesiredCount);
    out.wordpress_version = cr.str("wordpressVersion").value_or("latest");
    out.php_version = cr.str("phpVersion").value_or("8.2");
  }
  return out;
}

void write_requested(JsonWriter& out, const std::optional<domain::RequestedChange>& r) {
  if (!r) {
    return;
  }
  out.key("requested").begin_object().field("tier", domain::to_string(r->tier));
  write_configuration(out, r->configuration);
  out.field("desiredCount", r->desired_count).field("suspendedBy", r->suspended_by).end_object();
}

std::optional<domain::RequestedChange> read_requested(const JsonValue* v) {
  if (v == nullptr) {
    return std::nullopt;
  }
  const Reader r(*v);
  const auto tier = domain::parse_tier(r.str("tier").value_or(""));
  const auto count = r.integer("desiredCount");
  if (!tier || !count) {
    return std::nullopt;
  }
  return domain::RequestedChange{*tier, read_configuration(r.object("configuration")),
                                 static_cast<int>(*count), r.str("suspendedBy")};
}

}  // namespace

store::Key instance_key(std::string_view tenant_id, std::string_view instance_id) {
  return {"TENANT#" + std::string(tenant_id), kInstancePrefix + std::string(instance_id)};
}
store::Key instance_index_key(std::string_view instance_id) {
  return {kInstancePrefix + std::string(instance_id), "TENANT"};
}
store::Key operation_key(std::string_view operation_id) {
  return {"OPERATION#" + std::string(operation_id), "METADATA"};
}
std::string backup_prefix(std::string_view instance_id) {
  return "BACKUP#" + std::string(instance_id) + "#";
}
store::Key backup_key(std::string_view tenant_id, std::string_view instance_id,
                      std::string_view backup_id) {
  return {"TENANT#" + std::string(tenant_id), backup_prefix(instance_id) + std::string(backup_id)};
}

void write_instance_attributes(JsonWriter& out, const Instance& i, bool internal) {
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
  out.key("tags").begin_object();
  out.field("bbws:tenant-id", i.tenant_id)
      .field("bbws:environment", i.environment)
      .field("bbws:component", "wordpress")
      .field("bbws:managed-by", "tenantd")
      .field("bbws:opportunity", i.opportunity_id);
  out.end_object();
  write_error(out, "lastError", i.last_error);
  out.field("suspendedBy", i.suspended_by);
  if (internal) {
    out.field("currentOperationId", i.current_operation_id);
    if (i.state_before_operation) {
      out.field("stateBeforeOperation", domain::to_string(*i.state_before_operation));
    }
    out.field("backupCount", i.backup_count);
  }
  out.field("createdAt", format_time(i.created_at))
      .field("updatedAt", format_time(i.updated_at))
      .field("version", i.version);
}

void write_operation_attributes(JsonWriter& out, const Operation& o) {
  out.field("operationId", o.operation_id)
      .field("type", domain::to_string(o.type))
      .field("status", domain::to_string(o.status))
      .field("instanceId", o.instance_id)
      .field("tenantId", o.tenant_id)
      .field("progress", o.progress)
      .field("currentStep", o.current_step)
      .field("backupId", o.backup_id);
  write_requested(out, o.requested);
  write_error(out, "error", o.error);
  out.field("createdAt", format_time(o.created_at)).field("updatedAt", format_time(o.updated_at));
  write_time(out, "completedAt", o.completed_at);
  out.field("version", o.version);
}

void write_backup_attributes(JsonWriter& out, const Backup& b) {
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
  write_time(out, "completedAt", b.completed_at);
  out.field("expiresAt", format_time(b.expires_at)).field("version", b.version);
}

store::Item instance_item(const Instance& instance) {
  JsonWriter out;
  out.begin_object();
  write_instance_attributes(out, instance, true);
  out.end_object();
  const store::Key key = instance_key(instance.tenant_id, instance.instance_id);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  item.data = out.str();
  return item;
}

store::Item instance_index_item(const Instance& instance) {
  JsonWriter out;
  out.begin_object()
      .field("instanceId", instance.instance_id)
      .field("tenantId", instance.tenant_id)
      .end_object();
  const store::Key key = instance_index_key(instance.instance_id);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  item.data = out.str();
  return item;
}

store::Item operation_item(const Operation& operation) {
  JsonWriter out;
  out.begin_object();
  write_operation_attributes(out, operation);
  out.end_object();
  const store::Key key = operation_key(operation.operation_id);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  item.data = out.str();
  const bool running = operation.status == domain::OperationStatus::Pending ||
                       operation.status == domain::OperationStatus::InProgress;
  if (running) {
    item.indexes[kRunningOperationsIndex - 1] =
        store::IndexKey{kRunningOperationsPk, ms_key(operation.updated_at, operation.operation_id)};
  }
  return item;
}

store::Item backup_item(const Backup& backup) {
  JsonWriter out;
  out.begin_object();
  write_backup_attributes(out, backup);
  out.end_object();
  const store::Key key = backup_key(backup.tenant_id, backup.instance_id, backup.backup_id);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  item.data = out.str();
  return item;
}

Result<Instance> instance_from_item(const store::Item& item) {
  auto doc = parse_item(item);
  if (!doc) {
    return std::move(doc).error();
  }
  const Reader r(*doc);
  Instance i;
  auto id = r.str("instanceId");
  auto tenant = r.str("tenantId");
  auto tier = domain::parse_tier(r.str("tier").value_or(""));
  auto state = domain::parse_instance_state(r.str("state").value_or(""));
  auto created = r.time("createdAt");
  auto updated = r.time("updatedAt");
  if (!id || !tenant || !tier || !state || !created || !updated) {
    return corrupt("instance " + item.sk);
  }
  i.instance_id = std::move(*id);
  i.tenant_id = std::move(*tenant);
  i.organization_name = r.str("organizationName").value_or("");
  i.contact_email = r.str("contactEmail");
  i.opportunity_id = r.str("opportunityId");
  i.tier = *tier;
  i.configuration = read_configuration(r.object("configuration"));
  i.state = *state;
  i.desired_count = as_int(r.integer("desiredCount"), 0);
  i.running_count = as_int(r.integer("runningCount"), 0);
  i.environment = r.str("environment").value_or("");
  i.domain = r.str("domain").value_or("");
  i.endpoint = r.str("endpoint");
  i.last_error = r.error("lastError");
  i.suspended_by = r.str("suspendedBy");
  i.current_operation_id = r.str("currentOperationId");
  if (auto before = r.str("stateBeforeOperation")) {
    i.state_before_operation = domain::parse_instance_state(*before);
  }
  i.backup_count = as_int(r.integer("backupCount"), 0);
  i.created_at = *created;
  i.updated_at = *updated;
  i.version = r.integer("version").value_or(1);
  return i;
}

Result<Operation> operation_from_item(const store::Item& item) {
  auto doc = parse_item(item);
  if (!doc) {
    return std::move(doc).error();
  }
  const Reader r(*doc);
  Operation o;
  auto id = r.str("operationId");
  auto type = domain::parse_operation_type(r.str("type").value_or(""));
  auto status = domain::parse_operation_status(r.str("status").value_or(""));
  auto created = r.time("createdAt");
  auto updated = r.time("updatedAt");
  if (!id || !type || !status || !created || !updated) {
    return corrupt("operation " + item.pk);
  }
  o.operation_id = std::move(*id);
  o.type = *type;
  o.status = *status;
  o.instance_id = r.str("instanceId").value_or("");
  o.tenant_id = r.str("tenantId").value_or("");
  o.progress = as_int(r.integer("progress"), 0);
  o.current_step = r.str("currentStep").value_or("");
  o.backup_id = r.str("backupId");
  o.requested = read_requested(r.object("requested"));
  o.error = r.error("error");
  o.created_at = *created;
  o.updated_at = *updated;
  o.completed_at = r.time("completedAt");
  o.version = r.integer("version").value_or(1);
  return o;
}

Result<Backup> backup_from_item(const store::Item& item) {
  auto doc = parse_item(item);
  if (!doc) {
    return std::move(doc).error();
  }
  const Reader r(*doc);
  Backup b;
  auto id = r.str("backupId");
  auto type = domain::parse_backup_type(r.str("type").value_or(""));
  auto status = domain::parse_backup_status(r.str("status").value_or(""));
  auto created = r.time("createdAt");
  auto expires = r.time("expiresAt");
  if (!id || !type || !status || !created || !expires) {
    return corrupt("backup " + item.sk);
  }
  b.backup_id = std::move(*id);
  b.instance_id = r.str("instanceId").value_or("");
  b.tenant_id = r.str("tenantId").value_or("");
  b.type = *type;
  b.label = r.str("label");
  b.status = *status;
  b.size_bytes = r.integer("sizeBytes");
  b.location = r.str("location");
  b.checksum = r.str("checksum");
  b.operation_id = r.str("operationId").value_or("");
  b.created_at = *created;
  b.completed_at = r.time("completedAt");
  b.expires_at = *expires;
  b.version = r.integer("version").value_or(1);
  return b;
}

Result<std::string> tenant_of_index(const store::Item& item) {
  auto doc = parse_item(item);
  if (!doc) {
    return std::move(doc).error();
  }
  auto tenant = Reader(*doc).str("tenantId");
  if (!tenant) {
    return corrupt("instance index " + item.pk);
  }
  return std::move(*tenant);
}

std::string instance_json(const Instance& instance) {
  JsonWriter out;
  out.begin_object();
  write_instance_attributes(out, instance, false);
  out.end_object();
  return out.str();
}

std::string operation_json(const Operation& operation) {
  JsonWriter out;
  out.begin_object();
  write_operation_attributes(out, operation);
  out.end_object();
  return out.str();
}

}  // namespace tenantd::records
