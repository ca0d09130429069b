"""Organisation hierarchy (docs/hierarchy.md) over real HTTP: GET and declarative PUT, every
refusal, cascade, If-Match, the tenant's own placement, roles, audit and events. Every response
is validated against docs/openapi.yaml by the harness."""
import unittest

import harness
from harness import ServerTestCase, unique

server = None


def setUpModule():
    global server
    server = harness.start_shared()


def tearDownModule():
    harness.stop_shared(server)


UNKNOWN_TENANT = "tenant-00000000-0000-4000-8000-000000000000"

SAMPLE = {"divisions": [
    {"name": "Sales", "groups": [
        {"name": "EMEA", "teams": [{"name": "Alpha"}, {"name": "Beta"}]},
        {"name": "APAC"},
    ]},
    {"name": "Engineering", "groups": [{"name": "Platform", "teams": []}]},
]}


def email(prefix="user"):
    return f"{prefix}-{unique().lower()}@example.com"


def without(tree, *path):
    """A copy of `tree` without the node at `path` (names)."""
    import copy
    tree = copy.deepcopy(tree)
    nodes = tree["divisions"]
    keys = ["groups", "teams"]
    for depth, name in enumerate(path):
        index = next(i for i, n in enumerate(nodes) if n["name"] == name)
        if depth == len(path) - 1:
            del nodes[index]
        else:
            nodes = nodes[index].setdefault(keys[depth], [])
    return tree


def find(view, *path):
    nodes = view["divisions"]
    keys = ["groups", "teams"]
    node = None
    for depth, name in enumerate(path):
        node = next(n for n in nodes if n["name"] == name)
        if depth < len(keys):
            nodes = node.get(keys[depth], [])
    return node


class HierarchyTestCase(ServerTestCase):
    def url(self, tenant_id):
        return f"/v1.0/tenants/{tenant_id}/hierarchy"

    def put_tree(self, tenant_id, tree, client=None, **kw):
        return (client or self.admin).put(self.url(tenant_id), tree, **kw)

    def tree_of(self, tenant_id):
        reply = self.admin.get(self.url(tenant_id))
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def with_sample(self, **fields):
        tenant = self.create_tenant(**fields)
        reply = self.put_tree(tenant["tenantId"], SAMPLE)
        self.assertEqual(reply.status, 200, reply)
        return tenant["tenantId"]

    def assign(self, tenant_id, address, role, **placement):
        body = {"email": address, "role": role}
        body.update(placement)
        reply = self.admin.post(f"/v1.0/tenants/{tenant_id}/users", body)
        self.assertEqual(reply.status, 201, reply)
        return reply.body

    def member(self, tenant_id, user_id):
        reply = self.admin.get(f"/v1.0/tenants/{tenant_id}/users/{user_id}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body


class GetAndPut(HierarchyTestCase):
    def test_a_tenant_without_placement_starts_with_the_empty_tree_at_version_one(self):
        tenant = self.create_tenant()
        tenant_id = tenant["tenantId"]
        reply = self.admin.get(self.url(tenant_id))
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["tenantId"], tenant_id)
        self.assertEqual(reply.body["divisions"], [])
        self.assertEqual(reply.body["version"], 1)
        self.assertEqual(reply.body["updatedAt"], tenant["createdAt"])
        self.assertEqual(reply.headers.get("ETag"), '"1"')

    def test_creating_a_tenant_with_a_placement_seeds_the_tree(self):
        tenant_id = self.create_tenant(division="Sales", group="EMEA", team="Alpha")["tenantId"]
        view = self.tree_of(tenant_id)
        self.assertEqual(view["version"], 1)
        self.assertIn("updatedAt", view)
        self.assertEqual(view["divisions"], [{"name": "Sales", "memberCount": 0, "groups": [
            {"name": "EMEA", "memberCount": 0, "teams": [{"name": "Alpha", "memberCount": 0}]}]}])

    def test_put_replaces_the_whole_tree_and_answers_it(self):
        tenant_id = self.create_tenant()["tenantId"]
        reply = self.put_tree(tenant_id, SAMPLE)
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["version"], 2)
        self.assertEqual(reply.headers.get("ETag"), '"2"')
        self.assertEqual([d["name"] for d in reply.body["divisions"]], ["Sales", "Engineering"])
        self.assertEqual(find(reply.body, "Sales", "APAC")["teams"], [])
        smaller = {"divisions": [{"name": "  Marketing  "}]}
        reply = self.put_tree(tenant_id, smaller)
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["version"], 3)
        view = self.tree_of(tenant_id)
        self.assertEqual(view["divisions"], [{"name": "Marketing", "memberCount": 0, "groups": []}])
        self.assertEqual(view["version"], 3)

    def test_the_root_path_serves_the_same_tree(self):
        tenant_id = self.with_sample()
        reply = self.admin.get(f"/tenants/{tenant_id}/hierarchy")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["version"], 2)
        self.assertEqual(reply.body["_links"]["self"]["href"],
                         f"/v1.0/tenants/{tenant_id}/hierarchy")

    def test_an_empty_division_list_clears_a_tree_without_members(self):
        tenant_id = self.with_sample()
        reply = self.put_tree(tenant_id, {"divisions": []})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["divisions"], [])
        self.assertEqual(reply.body["version"], 3)

    def test_unknown_tenant_is_404(self):
        self.assertError(self.admin.get(self.url(UNKNOWN_TENANT)), 404, "TENANT_NOT_FOUND")
        self.assertError(self.put_tree(UNKNOWN_TENANT, SAMPLE), 404, "TENANT_NOT_FOUND")
        self.assertError(self.admin.get("/v1.0/tenants/123/hierarchy"), 404, "TENANT_NOT_FOUND")


