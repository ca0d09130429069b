"""Tenant isolation (docs/auth.md, issue 3): a member of tenant A can neither read nor change
anything of tenant B (404 exactly like a tenant that does not exist, nothing changed), a Viewer
cannot write, members of a SUSPENDED tenant get 403 TENANT_SUSPENDED, and lists never return
another tenant's rows. Every documented tenant route is exercised; routes documented later are
covered by the generic "same answer as an unknown tenant" check."""
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
REASON = "isolation test: should never be applied"

# Valid requests for the routes known today: {t} is the tenant, {u} one of its members.
KNOWN = {
    ("GET", "/v1.0/tenants/{tenantId}"): None,
    ("PUT", "/v1.0/tenants/{tenantId}"): {"contactEmail": "intruder@example.com"},
    ("DELETE", "/v1.0/tenants/{tenantId}"): None,
    ("PATCH", "/v1.0/tenants/{tenantId}/status"): {"status": "PARKED", "reason": REASON},
    ("POST", "/v1.0/tenants/{tenantId}/park"): {"reason": REASON},
    ("POST", "/v1.0/tenants/{tenantId}/unpark"): None,
    ("POST", "/v1.0/tenants/{tenantId}/suspend"): {"reason": REASON},
    ("POST", "/v1.0/tenants/{tenantId}/resume"): None,
    ("POST", "/v1.0/tenants/{tenantId}/lifecycle/park"): {"reason": REASON},
    ("POST", "/v1.0/tenants/{tenantId}/lifecycle/unpark"): None,
    ("POST", "/v1.0/tenants/{tenantId}/lifecycle/suspend"): {"reason": REASON},
    ("POST", "/v1.0/tenants/{tenantId}/lifecycle/resume"): None,
    ("GET", "/v1.0/tenants/{tenantId}/audit"): None,
    ("POST", "/v1.0/tenants/{tenantId}/users"): {"email": "intruder@example.com",
                                                 "role": "Admin"},
    ("GET", "/v1.0/tenants/{tenantId}/users"): None,
    ("GET", "/v1.0/tenants/{tenantId}/users/{userId}"): None,
    ("PUT", "/v1.0/tenants/{tenantId}/users/{userId}"): {"role": "Admin"},
    ("DELETE", "/v1.0/tenants/{tenantId}/users/{userId}"): None,
    ("GET", "/v1.0/tenants/{tenantId}/hierarchy"): None,
    ("PUT", "/v1.0/tenants/{tenantId}/hierarchy"): {"divisions": []},
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def tenant_routes():
    """Every documented (method, template) that names a tenant."""
    api = harness.openapi()
    routes = []
    for template in api.doc["paths"]:
        if "{tenantId}" in template:
            for method in sorted(api.methods(template)):
                routes.append((method, template))
    return routes


def fill(template, tenant_id, user_id):
    path = template.replace("{tenantId}", tenant_id).replace("{userId}", user_id)
    # Any other identifier of a route documented later: a well-formed id that does not exist.
    while "{" in path:
        start = path.index("{")
        path = path[:start] + "x-00000000-0000-4000-8000-000000000000" + \
            path[path.index("}", start) + 1:]
    return path


def email(prefix):
    return f"{prefix}-{unique().lower()}@example.com"


class IsolationTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        admin = cls.server.admin()
        cls.a = cls._tenant(admin)
        cls.b = cls._tenant(admin)
        cls.emails = {role: email("a-" + role.lower()) for role in ("Admin", "Operator", "Viewer")}
        for role, address in cls.emails.items():
            cls._assign(admin, cls.a["tenantId"], address, role)
        cls.b_admin = cls._assign(admin, cls.b["tenantId"], email("b-admin"), "Admin")
        cls.b_viewer = cls._assign(admin, cls.b["tenantId"], email("b-viewer"), "Viewer")
        cls.members = {role: cls.server.client(cls.server.token(address))
                       for role, address in cls.emails.items()}

    @staticmethod
    def _tenant(admin):
        t = admin.post("/v1.0/tenants", harness.tenant_body())
        assert t.status == 201, t
        done = admin.patch(f"/v1.0/tenants/{t.body['tenantId']}/status", {"status": "ACTIVE"})
        assert done.status == 200, done
        return done.body

    @staticmethod
    def _assign(admin, tenant_id, address, role):
        reply = admin.post(f"/v1.0/tenants/{tenant_id}/users", {"email": address, "role": role})
        assert reply.status == 201, reply
        return reply.body

    def snapshot(self, tenant_id):
        """What a platform admin sees of a tenant: enough to notice any change."""
        t = self.admin.get(f"/v1.0/tenants/{tenant_id}").body
        users = self.admin.get(f"/v1.0/tenants/{tenant_id}/users?limit=100").body["items"]
        audit = self.admin.get(f"/v1.0/tenants/{tenant_id}/audit?limit=100").body["items"]
        tree = None
        if harness.openapi().match(f"/v1.0/tenants/{tenant_id}/hierarchy"):
            tree = self.admin.get(f"/v1.0/tenants/{tenant_id}/hierarchy").body
        return (t["version"], t["status"], t["memberCount"], t["contactEmail"],
                sorted((u["userId"], u["role"], u["version"]) for u in users), len(audit), tree)

    def send(self, client, method, template, tenant_id, user_id):
        body = KNOWN.get((method, template), {} if method in WRITES else None)
        return client.request(method, fill(template, tenant_id, user_id), json_body=body)

    def test_every_tenant_route_answers_404_for_another_tenant_and_changes_nothing(self):
        routes = tenant_routes()
        self.assertIn(("GET", "/v1.0/tenants/{tenantId}/users/{userId}"), routes)
        before = self.snapshot(self.b["tenantId"])
        for role, client in self.members.items():
            for method, template in routes:
                with self.subTest(role=role, method=method, route=template):
                    reply = self.send(client, method, template, self.b["tenantId"],
                                      self.b_viewer["userId"])
                    unknown = self.send(client, method, template, UNKNOWN_TENANT,
                                        self.b_viewer["userId"])
                    # No existence leak: exactly the answer for a tenant that does not exist.
                    self.assertEqual((reply.status, reply.code), (unknown.status, unknown.code))
                    self.assertFalse(200 <= reply.status < 300, reply)
                    if (method, template) in KNOWN:
                        self.assertError(reply, 404, "TENANT_NOT_FOUND")
        self.assertEqual(self.snapshot(self.b["tenantId"]), before)

    def test_a_member_cannot_read_another_tenants_member_by_user_id(self):
        for client in self.members.values():
            reply = client.get(f"/v1.0/users/{self.b_admin['userId']}/tenants")
            self.assertError(reply, 404, "USER_NOT_FOUND")

    def test_a_viewer_cannot_write_anything_of_its_own_tenant(self):
        viewer = self.members["Viewer"]
        own_member = self.admin.get(f"/v1.0/tenants/{self.a['tenantId']}/users?role=Operator")
        target = own_member.body["items"][0]["userId"]
        before = self.snapshot(self.a["tenantId"])
        for method, template in tenant_routes():
            if method not in WRITES:
                continue
            with self.subTest(method=method, route=template):
                reply = self.send(viewer, method, template, self.a["tenantId"], target)
                if (method, template) in KNOWN:
                    self.assertError(reply, 403, "FORBIDDEN")
                else:
                    self.assertIn(reply.status, (400, 403, 404), reply)
        self.assertEqual(self.snapshot(self.a["tenantId"]), before)

    def test_members_of_a_suspended_tenant_get_403_tenant_suspended_everywhere(self):
        c = self._tenant(self.admin)
        addresses = {role: email("c-" + role.lower()) for role in ("Admin", "Operator", "Viewer")}
        member_ids = {role: self._assign(self.admin, c["tenantId"], address, role)["userId"]
                      for role, address in addresses.items()}
        suspended = self.admin.post(f"/v1.0/tenants/{c['tenantId']}/suspend",
                                    {"reason": "unpaid invoices for three months"})
        self.assertEqual(suspended.status, 200, suspended)
        before = self.snapshot(c["tenantId"])
        for role, address in addresses.items():
            client = self.server.client(self.server.token(address))
            for method, template in tenant_routes():
                if (method, template) not in KNOWN:
                    continue
                with self.subTest(role=role, method=method, route=template):
                    reply = self.send(client, method, template, c["tenantId"],
                                      member_ids["Viewer"])
                    self.assertError(reply, 403, "TENANT_SUSPENDED")
        self.assertEqual(self.snapshot(c["tenantId"]), before)
        # Platform staff still act on it.
        self.assertEqual(self.admin.get(f"/v1.0/tenants/{c['tenantId']}/users").status, 200)

    def test_lists_never_return_another_tenants_rows(self):
        for role, client in self.members.items():
            with self.subTest(role=role):
                tenants = client.get("/v1.0/tenants?limit=100")
                self.assertEqual(tenants.status, 200, tenants)
                self.assertEqual([t["tenantId"] for t in tenants.body["items"]],
                                 [self.a["tenantId"]])
                for query in ("?status=ACTIVE", "?environment=dev",
                              "?organizationName=" + self.b["organizationName"][:5]):
                    filtered = client.get("/v1.0/tenants" + query)
                    self.assertNotIn(self.b["tenantId"],
                                     [t["tenantId"] for t in filtered.body["items"]], query)
                mine = client.get("/v1.0/me/tenants")
                self.assertEqual([t["tenantId"] for t in mine.body["items"]],
                                 [self.a["tenantId"]])
                if role == "Viewer":
                    continue  # Viewers do not list members (docs/auth.md)
                users = client.get(f"/v1.0/tenants/{self.a['tenantId']}/users?limit=100")
                self.assertEqual(users.status, 200, users)
                self.assertEqual({u["tenantId"] for u in users.body["items"]},
                                 {self.a["tenantId"]})
                ids = {u["userId"] for u in users.body["items"]}
                self.assertNotIn(self.b_admin["userId"], ids)
                audit = client.get(f"/v1.0/tenants/{self.a['tenantId']}/audit?limit=100")
                self.assertEqual(audit.status, 200, audit)
                self.assertNotIn(self.b["tenantId"], audit.text)

    def test_a_page_token_of_one_tenant_does_not_open_another(self):
        client = self.members["Admin"]
        for _ in range(2):
            self._assign(self.admin, self.a["tenantId"], email("extra"), "Viewer")
        first = client.get(f"/v1.0/tenants/{self.a['tenantId']}/users?limit=1")
        token = first.body["nextToken"]
        self.assertTrue(token)
        reply = self.admin.get(f"/v1.0/tenants/{self.b['tenantId']}/users?limit=1"
                               f"&nextToken={token}")
        self.assertError(reply, 400, "INVALID_PAGINATION_TOKEN")


if __name__ == "__main__":
    unittest.main()
