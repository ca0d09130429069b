#include "api/handlers/tenant_json.hpp"

#include "api/encoders/tenant_fields.hpp"
#include "api/links.hpp"
#include "core/strings.hpp"
#include "core/unicode_text.hpp"

namespace tenantd::api {

namespace {

using domain::Metadata;
using domain::MetadataValue;

// metadata values must be strings, numbers or booleans (null only where `null_removes`).
std::vector<std::pair<std::string, std::optional<MetadataValue>>> read_metadata(
    BodyReader& body, const JsonValue& object, bool null_removes) {
  std::vector<std::pair<std::string, std::optional<MetadataValue>>> out;
  for (const auto& m : object.GetObject()) {
    std::string key(as_view(m.name));
    const JsonValue& v = m.value;
    if (v.IsString()) {
      out.emplace_back(std::move(key), MetadataValue(std::string(as_view(v))));
    } else if (v.IsBool()) {
      out.emplace_back(std::move(key), MetadataValue(v.GetBool()));
    } else if (v.IsInt64()) {
      out.emplace_back(std::move(key), MetadataValue(v.GetInt64()));
    } else if (v.IsNumber()) {
      out.emplace_back(std::move(key), MetadataValue(v.GetDouble()));
    } else if (v.IsNull() && null_removes) {
      out.emplace_back(std::move(key), std::nullopt);
    } else {
      body.error("metadata." + key, "INVALID_TYPE",
                 "metadata values must be strings, numbers or booleans");
    }
  }
  return out;
}

std::optional<std::string> read_node(BodyReader& body, const char* field) {
  auto value = body.string(field, false);
  if (value) {
    domain::check_node_name(field, *value, body.errors());
  }
  return value;
}

std::string normalised_email(BodyReader& body, const char* field, bool required) {
  auto value = body.string(field, required);
  if (!value) {
    return {};
  }
  std::string email = to_lower(*value);
  domain::check_email(field, email, body.errors());
  return email;
}

}  // namespace

Result<service::CreateTenantInput> decode_create_tenant(std::string_view text) {
  auto parsed = BodyReader::parse(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  service::CreateTenantInput in;
  if (auto name = body.string("organizationName", true)) {
    domain::check_organization_name(*name, body.errors());
    in.organization_name = unicode::nfc(*name);  // stored and compared in NFC
  }
  in.contact_email = normalised_email(body, "contactEmail", true);
  if (auto env = body.string("environment", true)) {
    if (auto parsed_env = domain::parse_environment(*env)) {
      in.environment = *parsed_env;
    } else {
      body.error("environment", "INVALID_VALUE", "environment must be one of dev, sit, prod");
    }
  }
  in.division = read_node(body, "division");
  in.group = read_node(body, "group");
  in.team = read_node(body, "team");
  domain::check_placement(in.division, in.group, in.team, body.errors());
  if (const JsonValue* metadata = body.object("metadata", false)) {
    for (auto& [key, value] : read_metadata(body, *metadata, false)) {
      in.metadata.emplace(std::move(key), std::move(*value));
    }
    domain::check_metadata(in.metadata, to_json(*metadata).size(), body.errors());
  }
  TENANTD_TRY(body.finish());
  return in;
}

Result<service::UpdateTenantInput> decode_update_tenant(std::string_view text) {
  auto parsed = BodyReader::parse(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  service::UpdateTenantInput in;
  if (body.has("environment")) {
    body.error("environment", "IMMUTABLE", "environment cannot be changed");
  }
  if (body.has("organizationName")) {
    if (body.is_null("organizationName")) {
      body.error("organizationName", "INVALID_TYPE", "organizationName cannot be removed");
    } else if (auto name = body.string("organizationName", false)) {
      domain::check_organization_name(*name, body.errors());
      in.organization_name = unicode::nfc(*name);
    }
  }
  if (body.has("contactEmail")) {
    if (body.is_null("contactEmail")) {
      body.error("contactEmail", "INVALID_TYPE", "contactEmail cannot be removed");
    } else {
      std::string email = normalised_email(body, "contactEmail", false);
      if (!email.empty()) {
        in.contact_email = std::move(email);
      }
    }
  }
  for (auto [field, patch] : {std::pair{"division", &in.division}, std::pair{"group", &in.group},
                              std::pair{"team", &in.team}}) {
    if (body.has(field)) {
      patch->present = true;
      patch->value = read_node(body, field);
    }
  }
  if (body.has("metadata")) {
    if (const JsonValue* metadata = body.object("metadata", false)) {
      in.metadata = read_metadata(body, *metadata, true);
    }
  }
  TENANTD_TRY(body.finish());
  return in;
}

void write_tenant_links(JsonWriter& out, const domain::Tenant& t) {
  const std::string base = tenant_path(t.tenant_id);
  out.key("_links").begin_object();
  write_link(out, "self", base);
  write_link(out, "audit", base + "/audit");
  write_link(out, "users", base + "/users");  // the original API's name for the members
  bool status_linked = false;
  for (const auto action : domain::kAllTenantActions) {
    if (!domain::tenant_transition(t.status, action)) {
      continue;
    }
    switch (action) {
      case domain::TenantAction::Park:
        write_link(out, "park", base + "/park");
        break;
      case domain::TenantAction::Unpark:
        write_link(out, "unpark", base + "/unpark");
        break;
      case domain::TenantAction::Suspend:
        write_link(out, "suspend", base + "/suspend");
        break;
      case domain::TenantAction::Resume:
        write_link(out, "resume", base + "/resume");
        break;
      case domain::TenantAction::Deprovision:
        write_link(out, "delete", base);
        break;
      case domain::TenantAction::Activate:
      case domain::TenantAction::Fail:
      case domain::TenantAction::Retry:
        if (!status_linked) {
          write_link(out, "status", base + "/status");
          status_linked = true;
        }
        break;
    }
  }
  out.end_object();
}

std::string tenant_json(const domain::Tenant& tenant, std::string_view message,
                        std::string_view warning, bool unparked) {
  JsonWriter out;
  out.begin_object();
  encoders::write_tenant_fields(out, tenant);
  if (unparked) {
    out.field("unparkedAt", format_time(tenant.updated_at)).field("unparkedBy", tenant.updated_by);
  }
  write_tenant_links(out, tenant);
  if (!message.empty()) {
    out.field("message", message);
  }
  if (!warning.empty()) {
    out.field("warning", warning);
  }
  out.end_object();
  return out.str();
}

void write_tenant_summary(JsonWriter& out, const domain::Tenant& t) {
  out.begin_object();
  encoders::write_tenant_fields(out, t);
  write_tenant_links(out, t);
  out.end_object();
}

}  // namespace tenantd::api
