#include "service/hierarchy_service.hpp"

#include <gtest/gtest.h>

#include "support/interleaving_store.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "records/membership_record.hpp"
#include "records/tenant_record.hpp"
#include "service/access.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::service {
namespace {

using domain::DivisionNode;
using domain::GroupNode;
using domain::Placement;
using domain::TeamNode;
using domain::Tree;

Tree sample() {
  Tree tree;
  tree.divisions = {
      DivisionNode{"Sales", {GroupNode{"EMEA", {TeamNode{"Alpha"}, TeamNode{"Beta"}}}}},
      DivisionNode{"Engineering", {GroupNode{"Platform", {}}}},
  };
  return tree;
}

Placement at(std::optional<std::string> d, std::optional<std::string> g = std::nullopt,
             std::optional<std::string> t = std::nullopt) {
  return Placement{std::move(d), std::move(g), std::move(t)};
}

bool has_detail(const Error& error, const std::string& key) {
  return std::any_of(error.details.begin(), error.details.end(),
                     [&](const auto& d) { return d.first == key; });
}

std::vector<std::string> detail_list(const Error& error, const std::string& key) {
  for (const auto& [name, value] : error.details) {
    if (name == key) {
      return std::get<std::vector<std::string>>(value);
    }
  }
  return {};
}

// Forwards to a real store, but runs `before_next_write` once just before the next write: a
// concurrent request that commits between a use case's reads and its transaction.
using test_support::InterleavingStore;

class HierarchyServiceTest : public ::testing::Test {
 protected:
  HierarchyServiceTest()
      : clock_(TimePoint(std::chrono::milliseconds(1769337000000))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        racing_(*store_),
        hierarchy_(racing_, ids_, ChangeLogOptions{}, [this] { ++committed_; }),
        tenants_(*store_, ids_, ChangeLogOptions{}, events()) {}

  TenantEvents events() {
    TenantEvents e;
    e.hooks.push_back(hierarchy_.tenant_hook());
    return e;
  }

  Context admin() const {
    return Context{Principal{"user-admin", "admin@example.com", {"platform-admins"}}, "req-1",
                   clock_.now(), std::nullopt};
  }
  Context as(const std::string& sub) const {
    return Context{Principal{sub, sub + "@example.com", {}}, "req-2", clock_.now(), std::nullopt};
  }

  std::string create_tenant(Placement placement = {}) {
    CreateTenantInput in;
    in.organization_name = "Org " + std::to_string(++orgs_);
    in.contact_email = "owner@example.com";
    in.division = placement.division;
    in.group = placement.group;
    in.team = placement.team;
    auto t = tenants_.create(admin(), in);
    EXPECT_TRUE(t.ok());
    return t.ok() ? t->tenant_id : "";
  }

  // A membership item as the members capability stores it.
  void add_member(const std::string& tenant_id, const std::string& user_id, std::string role,
                  Placement placement = {}) {
    JsonWriter out;
    out.begin_object()
        .field("tenantId", tenant_id)
        .field("userId", user_id)
        .field("email", user_id + "@example.com")
        .field("role", role)
        .field("division", placement.division)
        .field("group", placement.group)
        .field("team", placement.team)
        .field("version", std::int64_t{1})
        .end_object();
    store::Item item;
    item.pk = records::tenant_pk(tenant_id);
    item.sk = "USER#" + user_id;
    item.indexes[0] = store::IndexKey{"MEMBER#" + user_id, "TENANT#" + tenant_id};
    item.data = out.str();
    ASSERT_TRUE(
        store_->write({store::Put{store::Table::Tenants, item, store::Condition::none()}}).ok());
  }

  JsonDoc member_data(const std::string& tenant_id, const std::string& user_id) {
    auto item = store_->get(store::Table::Tenants, records::membership_key(tenant_id, user_id));
    EXPECT_TRUE(item.ok() && item->has_value());
    return std::move(*parse_json((*item)->data));
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  InterleavingStore racing_;
  int committed_ = 0;
  int orgs_ = 0;
  HierarchyService hierarchy_;
  TenantService tenants_;
};

TEST_F(HierarchyServiceTest, ATenantWithoutPlacementStartsWithAnEmptyTreeAtVersionOne) {
  const auto id = create_tenant();
  auto view = hierarchy_.get(admin(), id);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->tree.divisions.empty());
  EXPECT_EQ(view->version, 1);
  EXPECT_EQ(view->updated_at, clock_.now());
}

TEST_F(HierarchyServiceTest, ATenantWithoutATreeItemReadsAsTheEmptyTreeAtVersionZero) {
  const auto id = create_tenant();
  ASSERT_TRUE(store_
                  ->write({store::Delete{store::Table::Tenants, hierarchy_key(id),
                                         store::Condition::exists()}})
                  .ok());
  auto view = hierarchy_.get(admin(), id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->version, 0);
  EXPECT_FALSE(view->updated_at.has_value());
  auto put = hierarchy_.put(admin(), id, sample(), false);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->version, 1);
}

TEST_F(HierarchyServiceTest, CreatingATenantWithAPlacementSeedsTheTree) {
  const auto id = create_tenant(at("Sales", "EMEA", "Alpha"));
  auto view = hierarchy_.get(admin(), id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->version, 1);
  EXPECT_TRUE(domain::node_exists(view->tree, "Sales", "EMEA", "Alpha"));
  EXPECT_EQ(view->updated_at, clock_.now());
}

TEST_F(HierarchyServiceTest, PutReplacesTheTreeBumpsTheVersionAndWritesAudit) {
  const auto id = create_tenant();
  auto first = hierarchy_.put(admin(), id, sample(), false);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->version, 2);
  Tree smaller = sample();
  smaller.divisions.pop_back();
  auto second = hierarchy_.put(admin(), id, smaller, false);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, 3);
  auto read = hierarchy_.get(admin(), id);
  ASSERT_EQ(read->tree.divisions.size(), 1u);
  EXPECT_EQ(read->version, 3);
  EXPECT_EQ(committed_, 2);
  auto audit = records::read_audit(*store_, id, PageRequest{});
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->items.empty());
  EXPECT_NE(audit->items.front().find("HIERARCHY_UPDATED"), std::string::npos);
}

