// Organisation hierarchy routes (docs/hierarchy.md).
#include "api/handlers/hierarchy.hpp"

#include <algorithm>

#include "api/handlers/fail.hpp"
#include "api/handlers/query_checks.hpp"
#include "api/links.hpp"
#include "api/responses.hpp"
#include "core/json.hpp"
#include "core/json_input.hpp"
#include "domain/tenant.hpp"

namespace tenantd::api {

namespace {

using domain::Tree;

// Reads the `name` of a node object and reports fields other than `name` and `children`.
std::string read_name(const JsonValue& node, const std::string& path, const char* children,
                      std::vector<FieldError>& errors) {
  std::string name;
  for (const auto& member : node.GetObject()) {
    const std::string key(as_view(member.name));
    if (key == "name") {
      if (member.value.IsString()) {
        name = std::string(as_view(member.value));
      } else {
        errors.push_back({path + ".name", "INVALID_TYPE", path + ".name must be a string"});
      }
    } else if (children == nullptr || key != children) {
      errors.push_back({path + "." + key, "UNKNOWN_FIELD", "Unknown field '" + key + "'"});
    }
  }
  if (!node.HasMember("name")) {
    errors.push_back({path + ".name", "REQUIRED", path + ".name is required"});
  }
  return name;
}

// The array `field` of `parent` (absent or null: no children), or nullptr after an error.
const JsonValue* read_array(const JsonValue& parent, const char* field, const std::string& path,
                            std::vector<FieldError>& errors) {
  const auto it = parent.FindMember(field);
  if (it == parent.MemberEnd() || it->value.IsNull()) {
    return nullptr;
  }
  if (!it->value.IsArray()) {
    errors.push_back({path, "INVALID_TYPE", path + " must be an array"});
    return nullptr;
  }
  return &it->value;
}

// Calls `each(element, path)` for every object element, reporting the others.
template <class Each>
void for_each_object(const JsonValue& array, const std::string& path,
                     std::vector<FieldError>& errors, Each each) {
  std::size_t i = 0;
  for (const auto& element : array.GetArray()) {
    const std::string element_path = path + "[" + std::to_string(i++) + "]";
    if (!element.IsObject()) {
      errors.push_back({element_path, "INVALID_TYPE", element_path + " must be an object"});
      continue;
    }
    each(element, element_path);
  }
}

}  // namespace

Result<Tree> decode_hierarchy(std::string_view body) {
  const bool blank = std::all_of(body.begin(), body.end(), [](char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  });
  if (blank) {
    return Error::make(ErrorCode::InvalidJson, "A JSON object body is required");
  }
  JsonInputError problem;
  const auto doc = parse_untrusted_json(body, JsonLimits{}, &problem);
  if (!doc) {
    return json_input_error_to_error(problem, "The request body");
  }
  if (!doc->IsObject()) {
    return Error::validation({{"body", "INVALID_TYPE", "The request body must be a JSON object"}});
  }
  std::vector<FieldError> errors;
  for (const auto& member : doc->GetObject()) {
    const std::string key(as_view(member.name));
    if (key != "divisions") {
      errors.push_back({key, "UNKNOWN_FIELD", "Unknown field '" + key + "'"});
    }
  }
  Tree tree;
  const auto divisions = doc->FindMember("divisions");
  if (divisions == doc->MemberEnd()) {
    errors.push_back({"divisions", "REQUIRED", "divisions is required (an empty array clears it)"});
  } else if (!divisions->value.IsArray()) {
    errors.push_back({"divisions", "INVALID_TYPE", "divisions must be an array"});
  } else {
    for_each_object(
        divisions->value, "divisions", errors, [&](const JsonValue& d, const std::string& d_path) {
          domain::DivisionNode division{read_name(d, d_path, "groups", errors), {}};
          const std::string g_list = d_path + ".groups";
          if (const JsonValue* groups = read_array(d, "groups", g_list, errors)) {
            for_each_object(
                *groups, g_list, errors, [&](const JsonValue& g, const std::string& g_path) {
                  domain::GroupNode group{read_name(g, g_path, "teams", errors), {}};
                  const std::string t_list = g_path + ".teams";
                  if (const JsonValue* teams = read_array(g, "teams", t_list, errors)) {
                    for_each_object(
                        *teams, t_list, errors, [&](const JsonValue& t, const std::string& t_path) {
                          group.teams.push_back({read_name(t, t_path, nullptr, errors)});
                        });
                  }
                  division.groups.push_back(std::move(group));
                });
          }
          tree.divisions.push_back(std::move(division));
        });
  }
  // The tree's positions match the body's only when every element was an object.
  const bool aligned = std::none_of(errors.begin(), errors.end(), [](const FieldError& e) {
    return e.code == "INVALID_TYPE" && e.field.back() == ']';
  });
  tree = domain::trimmed(std::move(tree));
  if (aligned) {
    for (auto& error : domain::validate_tree(tree)) {
      const bool already = std::any_of(errors.begin(), errors.end(),
                                       [&](const FieldError& e) { return e.field == error.field; });
      if (!already) {
        errors.push_back(std::move(error));
      }
    }
  }
  if (!errors.empty()) {
    return Error::validation(std::move(errors));
  }
  return tree;
}

std::string hierarchy_json(const service::HierarchyView& view) {
  JsonWriter out;
  out.begin_object().field("tenantId", view.tenant_id).key("divisions").begin_array();
  for (std::size_t d = 0; d < view.tree.divisions.size(); ++d) {
    const auto& division = view.tree.divisions[d];
    const auto& division_count = view.counts.divisions[d];
    out.begin_object()
        .field("name", division.name)
        .field("memberCount", division_count.members)
        .key("groups")
        .begin_array();
    for (std::size_t g = 0; g < division.groups.size(); ++g) {
      const auto& group = division.groups[g];
      const auto& group_count = division_count.groups[g];
      out.begin_object()
          .field("name", group.name)
          .field("memberCount", group_count.members)
          .key("teams")
          .begin_array();
      for (std::size_t t = 0; t < group.teams.size(); ++t) {
        out.begin_object()
            .field("name", group.teams[t].name)
            .field("memberCount", group_count.teams[t])
            .end_object();
      }
      out.end_array().end_object();
    }
    out.end_array().end_object();
  }
  out.end_array().field("version", view.version);
  if (view.updated_at) {
    out.field("updatedAt", format_time(*view.updated_at));
  }
  const std::string base = tenant_path(view.tenant_id);
  out.key("_links").begin_object();
  write_link(out, "self", base + "/hierarchy");
  write_link(out, "tenant", base);
  out.end_object().end_object();
  return out.str();
}

namespace handlers {

namespace {

Response hierarchy_response(const service::HierarchyView& view) {
  Response r = json_response(200, hierarchy_json(view));
  r.set_header("ETag", etag(view.version));
  return r;
}

}  // namespace

Response get_hierarchy(Api& api, Call& call) {
  call.tenant_id = call.param(0);
  if (!call.query.all().empty()) {
    const std::string& name = call.query.all().front().first;
    return fail(call, Error::validation({unknown_query_param(name)}));
  }
  auto view = api.deps().services.hierarchy.get(call.ctx, call.tenant_id);
  if (!view) {
    return fail(call, view.error());
  }
  return hierarchy_response(*view);
}

Response put_hierarchy(Api& api, Call& call) {
  if (is_placement_body(call.request.body)) {
    return put_placement(api, call);
  }
  call.tenant_id = call.param(0);
  bool cascade = false;
  for (const auto& [name, value] : call.query.all()) {
    if (name == "cascade" && (value == "true" || value == "false")) {
      cascade = value == "true";
    } else if (name == "cascade") {
      return fail(
          call, Error::validation({{"cascade", "INVALID_VALUE", "cascade must be true or false"}}));
    } else {
      return fail(call, Error::validation({unknown_query_param(name)}));
    }
  }
  auto tree = decode_hierarchy(call.request.body);
  if (!tree) {
    return fail(call, tree.error());
  }
  auto view =
      api.deps().services.hierarchy.put(call.ctx, call.tenant_id, std::move(*tree), cascade);
  if (!view) {
    return fail(call, view.error());
  }
  return hierarchy_response(*view);
}

}  // namespace handlers

std::vector<Route> hierarchy_routes() {
  return {
      {"GET", "/tenants/{tenantId}/hierarchy", handlers::get_hierarchy},
      {"PUT", "/tenants/{tenantId}/hierarchy", handlers::put_hierarchy},
      {"POST", "/tenants/{tenantId}/hierarchy", handlers::post_hierarchy},
      {"DELETE", "/tenants/{tenantId}/hierarchy", handlers::delete_hierarchy},
  };
}

}  // namespace tenantd::api
