#include "api/handlers/instance_json.hpp"

#include "api/body_reader.hpp"
#include "api/encoders/instance_fields.hpp"
#include "api/links.hpp"
#include "core/strings.hpp"
#include "domain/tenant.hpp"

namespace tenantd::api {

namespace {

using domain::Instance;
using domain::InstanceEvent;
using domain::InstanceState;

Result<BodyReader> open(std::string_view body, bool empty_ok) {
  return BodyReader::parse(body, empty_ok);
}

std::optional<std::int64_t> read_int(BodyReader& body, const char* field, const JsonValue* v) {
  if (v == nullptr || v->IsNull()) {
    return std::nullopt;
  }
  if (!v->IsInt64()) {
    body.error(field, "INVALID_TYPE", std::string(field) + " must be an integer");
    return std::nullopt;
  }
  return v->GetInt64();
}

// Version strings: "latest" or dotted numbers such as "6.4" / "8.2".
bool is_version(std::string_view text, bool latest_ok) {
  if (latest_ok && text == "latest") {
    return true;
  }
  if (text.empty() || text.size() > 20 || text.front() == '.' || text.back() == '.') {
    return false;
  }
  for (const char c : text) {
    if ((c < '0' || c > '9') && c != '.') {
      return false;
    }
  }
  return true;
}

struct ConfigurationInput {
  std::optional<int> desired_count;
  std::optional<std::string> wordpress_version;
  std::optional<std::string> php_version;
};

ConfigurationInput read_configuration(BodyReader& body) {
  ConfigurationInput out;
  const JsonValue* c = body.object("configuration", false);
  if (c == nullptr) {
    return out;
  }
  for (const auto& m : c->GetObject()) {
    const std::string name(as_view(m.name));
    const std::string field = "configuration." + name;
    if (name == "desiredCount") {
      if (!m.value.IsInt64()) {
        body.error(field, "INVALID_TYPE", "desiredCount must be an integer");
      } else {
        // Clamped into int range; the service answers SCALE_LIMIT_EXCEEDED outside 2..10.
        const std::int64_t n = m.value.GetInt64();
        out.desired_count =
            static_cast<int>(std::max<std::int64_t>(-1, std::min<std::int64_t>(n, 1000)));
      }
    } else if (name == "wordpressVersion" || name == "phpVersion") {
      const bool wp = name == "wordpressVersion";
      if (!m.value.IsString()) {
        body.error(field, "INVALID_TYPE", name + " must be a string");
      } else if (!is_version(as_view(m.value), wp)) {
        body.error(field, "INVALID_FORMAT",
                   name + (wp ? " must be \"latest\" or a version such as \"6.4\""
                              : " must be a version such as \"8.2\""));
      } else {
        (wp ? out.wordpress_version : out.php_version) = std::string(as_view(m.value));
      }
    } else {
      body.error(field, "UNKNOWN_FIELD", "Unknown field '" + field + "'");
    }
  }
  return out;
}

std::optional<domain::Tier> read_tier(BodyReader& body, bool required) {
  auto text = body.string("tier", required);
  if (!text) {
    return std::nullopt;
  }
  auto tier = domain::parse_tier(*text);
  if (!tier) {
    body.error("tier", "INVALID_VALUE", "tier must be one of STANDARD, PROFESSIONAL, ENTERPRISE");
  }
  return tier;
}

// The instance plan's `plan` (docs/original-api.md): STARTER is tenantd's STANDARD tier.
std::optional<domain::Tier> read_plan(BodyReader& body) {
  auto text = body.string("plan", false);
  if (!text) {
    return std::nullopt;
  }
  auto tier =
      *text == "STARTER" ? std::optional(domain::Tier::Standard) : domain::parse_tier(*text);
  if (!tier || *text == "STANDARD") {
    body.error("plan", "INVALID_VALUE", "plan must be one of STARTER, PROFESSIONAL, ENTERPRISE");
    return std::nullopt;
  }
  return tier;
}

// The plan's top-level wordpressVersion / desiredCount, spelled as tenantd's configuration.*;
// a body giving both spellings of one setting is refused rather than one silently winning.
void read_plan_configuration(BodyReader& body, ConfigurationInput& config) {
  if (const JsonValue* v = body.value("desiredCount"); v != nullptr) {
    if (config.desired_count) {
      body.error("desiredCount", "CONFLICTING_FIELDS",
                 "give desiredCount or configuration.desiredCount, not both");
    } else if (auto n = read_int(body, "desiredCount", v)) {
      config.desired_count =
          static_cast<int>(std::max<std::int64_t>(-1, std::min<std::int64_t>(*n, 1000)));
    }
  }
  if (auto version = body.string("wordpressVersion", false)) {
    if (config.wordpress_version) {
      body.error("wordpressVersion", "CONFLICTING_FIELDS",
                 "give wordpressVersion or configuration.wordpressVersion, not both");
    } else if (!is_version(*version, true)) {
      body.error("wordpressVersion", "INVALID_FORMAT",
                 "wordpressVersion must be \"latest\" or a version such as \"6.4\"");
    } else {
      config.wordpress_version = std::move(version);
    }
  }
}

// An optional free-text `reason` (suspend, delete): 1..500 characters.
std::optional<std::string> read_reason(BodyReader& body) {
  auto reason = body.string("reason", false);
  if (reason) {
    const auto length = domain::utf8_length(*reason);
    if (!length || *length < 1 || *length > 500) {
      body.error("reason", "INVALID_FORMAT", "reason must be 1..500 characters");
    }
  }
  return reason;
}

// The instance plan's `status` vocabulary for a state (docs/original-api.md); none for the
// failed states, which the plan has no word for.
std::optional<std::string_view> plan_status(const Instance& i) {
  switch (i.state) {
    case InstanceState::PendingProvisioning:
      return "PENDING_PROVISIONING";
    case InstanceState::Committing:
    case InstanceState::WorkflowQueued:
    case InstanceState::WorkflowRunning:
    case InstanceState::Provisioning:
      return "PROVISIONING";
    case InstanceState::Active:
    case InstanceState::Scaling:
    case InstanceState::Updating:
    case InstanceState::Suspending:  // still serving until the suspend completes
      return "ACTIVE";
    case InstanceState::Suspended:
    case InstanceState::Resuming:  // not serving until the resume completes
      return "SUSPENDED";
    case InstanceState::BackingUp:
    case InstanceState::Restoring:
      return i.state_before_operation == InstanceState::Suspended ? "SUSPENDED" : "ACTIVE";
    case InstanceState::PendingDeprovisioning:
    case InstanceState::Deprovisioning:
      return "PENDING_DEPRO";
    case InstanceState::Deprovisioned:
      return "DEPROVISIONED";
    case InstanceState::Failed:
    case InstanceState::WorkflowFailed:
      return std::nullopt;
  }
  return std::nullopt;
}

void write_instance_links(JsonWriter& out, const Instance& i) {
  const std::string base = instance_path(i.instance_id);
  out.key("_links").begin_object();
  write_link(out, "self", base);
  write_link(out, "status", base + "/status");
  write_link(out, "tenant", tenant_path(i.tenant_id));
  write_link(out, "collection", tenant_instances_path(i.tenant_id));
  write_link(out, "backups", base + "/backups");
  if (i.current_operation_id) {
    write_link(out, "operation", operation_path(*i.current_operation_id));
  } else {
    // Only what the state allows now.
    const auto allowed = [&i](InstanceEvent e) {
      return domain::instance_transition(i.state, e).has_value();
    };
    if (allowed(InstanceEvent::Scale)) {
      write_link(out, "size", base + "/size");
    }
    if (allowed(InstanceEvent::Suspend)) {
      write_link(out, "suspend", base + "/suspend");
    }
    if (allowed(InstanceEvent::Resume)) {
      write_link(out, "resume", base + "/resume");
    }
    if (allowed(InstanceEvent::Backup)) {
      write_link(out, "backup", base + "/backup");
    }
    if (allowed(InstanceEvent::Restore)) {
      write_link(out, "restore", base + "/restore");
    }
    if (allowed(InstanceEvent::Update) || allowed(InstanceEvent::Retry)) {
      write_link(out, "update", base);
    }
    if (allowed(InstanceEvent::Delete)) {
      write_link(out, "delete", base);
    }
  }
  out.end_object();
}

void write_operation(JsonWriter& out, const domain::Operation& op) {
  out.begin_object();
  encoders::write_operation_fields(out, op);
  out.key("_links").begin_object();
  write_link(out, "self", operation_path(op.operation_id));
  write_link(out, "instance", instance_path(op.instance_id));
  out.end_object().end_object();
}

std::string_view health_of(const Instance& i) {
  if (i.current_operation_id) {
    return "PENDING";
  }
  switch (i.state) {
    case InstanceState::Active:
      return i.running_count >= i.desired_count ? "HEALTHY" : "UNHEALTHY";
    case InstanceState::Suspended:
    case InstanceState::Deprovisioned:
      return "STOPPED";
    default:
      return "UNHEALTHY";
  }
}

}  // namespace

Result<service::CreateInstanceInput> decode_create_instance(std::string_view text) {
  auto parsed = open(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  service::CreateInstanceInput in;
  // tenantd's `tier` (required) or the plan's `plan`; a plan-shaped body without `plan` gets the
  // plan's default, STARTER (tenantd's STANDARD).
  const bool has_tier = body.has("tier");
  const bool plan_shaped = body.has("plan") || body.has("environment") ||
                           body.has("desiredCount") || body.has("wordpressVersion");
  const auto plan = read_plan(body);
  if (has_tier && body.has("plan")) {
    body.error("plan", "CONFLICTING_FIELDS", "give tier or plan, not both");
  } else if (has_tier || !plan_shaped) {
    if (auto tier = read_tier(body, true)) {
      in.tier = *tier;
    }
  } else if (plan) {
    in.tier = *plan;
  }
  if (auto environment = body.string("environment", false)) {
    in.environment = to_lower(*environment);
    if (*in.environment != "dev" && *in.environment != "sit" && *in.environment != "prod") {
      body.error("environment", "INVALID_VALUE", "environment must be one of dev, sit, prod");
    }
  }
  if (auto name = body.string("organizationName", false)) {
    domain::check_organization_name(*name, body.errors());
    in.organization_name = std::move(name);
  }
  if (auto email = body.string("contactEmail", false)) {
    in.contact_email = to_lower(*email);
    domain::check_email("contactEmail", *in.contact_email, body.errors());
  }
  if (auto opportunity = body.string("opportunityId", false)) {
    if (opportunity->empty() || opportunity->size() > 64) {
      body.error("opportunityId", "INVALID_FORMAT", "opportunityId must be 1..64 characters");
    }
    in.opportunity_id = std::move(opportunity);
  }
  auto config = read_configuration(body);
  read_plan_configuration(body, config);
  in.desired_count = config.desired_count;
  in.wordpress_version = std::move(config.wordpress_version);
  in.php_version = std::move(config.php_version);
  TENANTD_TRY(body.finish());
  return in;
}

Result<service::UpdateInstanceInput> decode_update_instance(std::string_view text) {
  auto parsed = open(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  service::UpdateInstanceInput in;
  in.tier = read_tier(body, false);
  auto config = read_configuration(body);
  read_plan_configuration(body, config);
  in.desired_count = config.desired_count;
  in.wordpress_version = std::move(config.wordpress_version);
  in.php_version = std::move(config.php_version);
  TENANTD_TRY(body.finish());
  return in;
}

Result<std::int64_t> decode_size(std::string_view text) {
  auto parsed = open(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  const JsonValue* v = body.value("desiredCount");
  if (v == nullptr || v->IsNull()) {
    body.error("desiredCount", "REQUIRED", "desiredCount is required");
  }
  const auto count = read_int(body, "desiredCount", v);
  TENANTD_TRY(body.finish());
  return *count;
}

Result<service::BackupInput> decode_backup(std::string_view text) {
  auto parsed = open(text, true);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  service::BackupInput in;
  if (auto type = body.string("type", false)) {
    auto t = domain::parse_backup_type(*type);
    if (!t) {
      body.error("type", "INVALID_VALUE", "type must be one of FULL, DATABASE, FILES");
    } else {
      in.type = *t;
    }
  }
  if (auto label = body.string("label", false)) {
    const auto length = domain::utf8_length(*label);
    if (!length || *length < 1 || *length > 100) {
      body.error("label", "INVALID_FORMAT", "label must be 1..100 characters");
    }
    in.label = std::move(label);
  }
  TENANTD_TRY(body.finish());
  return in;
}

Result<std::string> decode_restore(std::string_view text) {
  auto parsed = open(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  auto id = parsed->string("backupId", true);
  TENANTD_TRY(parsed->finish());
  return *id;
}

Result<bool> decode_status_action(std::string_view text) {
  auto parsed = open(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  auto action = parsed->string("action", true);
  if (action && *action != "stop" && *action != "start") {
    parsed->error("action", "INVALID_VALUE", "action must be \"stop\" or \"start\"");
  }
  TENANTD_TRY(parsed->finish());
  return *action == "stop";
}

Status decode_delete(std::string_view text) {
  auto parsed = open(text, true);
  if (!parsed) {
    return std::move(parsed).error();
  }
  const JsonValue* archive = parsed->value("archiveData");
  if (archive != nullptr && !archive->IsBool()) {
    parsed->error("archiveData", "INVALID_TYPE", "archiveData must be a boolean");
  }
  read_reason(*parsed);
  return parsed->finish();
}

Status decode_empty(std::string_view text) {
  auto parsed = open(text, true);
  if (!parsed) {
    return std::move(parsed).error();
  }
  return parsed->finish();
}

Status decode_suspend(std::string_view text) {
  auto parsed = open(text, true);
  if (!parsed) {
    return std::move(parsed).error();
  }
  read_reason(*parsed);
  return parsed->finish();
}

Result<domain::ProgressReport> decode_report(std::string_view text) {
  auto parsed = open(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  domain::ProgressReport report;
  if (auto type = body.string("type", true)) {
    auto t = domain::parse_report_type(*type);
    if (!t) {
      body.error("type", "INVALID_VALUE",
                 "type must be one of STATE_CHANGED, OPERATION_COMPLETED, OPERATION_FAILED");
    } else {
      report.type = *t;
    }
  }
  if (auto state = body.string("state", false)) {
    report.state = domain::parse_instance_state(*state);
    if (!report.state) {
      body.error("state", "INVALID_VALUE", "state is not an instance state");
    }
  } else if (report.type == domain::ReportType::StateChanged && body.errors().empty()) {
    body.error("state", "REQUIRED", "state is required for STATE_CHANGED");
  }
  report.operation_id = body.string("operationId", false);
  if (const JsonValue* b = body.object("backup", false)) {
    domain::BackupResult result;
    bool complete = true;
    for (const auto& m : b->GetObject()) {
      const std::string name(as_view(m.name));
      if (name == "sizeBytes" && m.value.IsInt64() && m.value.GetInt64() >= 0) {
        result.size_bytes = m.value.GetInt64();
      } else if (name == "location" && m.value.IsString()) {
        result.location = std::string(as_view(m.value));
      } else if (name == "checksum" && m.value.IsString()) {
        result.checksum = std::string(as_view(m.value));
      } else {
        body.error("backup." + name, "INVALID_VALUE",
                   "backup takes sizeBytes (integer >= 0), location and checksum (strings)");
        complete = false;
      }
    }
    if (complete) {
      report.backup = std::move(result);
    }
  }
  if (const JsonValue* e = body.object("error", false)) {
    domain::ErrorInfo info;
    for (const auto& m : e->GetObject()) {
      const std::string name(as_view(m.name));
      if ((name == "code" || name == "message") && m.value.IsString()) {
        (name == "code" ? info.code : info.message) = std::string(as_view(m.value));
      } else if (name == "retryable" && m.value.IsBool()) {
        info.retryable = m.value.GetBool();
      } else {
        body.error("error." + name, "INVALID_VALUE",
                   "error takes code and message (strings) and retryable (boolean)");
      }
    }
    report.error = std::move(info);
  }
  TENANTD_TRY(body.finish());
  return report;
}

std::string instance_detail_json(const Instance& instance) {
  JsonWriter out;
  out.begin_object();
  encoders::write_instance_fields(out, instance);
  out.field("status", plan_status(instance));
  out.field("operationId", instance.current_operation_id);
  write_instance_links(out, instance);
  out.end_object();
  return out.str();
}

void write_instance_summary(JsonWriter& out, const Instance& i) {
  out.begin_object()
      .field("instanceId", i.instance_id)
      .field("tenantId", i.tenant_id)
      .field("state", domain::to_string(i.state))
      .field("status", plan_status(i))
      .field("tier", domain::to_string(i.tier))
      .field("desiredCount", i.desired_count)
      .field("runningCount", i.running_count)
      .key("_links")
      .begin_object();
  write_link(out, "self", instance_path(i.instance_id));
  out.end_object().end_object();
}

std::string operation_detail_json(const domain::Operation& operation) {
  JsonWriter out;
  write_operation(out, operation);
  return out.str();
}

void write_backup(JsonWriter& out, const domain::Backup& backup) {
  out.begin_object();
  encoders::write_backup_fields(out, backup);
  out.key("_links").begin_object();
  write_link(out, "self", backup_path(backup.instance_id, backup.backup_id));
  write_link(out, "instance", instance_path(backup.instance_id));
  out.end_object().end_object();
}

std::string status_json(const service::InstanceStatus& status) {
  Instance i = status.instance;
  int pending = std::max(0, i.desired_count - i.running_count);
  const service::LiveService* live = nullptr;
  if (status.live && status.live->service) {
    live = &*status.live->service;
  }
  // Where the counts come from: the driver's live read, or the stored instance.
  std::string_view source = "STORE";
  if (live != nullptr) {
    source = "ECS";
    i.desired_count = live->desired_count;
    i.running_count = live->running_count;
    pending = live->pending_count;
  }
  std::string_view health = health_of(i);
  if (live != nullptr && live->rollout_state == "FAILED" && health == "HEALTHY") {
    health = "UNHEALTHY";
  }
  // The driver reads live state but could not: what is stored says nothing about health.
  const std::optional<domain::ErrorInfo> unread =
      status.live && !live ? status.live->error : std::nullopt;
  if (unread) {
    health = "UNKNOWN";
  }
  JsonWriter out;
  out.begin_object()
      .field("instanceId", i.instance_id)
      .field("tenantId", i.tenant_id)
      .field("status", domain::to_string(i.state))
      .field("desiredCount", i.desired_count)
      .field("runningCount", i.running_count)
      .field("pendingCount", pending)
      .field("healthStatus", health)
      .field("source", source)
      .field("lastUpdated", format_time(i.updated_at));
  if (unread) {
    out.key("reason")
        .begin_object()
        .field("code", unread->code)
        .field("message", unread->message)
        .field("retryable", unread->retryable)
        .end_object();
  }
  if (status.operation) {
    out.key("operation");
    write_operation(out, *status.operation);
  }
  out.key("_links").begin_object();
  write_link(out, "self", instance_status_path(i.instance_id));
  write_link(out, "instance", instance_path(i.instance_id));
  out.end_object().end_object();
  return out.str();
}

}  // namespace tenantd::api