TEST_F(HierarchyServiceTest, PutTrimsNamesAndRefusesAnInvalidTreeWithEveryError) {
  const auto id = create_tenant();
  Tree tree = sample();
  tree.divisions[0].name = "  Sales  ";
  ASSERT_TRUE(hierarchy_.put(admin(), id, tree, false).ok());
  EXPECT_EQ(hierarchy_.get(admin(), id)->tree.divisions[0].name, "Sales");
  tree.divisions[1].name = "x";
  tree.divisions[0].groups.push_back(GroupNode{"emea", {}});
  auto bad = hierarchy_.put(admin(), id, tree, false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::ValidationError);
  EXPECT_EQ(bad.error().errors.size(), 2u);
}

TEST_F(HierarchyServiceTest, IfMatchMustNameTheTreesVersion) {
  const auto id = create_tenant();
  Context ctx = admin();
  ctx.if_match = 1;  // the empty tree of a new tenant
  ASSERT_TRUE(hierarchy_.put(ctx, id, sample(), false).ok());
  auto stale = hierarchy_.put(ctx, id, Tree{}, false);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::PreconditionFailed);
  ctx.if_match = 2;
  EXPECT_TRUE(hierarchy_.put(ctx, id, Tree{}, false).ok());
}

TEST_F(HierarchyServiceTest, RemovingANodeWithMembersIsRefusedWithTheNodeList) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  add_member(id, "user-1", "Viewer", at("Sales", "EMEA", "Alpha"));
  add_member(id, "user-2", "Viewer", at("Engineering"));
  Tree after = sample();
  after.divisions.pop_back();  // Engineering
  after.divisions[0].groups[0].teams.erase(after.divisions[0].groups[0].teams.begin());  // Alpha
  auto refused = hierarchy_.put(admin(), id, after, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::HierarchyNotEmpty);
  EXPECT_EQ(detail_list(refused.error(), "nodes"),
            (std::vector<std::string>{"Sales/EMEA/Alpha", "Engineering"}));
  EXPECT_EQ(hierarchy_.get(admin(), id)->version, 2);  // nothing changed
}

