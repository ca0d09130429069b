#include "domain/hierarchy.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace tenantd::domain {
namespace {

Tree sample() {
  Tree tree;
  tree.divisions = {
      DivisionNode{
          "Sales",
          {GroupNode{"EMEA", {TeamNode{"Alpha"}, TeamNode{"Beta"}}}, GroupNode{"APAC", {}}}},
      DivisionNode{"Engineering", {GroupNode{"Platform", {TeamNode{"Core"}}}}},
  };
  return tree;
}

bool has_error(const std::vector<FieldError>& errors, const std::string& field,
               const std::string& code) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const FieldError& e) { return e.field == field && e.code == code; });
}

Placement at(std::optional<std::string> d, std::optional<std::string> g = std::nullopt,
             std::optional<std::string> t = std::nullopt) {
  return Placement{std::move(d), std::move(g), std::move(t)};
}

TEST(HierarchyValidation, AWellFormedTreeHasNoErrors) {
  EXPECT_TRUE(validate_tree(sample()).empty());
  EXPECT_TRUE(validate_tree(Tree{}).empty());
}

TEST(HierarchyValidation, NamesMustBeTwoToFiftyCharactersAtEveryLevelWithTheirPath) {
  Tree tree = sample();
  tree.divisions[1].name = "E";
  tree.divisions[0].groups[1].name = std::string(51, 'x');
  tree.divisions[0].groups[0].teams[1].name = "   ";
  const auto errors = validate_tree(tree);
  EXPECT_TRUE(has_error(errors, "divisions[1].name", "TOO_SHORT"));
  EXPECT_TRUE(has_error(errors, "divisions[0].groups[1].name", "TOO_LONG"));
  EXPECT_TRUE(std::any_of(errors.begin(), errors.end(), [](const FieldError& e) {
    return e.field == "divisions[0].groups[0].teams[1].name";
  }));
  EXPECT_EQ(errors.size(), 3u);  // every problem at once
}

TEST(HierarchyValidation, NamesCountCodePointsNotBytes) {
  Tree tree;
  tree.divisions = {DivisionNode{"\xC3\xA9\xC3\xA9", {}}};  // "éé": 2 code points, 4 bytes
  EXPECT_TRUE(validate_tree(tree).empty());
}

TEST(HierarchyValidation, SiblingNamesAreUniqueCaseInsensitivelyAtEveryLevel) {
  Tree tree = sample();
  tree.divisions.push_back(DivisionNode{"SALES", {}});
  tree.divisions[0].groups.push_back(GroupNode{"emea", {}});
  tree.divisions[0].groups[0].teams.push_back(TeamNode{" alpha "});
  const auto errors = validate_tree(tree);
  EXPECT_TRUE(has_error(errors, "divisions[2].name", "DUPLICATE"));
  EXPECT_TRUE(has_error(errors, "divisions[0].groups[2].name", "DUPLICATE"));
  EXPECT_TRUE(has_error(errors, "divisions[0].groups[0].teams[2].name", "DUPLICATE"));
  EXPECT_EQ(errors.size(), 3u);
}

TEST(HierarchyValidation, TheSameNameUnderDifferentParentsIsAllowed) {
  Tree tree = sample();
  tree.divisions[1].groups.push_back(GroupNode{"EMEA", {TeamNode{"Alpha"}}});
  EXPECT_TRUE(validate_tree(tree).empty());
}

TEST(HierarchyValidation, AtMostOneHundredChildrenPerNode) {
  Tree tree;
  for (int i = 0; i < 101; ++i) {
    tree.divisions.push_back(DivisionNode{"D" + std::to_string(i), {}});
  }
  for (int i = 0; i < 101; ++i) {
    tree.divisions[0].groups.push_back(GroupNode{"G" + std::to_string(i), {}});
  }
  for (int i = 0; i < 100; ++i) {
    tree.divisions[1].groups.push_back(GroupNode{"G" + std::to_string(i), {}});
  }
  tree.divisions[2].groups = {GroupNode{"G1", {}}};
  for (int i = 0; i < 101; ++i) {
    tree.divisions[2].groups[0].teams.push_back(TeamNode{"T" + std::to_string(i)});
  }
  const auto errors = validate_tree(tree);
  EXPECT_TRUE(has_error(errors, "divisions", "TOO_MANY"));
  EXPECT_TRUE(has_error(errors, "divisions[0].groups", "TOO_MANY"));
  EXPECT_FALSE(has_error(errors, "divisions[1].groups", "TOO_MANY"));
  EXPECT_TRUE(has_error(errors, "divisions[2].groups[0].teams", "TOO_MANY"));
}

