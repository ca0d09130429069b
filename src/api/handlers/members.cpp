// Member routes (docs/members.md): decode -> MemberService -> encode.
#include "api/handlers/members.hpp"

#include "api/body_reader.hpp"
#include "api/encoders/membership_fields.hpp"
#include "api/handlers/fail.hpp"
#include "api/handlers/member_fields.hpp"
#include "api/handlers/query_checks.hpp"
#include "api/links.hpp"
#include "api/pagination.hpp"
#include "api/responses.hpp"
#include "service/member_service.hpp"

namespace tenantd::api::handlers {

namespace {

using service::Membership;
using service::TenantRole;

service::MemberService& members(Api& api) {
  return api.deps().services.members;
}

std::string membership_json(const Membership& m) {
  JsonWriter out;
  out.begin_object();
  encoders::write_membership_fields(out, m);
  out.end_object();
  return out.str();
}

Response membership_response(int status, const Membership& m) {
  Response r = json_response(status, membership_json(m));
  r.set_header("ETag", etag(m.version));
  return r;
}

Result<service::AssignMemberInput> decode_assign(std::string_view text) {
  auto parsed = BodyReader::parse(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  service::AssignMemberInput in;
  if (auto email = read_email(body, true)) {
    in.email = std::move(*email);
  }
  if (auto role = read_role(body, true)) {
    in.role = *role;
  }
  if (auto user_id = body.string("userId", false)) {
    if (user_id->empty() || user_id->size() > 128) {
      body.error("userId", "INVALID_FORMAT", "userId must be 1..128 characters");
    }
    in.user_id = std::move(user_id);
  }
  in.division = read_node(body, "division");
  in.group = read_node(body, "group");
  in.team = read_node(body, "team");
  domain::check_placement(in.division, in.group, in.team, body.errors());
  TENANTD_TRY(body.finish());
  return in;
}

Result<service::UpdateMemberInput> decode_update(std::string_view text) {
  auto parsed = BodyReader::parse(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  service::UpdateMemberInput in;
  if (body.has("role")) {
    if (body.is_null("role")) {
      body.error("role", "INVALID_TYPE", "role cannot be removed");
    } else {
      in.role = read_role(body, false);
    }
  }
  for (auto [field, patch] : {std::pair{"division", &in.division}, std::pair{"group", &in.group},
                              std::pair{"team", &in.team}}) {
    if (body.has(field)) {
      patch->present = true;
      patch->value = read_node(body, field);
    }
  }
  TENANTD_TRY(body.finish());
  return in;
}

Response tenants_page(Api& api, Call& call, std::string_view user_id) {
  if (auto ok = only_page_params(call, {""}); !ok) {
    return fail(call, ok.error());
  }
  // Bound to the user listed and to the caller, so a token cannot be replayed elsewhere.
  const std::string scope = "user-tenants|" + std::string(user_id) + "|" + call.ctx.principal.sub;
  auto page = read_page(call, api.deps().page_tokens, scope);
  if (!page) {
    return fail(call, page.error());
  }
  auto result = members(api).tenants_of(call.ctx, user_id, *page);
  if (!result) {
    return fail(call, result.error());
  }
  JsonWriter out;
  out.begin_object().key("items").begin_array();
  for (const auto& row : result->items) {
    out.begin_object()
        .field("tenantId", row.tenant_id)
        .field("organizationName", row.organization_name)
        .field("status", domain::to_string(row.status))
        .field("role", service::to_string(row.role))
        .field("assignedAt", format_time(row.assigned_at))
        .end_object();
  }
  out.end_array();
  finish_page(out, call, api.deps().page_tokens, scope, result->items.size(), result->next);
  return json_response(200, out.str());
}

}  // namespace

Response assign_member(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  auto input = decode_assign(call.request.body);
  if (!input) {
    return fail(call, input.error());
  }
  auto m = members(api).assign(call.ctx, call.tenant_id, *input);
  if (!m) {
    return fail(call, m.error());
  }
  Response r = membership_response(201, *m);
  r.set_header("Location", member_path(m->tenant_id, m->user_id));
  return r;
}

Response list_members(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  if (auto ok = only_page_params(call, {"role"}); !ok) {
    return fail(call, ok.error());
  }
  std::optional<TenantRole> role;
  if (auto text = call.query.get("role")) {
    role = service::parse_tenant_role(*text);
    if (!role) {
      return fail(call, Error::validation({{"role", "INVALID_VALUE",
                                            "role must be one of Admin, Operator, Viewer"}}));
    }
  }
  const std::string scope = "members|" + call.tenant_id +
                            "|r=" + (role ? std::string(service::to_string(*role)) : std::string());
  auto page = read_page(call, api.deps().page_tokens, scope);
  if (!page) {
    return fail(call, page.error());
  }
  auto result = members(api).list(call.ctx, call.tenant_id, role, *page);
  if (!result) {
    return fail(call, result.error());
  }
  JsonWriter out;
  out.begin_object().key("items").begin_array();
  for (const auto& m : result->items) {
    out.begin_object();
    encoders::write_membership_fields(out, m);
    out.end_object();
  }
  out.end_array();
  finish_page(out, call, api.deps().page_tokens, scope, result->items.size(), result->next);
  return json_response(200, out.str());
}

Response get_member(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  auto m = members(api).get(call.ctx, call.tenant_id, call.param(1));
  if (!m) {
    return fail(call, m.error());
  }
  return membership_response(200, *m);
}

Response update_member(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  auto input = decode_update(call.request.body);
  if (!input) {
    return fail(call, input.error());
  }
  auto m = members(api).update(call.ctx, call.tenant_id, call.param(1), *input);
  if (!m) {
    return fail(call, m.error());
  }
  return membership_response(200, *m);
}

Response remove_member(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  if (auto ok = only_page_params(call, {""}); !ok) {
    return fail(call, ok.error());
  }
  if (auto removed = members(api).remove(call.ctx, call.tenant_id, call.param(1)); !removed) {
    return fail(call, removed.error());
  }
  Response r;
  r.status = 204;
  return r;
}

Response user_tenants(Api& api, Call& call) {
  return tenants_page(api, call, call.param(0));
}

Response my_tenants(Api& api, Call& call) {
  return tenants_page(api, call, call.ctx.principal.sub);
}

std::vector<Route> member_routes() {
  return {
      {"POST", "/tenants/{tenantId}/users", assign_member},
      {"GET", "/tenants/{tenantId}/users", list_members},
      {"GET", "/tenants/{tenantId}/users/{userId}", get_member},
      {"PUT", "/tenants/{tenantId}/users/{userId}", update_member},
      {"DELETE", "/tenants/{tenantId}/users/{userId}", remove_member},
      {"GET", "/users/{userId}/tenants", user_tenants},
      {"GET", "/me/tenants", my_tenants},
  };
}

}  // namespace tenantd::api::handlers
