"""Members and the user directory (docs/members.md) over real HTTP: assign, list with role filter
and pages, read, change, remove, a user's tenants, refusals, and the last Admin under races."""
import unittest

import harness
from harness import ServerTestCase, run_concurrently, unique

server = None


def setUpModule():
    global server
    server = harness.start_shared()


def tearDownModule():
    harness.stop_shared(server)


UNKNOWN_TENANT = "tenant-00000000-0000-4000-8000-000000000000"


def email(prefix="user"):
    return f"{prefix}-{unique().lower()}@example.com"




class MemberTestCase(ServerTestCase):
    def assign(self, tenant_id, address, role, client=None, **placement):
        body = {"email": address, "role": role}
        body.update(placement)
        reply = (client or self.admin).post(f"/v1.0/tenants/{tenant_id}/users", body)
        self.assertEqual(reply.status, 201, reply)
        return reply.body

    def member_client(self, address):
        return self.server.client(self.server.token(address))

    def tenant(self, tenant_id):
        reply = self.admin.get(f"/v1.0/tenants/{tenant_id}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body


class AssignTest(MemberTestCase):
    def test_assign_returns_201_membership_with_etag_and_location(self):
        t = self.create_tenant()
        address = email()
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                {"email": "  " + address.upper() + " ", "role": "Admin"})
        self.assertEqual(reply.status, 201, reply)
        m = reply.body
        self.assertEqual(m["email"], address)
        self.assertEqual(m["role"], "Admin")
        self.assertEqual(m["tenantId"], t["tenantId"])
        self.assertTrue(m["userId"].startswith("user-"), m)
        self.assertEqual(m["version"], 1)
        self.assertEqual(m["assignedBy"], self.server.admin_email)
        self.assertEqual(reply.headers["ETag"], '"1"')
        self.assertEqual(reply.headers["Location"],
                         f"/v1.0/tenants/{t['tenantId']}/users/{m['userId']}")
        self.assertEqual(self.tenant(t["tenantId"])["memberCount"], 1)

    def test_the_token_of_an_assigned_email_acts_as_that_member(self):
        t = self.create_tenant()
        address = email()
        m = self.assign(t["tenantId"], address, "Viewer")
        me = self.member_client(address).get("/v1.0/me/tenants")
        self.assertEqual(me.status, 200, me)
        self.assertEqual([(r["tenantId"], r["role"]) for r in me.body["items"]],
                         [(t["tenantId"], "Viewer")])
        self.assertEqual(me.body["items"][0]["organizationName"], t["organizationName"])
        self.assertEqual(me.body["items"][0]["assignedAt"], m["assignedAt"])

    def test_assigning_an_existing_member_is_409_user_already_member(self):
        t = self.create_tenant()
        address = email()
        self.assign(t["tenantId"], address, "Viewer")
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                {"email": address.upper(), "role": "Admin"})
        self.assertError(reply, 409, "USER_ALREADY_MEMBER")
        self.assertEqual(self.tenant(t["tenantId"])["memberCount"], 1)

    def test_invalid_bodies_report_every_problem_at_once(self):
        t = self.create_tenant()
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                {"email": "not-an-email", "role": "Owner", "team": "X",
                                 "colour": "blue"})
        self.assertFieldError(reply, "email")
        self.assertFieldError(reply, "role", "INVALID_VALUE")
        self.assertFieldError(reply, "team")
        self.assertFieldError(reply, "colour", "UNKNOWN_FIELD")
        missing = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users", {})
        self.assertFieldError(missing, "email", "REQUIRED")
        self.assertFieldError(missing, "role", "REQUIRED")

    def test_placement_outside_the_hierarchy_is_refused(self):
        t = self.create_tenant()
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                {"email": email(), "role": "Viewer", "division": "Nowhere Land"})
        self.assertFieldError(reply, "division", "NOT_IN_HIERARCHY")
        self.assertEqual(self.tenant(t["tenantId"])["memberCount"], 0)

    def test_placement_inside_the_hierarchy_is_kept_in_the_tree_spelling(self):
        t = self.create_tenant(division="Engineering", group="Platform", team="Runtime")
        if harness.openapi().match(f"/v1.0/tenants/{t['tenantId']}/hierarchy") is None:
            self.skipTest("the hierarchy routes are not documented yet")
        m = self.assign(t["tenantId"], email(), "Viewer", division="engineering",
                        group="PLATFORM", team="runtime")
        self.assertEqual((m["division"], m["group"], m["team"]),
                         ("Engineering", "Platform", "Runtime"))

    def test_unknown_tenant_is_404(self):
        reply = self.admin.post(f"/v1.0/tenants/{UNKNOWN_TENANT}/users",
                                {"email": email(), "role": "Viewer"})
        self.assertError(reply, 404, "TENANT_NOT_FOUND")

    def test_deprovisioned_tenant_refuses_member_changes(self):
        t = self.create_tenant()
        m = self.assign(t["tenantId"], email(), "Viewer")
        self.assertEqual(self.admin.delete(f"/v1.0/tenants/{t['tenantId']}").status, 200)
        path = f"/v1.0/tenants/{t['tenantId']}/users"
        self.assertError(self.admin.post(path, {"email": email(), "role": "Viewer"}), 422,
                         "TENANT_NOT_ACTIVE")
        self.assertError(self.admin.put(f"{path}/{m['userId']}", {"role": "Admin"}), 422,
                         "TENANT_NOT_ACTIVE")
        self.assertError(self.admin.delete(f"{path}/{m['userId']}"), 422, "TENANT_NOT_ACTIVE")
        self.assertEqual(self.admin.get(f"{path}/{m['userId']}").body["role"], "Viewer")

    def test_concurrent_assignments_keep_member_count_exact(self):
        t = self.create_tenant()
        token = self.server.admin_token()
        addresses = [email("race") for _ in range(6)]

        def go(i):
            client = self.server.client(token)
            try:
                return client.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                   {"email": addresses[i], "role": "Viewer"}).status
            finally:
                client.close()

        self.assertEqual(run_concurrently(6, go), [201] * 6)
        self.assertEqual(self.tenant(t["tenantId"])["memberCount"], 6)


