// The original API's hierarchy routes (docs/original-api.md, docs/decisions/0016-*.md): POST, PUT
// and DELETE /tenants/{id}/hierarchy with {division, group?, team?} set, change or clear the
// tenant's own placement, adding the path to the tree when it is missing. They are made of the
// tree's and the tenant's own use cases (each one transaction), so the tree's and the tenant's
// rules, events and audit entries apply unchanged.
#include <algorithm>

#include "api/body_reader.hpp"
#include "api/handlers/fail.hpp"
#include "api/handlers/hierarchy.hpp"
#include "api/handlers/query_checks.hpp"
#include "api/responses.hpp"
#include "core/json.hpp"
#include "domain/tenant.hpp"
#include "service/tenant_service.hpp"

namespace tenantd::api {

namespace {

using domain::Placement;
using domain::Tree;

Result<Placement> decode_placement(std::string_view text) {
  auto parsed = BodyReader::parse(text, false);
  if (!parsed) {
    return std::move(parsed).error();
  }
  BodyReader& body = *parsed;
  Placement p;
  p.division = body.string("division", true);
  p.group = body.string("group", false);
  p.team = body.string("team", false);
  for (auto [field, value] : {std::pair{"division", &p.division}, std::pair{"group", &p.group},
                              std::pair{"team", &p.team}}) {
    if (*value) {
      domain::check_node_name(field, **value, body.errors());
    }
  }
  domain::check_placement(p.division, p.group, p.team, body.errors());
  TENANTD_TRY(body.finish());
  return p;
}

template <class Node>
Node& find_or_add(std::vector<Node>& siblings, const std::string& name) {
  const auto it = std::find_if(siblings.begin(), siblings.end(),
                               [&](const Node& n) { return domain::same_name(n.name, name); });
  if (it != siblings.end()) {
    return *it;
  }
  siblings.push_back(Node{name, {}});
  return siblings.back();
}

// The tree with the placement's path added where missing.
Tree with_path(Tree tree, const Placement& p) {
  auto& division = find_or_add(tree.divisions, *p.division);
  if (p.group) {
    auto& group = find_or_add(division.groups, *p.group);
    if (p.team &&
        std::none_of(group.teams.begin(), group.teams.end(), [&](const domain::TeamNode& t) {
          return domain::same_name(t.name, *p.team);
        })) {
      group.teams.push_back(domain::TeamNode{*p.team});
    }
  }
  return tree;
}

// Members at or under the tenant's node (the original `userCount`).
std::int64_t members_at(const service::HierarchyView& view, const Placement& p) {
  for (std::size_t d = 0; d < view.tree.divisions.size(); ++d) {
    const auto& division = view.tree.divisions[d];
    if (!domain::same_name(division.name, *p.division)) {
      continue;
    }
    if (!p.group) {
      return view.counts.divisions[d].members;
    }
    for (std::size_t g = 0; g < division.groups.size(); ++g) {
      if (!domain::same_name(division.groups[g].name, *p.group)) {
        continue;
      }
      const auto& counts = view.counts.divisions[d].groups[g];
      if (!p.team) {
        return counts.members;
      }
      for (std::size_t t = 0; t < division.groups[g].teams.size(); ++t) {
        if (domain::same_name(division.groups[g].teams[t].name, *p.team)) {
          return counts.teams[t];
        }
      }
    }
  }
  return 0;
}

// The original `Hierarchy` fields next to the tree.
Response placement_response(int status, const domain::Tenant& tenant,
                            const service::HierarchyView& view) {
  const Placement p{tenant.division, tenant.group, tenant.team};
  auto doc = parse_json(hierarchy_json(view));
  JsonWriter out;
  out.begin_object()
      .field("division", p.division)
      .field("group", p.group)
      .field("team", p.team)
      .field("userCount", p.division ? members_at(view, p) : 0)
      .field("createdAt", format_time(tenant.created_at))
      .field("updatedAt",
             format_time(std::max(tenant.updated_at, view.updated_at.value_or(tenant.updated_at))));
  const JsonValue& tree = *doc;
  for (const auto& member : tree.GetObject()) {
    const std::string_view key = as_view(member.name);
    if (key != "updatedAt") {
      out.key(key).raw(to_json(member.value));
    }
  }
  out.end_object();
  Response r = json_response(status, out.str());
  r.set_header("ETag", etag(view.version));
  return r;
}

bool no_query(Call& call, Response& refusal) {
  if (call.query.all().empty()) {
    return true;
  }
  const std::string& name = call.query.all().front().first;
  refusal = fail(call, Error::validation({unknown_query_param(name)}));
  return false;
}

// Sets the tenant's placement to `p`, adding its path to the tree first when missing.
Result<std::pair<domain::Tenant, service::HierarchyView>> place(Api& api, Call& call,
                                                                const Placement& p) {
  auto& hierarchy = api.deps().services.hierarchy;
  auto view = hierarchy.get(call.ctx, call.tenant_id);
  if (!view) {
    return std::move(view).error();
  }
  if (!domain::node_exists(view->tree, p)) {
    service::Context ctx = call.ctx;
    ctx.if_match.reset();  // an If-Match names the tenant's version, not the tree's
    TENANTD_TRY(hierarchy.put(ctx, call.tenant_id, with_path(std::move(view->tree), p), false));
  }
  service::UpdateTenantInput input;
  input.division = {true, p.division};
  input.group = {true, p.group};
  input.team = {true, p.team};
  auto tenant = api.deps().services.tenants.update(call.ctx, call.tenant_id, input);
  if (!tenant) {
    return std::move(tenant).error();
  }
  auto after = hierarchy.get(call.ctx, call.tenant_id);
  if (!after) {
    return std::move(after).error();
  }
  return std::pair{std::move(*tenant), std::move(*after)};
}

}  // namespace

bool is_placement_body(std::string_view body) {
  auto doc = parse_json(body);
  return doc && doc->IsObject() && doc->HasMember("division") && !doc->HasMember("divisions");
}

namespace handlers {

Response post_hierarchy(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  if (Response refusal; !no_query(call, refusal)) {
    return refusal;
  }
  auto p = decode_placement(call.request.body);
  if (!p) {
    return fail(call, p.error());
  }
  auto tenant = api.deps().services.tenants.get(call.ctx, call.tenant_id);
  if (!tenant) {
    return fail(call, tenant.error());
  }
  if (tenant->division) {
    return fail(call, Error::make(ErrorCode::Conflict,
                                  "The tenant is placed in the hierarchy already; change the "
                                  "placement with PUT or clear it with DELETE")
                          .with("division", *tenant->division));
  }
  auto placed = place(api, call, *p);
  if (!placed) {
    return fail(call, placed.error());
  }
  return placement_response(201, placed->first, placed->second);
}

Response put_placement(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  if (Response refusal; !no_query(call, refusal)) {
    return refusal;
  }
  auto p = decode_placement(call.request.body);
  if (!p) {
    return fail(call, p.error());
  }
  auto placed = place(api, call, *p);
  if (!placed) {
    return fail(call, placed.error());
  }
  return placement_response(200, placed->first, placed->second);
}

Response delete_hierarchy(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  bool cascade = false;
  for (const auto& [name, value] : call.query.all()) {
    if (name == "cascade" && (value == "true" || value == "false")) {
      cascade = value == "true";
    } else {
      return fail(call, Error::validation(
                            {{name, name == "cascade" ? "INVALID_VALUE" : "UNKNOWN_FIELD",
                              name == "cascade" ? "cascade must be true or false"
                                                : "Unknown query parameter '" + name + "'"}}));
    }
  }
  if (auto body = BodyReader::parse(call.request.body, true); !body) {
    return fail(call, body.error());
  } else if (auto done = body->finish(); !done) {
    return fail(call, done.error());
  }
  auto& hierarchy = api.deps().services.hierarchy;
  auto tenant = api.deps().services.tenants.get(call.ctx, call.tenant_id);
  if (!tenant) {
    return fail(call, tenant.error());
  }
  if (!tenant->division) {
    return fail(call, Error::make(ErrorCode::NotFound, "The tenant has no hierarchy placement"));
  }
  auto view = hierarchy.get(call.ctx, call.tenant_id);
  if (!view) {
    return fail(call, view.error());
  }
  // The tenant's division goes with its groups and teams: members placed there keep nothing of
  // it with cascade and refuse the delete without (checked before anything changes).
  const Placement division_only{tenant->division, std::nullopt, std::nullopt};
  if (const std::int64_t placed = members_at(*view, division_only); !cascade && placed > 0) {
    return fail(
        call, Error::make(ErrorCode::HierarchyNotEmpty,
                          std::to_string(placed) + " member(s) are placed in " + *tenant->division +
                              "; move them first or DELETE with ?cascade=true"));
  }
  service::UpdateTenantInput clear;
  clear.division = {true, std::nullopt};
  clear.group = {true, std::nullopt};
  clear.team = {true, std::nullopt};
  auto cleared = api.deps().services.tenants.update(call.ctx, call.tenant_id, clear);
  if (!cleared) {
    return fail(call, cleared.error());
  }
  Tree rest = view->tree;
  std::erase_if(rest.divisions, [&](const domain::DivisionNode& d) {
    return domain::same_name(d.name, *tenant->division);
  });
  service::Context ctx = call.ctx;
  ctx.if_match.reset();
  if (auto removed = hierarchy.put(ctx, call.tenant_id, std::move(rest), cascade); !removed) {
    return fail(call, removed.error());
  }
  Response r;
  r.status = 204;
  return r;
}

}  // namespace handlers

}  // namespace tenantd::api
