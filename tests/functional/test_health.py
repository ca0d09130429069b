"""Health, metrics, the OpenAPI document and the HTTP conventions every route shares."""
import re
import unittest

import yaml

try:
    from openapi_spec_validator import validate as validate_openapi
except ImportError:  # pragma: no cover - the machine image ships it; say so rather than pass
    validate_openapi = None

import harness
from harness import ServerTestCase

server = None


def setUpModule():
    global server
    server = harness.start_shared()


def tearDownModule():
    harness.stop_shared(server)


class HealthTest(ServerTestCase):
    def test_health_answers_healthy_without_a_token(self):
        reply = self.server.client().get("/health")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["status"], "healthy")
        self.assertEqual(reply.body["storage"], "ok")
        self.assertEqual(reply.body["environment"], "dev")
        self.assertGreaterEqual(reply.body["uptimeSeconds"], 0)
        self.assertTrue(reply.body["version"])

    def test_health_is_served_at_both_roots(self):
        for path in ("/health", "/v1.0/health"):
            reply = self.server.client().get(path)
            self.assertEqual(reply.status, 200, reply)
            self.assertEqual(reply.body["status"], "healthy")

    def test_health_ignores_a_bad_token(self):
        reply = self.server.client("not-a-jwt").get("/health")
        self.assertEqual(reply.status, 200, reply)


class MetricsTest(ServerTestCase):
    SAMPLE_RE = re.compile(
        r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"'
        r'(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*,?\})? '
        r'[-+]?(?:[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|\+Inf|-Inf)( [0-9]+)?$')

    def test_metrics_is_prometheus_text_with_request_histograms(self):
        self.create_tenant()
        for path in ("/metrics", "/v1.0/metrics"):
            reply = self.admin.get(path)
            self.assertEqual(reply.status, 200, reply)
            self.assertTrue(reply.headers["Content-Type"].startswith("text/plain"), reply.headers)
            text = reply.text
            bad = [line for line in text.splitlines()
                   if line and not line.startswith("#") and not self.SAMPLE_RE.match(line)]
            self.assertEqual(bad, [], "lines that are not Prometheus samples")
            self.assertRegex(text, r"(?m)^# TYPE \S+ histogram$")
            self.assertRegex(text, r"(?m)^# TYPE \S+ counter$")
            self.assertRegex(text, r"(?m)_bucket\{.*le=\"\+Inf\".*\} ")

    def test_metrics_counts_tenant_creations(self):
        self.create_tenant()
        text = self.admin.get("/metrics").text
        squashed = text.lower().replace("_", "")
        self.assertIn("tenantcreated", squashed, "no TenantCreated business metric")

    def test_metrics_requires_a_token(self):
        reply = self.server.client().get("/metrics")
        self.assertError(reply, 401, "UNAUTHORIZED")


class OpenApiTest(ServerTestCase):
    def test_openapi_json_is_served_without_a_token_and_equals_the_repo_document(self):
        with open(harness.OPENAPI_PATH, encoding="utf-8") as f:
            expected = yaml.safe_load(f)
        for path in ("/openapi.json", "/v1.0/openapi.json"):
            reply = self.server.client().get(path)
            self.assertEqual(reply.status, 200, reply)
            self.assertTrue(reply.headers["Content-Type"].startswith("application/json"))
            self.assertEqual(reply.body, expected)

    def test_every_documented_route_is_served_at_both_roots(self):
        api = harness.openapi()
        unknown = "tenant-00000000-0000-4000-8000-000000000000"
        checked = 0
        for template in api.doc["paths"]:
            for method in sorted(api.methods(template)):
                concrete = template.replace("{tenantId}", unknown)
                for path in (concrete, concrete[len("/v1.0"):]):
                    body = {} if method in ("POST", "PUT", "PATCH") else None
                    reply = self.admin.request(method, path, json_body=body)
                    self.assertNotEqual(reply.status, 405, reply)
                    self.assertNotEqual(reply.code, "NOT_FOUND", reply)
                    checked += 1
        self.assertGreaterEqual(checked, 2 * 17)

    def test_served_openapi_document_is_valid_openapi_3_1(self):
        if validate_openapi is None:
            self.skipTest("openapi-spec-validator is not installed")
        reply = self.server.client().get("/openapi.json")
        self.assertEqual(reply.status, 200, reply)
        self.assertTrue(reply.body["openapi"].startswith("3.1"))
        validate_openapi(reply.body)


