#include "records/membership_record.hpp"

#include "records/tenant_record.hpp"

namespace tenantd::records {

using service::Page;
using service::PageRequest;
using service::TenantRole;

namespace {

std::optional<std::string> string_member(const JsonValue& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(as_view(it->value));
}

}  // namespace

store::Key membership_key(std::string_view tenant_id, std::string_view user_id) {
  return {tenant_pk(tenant_id), "USER#" + std::string(user_id)};
}

std::string member_pk(std::string_view user_id) {
  return "MEMBER#" + std::string(user_id);
}

std::string role_index_pk(std::string_view tenant_id, TenantRole role) {
  std::string pk = "TENANT_ROLE#";
  pk += tenant_id;
  pk += '#';
  pk += to_string(role);
  return pk;
}

void write_membership_attributes(JsonWriter& out, const Membership& m) {
  out.field("tenantId", m.tenant_id)
      .field("userId", m.user_id)
      .field("email", m.email)
      .field("role", to_string(m.role))
      .field("division", m.division)
      .field("group", m.group)
      .field("team", m.team)
      .field("assignedAt", format_time(m.assigned_at))
      .field("assignedBy", m.assigned_by)
      .field("version", m.version);
}

store::Item membership_item(const Membership& m) {
  const store::Key key = membership_key(m.tenant_id, m.user_id);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  item.indexes[kMembersByUserIndex - 1] =
      store::IndexKey{member_pk(m.user_id), tenant_pk(m.tenant_id)};
  item.indexes[kMembersByRoleIndex - 1] =
      store::IndexKey{role_index_pk(m.tenant_id, m.role), key.sk};
  JsonWriter out;
  out.begin_object();
  write_membership_attributes(out, m);
  out.end_object();
  item.data = out.str();
  return item;
}

Result<Membership> membership_from_item(const store::Item& item) {
  thread_local JsonScratch scratch;  // the document does not outlive this call
  const JsonValue* doc = scratch.parse(item.data);
  if (doc == nullptr || !doc->IsObject()) {
    return Error::make(ErrorCode::InternalError, "stored membership is unreadable");
  }
  const JsonValue& v = *doc;
  auto tenant_id = string_member(v, "tenantId");
  auto user_id = string_member(v, "userId");
  auto email = string_member(v, "email");
  auto role_text = string_member(v, "role");
  auto assigned_at_text = string_member(v, "assignedAt");
  const auto role = role_text ? service::parse_tenant_role(*role_text) : std::nullopt;
  const auto assigned_at = assigned_at_text ? parse_time(*assigned_at_text) : std::nullopt;
  if (!tenant_id || !user_id || !email || !role || !assigned_at) {
    return Error::make(ErrorCode::InternalError, "stored membership is incomplete");
  }
  Membership m;
  m.tenant_id = std::move(*tenant_id);
  m.user_id = std::move(*user_id);
  m.email = std::move(*email);
  m.role = *role;
  m.division = string_member(v, "division");
  m.group = string_member(v, "group");
  m.team = string_member(v, "team");
  m.assigned_at = *assigned_at;
  m.assigned_by = string_member(v, "assignedBy").value_or("");
  const auto version = v.FindMember("version");
  m.version = version != v.MemberEnd() && version->value.IsInt64() ? version->value.GetInt64() : 1;
  return m;
}

Result<Page<Membership>> list_memberships(store::ItemStore& store, std::string_view tenant_id,
                                          std::optional<TenantRole> role, const PageRequest& page) {
  store::Query query;
  query.table = store::Table::Tenants;
  if (role) {
    query.index = kMembersByRoleIndex;
    query.pk = role_index_pk(tenant_id, *role);
  } else {
    query.pk = tenant_pk(tenant_id);
  }
  query.sk = store::SortCondition::begins_with(std::string(kMembershipSkPrefix));
  query.limit = page.limit + 1;  // one more tells whether another page exists
  query.start_after = page.after;
  auto items = store.query(query);
  if (!items) {
    return std::move(items).error();
  }
  Page<Membership> out;
  const std::size_t wanted = static_cast<std::size_t>(page.limit);
  for (std::size_t i = 0; i < items->size() && i < wanted; ++i) {
    auto m = membership_from_item((*items)[i]);
    if (!m) {
      return std::move(m).error();
    }
    out.items.push_back(std::move(*m));
  }
  if (items->size() > wanted && wanted > 0) {
    out.next = store::cursor_after((*items)[wanted - 1], query.index);
  }
  return out;
}

Result<std::vector<Membership>> all_memberships(store::ItemStore& store,
                                                std::string_view tenant_id) {
  std::vector<Membership> all;
  PageRequest page;
  page.limit = 100;
  while (true) {
    auto batch = list_memberships(store, tenant_id, std::nullopt, page);
    if (!batch) {
      return std::move(batch).error();
    }
    for (auto& m : batch->items) {
      all.push_back(std::move(m));
    }
    if (!batch->next) {
      return all;
    }
    page.after = batch->next;
  }
}

}  // namespace tenantd::records
