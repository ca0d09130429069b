#pragma once
// The organisation hierarchy of a tenant (docs/hierarchy.md): divisions > groups > teams.
// Pure: the tree, its validation, lookups, the diff between two trees and member counts.
// Names compare case-insensitively (ASCII letters), as sibling uniqueness does.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace tenantd::domain {

struct TeamNode {
  std::string name;
};

struct GroupNode {
  std::string name;
  std::vector<TeamNode> teams;
};

struct DivisionNode {
  std::string name;
  std::vector<GroupNode> groups;
};

struct Tree {
  std::vector<DivisionNode> divisions;
};

// Children per node (and divisions per tree).
inline constexpr std::size_t kMaxHierarchyChildren = 100;

// Where a member (or the tenant itself) sits: nothing, a division, a group or a team.
struct Placement {
  std::optional<std::string> division;
  std::optional<std::string> group;
  std::optional<std::string> team;

  bool empty() const { return !division.has_value(); }
};

// A node of the tree by its path: a division, a group (division + group) or a team.
struct NodePath {
  std::string division;
  std::optional<std::string> group;
  std::optional<std::string> team;

  // "Sales", "Sales/EMEA", "Sales/EMEA/Alpha"
  std::string display() const;
};

// Every problem at once, with paths such as "divisions[1].groups[0].name": names 2..50 chars
// (check_node_name), unique among siblings case-insensitively (DUPLICATE), at most
// kMaxHierarchyChildren children per node (TOO_MANY).
std::vector<FieldError> validate_tree(const Tree& tree);

// The same tree with every name trimmed.
Tree trimmed(Tree tree);

// Case-insensitive names.
bool same_name(std::string_view a, std::string_view b);

// Whether the path names a node of the tree (case-insensitive). An empty division means "no
// placement", which always exists; a group without a division (or a team without a group) never
// does.
bool node_exists(const Tree& tree, const std::optional<std::string>& division,
                 const std::optional<std::string>& group, const std::optional<std::string>& team);
bool node_exists(const Tree& tree, const Placement& placement);

// The tree holding exactly one path (the seed of a new tenant's hierarchy); empty when the
// placement is.
Tree tree_of(const Placement& placement);

// Nodes of `before` that `after` no longer has, topmost only: a removed division stands for its
// groups and teams. Renaming a node is removing it and adding another.
std::vector<NodePath> removed_nodes(const Tree& before, const Tree& after);

// Whether `placement` is at `node` or below it.
bool placed_under(const Placement& placement, const NodePath& node);

// The placement cut back to its deepest part that still names a node of `tree` (a member of a
// removed team stays in the team's group when the group remains).
Placement surviving_placement(const Tree& tree, const Placement& placement);

// Members placed at or under each node, parallel to the tree's vectors.
struct GroupCount {
  std::int64_t members = 0;
  std::vector<std::int64_t> teams;
};
struct DivisionCount {
  std::int64_t members = 0;
  std::vector<GroupCount> groups;
};
struct TreeCounts {
  std::vector<DivisionCount> divisions;
};
// Placements that name no node of the tree are not counted anywhere.
TreeCounts count_members(const Tree& tree, const std::vector<Placement>& placements);

}  // namespace tenantd::domain