TEST(HierarchyTree, TrimmedTrimsEveryName) {
  Tree tree;
  tree.divisions = {DivisionNode{" Sales ", {GroupNode{"\tEMEA", {TeamNode{"Alpha  "}}}}}};
  const Tree t = trimmed(tree);
  EXPECT_EQ(t.divisions[0].name, "Sales");
  EXPECT_EQ(t.divisions[0].groups[0].name, "EMEA");
  EXPECT_EQ(t.divisions[0].groups[0].teams[0].name, "Alpha");
}

TEST(HierarchyTree, NodeExistsMatchesCaseInsensitivelyAtEveryDepth) {
  const Tree tree = sample();
  EXPECT_TRUE(node_exists(tree, std::nullopt, std::nullopt, std::nullopt));
  EXPECT_TRUE(node_exists(tree, "sales", std::nullopt, std::nullopt));
  EXPECT_TRUE(node_exists(tree, "SALES", "emea", std::nullopt));
  EXPECT_TRUE(node_exists(tree, "Sales", "EMEA", "beta"));
  EXPECT_TRUE(node_exists(tree, "Sales", "APAC", std::nullopt));
  EXPECT_FALSE(node_exists(tree, "Marketing", std::nullopt, std::nullopt));
  EXPECT_FALSE(node_exists(tree, "Sales", "Platform", std::nullopt));  // wrong parent
  EXPECT_FALSE(node_exists(tree, "Sales", "EMEA", "Core"));
  EXPECT_FALSE(node_exists(tree, std::nullopt, "EMEA", std::nullopt));  // group needs division
  EXPECT_FALSE(node_exists(tree, "Sales", std::nullopt, "Alpha"));      // team needs group
}

TEST(HierarchyTree, TreeOfAPlacementHoldsExactlyThatPath) {
  const Tree tree = tree_of(at("Sales", "EMEA", "Alpha"));
  ASSERT_EQ(tree.divisions.size(), 1u);
  EXPECT_TRUE(node_exists(tree, "Sales", "EMEA", "Alpha"));
  EXPECT_TRUE(tree_of(Placement{}).divisions.empty());
  const Tree division_only = tree_of(at("Sales"));
  ASSERT_EQ(division_only.divisions.size(), 1u);
  EXPECT_TRUE(division_only.divisions[0].groups.empty());
}

TEST(HierarchyDiff, UnchangedAndCaseOnlyChangesRemoveNothing) {
  Tree renamed_case = sample();
  renamed_case.divisions[0].name = "SALES";
  EXPECT_TRUE(removed_nodes(sample(), sample()).empty());
  EXPECT_TRUE(removed_nodes(sample(), renamed_case).empty());
}

TEST(HierarchyDiff, ReportsTopmostRemovedNodesOnly) {
  Tree after = sample();
  after.divisions.erase(after.divisions.begin() + 1);  // Engineering and below
  after.divisions[0].groups[0].teams.erase(after.divisions[0].groups[0].teams.begin());  // Alpha
  const auto removed = removed_nodes(sample(), after);
  std::vector<std::string> names;
  for (const auto& node : removed) {
    names.push_back(node.display());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Sales/EMEA/Alpha", "Engineering"}));
}

TEST(HierarchyDiff, ARenameIsARemoval) {
  Tree after = sample();
  after.divisions[0].groups[1].name = "Asia";
  const auto removed = removed_nodes(sample(), after);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].display(), "Sales/APAC");
}

TEST(HierarchyDiff, AddingNodesRemovesNothing) {
  Tree after = sample();
  after.divisions.push_back(DivisionNode{"Marketing", {}});
  after.divisions[0].groups[1].teams.push_back(TeamNode{"Tokyo"});
  EXPECT_TRUE(removed_nodes(sample(), after).empty());
  EXPECT_TRUE(removed_nodes(Tree{}, after).empty());
  EXPECT_EQ(removed_nodes(after, Tree{}).size(), 3u);
}