class ReadTest(MemberTestCase):
    def test_list_filters_by_role_and_pages_without_gaps(self):
        t = self.create_tenant()
        roles = ["Admin", "Operator", "Viewer", "Viewer", "Operator", "Viewer"]
        for role in roles:
            self.assign(t["tenantId"], email(), role)
        path = f"/v1.0/tenants/{t['tenantId']}/users"
        seen, token = [], None
        while True:
            reply = self.admin.get(path + "?role=Viewer&limit=2" +
                                   (f"&nextToken={token}" if token else ""))
            self.assertEqual(reply.status, 200, reply)
            self.assertTrue(all(m["role"] == "Viewer" for m in reply.body["items"]))
            seen += [m["userId"] for m in reply.body["items"]]
            token = reply.body["nextToken"]
            if not token:
                break
        self.assertEqual(len(seen), 3)
        self.assertEqual(len(set(seen)), 3)
        everyone = self.admin.get(path + "?limit=100")
        self.assertEqual(everyone.body["count"], 6)
        self.assertFieldError(self.admin.get(path + "?role=Owner"), "role", "INVALID_VALUE")
        self.assertFieldError(self.admin.get(path + "?colour=red"), "colour", "UNKNOWN_FIELD")

    def test_a_page_token_is_bound_to_its_role_filter(self):
        t = self.create_tenant()
        for _ in range(3):
            self.assign(t["tenantId"], email(), "Viewer")
        path = f"/v1.0/tenants/{t['tenantId']}/users"
        first = self.admin.get(path + "?role=Viewer&limit=1")
        token = first.body["nextToken"]
        self.assertTrue(token)
        self.assertError(self.admin.get(path + f"?role=Admin&limit=1&nextToken={token}"), 400,
                         "INVALID_PAGINATION_TOKEN")

    def test_get_unknown_member_is_404_user_not_found(self):
        t = self.create_tenant()
        reply = self.admin.get(f"/v1.0/tenants/{t['tenantId']}/users/user-nobody")
        self.assertError(reply, 404, "USER_NOT_FOUND")

    def test_user_tenants_own_or_platform_staff_only(self):
        t1, t2 = self.create_tenant(), self.create_tenant()
        a, b = email("a"), email("b")
        ma = self.assign(t1["tenantId"], a, "Viewer")
        self.assign(t2["tenantId"], a, "Admin")
        self.assign(t1["tenantId"], b, "Admin")
        own = self.member_client(a).get(f"/v1.0/users/{ma['userId']}/tenants")
        self.assertEqual(own.status, 200, own)
        self.assertEqual({r["tenantId"] for r in own.body["items"]},
                         {t1["tenantId"], t2["tenantId"]})
        # Even an Admin of a shared tenant cannot read another user's tenants.
        self.assertError(self.member_client(b).get(f"/v1.0/users/{ma['userId']}/tenants"), 404,
                         "USER_NOT_FOUND")
        operator = self.server.client(self.server.token(email("op"), ["platform-operators"]))
        staff = operator.get(f"/v1.0/users/{ma['userId']}/tenants")
        self.assertEqual(staff.status, 200, staff)
        self.assertEqual(staff.body["count"], 2)
        self.assertError(self.admin.get("/v1.0/users/user-nobody/tenants"), 404,
                         "USER_NOT_FOUND")

    def test_me_tenants_pages(self):
        a = email("pager")
        tenants = [self.create_tenant() for _ in range(3)]
        for t in tenants:
            self.assign(t["tenantId"], a, "Viewer")
        client = self.member_client(a)
        first = client.get("/v1.0/me/tenants?limit=2")
        self.assertEqual(first.body["count"], 2)
        self.assertTrue(first.body["moreAvailable"])
        rest = client.get(f"/v1.0/me/tenants?limit=2&nextToken={first.body['nextToken']}")
        self.assertEqual(rest.body["count"], 1)
        ids = {r["tenantId"] for r in first.body["items"] + rest.body["items"]}
        self.assertEqual(ids, {t["tenantId"] for t in tenants})