class Validation(HierarchyTestCase):
    def test_every_problem_is_reported_at_once_with_its_path(self):
        tenant_id = self.create_tenant()["tenantId"]
        reply = self.put_tree(tenant_id, {"divisions": [
            {"name": "Sales", "groups": [{"name": "EMEA"}, {"name": "emea"}]},
            {"name": "S"},
            {"name": "sales", "colour": "red"},
            {"name": "X" * 51, "groups": [{"name": "G1", "teams": [{"name": 7}]}]},
        ], "extra": 1})
        self.assertFieldError(reply, "divisions[0].groups[1].name", "DUPLICATE")
        self.assertFieldError(reply, "divisions[1].name", "TOO_SHORT")
        self.assertFieldError(reply, "divisions[2].name", "DUPLICATE")
        self.assertFieldError(reply, "divisions[2].colour", "UNKNOWN_FIELD")
        self.assertFieldError(reply, "divisions[3].name", "TOO_LONG")
        self.assertFieldError(reply, "divisions[3].groups[0].teams[0].name", "INVALID_TYPE")
        self.assertFieldError(reply, "extra", "UNKNOWN_FIELD")
        self.assertEqual(self.tree_of(tenant_id)["version"], 1)  # nothing stored

    def test_wrong_shapes_are_type_errors(self):
        tenant_id = self.create_tenant()["tenantId"]
        self.assertFieldError(self.put_tree(tenant_id, {}), "divisions", "REQUIRED")
        self.assertFieldError(self.put_tree(tenant_id, {"divisions": {}}), "divisions",
                              "INVALID_TYPE")
        self.assertFieldError(self.put_tree(tenant_id, {"divisions": ["Sales"]}), "divisions[0]",
                              "INVALID_TYPE")
        self.assertFieldError(self.put_tree(tenant_id, {"divisions": [{"groups": []}]}),
                              "divisions[0].name", "REQUIRED")
        self.assertFieldError(
            self.put_tree(tenant_id, {"divisions": [{"name": "Sales", "groups": "EMEA"}]}),
            "divisions[0].groups", "INVALID_TYPE")
        self.assertFieldError(self.put_tree(tenant_id, [1]), "body", "INVALID_TYPE")
        reply = self.admin.put(self.url(tenant_id), data=b"{nope",
                               headers={"Content-Type": "application/json"})
        self.assertError(reply, 400, "INVALID_JSON")

    def test_at_most_one_hundred_children_per_node(self):
        tenant_id = self.create_tenant()["tenantId"]
        many = [{"name": f"N{i:03d}"} for i in range(101)]
        self.assertFieldError(self.put_tree(tenant_id, {"divisions": many}), "divisions",
                              "TOO_MANY")
        reply = self.put_tree(tenant_id, {"divisions": [{"name": "Sales", "groups": [
            {"name": "EMEA", "teams": many}]}]})
        self.assertFieldError(reply, "divisions[0].groups[0].teams", "TOO_MANY")
        self.assertEqual(self.put_tree(tenant_id, {"divisions": many[:100]}).status, 200)

    def test_cascade_must_be_true_or_false_and_other_parameters_are_unknown(self):
        tenant_id = self.create_tenant()["tenantId"]
        self.assertFieldError(self.admin.put(self.url(tenant_id) + "?cascade=yes", SAMPLE),
                              "cascade", "INVALID_VALUE")
        self.assertFieldError(self.admin.put(self.url(tenant_id) + "?force=true", SAMPLE),
                              "force", "UNKNOWN_FIELD")


