#include "records/tenant_record.hpp"
#include "core/strings.hpp"
#include "core/unicode_text.hpp"

#include <cstdio>

namespace tenantd::records {

using domain::Tenant;

std::string tenant_pk(std::string_view tenant_id) {
  std::string pk = "TENANT#";
  pk += tenant_id;
  return pk;
}

store::Key tenant_key(std::string_view tenant_id) {
  return {tenant_pk(tenant_id), "METADATA"};
}

store::Key org_name_key(std::string_view organization_name) {
  // One tenant per name as people read it: NFC and case-folded (Unicode), so that "CAFÉ",
  // "café" and "cafe\u0301" are one name.
  return {"ORGNAME#" + unicode::comparison_key(organization_name), "ORGNAME"};
}

store::Item org_name_item(const Tenant& tenant) {
  const store::Key key = org_name_key(tenant.organization_name);
  JsonWriter out;
  out.begin_object().field("tenantId", tenant.tenant_id).end_object();
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  item.data = out.str();
  return item;
}

std::string_view leading_chars(std::string_view text, std::size_t chars) {
  std::size_t i = 0;
  while (i < text.size() && chars > 0) {
    ++i;
    // Continuation bytes (10xxxxxx) belong to the character before them.
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
      ++i;
    }
    --chars;
  }
  return text.substr(0, i);
}

std::string name_bucket_pk(std::string_view lower_name, std::size_t chars) {
  std::string pk = "TENANTS#NAME" + std::to_string(chars) + "#";
  pk += leading_chars(lower_name, chars);
  return pk;
}

std::string created_sort_key(const Tenant& tenant) {
  char ms[24];
  std::snprintf(ms, sizeof ms, "%013lld", static_cast<long long>(epoch_ms(tenant.created_at)));
  std::string sk = ms;
  sk += '#';
  sk += tenant.tenant_id;
  return sk;
}

void write_metadata(JsonWriter& out, const domain::Metadata& metadata) {
  out.begin_object();
  for (const auto& [key, value] : metadata) {
    out.key(key);
    std::visit([&out](const auto& v) { out.value(v); }, value);
  }
  out.end_object();
}

namespace {
void write_time(JsonWriter& out, std::string_view key, const std::optional<TimePoint>& t) {
  if (t) {
    out.field(key, format_time(*t));
  }
}
}  // namespace

void write_tenant_attributes(JsonWriter& out, const Tenant& t) {
  out.field("tenantId", t.tenant_id)
      .field("organizationName", t.organization_name)
      .field("contactEmail", t.contact_email)
      .field("environment", domain::to_string(t.environment))
      .field("status", domain::to_string(t.status))
      .field("division", t.division)
      .field("group", t.group)
      .field("team", t.team);
  if (!t.metadata.empty()) {
    out.key("metadata");
    write_metadata(out, t.metadata);
  }
  out.field("createdAt", format_time(t.created_at))
      .field("createdBy", t.created_by)
      .field("updatedAt", format_time(t.updated_at))
      .field("updatedBy", t.updated_by);
  write_time(out, "parkedAt", t.parked_at);
  out.field("parkedBy", t.parked_by).field("parkReason", t.park_reason);
  write_time(out, "suspendedAt", t.suspended_at);
  out.field("suspendedBy", t.suspended_by).field("suspendReason", t.suspend_reason);
  write_time(out, "deprovisionedAt", t.deprovisioned_at);
  out.field("deprovisionedBy", t.deprovisioned_by)
      .field("memberCount", t.member_count)
      .field("instanceCount", t.instance_count)
      .field("version", t.version);
}

store::Item tenant_item(const Tenant& t) {
  JsonWriter out;
  out.begin_object();
  write_tenant_attributes(out, t);
  out.end_object();

  store::Item item;
  const store::Key key = tenant_key(t.tenant_id);
  item.pk = key.pk;
  item.sk = key.sk;
  item.data = out.str();
  const std::string created = created_sort_key(t);
  const std::string status(domain::to_string(t.status));
  const std::string env(domain::to_string(t.environment));
  item.indexes[kTenantsAllIndex - 1] = store::IndexKey{"TENANTS", created};
  item.indexes[kTenantsByStatusIndex - 1] = store::IndexKey{"TENANTS#STATUS#" + status, created};
  item.indexes[kTenantsByEnvIndex - 1] = store::IndexKey{"TENANTS#ENV#" + env, created};
  item.indexes[kTenantsByStatusEnvIndex - 1] =
      store::IndexKey{"TENANTS#STATUS_ENV#" + status + "#" + env, created};
  const std::string lower = to_lower(t.organization_name);
  for (std::size_t chars = 1; chars <= kNameBuckets; ++chars) {
    const auto slot = static_cast<std::size_t>(kTenantsByName1Index - 1) + chars - 1;
    if (domain::utf8_length(lower).value_or(0) >= chars) {  // shorter names cannot match
      item.indexes[slot] = store::IndexKey{name_bucket_pk(lower, chars), created};
    }
  }
  return item;
}