TEST_F(HierarchyServiceTest, RemovingEmptyNodesNeedsNoCascade) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  add_member(id, "user-1", "Viewer", at("Sales", "EMEA", "Alpha"));
  Tree after = sample();
  after.divisions.pop_back();
  after.divisions[0].groups[0].teams.pop_back();  // Beta
  EXPECT_TRUE(hierarchy_.put(admin(), id, after, false).ok());
}

TEST_F(HierarchyServiceTest, CascadeCutsMembersBackToWhatRemainsAndBumpsTheirVersion) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  add_member(id, "user-1", "Viewer", at("Sales", "EMEA", "Alpha"));
  add_member(id, "user-2", "Viewer", at("Engineering", "Platform"));
  add_member(id, "user-3", "Viewer", at("Sales", "EMEA", "Beta"));
  Tree after = sample();
  after.divisions.pop_back();
  after.divisions[0].groups[0].teams.erase(after.divisions[0].groups[0].teams.begin());
  auto done = hierarchy_.put(admin(), id, after, true);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->counts.divisions[0].members, 2);  // user-1 now in EMEA, user-3 in Beta
  EXPECT_EQ(done->counts.divisions[0].groups[0].members, 2);
  EXPECT_EQ(done->counts.divisions[0].groups[0].teams[0], 1);

  const auto one = member_data(id, "user-1");
  EXPECT_EQ(as_view(one["group"]), "EMEA");
  EXPECT_FALSE(one.HasMember("team"));
  EXPECT_EQ(one["version"].GetInt64(), 2);
  const auto two = member_data(id, "user-2");
  EXPECT_FALSE(two.HasMember("division"));
  EXPECT_FALSE(two.HasMember("group"));
  EXPECT_EQ(as_view(two["role"]), "Viewer");
  EXPECT_EQ(member_data(id, "user-3")["version"].GetInt64(), 1);  // untouched
}

TEST_F(HierarchyServiceTest, CascadeRefusesMoreMembersThanOneTransactionHolds) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  for (std::size_t i = 0; i <= kMaxCascadeMembers; ++i) {
    add_member(id, "user-" + std::to_string(i), "Viewer", at("Engineering"));
  }
  Tree after = sample();
  after.divisions.pop_back();
  auto refused = hierarchy_.put(admin(), id, after, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::HierarchyNotEmpty);
  EXPECT_TRUE(has_detail(refused.error(), "maxCascadeMembers"));
  EXPECT_EQ(hierarchy_.get(admin(), id)->version, 2);
}

TEST_F(HierarchyServiceTest, CascadeAtTheLimitSucceeds) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  for (std::size_t i = 0; i < kMaxCascadeMembers; ++i) {
    add_member(id, "user-" + std::to_string(i), "Viewer", at("Engineering"));
  }
  Tree after = sample();
  after.divisions.pop_back();
  EXPECT_TRUE(hierarchy_.put(admin(), id, after, true).ok());
}

TEST_F(HierarchyServiceTest, TheTenantsOwnNodeCannotBeRemovedEvenWithCascade) {
  const auto id = create_tenant(at("Sales", "EMEA", std::nullopt));
  Tree after;
  after.divisions = {DivisionNode{"Sales", {}}};
  auto refused = hierarchy_.put(admin(), id, after, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::HierarchyNotEmpty);
  EXPECT_EQ(detail_list(refused.error(), "nodes"), (std::vector<std::string>{"Sales/EMEA"}));
  EXPECT_TRUE(has_detail(refused.error(), "tenantPlacement"));
}

