"""The original API's shapes next to tenantd's (docs/original-api.md, decisions 0016 and 0017):
the tenant list's sort and word search, assign with a userId, the hierarchy placement routes,
the instance plan's bodies and status, the extra tenant fields, and the 401 challenge. Every
response is also checked against docs/openapi.yaml by the harness."""
import time
import unittest

import harness
from harness import ServerTestCase, unique

server = None


def setUpModule():
    global server
    server = harness.start_shared({"SIMULATED_STEP_MS": "5"})


def tearDownModule():
    harness.stop_shared(server)


def email(prefix="user"):
    return f"{prefix}-{unique().lower()}@example.com"


class TenantListSortTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A private word so that the searches see only these tenants.
        cls.word = "Q" + unique().lower()[1:9]
        names = [f"Beta {cls.word}ion Holdings", f"Alpha {cls.word}", f"Gamma-{cls.word}s Ltd",
                 f"{cls.word} Delta"]
        cls.ids = []
        for name in names:
            reply = cls.server.admin().post("/v1.0/tenants", harness.tenant_body(name))
            assert reply.status == 201, reply
            cls.ids.append(reply.body["tenantId"])
        cls.names = names

    def listing(self, **params):
        items, token = [], None
        for _ in range(10):
            query = dict(params, limit=2)
            if token:
                query["nextToken"] = token
            reply = self.admin.get("/v1.0/tenants", params=query)
            self.assertEqual(reply.status, 200, reply)
            items += reply.body["items"]
            token = reply.body.get("nextToken")
            if not token:
                return items
        self.fail("listing did not end")

    def test_word_prefix_search_finds_a_word_anywhere_in_the_name(self):
        term = self.word[:5].lower()
        found = self.listing(organizationName=term, sortBy="organizationName", sortOrder="asc")
        self.assertEqual([t["organizationName"] for t in found], sorted(self.names, key=str.lower))

    def test_sort_by_name_descending_pages_in_order(self):
        found = self.listing(organizationName=self.word, sortBy="organizationName",
                             sortOrder="desc")
        self.assertEqual([t["organizationName"] for t in found],
                         sorted(self.names, key=str.lower, reverse=True))

    def test_sort_by_created_at_both_ways(self):
        asc = self.listing(organizationName=self.word, sortBy="createdAt", sortOrder="asc")
        desc = self.listing(organizationName=self.word, sortBy="createdAt", sortOrder="desc")
        self.assertEqual([t["tenantId"] for t in asc], self.ids)
        self.assertEqual([t["tenantId"] for t in desc], list(reversed(self.ids)))

    def test_without_sort_organization_name_stays_a_whole_name_prefix(self):
        reply = self.admin.get("/v1.0/tenants", params={"organizationName": self.word})
        self.assertEqual([t["organizationName"] for t in reply.body["items"]],
                         [f"{self.word} Delta"])

    def test_a_page_token_is_bound_to_its_sort(self):
        reply = self.admin.get("/v1.0/tenants", params={
            "organizationName": self.word, "sortBy": "organizationName", "limit": 1})
        token = reply.body["nextToken"]
        self.assertTrue(token)
        other = self.admin.get("/v1.0/tenants", params={
            "organizationName": self.word, "sortBy": "createdAt", "limit": 1, "nextToken": token})
        self.assertError(other, 400, "INVALID_PAGINATION_TOKEN")

    def test_list_items_carry_the_whole_tenant(self):
        reply = self.admin.get("/v1.0/tenants", params={
            "organizationName": self.word, "sortBy": "createdAt"})
        item = reply.body["items"][0]
        for field in ("contactEmail", "createdBy", "updatedAt", "version"):
            self.assertIn(field, item)
        self.assertIn("users", item["_links"])

    def test_a_renamed_tenant_moves_in_the_name_order(self):
        word = "R" + unique().lower()[1:9]
        t = self.create_tenant(organizationName=f"Omega {word} Renamed")
        renamed = self.admin.put(f"/v1.0/tenants/{t['tenantId']}",
                                 {"organizationName": f"Aardvark {word}"})
        self.assertEqual(renamed.status, 200, renamed)
        found = self.listing(organizationName=word, sortBy="organizationName",
                             sortOrder="asc")
        self.assertEqual([f["organizationName"] for f in found], [f"Aardvark {word}"])

    def test_bad_sort_values_are_refused(self):
        self.assertFieldError(self.admin.get("/v1.0/tenants", params={"sortBy": "size"}),
                              "sortBy", "INVALID_VALUE")
        self.assertFieldError(self.admin.get("/v1.0/tenants", params={"sortOrder": "up"}),
                              "sortOrder", "INVALID_VALUE")