class Concurrency(HierarchyTestCase):
    def test_if_match_must_name_the_trees_version(self):
        tenant_id = self.create_tenant()["tenantId"]
        self.assertEqual(self.put_tree(tenant_id, SAMPLE, headers={"If-Match": '"1"'}).status,
                         200)
        stale = self.put_tree(tenant_id, {"divisions": []}, headers={"If-Match": '"1"'})
        self.assertError(stale, 412, "PRECONDITION_FAILED")
        self.assertEqual(self.tree_of(tenant_id)["version"], 2)
        fresh = self.put_tree(tenant_id, {"divisions": []}, headers={"If-Match": 'W/"2"'})
        self.assertEqual(fresh.status, 200, fresh)


class Removal(HierarchyTestCase):
    def test_removing_nodes_with_members_is_refused_with_the_node_list(self):
        tenant_id = self.with_sample()
        self.assign(tenant_id, email(), "Viewer", division="Sales", group="EMEA", team="Alpha")
        self.assign(tenant_id, email(), "Viewer", division="Engineering")
        tree = without(without(SAMPLE, "Sales", "EMEA", "Alpha"), "Engineering")
        reply = self.put_tree(tenant_id, tree)
        self.assertError(reply, 422, "HIERARCHY_NOT_EMPTY")
        self.assertEqual(reply.body["error"]["details"]["nodes"],
                         ["Sales/EMEA/Alpha", "Engineering"])
        self.assertEqual(reply.body["error"]["details"]["memberCount"], 2)
        self.assertEqual(self.tree_of(tenant_id)["version"], 2)

    def test_removing_empty_nodes_needs_no_cascade(self):
        tenant_id = self.with_sample()
        self.assign(tenant_id, email(), "Viewer", division="Sales", group="EMEA", team="Alpha")
        reply = self.put_tree(tenant_id, without(SAMPLE, "Sales", "EMEA", "Beta"))
        self.assertEqual(reply.status, 200, reply)

    def test_member_counts_include_everyone_at_or_under_a_node(self):
        tenant_id = self.with_sample()
        self.assign(tenant_id, email(), "Viewer", division="Sales", group="EMEA", team="Alpha")
        self.assign(tenant_id, email(), "Viewer", division="Sales", group="EMEA", team="Beta")
        self.assign(tenant_id, email(), "Viewer", division="Sales")
        self.assign(tenant_id, email(), "Viewer")
        view = self.tree_of(tenant_id)
        self.assertEqual(find(view, "Sales")["memberCount"], 3)
        self.assertEqual(find(view, "Sales", "EMEA")["memberCount"], 2)
        self.assertEqual(find(view, "Sales", "EMEA", "Alpha")["memberCount"], 1)
        self.assertEqual(find(view, "Sales", "APAC")["memberCount"], 0)
        self.assertEqual(find(view, "Engineering")["memberCount"], 0)

    def test_cascade_moves_members_to_what_remains(self):
        tenant_id = self.with_sample()
        alpha = self.assign(tenant_id, email(), "Viewer", division="Sales", group="EMEA",
                            team="Alpha")
        eng = self.assign(tenant_id, email(), "Viewer", division="Engineering",
                          group="Platform")
        tree = without(without(SAMPLE, "Sales", "EMEA", "Alpha"), "Engineering")
        reply = self.admin.put(self.url(tenant_id) + "?cascade=true", tree)
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(find(reply.body, "Sales", "EMEA")["memberCount"], 1)
        moved = self.member(tenant_id, alpha["userId"])
        self.assertEqual((moved.get("division"), moved.get("group")), ("Sales", "EMEA"))
        self.assertNotIn("team", moved)
        self.assertEqual(moved["version"], alpha["version"] + 1)
        cleared = self.member(tenant_id, eng["userId"])
        self.assertNotIn("division", cleared)
        self.assertNotIn("group", cleared)
        self.assertEqual(cleared["role"], "Viewer")

    def test_the_tenants_own_node_cannot_be_removed_even_with_cascade(self):
        tenant_id = self.create_tenant(division="Sales", group="EMEA")["tenantId"]
        for query in ("", "?cascade=true"):
            reply = self.admin.put(self.url(tenant_id) + query,
                                   {"divisions": [{"name": "Sales"}]})
            self.assertError(reply, 422, "HIERARCHY_NOT_EMPTY")
            self.assertEqual(reply.body["error"]["details"]["nodes"], ["Sales/EMEA"])
            self.assertEqual(reply.body["error"]["details"]["tenantPlacement"], "Sales/EMEA")
        # Moving the tenant first makes the removal possible.
        moved = self.admin.put(f"/v1.0/tenants/{tenant_id}", {"group": None})
        self.assertEqual(moved.status, 200, moved)
        reply = self.put_tree(tenant_id, {"divisions": [{"name": "Sales"}]})
        self.assertEqual(reply.status, 200, reply)