TEST_F(HierarchyServiceTest, GetCountsMembersAtOrUnderEachNode) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  add_member(id, "user-1", "Admin", at("Sales", "EMEA", "Alpha"));
  add_member(id, "user-2", "Viewer", at("sales"));
  add_member(id, "user-3", "Viewer");
  auto view = hierarchy_.get(admin(), id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->counts.divisions[0].members, 2);
  EXPECT_EQ(view->counts.divisions[0].groups[0].members, 1);
  EXPECT_EQ(view->counts.divisions[0].groups[0].teams[0], 1);
  EXPECT_EQ(view->counts.divisions[1].members, 0);
}

TEST_F(HierarchyServiceTest, TenantRolesDecideWhoReadsAndWhoChanges) {
  const auto id = create_tenant();
  const auto other = create_tenant();
  add_member(id, "user-admin1", "Admin");
  add_member(id, "user-op", "Operator");
  add_member(id, "user-view", "Viewer");
  add_member(other, "user-stranger", "Admin");
  EXPECT_TRUE(hierarchy_.put(as("user-admin1"), id, sample(), false).ok());
  EXPECT_TRUE(hierarchy_.get(as("user-op"), id).ok());
  EXPECT_EQ(hierarchy_.put(as("user-op"), id, Tree{}, false).error().code, ErrorCode::Forbidden);
  EXPECT_EQ(hierarchy_.get(as("user-view"), id).error().code, ErrorCode::Forbidden);
  EXPECT_EQ(hierarchy_.get(as("user-stranger"), id).error().code, ErrorCode::TenantNotFound);
  EXPECT_EQ(hierarchy_.put(as("user-stranger"), id, Tree{}, false).error().code,
            ErrorCode::TenantNotFound);
  EXPECT_EQ(hierarchy_.get(admin(), "tenant-nope").error().code, ErrorCode::TenantNotFound);
}

TEST_F(HierarchyServiceTest, ADeprovisionedTenantsTreeCannotChange) {
  const auto id = create_tenant();
  ASSERT_TRUE(tenants_.deprovision(admin(), id, false).ok());
  auto refused = hierarchy_.put(admin(), id, sample(), false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(http_status(refused.error().code), 422);
  EXPECT_TRUE(hierarchy_.get(admin(), id).ok());
}

TEST_F(HierarchyServiceTest, TenantUpdateMustNameANodeOfTheTree) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  UpdateTenantInput unknown;
  unknown.division = {true, "Sales"};
  unknown.group = {true, "Nowhere"};
  auto refused = tenants_.update(admin(), id, unknown);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::ValidationError);
  ASSERT_EQ(refused.error().errors.size(), 1u);
  EXPECT_EQ(refused.error().errors[0].field, "group");
  EXPECT_EQ(refused.error().errors[0].code, "NOT_IN_HIERARCHY");

  UpdateTenantInput known;
  known.division = {true, "sales"};  // case-insensitive
  known.group = {true, "emea"};
  known.team = {true, "Beta"};
  EXPECT_TRUE(tenants_.update(admin(), id, known).ok());
  UpdateTenantInput cleared;
  cleared.division = {true, std::nullopt};
  cleared.group = {true, std::nullopt};
  cleared.team = {true, std::nullopt};
  EXPECT_TRUE(tenants_.update(admin(), id, cleared).ok());
}

TEST_F(HierarchyServiceTest, TenantUpdateToANodeOfAnEmptyTreeIsRefused) {
  const auto id = create_tenant();
  UpdateTenantInput change;
  change.division = {true, "Sales"};
  auto refused = tenants_.update(admin(), id, change);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().errors.at(0).field, "division");
}

TEST_F(HierarchyServiceTest, HasNodeLooksUpTheStoredTree) {
  const auto id = create_tenant();
  EXPECT_FALSE(*hierarchy_.has_node(id, std::string("Sales"), std::nullopt, std::nullopt));
  EXPECT_TRUE(*hierarchy_.has_node(id, std::nullopt, std::nullopt, std::nullopt));
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  EXPECT_TRUE(
      *hierarchy_.has_node(id, std::string("SALES"), std::string("emea"), std::string("alpha")));
  EXPECT_FALSE(
      *hierarchy_.has_node(id, std::string("Sales"), std::string("Platform"), std::nullopt));
}