class MemberTenantListSortTest(ServerTestCase):
    """A tenant member (not platform staff) lists their own tenants in name order too."""

    def test_a_member_pages_through_their_tenants_in_name_order_both_ways(self):
        word = "M" + unique().lower()[1:9]
        address = email("sorter")
        names = [f"Kappa {word}", f"beta {word}", f"Alpha {word}"]
        for name in names:
            t = self.create_tenant(organizationName=name)
            added = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                    {"email": address, "role": "Viewer"})
            self.assertEqual(added.status, 201, added)
        self.create_tenant(organizationName=f"Other {word}")  # not theirs
        member = self.server.client(self.server.token(address))
        for order, expected in (("asc", sorted(names, key=str.lower)),
                                ("desc", sorted(names, key=str.lower, reverse=True))):
            found, token = [], None
            for _ in range(5):
                params = {"sortBy": "organizationName", "sortOrder": order, "limit": 2}
                if token:
                    params["nextToken"] = token
                reply = member.get("/v1.0/tenants", params=params)
                self.assertEqual(reply.status, 200, reply)
                found += [t["organizationName"] for t in reply.body["items"]]
                token = reply.body.get("nextToken")
                if not token:
                    break
            self.assertEqual(found, expected)


class AssignWithUserIdTest(ServerTestCase):
    def test_an_unknown_email_is_created_with_the_given_user_id(self):
        t = self.create_tenant()
        user_id = "user-" + unique().lower()
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                {"userId": user_id, "email": email(), "role": "Admin"})
        self.assertEqual(reply.status, 201, reply)
        self.assertEqual(reply.body["userId"], user_id)
        tenants = self.admin.get(f"/v1.0/users/{user_id}/tenants")
        self.assertEqual([x["tenantId"] for x in tenants.body["items"]], [t["tenantId"]])

    def test_the_directory_id_of_a_known_email_must_match(self):
        t = self.create_tenant()
        address = email()
        first = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                {"email": address, "role": "Viewer"})
        self.assertEqual(first.status, 201, first)
        other = self.create_tenant()
        wrong = self.admin.post(f"/v1.0/tenants/{other['tenantId']}/users",
                                {"userId": "user-someone-else", "email": address, "role": "Admin"})
        self.assertError(wrong, 409, "USER_ID_MISMATCH")
        right = self.admin.post(f"/v1.0/tenants/{other['tenantId']}/users",
                                {"userId": first.body["userId"], "email": address,
                                 "role": "Admin"})
        self.assertEqual(right.status, 201, right)

    def test_a_user_id_of_another_email_is_refused(self):
        t = self.create_tenant()
        taken = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                {"email": email(), "role": "Viewer"})
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/users",
                                {"userId": taken.body["userId"], "email": email(),
                                 "role": "Viewer"})
        self.assertError(reply, 409, "USER_ID_MISMATCH")
        members = self.admin.get(f"/v1.0/tenants/{t['tenantId']}/users")
        self.assertEqual(len(members.body["items"]), 1)


