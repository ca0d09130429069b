#pragma once
// Organisation hierarchy routes (docs/hierarchy.md): GET and declarative PUT of a tenant's tree.
#include <string>
#include <string_view>
#include <vector>

#include "api/api.hpp"
#include "domain/hierarchy.hpp"
#include "service/hierarchy_service.hpp"

namespace tenantd::api {

std::vector<Route> hierarchy_routes();

// The PUT body {divisions:[{name, groups?:[{name, teams?:[{name}]}]}]}: types, unknown fields
// and the tree's own rules, every problem at once (paths like "divisions[1].groups[0].name").
Result<domain::Tree> decode_hierarchy(std::string_view body);
// The tree with member counts, version, updatedAt and _links.
std::string hierarchy_json(const service::HierarchyView& view);

// The original API's placement body {division, group?, team?} (no `divisions`).
bool is_placement_body(std::string_view body);

namespace handlers {
Response get_hierarchy(Api& api, Call& call);
Response put_hierarchy(Api& api, Call& call);
// The original API's routes (api/handlers/hierarchy_placement.cpp).
Response post_hierarchy(Api& api, Call& call);
Response put_placement(Api& api, Call& call);
Response delete_hierarchy(Api& api, Call& call);
}  // namespace handlers

}  // namespace tenantd::api