TEST_F(HierarchyServiceTest, APlacementGuardFailsTheWriteWhenTheTreeChangesMeanwhile) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  auto guard = hierarchy_.placement_guard(id, at("Sales", "EMEA", "Beta"));
  ASSERT_TRUE(guard.ok());
  ASSERT_EQ(guard->size(), 1u);
  ASSERT_TRUE(hierarchy_.put(admin(), id, Tree{}, false).ok());  // Beta removed meanwhile
  EXPECT_TRUE(store_->write(*guard).condition_failed());

  auto missing = hierarchy_.placement_guard(id, at("Sales", std::nullopt, std::nullopt));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().errors.at(0).code, "NOT_IN_HIERARCHY");
  auto nothing = hierarchy_.placement_guard(id, Placement{});
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST_F(HierarchyServiceTest, StoredTreesRoundTripThroughJson) {
  StoredTree stored;
  stored.tree = sample();
  stored.version = 7;
  stored.updated_at = clock_.now();
  stored.updated_by = "a@example.com";
  auto back = tree_from_json(tree_json("tenant-1", stored));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->version, 7);
  EXPECT_EQ(back->updated_at, clock_.now());
  EXPECT_EQ(back->updated_by, "a@example.com");
  EXPECT_TRUE(domain::removed_nodes(stored.tree, back->tree).empty());
  EXPECT_TRUE(domain::removed_nodes(back->tree, stored.tree).empty());
  EXPECT_FALSE(tree_from_json("{\"divisions\":[]}").ok());  // no version
}

TEST_F(HierarchyServiceTest, APutRacingAnotherPutNeverLosesTheOtherUpdate) {
  const auto id = create_tenant();
  Tree theirs;
  theirs.divisions = {DivisionNode{"Theirs", {}}};
  racing_.before_next_write = [&] { ASSERT_TRUE(hierarchy_.put(admin(), id, theirs, false).ok()); };
  auto mine = hierarchy_.put(admin(), id, sample(), false);
  ASSERT_FALSE(mine.ok());
  EXPECT_EQ(mine.error().code, ErrorCode::VersionConflict);
  auto view = hierarchy_.get(admin(), id);
  ASSERT_EQ(view->tree.divisions.size(), 1u);
  EXPECT_EQ(view->tree.divisions[0].name, "Theirs");
  EXPECT_EQ(view->version, 2);
}

TEST_F(HierarchyServiceTest, APutRacingAPlacementOfTheTenantIsRefused) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  racing_.before_next_write = [&] {
    UpdateTenantInput move;
    move.division = {true, "Engineering"};
    ASSERT_TRUE(tenants_.update(admin(), id, move).ok());
  };
  Tree without_engineering = sample();
  without_engineering.divisions.pop_back();
  auto put = hierarchy_.put(admin(), id, without_engineering, false);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::VersionConflict);
  EXPECT_TRUE(*hierarchy_.has_node(id, std::string("Engineering"), std::nullopt, std::nullopt));
}

TEST_F(HierarchyServiceTest, ACascadeRacingAMemberChangeIsRefused) {
  const auto id = create_tenant();
  ASSERT_TRUE(hierarchy_.put(admin(), id, sample(), false).ok());
  add_member(id, "user-1", "Viewer", at("Engineering"));
  Tree without_engineering = sample();
  without_engineering.divisions.pop_back();
  // Another request changes the member (version 1 -> 2) after the cascade has read it.
  racing_.before_next_write = [&] {
    auto data = member_data(id, "user-1");
    data["version"].SetInt64(2);
    store::Item item;
    item.pk = records::tenant_pk(id);
    item.sk = "USER#user-1";
    item.data = to_json(data);
    ASSERT_TRUE(
        store_->write({store::Put{store::Table::Tenants, item, store::Condition::none()}}).ok());
  };
  auto put = hierarchy_.put(admin(), id, without_engineering, true);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::VersionConflict);
  EXPECT_EQ(hierarchy_.get(admin(), id)->tree.divisions.size(), 2u);
  EXPECT_TRUE(member_data(id, "user-1").HasMember("division"));
}

}  // namespace
}  // namespace tenantd::service