class HierarchyPlacementTest(ServerTestCase):
    def test_post_places_an_unplaced_tenant_and_creates_the_nodes(self):
        t = self.create_tenant()
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/hierarchy",
                                {"division": "Technology", "group": "Platform", "team": "Core"})
        self.assertEqual(reply.status, 201, reply)
        body = reply.body
        self.assertEqual((body["division"], body["group"], body["team"], body["userCount"]),
                         ("Technology", "Platform", "Core", 0))
        self.assertEqual(body["divisions"][0]["groups"][0]["teams"][0]["name"], "Core")
        tenant = self.admin.get(f"/v1.0/tenants/{t['tenantId']}").body
        self.assertEqual((tenant["division"], tenant["group"], tenant["team"]),
                         ("Technology", "Platform", "Core"))
        again = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/hierarchy",
                                {"division": "Sales"})
        self.assertError(again, 409, "CONFLICT")

    def test_put_moves_the_placement_and_keeps_the_declarative_put(self):
        t = self.create_tenant(division="Sales")
        moved = self.admin.put(f"/v1.0/tenants/{t['tenantId']}/hierarchy",
                               {"division": "Sales", "group": "EMEA"})
        self.assertEqual(moved.status, 200, moved)
        self.assertEqual(moved.body["group"], "EMEA")
        tree = self.admin.put(f"/v1.0/tenants/{t['tenantId']}/hierarchy",
                              {"divisions": [{"name": "Sales", "groups": [{"name": "EMEA"}]},
                                             {"name": "Ops"}]})
        self.assertEqual(tree.status, 200, tree)
        self.assertEqual([d["name"] for d in tree.body["divisions"]], ["Sales", "Ops"])

    def test_delete_refuses_placed_members_unless_cascade(self):
        t = self.create_tenant()
        tid = t["tenantId"]
        self.admin.post(f"/v1.0/tenants/{tid}/hierarchy", {"division": "Sales", "group": "EMEA"})
        member = self.admin.post(f"/v1.0/tenants/{tid}/users",
                                 {"email": email(), "role": "Viewer", "division": "Sales",
                                  "group": "EMEA"})
        self.assertEqual(member.status, 201, member)
        refused = self.admin.delete(f"/v1.0/tenants/{tid}/hierarchy")
        self.assertError(refused, 422, "HIERARCHY_NOT_EMPTY")
        self.assertEqual(self.admin.get(f"/v1.0/tenants/{tid}").body["division"], "Sales")
        done = self.admin.delete(f"/v1.0/tenants/{tid}/hierarchy", params={"cascade": "true"})
        self.assertEqual(done.status, 204, done)
        self.assertNotIn("division", self.admin.get(f"/v1.0/tenants/{tid}").body)
        self.assertEqual(self.admin.get(f"/v1.0/tenants/{tid}/hierarchy").body["divisions"], [])
        m = self.admin.get(f"/v1.0/tenants/{tid}/users/{member.body['userId']}").body
        self.assertNotIn("division", m)

    def test_placement_body_is_validated(self):
        t = self.create_tenant()
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/hierarchy", {"group": "EMEA"})
        self.assertFieldError(reply, "division", "REQUIRED")


class TenantFieldsTest(ServerTestCase):
    def test_unpark_answers_unparked_at_and_by_and_delete_the_whole_tenant(self):
        t = self.create_tenant()
        self.activate(t["tenantId"])
        parked = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/park",
                                 {"reason": "cost reduction for the quarter"})
        self.assertEqual(parked.status, 200, parked)
        unparked = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/unpark")
        self.assertEqual(unparked.status, 200, unparked)
        self.assertEqual(unparked.body["unparkedAt"], unparked.body["updatedAt"])
        self.assertEqual(unparked.body["unparkedBy"], self.server.admin_email)
        deleted = self.admin.delete(f"/v1.0/tenants/{t['tenantId']}", params={"force": "true"})
        self.assertEqual(deleted.status, 200, deleted)
        self.assertEqual(deleted.body["organizationName"], t["organizationName"])
        self.assertEqual(deleted.body["status"], "DEPROVISIONED")
        self.assertTrue(deleted.body["message"])

    def test_401_carries_the_rfc6750_challenge(self):
        bare = self.server.client(None).get("/v1.0/tenants", token=None)
        self.assertEqual(bare.status, 401, bare)
        self.assertEqual(bare.headers["WWW-Authenticate"], 'Bearer realm="tenantd"')
        bad = self.server.client(None).get("/v1.0/tenants", token="not.a.token")
        self.assertEqual(bad.status, 401, bad)
        self.assertTrue(bad.headers["WWW-Authenticate"].startswith(
            'Bearer realm="tenantd", error="invalid_token", error_description="'), bad.headers)