namespace {

std::optional<std::string> opt_string(const JsonValue& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(as_view(it->value));
}

std::optional<TimePoint> opt_time(const JsonValue& obj, const char* name) {
  const auto text = opt_string(obj, name);
  if (!text) {
    return std::nullopt;
  }
  return parse_time(*text);
}

std::int64_t int_or(const JsonValue& obj, const char* name, std::int64_t fallback) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsInt64()) {
    return fallback;
  }
  return it->value.GetInt64();
}

Error corrupt(std::string_view what) {
  return Error::make(ErrorCode::InternalError, "stored tenant is unreadable: " + std::string(what));
}

}  // namespace

Result<Tenant> tenant_from_json(const JsonValue& v) {
  if (!v.IsObject()) {
    return corrupt("not an object");
  }
  Tenant t;
  auto id = opt_string(v, "tenantId");
  auto name = opt_string(v, "organizationName");
  auto email = opt_string(v, "contactEmail");
  auto env_text = opt_string(v, "environment");
  auto status_text = opt_string(v, "status");
  auto created = opt_time(v, "createdAt");
  auto updated = opt_time(v, "updatedAt");
  if (!id || !name || !email || !env_text || !status_text || !created || !updated) {
    return corrupt("missing attribute");
  }
  const auto env = domain::parse_environment(*env_text);
  const auto status = domain::parse_tenant_status(*status_text);
  if (!env || !status) {
    return corrupt("bad environment or status");
  }
  t.tenant_id = std::move(*id);
  t.organization_name = std::move(*name);
  t.contact_email = std::move(*email);
  t.environment = *env;
  t.status = *status;
  t.division = opt_string(v, "division");
  t.group = opt_string(v, "group");
  t.team = opt_string(v, "team");
  if (const auto it = v.FindMember("metadata"); it != v.MemberEnd() && it->value.IsObject()) {
    for (const auto& m : it->value.GetObject()) {
      std::string key(as_view(m.name));
      if (m.value.IsString()) {
        t.metadata.emplace(std::move(key), std::string(as_view(m.value)));
      } else if (m.value.IsBool()) {
        t.metadata.emplace(std::move(key), m.value.GetBool());
      } else if (m.value.IsInt64()) {
        t.metadata.emplace(std::move(key), m.value.GetInt64());
      } else if (m.value.IsNumber()) {
        t.metadata.emplace(std::move(key), m.value.GetDouble());
      }
    }
  }
  t.created_at = *created;
  t.created_by = opt_string(v, "createdBy").value_or("");
  t.updated_at = *updated;
  t.updated_by = opt_string(v, "updatedBy").value_or("");
  t.parked_at = opt_time(v, "parkedAt");
  t.parked_by = opt_string(v, "parkedBy");
  t.park_reason = opt_string(v, "parkReason");
  t.suspended_at = opt_time(v, "suspendedAt");
  t.suspended_by = opt_string(v, "suspendedBy");
  t.suspend_reason = opt_string(v, "suspendReason");
  t.deprovisioned_at = opt_time(v, "deprovisionedAt");
  t.deprovisioned_by = opt_string(v, "deprovisionedBy");
  t.member_count = int_or(v, "memberCount", 0);
  t.instance_count = int_or(v, "instanceCount", 0);
  t.version = int_or(v, "version", 1);
  return t;
}

Result<Tenant> tenant_from_item(const store::Item& item) {
  thread_local JsonScratch scratch;  // the document does not outlive this call
  const JsonValue* doc = scratch.parse(item.data);
  if (doc == nullptr) {
    return corrupt("invalid JSON");
  }
  return tenant_from_json(*doc);
}

}  // namespace tenantd::records
