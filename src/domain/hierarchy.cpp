#include "domain/hierarchy.hpp"

#include <set>

#include "core/strings.hpp"
#include "domain/tenant.hpp"

namespace tenantd::domain {

namespace {

// Index of the child named `name` (case-insensitive), or -1.
template <class Node>
int find_child(const std::vector<Node>& nodes, std::string_view name) {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (same_name(nodes[i].name, name)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Checks one level of siblings: their number, each name, and uniqueness among them.
template <class Node>
void check_siblings(const std::vector<Node>& nodes, const std::string& list_field,
                    std::string_view kind, std::vector<FieldError>& errors) {
  if (nodes.size() > kMaxHierarchyChildren) {
    errors.push_back({list_field, "TOO_MANY",
                      list_field + " has " + std::to_string(nodes.size()) + " " +
                          std::string(kind) + "; at most " + std::to_string(kMaxHierarchyChildren) +
                          " are allowed"});
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::string field = list_field + "[" + std::to_string(i) + "].name";
    check_node_name(field, nodes[i].name, errors);
    const std::string key = to_lower(trim(nodes[i].name));
    if (key.empty()) {
      continue;
    }
    if (!seen.insert(key).second) {
      errors.push_back({field, "DUPLICATE",
                        "'" + trim(nodes[i].name) + "' is already used by another node of " +
                            list_field + " (names are unique case-insensitively)"});
    }
  }
}

}  // namespace

std::string NodePath::display() const {
  std::string out = division;
  if (group) {
    out += "/" + *group;
    if (team) {
      out += "/" + *team;
    }
  }
  return out;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && to_lower(a) == to_lower(b);
}

std::vector<FieldError> validate_tree(const Tree& tree) {
  std::vector<FieldError> errors;
  check_siblings(tree.divisions, "divisions", "divisions", errors);
  for (std::size_t d = 0; d < tree.divisions.size(); ++d) {
    const std::string division_field = "divisions[" + std::to_string(d) + "]";
    const auto& groups = tree.divisions[d].groups;
    check_siblings(groups, division_field + ".groups", "groups", errors);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::string group_field = division_field + ".groups[" + std::to_string(g) + "]";
      check_siblings(groups[g].teams, group_field + ".teams", "teams", errors);
    }
  }
  return errors;
}

Tree trimmed(Tree tree) {
  for (auto& division : tree.divisions) {
    division.name = trim(division.name);
    for (auto& group : division.groups) {
      group.name = trim(group.name);
      for (auto& team : group.teams) {
        team.name = trim(team.name);
      }
    }
  }
  return tree;
}

bool node_exists(const Tree& tree, const std::optional<std::string>& division,
                 const std::optional<std::string>& group, const std::optional<std::string>& team) {
  if (!division) {
    return !group && !team;
  }
  const int d = find_child(tree.divisions, *division);
  if (d < 0) {
    return false;
  }
  if (!group) {
    return !team;
  }
  const auto& groups = tree.divisions[static_cast<std::size_t>(d)].groups;
  const int g = find_child(groups, *group);
  if (g < 0) {
    return false;
  }
  if (!team) {
    return true;
  }
  return find_child(groups[static_cast<std::size_t>(g)].teams, *team) >= 0;
}

bool node_exists(const Tree& tree, const Placement& placement) {
  return node_exists(tree, placement.division, placement.group, placement.team);
}

Tree tree_of(const Placement& placement) {
  Tree tree;
  if (!placement.division) {
    return tree;
  }
  DivisionNode division{*placement.division, {}};
  if (placement.group) {
    GroupNode group{*placement.group, {}};
    if (placement.team) {
      group.teams.push_back(TeamNode{*placement.team});
    }
    division.groups.push_back(std::move(group));
  }
  tree.divisions.push_back(std::move(division));
  return tree;
}

std::vector<NodePath> removed_nodes(const Tree& before, const Tree& after) {
  std::vector<NodePath> removed;
  for (const auto& division : before.divisions) {
    const int d = find_child(after.divisions, division.name);
    if (d < 0) {
      removed.push_back(NodePath{division.name, std::nullopt, std::nullopt});
      continue;
    }
    const auto& kept_groups = after.divisions[static_cast<std::size_t>(d)].groups;
    for (const auto& group : division.groups) {
      const int g = find_child(kept_groups, group.name);
      if (g < 0) {
        removed.push_back(NodePath{division.name, group.name, std::nullopt});
        continue;
      }
      const auto& kept_teams = kept_groups[static_cast<std::size_t>(g)].teams;
      for (const auto& team : group.teams) {
        if (find_child(kept_teams, team.name) < 0) {
          removed.push_back(NodePath{division.name, group.name, team.name});
        }
      }
    }
  }
  return removed;
}

bool placed_under(const Placement& placement, const NodePath& node) {
  if (!placement.division || !same_name(*placement.division, node.division)) {
    return false;
  }
  if (!node.group) {
    return true;
  }
  if (!placement.group || !same_name(*placement.group, *node.group)) {
    return false;
  }
  if (!node.team) {
    return true;
  }
  return placement.team && same_name(*placement.team, *node.team);
}

Placement surviving_placement(const Tree& tree, const Placement& placement) {
  Placement out;
  if (!placement.division || !node_exists(tree, placement.division, std::nullopt, std::nullopt)) {
    return out;
  }
  out.division = placement.division;
  if (!placement.group || !node_exists(tree, placement.division, placement.group, std::nullopt)) {
    return out;
  }
  out.group = placement.group;
  if (placement.team && node_exists(tree, placement.division, placement.group, placement.team)) {
    out.team = placement.team;
  }
  return out;
}

TreeCounts count_members(const Tree& tree, const std::vector<Placement>& placements) {
  TreeCounts counts;
  counts.divisions.resize(tree.divisions.size());
  for (std::size_t d = 0; d < tree.divisions.size(); ++d) {
    const auto& groups = tree.divisions[d].groups;
    counts.divisions[d].groups.resize(groups.size());
    for (std::size_t g = 0; g < groups.size(); ++g) {
      counts.divisions[d].groups[g].teams.resize(groups[g].teams.size(), 0);
    }
  }
  for (const auto& placement : placements) {
    if (placement.empty() || !node_exists(tree, placement)) {
      continue;
    }
    const auto d = static_cast<std::size_t>(find_child(tree.divisions, *placement.division));
    ++counts.divisions[d].members;
    if (!placement.group) {
      continue;
    }
    const auto& groups = tree.divisions[d].groups;
    const auto g = static_cast<std::size_t>(find_child(groups, *placement.group));
    ++counts.divisions[d].groups[g].members;
    if (!placement.team) {
      continue;
    }
    const auto t = static_cast<std::size_t>(find_child(groups[g].teams, *placement.team));
    ++counts.divisions[d].groups[g].teams[t];
  }
  return counts;
}

}  // namespace tenantd::domain