class ChangeTest(MemberTestCase):
    def test_put_changes_role_bumps_version_and_honours_if_match(self):
        t = self.create_tenant()
        self.assign(t["tenantId"], email(), "Admin")
        m = self.assign(t["tenantId"], email(), "Viewer")
        path = f"/v1.0/tenants/{t['tenantId']}/users/{m['userId']}"
        stale = self.admin.put(path, {"role": "Operator"}, headers={"If-Match": '"7"'})
        self.assertError(stale, 412, "PRECONDITION_FAILED")
        reply = self.admin.put(path, {"role": "Operator"}, headers={"If-Match": '"1"'})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["role"], "Operator")
        self.assertEqual(reply.body["version"], 2)
        self.assertEqual(reply.headers["ETag"], '"2"')
        self.assertFieldError(self.admin.put(path, {"role": None}), "role")
        self.assertFieldError(self.admin.put(path, {"userId": "x"}), "userId", "UNKNOWN_FIELD")

    def test_delete_returns_204_and_the_member_is_gone(self):
        t = self.create_tenant()
        self.assign(t["tenantId"], email(), "Admin")
        m = self.assign(t["tenantId"], email(), "Operator")
        path = f"/v1.0/tenants/{t['tenantId']}/users/{m['userId']}"
        reply = self.admin.delete(path)
        self.assertEqual(reply.status, 204, reply)
        self.assertError(self.admin.get(path), 404, "USER_NOT_FOUND")
        self.assertError(self.admin.delete(path), 404, "USER_NOT_FOUND")
        self.assertEqual(self.tenant(t["tenantId"])["memberCount"], 1)

    def test_last_admin_cannot_be_removed_or_demoted(self):
        t = self.create_tenant()
        m = self.assign(t["tenantId"], email(), "Admin")
        path = f"/v1.0/tenants/{t['tenantId']}/users/{m['userId']}"
        self.assertError(self.admin.delete(path), 422, "CANNOT_REMOVE_LAST_ADMIN")
        self.assertError(self.admin.put(path, {"role": "Viewer"}), 422,
                         "CANNOT_REMOVE_LAST_ADMIN")
        self.assertEqual(self.admin.get(path).body["role"], "Admin")

    def test_concurrent_removal_of_two_admins_leaves_exactly_one(self):
        for _ in range(3):
            t = self.create_tenant()
            admins = [self.assign(t["tenantId"], email(), "Admin") for _ in range(2)]
            token = self.server.admin_token()

            def go(i):
                client = self.server.client(token)
                try:
                    return client.delete(
                        f"/v1.0/tenants/{t['tenantId']}/users/{admins[i]['userId']}")
                finally:
                    client.close()

            replies = run_concurrently(2, go)
            self.assertEqual(sorted(r.status for r in replies), [204, 422], replies)
            self.assertEqual([r.code for r in replies if r.status == 422],
                             ["CANNOT_REMOVE_LAST_ADMIN"])
            left = self.admin.get(f"/v1.0/tenants/{t['tenantId']}/users?role=Admin")
            self.assertEqual(left.body["count"], 1)
            self.assertEqual(self.tenant(t["tenantId"])["memberCount"], 1)

    def test_changes_are_audited_and_published(self):
        t = self.create_tenant()
        self.assign(t["tenantId"], email(), "Admin")
        m = self.assign(t["tenantId"], email(), "Viewer")
        path = f"/v1.0/tenants/{t['tenantId']}/users/{m['userId']}"
        self.assertEqual(self.admin.put(path, {"role": "Operator"}).status, 200)
        self.assertEqual(self.admin.delete(path).status, 204)
        audit = self.admin.get(f"/v1.0/tenants/{t['tenantId']}/audit?limit=100")
        types = [e["eventType"] for e in audit.body["items"]]
        for wanted in ("USER_ASSIGNED", "USER_UPDATED", "USER_REMOVED"):
            self.assertIn(wanted, types)

        def published():
            events = harness.read_events(self.server.events_path())
            return {e.get("detail-type") or e.get("eventType") or e.get("type")
                    for e in events if t["tenantId"] in str(e)}

        seen = harness.wait_for(
            lambda: {"USER_ASSIGNED", "USER_UPDATED", "USER_REMOVED"} <= published())
        self.assertTrue(seen, published())


