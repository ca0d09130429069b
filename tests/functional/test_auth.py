"""Authentication (local HS256 tokens) and the platform / non-platform authorisation rules."""
import time
import unittest

import harness
from harness import ServerTestCase, decode_jwt, make_jwt, b64url

SECRET = "functional-test-secret-0123456789abcdef"
OTHER_SECRET = "some-other-secret-0123456789abcdef"

server = None


def setUpModule():
    global server
    server = harness.start_shared(env={"JWT_SECRET": SECRET})


def tearDownModule():
    harness.stop_shared(server)


class TokenTest(ServerTestCase):
    def minted(self):
        """A real token from `tenantd token`, split into header and claims."""
        token = self.server.admin_token()
        header, claims = decode_jwt(token)
        return token, header, claims

    def test_request_without_token_is_401_unauthorized(self):
        for path in ("/tenants", "/v1.0/tenants"):
            reply = self.server.client().get(path)
            self.assertError(reply, 401, "UNAUTHORIZED")

    def test_non_bearer_authorization_is_401(self):
        reply = self.server.client().get("/tenants",
                                         headers={"Authorization": "Basic dXNlcjpwYXNz"})
        self.assertEqual(reply.status, 401, reply)
        self.assertIn(reply.code, ("UNAUTHORIZED", "TOKEN_INVALID"))

    def test_garbage_token_is_401_token_invalid(self):
        for garbage in ("garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "x" * 5000):
            reply = self.server.client(garbage).get("/tenants")
            self.assertError(reply, 401, "TOKEN_INVALID")

    def test_minted_token_is_hs256_with_identity_claims(self):
        _, header, claims = self.minted()
        self.assertEqual(header.get("alg"), "HS256")
        self.assertEqual(claims.get("email"), self.server.admin_email)
        self.assertTrue(claims.get("sub"))
        self.assertGreater(claims.get("exp", 0), time.time())

    def test_token_resigned_with_the_known_secret_is_accepted(self):
        # Control for the tests below: our own signing is what the server expects.
        _, header, claims = self.minted()
        token = make_jwt(header, dict(claims, exp=int(time.time()) + 600), SECRET)
        reply = self.server.client(token).get("/tenants")
        self.assertEqual(reply.status, 200, reply)

    def test_expired_token_is_401_token_expired(self):
        _, header, claims = self.minted()
        now = int(time.time())
        token = make_jwt(header, dict(claims, iat=now - 7200, exp=now - 3600), SECRET)
        reply = self.server.client(token).get("/tenants")
        self.assertError(reply, 401, "TOKEN_EXPIRED")

    def test_alg_none_token_is_401_token_invalid(self):
        _, header, claims = self.minted()
        for alg in ("none", "None", "NONE"):
            unsigned = (b64url(harness.json.dumps(dict(header, alg=alg)).encode()) + "." +
                        b64url(harness.json.dumps(claims).encode()) + ".")
            reply = self.server.client(unsigned).get("/tenants")
            self.assertError(reply, 401, "TOKEN_INVALID")

    def test_rs256_header_on_an_hmac_signature_is_401_token_invalid(self):
        _, header, claims = self.minted()
        token = make_jwt(dict(header, alg="RS256"), claims, SECRET)
        reply = self.server.client(token).get("/tenants")
        self.assertError(reply, 401, "TOKEN_INVALID")

    def test_wrong_signature_is_401_token_invalid(self):
        _, header, claims = self.minted()
        token = make_jwt(header, claims, OTHER_SECRET)
        reply = self.server.client(token).get("/tenants")
        self.assertError(reply, 401, "TOKEN_INVALID")

    def test_tampered_claims_keep_failing_the_signature(self):
        user_token = self.server.token("nobody@example.com")
        header_b64, _, signature = user_token.split(".")
        _, claims = decode_jwt(user_token)
        forged_claims = dict(claims, groups=["platform-admins"],
                             **{"cognito:groups": ["platform-admins"]})
        forged = header_b64 + "." + b64url(harness.json.dumps(forged_claims).encode()) + "." + \
            signature
        reply = self.server.client(forged).post("/tenants", harness.tenant_body())
        self.assertError(reply, 401, "TOKEN_INVALID")

    def test_token_without_identity_is_401(self):
        _, header, claims = self.minted()
        bare = {k: v for k, v in claims.items() if k not in ("sub", "email")}
        token = make_jwt(header, bare, SECRET)
        reply = self.server.client(token).get("/tenants")
        self.assertEqual(reply.status, 401, reply)
        self.assertIn(reply.code, ("UNAUTHORIZED", "TOKEN_INVALID"))


class AuthorisationTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.outsider = cls.server.client(cls.server.token("outsider@example.com"))
        cls.operator = cls.server.client(
            cls.server.token("operator@example.com", ["platform-operators"]))

    def test_user_without_platform_group_cannot_create_a_tenant(self):
        reply = self.outsider.post("/tenants", harness.tenant_body())
        self.assertError(reply, 403, "FORBIDDEN")

    def test_user_without_platform_group_gets_404_for_someone_elses_tenant(self):
        tid = self.create_tenant()["tenantId"]
        for method, path, body in (("GET", f"/tenants/{tid}", None),
                                   ("PUT", f"/tenants/{tid}", {"metadata": {"a": 1}}),
                                   ("GET", f"/tenants/{tid}/audit", None),
                                   ("POST", f"/tenants/{tid}/park",
                                    {"reason": "parking for the tests"}),
                                   ("PATCH", f"/tenants/{tid}/status", {"status": "ACTIVE"}),
                                   ("DELETE", f"/tenants/{tid}", None)):
            reply = self.outsider.request(method, path, json_body=body)
            self.assertError(reply, 404, "TENANT_NOT_FOUND")
        # And nothing changed.
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["version"], 1)

    def test_user_without_platform_group_lists_no_tenants(self):
        self.create_tenant()
        reply = self.outsider.get("/tenants")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["items"], [])
        self.assertEqual(reply.body["count"], 0)
        self.assertIsNone(reply.body["nextToken"])
        self.assertFalse(reply.body["moreAvailable"])

    def test_platform_operator_can_create_read_list_and_audit(self):
        reply = self.operator.post("/tenants", harness.tenant_body())
        self.assertEqual(reply.status, 201, reply)
        tid = reply.body["tenantId"]
        self.assertEqual(reply.body["createdBy"], "operator@example.com")
        other = self.create_tenant()["tenantId"]
        for path in (f"/tenants/{tid}", f"/tenants/{other}", f"/tenants/{other}/audit"):
            self.assertEqual(self.operator.get(path).status, 200, path)
        name = self.admin.get(f"/tenants/{other}").body["organizationName"]
        listed = self.operator.get("/tenants", params={"organizationName": name})
        self.assertEqual([t["tenantId"] for t in listed.body["items"]], [other])

    def test_platform_operator_cannot_update_or_drive_lifecycle(self):
        tid = self.create_tenant()["tenantId"]
        self.activate(tid)
        for method, path, body in (("PUT", f"/tenants/{tid}", {"metadata": {"a": 1}}),
                                   ("POST", f"/tenants/{tid}/park",
                                    {"reason": "parking for the tests"}),
                                   ("POST", f"/tenants/{tid}/suspend",
                                    {"reason": "suspending for the tests"}),
                                   ("POST", f"/tenants/{tid}/lifecycle/park",
                                    {"reason": "parking for the tests"}),
                                   ("PATCH", f"/tenants/{tid}/status", {"status": "PENDING"}),
                                   ("DELETE", f"/tenants/{tid}", None)):
            reply = self.operator.request(method, path, json_body=body)
            self.assertError(reply, 403, "FORBIDDEN")
        after = self.admin.get(f"/tenants/{tid}").body
        self.assertEqual(after["status"], "ACTIVE")
        self.assertEqual(after["version"], 2)


if __name__ == "__main__":
    unittest.main()