class TenantConsistency(HierarchyTestCase):
    def test_a_tenant_update_must_name_a_node_of_the_tree(self):
        tenant_id = self.with_sample()
        reply = self.admin.put(f"/v1.0/tenants/{tenant_id}",
                               {"division": "Sales", "group": "Nowhere"})
        self.assertFieldError(reply, "group", "NOT_IN_HIERARCHY")
        reply = self.admin.put(f"/v1.0/tenants/{tenant_id}", {"division": "Marketing"})
        self.assertFieldError(reply, "division", "NOT_IN_HIERARCHY")
        reply = self.admin.put(f"/v1.0/tenants/{tenant_id}",
                               {"division": "sales", "group": "emea", "team": "Beta"})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["team"], "Beta")


class Access(HierarchyTestCase):
    def test_admins_change_operators_read_viewers_and_strangers_neither(self):
        tenant_id = self.with_sample()
        other_id = self.create_tenant()["tenantId"]
        admin_mail, op_mail, viewer_mail, stranger_mail = (email(p) for p in
                                                           ("adm", "op", "view", "str"))
        self.assign(tenant_id, admin_mail, "Admin")
        self.assign(tenant_id, op_mail, "Operator")
        self.assign(tenant_id, viewer_mail, "Viewer")
        self.assign(other_id, stranger_mail, "Admin")
        client = self.server.client
        tenant_admin = client(self.server.token(admin_mail))
        operator = client(self.server.token(op_mail))
        viewer = client(self.server.token(viewer_mail))
        stranger = client(self.server.token(stranger_mail))

        self.assertEqual(self.put_tree(tenant_id, SAMPLE, client=tenant_admin).status, 200)
        self.assertEqual(operator.get(self.url(tenant_id)).status, 200)
        self.assertError(self.put_tree(tenant_id, SAMPLE, client=operator), 403, "FORBIDDEN")
        self.assertError(viewer.get(self.url(tenant_id)), 403, "FORBIDDEN")
        self.assertError(stranger.get(self.url(tenant_id)), 404, "TENANT_NOT_FOUND")
        self.assertError(self.put_tree(tenant_id, {"divisions": []}, client=stranger), 404,
                         "TENANT_NOT_FOUND")
        self.assertEqual(self.tree_of(tenant_id)["version"], 3)  # the stranger changed nothing

    def test_platform_operators_read_but_do_not_change(self):
        tenant_id = self.with_sample()
        ops = self.server.client(self.server.token(email("pop"), ["platform-operators"]))
        self.assertEqual(ops.get(self.url(tenant_id)).status, 200)
        self.assertError(self.put_tree(tenant_id, SAMPLE, client=ops), 403, "FORBIDDEN")

    def test_a_deprovisioned_tenant_refuses_changes(self):
        tenant_id = self.with_sample()
        self.assertEqual(self.admin.delete(f"/v1.0/tenants/{tenant_id}").status, 200)
        reply = self.put_tree(tenant_id, {"divisions": []})
        self.assertEqual(reply.status, 422, reply)
        self.assertEqual(self.tree_of(tenant_id)["version"], 2)


class Events(HierarchyTestCase):
    def test_changes_are_audited_and_published(self):
        tenant_id = self.with_sample()
        audit = self.admin.get(f"/v1.0/tenants/{tenant_id}/audit")
        self.assertEqual(audit.status, 200, audit)
        self.assertEqual(audit.body["items"][0]["eventType"], "HIERARCHY_UPDATED")

        def published():
            return [e for e in harness.read_events(self.server.events_path())
                    if e.get("detail-type") == "HIERARCHY_UPDATED"
                    and e["detail"].get("tenantId") == tenant_id]
        events = harness.wait_for(published, timeout=10)
        self.assertTrue(events, "no HIERARCHY_UPDATED event published")
        self.assertEqual(events[0]["source"], "bbws.tenant-management")


if __name__ == "__main__":
    unittest.main()