class RoutingTest(ServerTestCase):
    def test_unknown_route_is_404_not_found_in_the_error_format(self):
        for path in ("/nope", "/v1.0/nope", "/v1.0/tenants/x/y/z", "/v2.0/tenants"):
            reply = self.admin.get(path)
            self.assertError(reply, 404, "NOT_FOUND")
            self.assertTrue(reply.body["error"]["message"])

    def test_wrong_method_is_405_with_allow_header(self):
        for path, allowed in (("/tenants", {"GET", "POST"}), ("/v1.0/tenants", {"GET", "POST"}),
                              ("/health", {"GET"}), ("/v1.0/openapi.json", {"GET"}),
                              ("/v1.0/tenants/tenant-00000000-0000-4000-8000-000000000000/park",
                               {"POST"})):
            reply = self.admin.request("PATCH", path)
            self.assertError(reply, 405, "METHOD_NOT_ALLOWED")
            allow = {m.strip().upper() for m in reply.headers.get("Allow", "").split(",")
                     if m.strip()}
            self.assertTrue(allowed <= allow, f"{path}: Allow {allow} lacks {allowed}")
            self.assertNotIn("PATCH", allow)
        tid = self.create_tenant()["tenantId"]
        for path, allowed in ((f"/tenants/{tid}", {"GET", "PUT", "DELETE"}),
                              (f"/v1.0/tenants/{tid}/status", {"PATCH"}),
                              (f"/tenants/{tid}/audit", {"GET"})):
            reply = self.admin.post(path, {"x": 1})
            self.assertError(reply, 405, "METHOD_NOT_ALLOWED")
            allow = {m.strip().upper() for m in reply.headers.get("Allow", "").split(",")
                     if m.strip()}
            self.assertEqual(allow - {"HEAD", "OPTIONS"}, allowed, path)

    def test_tenant_routes_answer_the_same_at_both_roots(self):
        tenant = self.create_tenant()
        tid = tenant["tenantId"]
        a = self.admin.get(f"/tenants/{tid}")
        b = self.admin.get(f"/v1.0/tenants/{tid}")
        self.assertEqual(a.status, 200, a)
        self.assertEqual(a.body, b.body)
        # A write at the root is visible at /v1.0 and links always point under /v1.0.
        c = self.admin.put(f"/tenants/{tid}", {"metadata": {"root": True}})
        self.assertEqual(c.status, 200, c)
        self.assertEqual(c.body["_links"]["self"]["href"], f"/v1.0/tenants/{tid}")
        d = self.admin.get(f"/v1.0/tenants/{tid}")
        self.assertEqual(d.body["metadata"], {"root": True})


class RequestIdTest(ServerTestCase):
    def test_sane_request_id_is_echoed_on_success_and_error(self):
        reply = self.admin.get("/health", headers={"X-Request-Id": "req-abc.123_XYZ"})
        self.assertEqual(reply.headers["X-Request-Id"], "req-abc.123_XYZ")
        reply = self.admin.get("/v1.0/tenants/tenant-00000000-0000-4000-8000-000000000000",
                               headers={"X-Request-Id": "req-err-1"})
        self.assertError(reply, 404, "TENANT_NOT_FOUND")
        self.assertEqual(reply.headers["X-Request-Id"], "req-err-1")
        self.assertEqual(reply.body["requestId"], "req-err-1")

    def test_request_id_is_generated_when_absent(self):
        a = self.admin.get("/health")
        b = self.admin.get("/health")
        self.assertTrue(a.headers["X-Request-Id"])
        self.assertNotEqual(a.headers["X-Request-Id"], b.headers["X-Request-Id"])

    def test_insane_request_id_is_replaced_by_a_generated_one(self):
        for bad in ("x" * 1000, "<script>alert(1)</script>", "a\"b'c;d"):
            reply = self.admin.get("/health", headers={"X-Request-Id": bad})
            self.assertEqual(reply.status, 200, reply)
            got = reply.headers["X-Request-Id"]
            self.assertTrue(got)
            self.assertNotEqual(got, bad)
            self.assertLessEqual(len(got), 200)


if __name__ == "__main__":
    unittest.main()