class RoleTest(MemberTestCase):
    def test_tenant_admin_manages_members_operator_reads_viewer_neither(self):
        t = self.create_tenant()
        admin_email, op_email, viewer_email = email("adm"), email("op"), email("view")
        self.assign(t["tenantId"], admin_email, "Admin")
        self.assign(t["tenantId"], op_email, "Operator")
        self.assign(t["tenantId"], viewer_email, "Viewer")
        path = f"/v1.0/tenants/{t['tenantId']}/users"
        tenant_admin = self.member_client(admin_email)
        added = tenant_admin.post(path, {"email": email(), "role": "Viewer"})
        self.assertEqual(added.status, 201, added)
        self.assertEqual(added.body["assignedBy"], admin_email)
        operator = self.member_client(op_email)
        self.assertEqual(operator.get(path).status, 200)
        self.assertError(operator.post(path, {"email": email(), "role": "Viewer"}), 403,
                         "FORBIDDEN")
        viewer = self.member_client(viewer_email)
        self.assertError(viewer.get(path), 403, "FORBIDDEN")
        self.assertError(viewer.post(path, {"email": email(), "role": "Admin"}), 403,
                         "FORBIDDEN")
        platform_operator = self.server.client(
            self.server.token(email("pop"), ["platform-operators"]))
        self.assertEqual(platform_operator.get(path).status, 200)
        self.assertError(platform_operator.post(path, {"email": email(), "role": "Viewer"}), 403,
                         "FORBIDDEN")


if __name__ == "__main__":
    unittest.main()