TEST(HierarchyDiff, PlacedUnderMatchesTheNodeAndEverythingBelow) {
  const NodePath division{"Sales", std::nullopt, std::nullopt};
  const NodePath group{"Sales", "EMEA", std::nullopt};
  const NodePath team{"Sales", "EMEA", "Alpha"};
  EXPECT_TRUE(placed_under(at("sales"), division));
  EXPECT_TRUE(placed_under(at("Sales", "emea", "Beta"), division));
  EXPECT_FALSE(placed_under(at("Sales"), group));
  EXPECT_TRUE(placed_under(at("Sales", "EMEA"), group));
  EXPECT_TRUE(placed_under(at("Sales", "EMEA", "Beta"), group));
  EXPECT_FALSE(placed_under(at("Sales", "EMEA", "Beta"), team));
  EXPECT_TRUE(placed_under(at("Sales", "EMEA", "ALPHA"), team));
  EXPECT_FALSE(placed_under(Placement{}, division));
  EXPECT_FALSE(placed_under(at("Engineering", "EMEA"), group));
}

TEST(HierarchyDiff, SurvivingPlacementKeepsTheDeepestRemainingAncestor) {
  Tree after = sample();
  after.divisions[0].groups[0].teams.clear();
  EXPECT_EQ(surviving_placement(after, at("Sales", "EMEA", "Alpha")).team, std::nullopt);
  EXPECT_EQ(surviving_placement(after, at("Sales", "EMEA", "Alpha")).group, "EMEA");
  after.divisions[0].groups.clear();
  const Placement cut = surviving_placement(after, at("Sales", "EMEA", "Alpha"));
  EXPECT_EQ(cut.division, "Sales");
  EXPECT_EQ(cut.group, std::nullopt);
  EXPECT_TRUE(surviving_placement(Tree{}, at("Sales", "EMEA")).empty());
  const Placement kept = surviving_placement(sample(), at("Sales", "EMEA", "Beta"));
  EXPECT_EQ(kept.team, "Beta");
}

TEST(HierarchyCounts, CountsMembersAtOrUnderEachNode) {
  const std::vector<Placement> placements = {
      at("Sales", "EMEA", "Alpha"),
      at("sales", "emea", "alpha"),
      at("Sales", "EMEA", "Beta"),
      at("Sales", "EMEA"),
      at("Sales"),
      at("Engineering", "Platform"),
      Placement{},
      at("Nowhere"),
      at("Sales", "Ghost"),
  };
  const TreeCounts counts = count_members(sample(), placements);
  ASSERT_EQ(counts.divisions.size(), 2u);
  EXPECT_EQ(counts.divisions[0].members, 5);             // Sales: all five placed in it
  EXPECT_EQ(counts.divisions[0].groups[0].members, 4);   // EMEA
  EXPECT_EQ(counts.divisions[0].groups[0].teams[0], 2);  // Alpha
  EXPECT_EQ(counts.divisions[0].groups[0].teams[1], 1);  // Beta
  EXPECT_EQ(counts.divisions[0].groups[1].members, 0);   // APAC
  EXPECT_EQ(counts.divisions[1].members, 1);
  EXPECT_EQ(counts.divisions[1].groups[0].members, 1);
  EXPECT_EQ(counts.divisions[1].groups[0].teams[0], 0);
}

TEST(HierarchyCounts, AnEmptyTreeHasNoCounts) {
  EXPECT_TRUE(count_members(Tree{}, {at("Sales")}).divisions.empty());
}

TEST(HierarchyPath, DisplayJoinsTheNamesWithSlashes) {
  EXPECT_EQ((NodePath{"Sales", std::nullopt, std::nullopt}.display()), "Sales");
  EXPECT_EQ((NodePath{"Sales", "EMEA", std::nullopt}.display()), "Sales/EMEA");
  EXPECT_EQ((NodePath{"Sales", "EMEA", "Alpha"}.display()), "Sales/EMEA/Alpha");
}

}  // namespace
}  // namespace tenantd::domain