class InstancePlanShapesTest(ServerTestCase):
    def active_tenant(self):
        t = self.create_tenant()
        self.activate(t["tenantId"])
        return t["tenantId"]

    def wait_state(self, iid, state):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            body = self.admin.get(f"/v1.0/instances/{iid}").body
            if body["state"] == state:
                return body
            time.sleep(0.02)
        self.fail(f"{iid} never reached {state}")

    def test_create_with_the_plan_shape_and_read_the_plan_status(self):
        tid = self.active_tenant()
        reply = self.admin.post(f"/v1.0/tenants/{tid}/instances", {
            "plan": "PROFESSIONAL", "environment": "DEV", "wordpressVersion": "6.4",
            "desiredCount": 3})
        self.assertEqual(reply.status, 202, reply)
        iid = reply.body["instanceId"]
        body = self.wait_state(iid, "ACTIVE")
        self.assertEqual((body["tier"], body["status"]), ("PROFESSIONAL", "ACTIVE"))
        self.assertEqual(body["configuration"]["wordpressVersion"], "6.4")
        self.assertEqual(body["configuration"]["desiredCount"], 3)
        listed = self.admin.get(f"/v1.0/tenants/{tid}/instances").body["items"]
        self.assertEqual(listed[0]["status"], "ACTIVE")
        update = self.admin.put(f"/v1.0/instances/{iid}", {"wordpressVersion": "6.5"})
        self.assertEqual(update.status, 202, update)
        body = self.wait_state(iid, "ACTIVE")
        self.assertEqual(body["configuration"]["wordpressVersion"], "6.5")
        suspend = self.admin.post(f"/v1.0/instances/{iid}/suspend",
                                  {"reason": "non-payment of the March invoice"})
        self.assertEqual(suspend.status, 200, suspend)
        self.assertEqual(self.wait_state(iid, "SUSPENDED")["status"], "SUSPENDED")
        self.admin.post(f"/v1.0/instances/{iid}/resume")
        self.wait_state(iid, "ACTIVE")
        gone = self.admin.request("DELETE", f"/v1.0/instances/{iid}",
                                  json_body={"archiveData": True, "reason": "offboarding"})
        self.assertEqual(gone.status, 202, gone)

    def test_plan_defaults_and_refusals(self):
        tid = self.active_tenant()
        base = f"/v1.0/tenants/{tid}/instances"
        self.assertFieldError(self.admin.post(base, {"plan": "STARTER", "tier": "STANDARD"}),
                              "plan", "CONFLICTING_FIELDS")
        self.assertFieldError(self.admin.post(base, {"plan": "GOLD"}), "plan", "INVALID_VALUE")
        self.assertFieldError(self.admin.post(base, {"environment": "prod"}), "environment",
                              "ENVIRONMENT_MISMATCH")
        self.assertFieldError(self.admin.post(base, {
            "tier": "STANDARD", "desiredCount": 2, "configuration": {"desiredCount": 3}}),
            "desiredCount", "CONFLICTING_FIELDS")
        self.assertFieldError(self.admin.post(base, {}), "tier", "REQUIRED")
        reply = self.admin.post(base, {"environment": "dev"})
        self.assertEqual(reply.status, 202, reply)
        self.assertEqual(self.admin.get(f"/v1.0/instances/{reply.body['instanceId']}")
                         .body["tier"], "STANDARD")


class ParkThenUnparkTest(ServerTestCase):
    def test_unpark_right_after_park_is_accepted_while_suspends_run(self):
        t = self.create_tenant()
        tid = t["tenantId"]
        self.activate(tid)
        created = self.admin.post(f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"})
        self.assertEqual(created.status, 202, created)
        iid = created.body["instanceId"]
        deadline = time.monotonic() + 15
        while self.admin.get(f"/v1.0/instances/{iid}").body["state"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.02)
        for _ in range(3):
            parked = self.admin.post(f"/v1.0/tenants/{tid}/park",
                                     {"reason": "cost reduction for the quarter"})
            self.assertEqual(parked.status, 200, parked)
            unparked = self.admin.post(f"/v1.0/tenants/{tid}/unpark")
            self.assertEqual(unparked.status, 200, unparked)
            suspended = self.admin.post(f"/v1.0/tenants/{tid}/suspend",
                                        {"reason": "payment overdue by 30 days"})
            self.assertEqual(suspended.status, 200, suspended)
            resumed = self.admin.post(f"/v1.0/tenants/{tid}/resume")
            self.assertEqual(resumed.status, 200, resumed)
        deadline = time.monotonic() + 15
        while self.admin.get(f"/v1.0/instances/{iid}").body["state"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline, "the instance did not end ACTIVE")
            time.sleep(0.02)


if __name__ == "__main__":
    unittest.main()
