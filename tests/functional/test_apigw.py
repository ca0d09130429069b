"""AUTH_MODE=apigw (docs/auth.md): the Lambda runtime takes the principal from the claims API
Gateway's authoriser put in the event (REST v1 requestContext.authorizer.claims, HTTP API v2
requestContext.authorizer.jwt.claims) and never from what a client sends; `serve`, which has no
authoriser in front of it, refuses to start in this mode."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import harness
from lambda_runtime_api import RuntimeApi

ADMIN_SUB = "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"
STRANGER_SUB = "9a8b7c6d-aaaa-4bbb-8ccc-123456789abc"


def rest_v1(method, path, claims=None, body=None, headers=None):
    context = {"stage": "dev", "requestId": "apigw-v1", "identity": {"sourceIp": "203.0.113.9"}}
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return {"resource": "/{proxy+}", "path": path, "httpMethod": method, "headers": h,
            "multiValueHeaders": {k: [v] for k, v in h.items()}, "requestContext": context,
            "body": base64.b64encode(json.dumps(body).encode()).decode() if body else None,
            "isBase64Encoded": bool(body)}


def http_v2(method, path, jwt_claims=None, headers=None):
    context = {"http": {"method": method, "path": path, "sourceIp": "198.51.100.7"},
               "requestId": "apigw-v2", "stage": "$default"}
    if jwt_claims is not None:
        context["authorizer"] = {"jwt": {"claims": jwt_claims, "scopes": None}}
    return {"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
            "headers": headers or {}, "requestContext": context, "isBase64Encoded": False}


class ApiGatewayAuthTest(unittest.TestCase):
    def setUp(self):
        if not os.access(harness.BIN, os.X_OK):
            self.skipTest("tenantd binary not built")
        self.data_dir = tempfile.mkdtemp(prefix="tenantd-apigw-")
        self.api = RuntimeApi()
        # The Lambda's other defaults are AWS services; these tests keep them embedded.
        env = dict(os.environ, DATA_DIR=self.data_dir, AUTH_MODE="apigw", LOG_LEVEL="warn",
                   AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{self.api.port}", STORE="sqlite",
                   DIRECTORY="local", EVENT_SINKS="file", SERVICE_SECRET="apigw-test-secret-0123456789abcdef")
        self.stderr = open(os.path.join(self.data_dir, "stderr.log"), "wb")
        self.proc = subprocess.Popen([harness.BIN, "lambda"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)

    def tearDown(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.stderr.close()
        self.api.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def call(self, event):
        kind, body, _ = self.api.result(self.api.invoke(event))
        self.assertEqual(kind, "response", body)
        doc = json.loads(body)
        return doc["statusCode"], json.loads(doc["body"]) if doc.get("body") else None

    def test_authoriser_claims_are_the_principal_in_both_payload_versions(self):
        # REST Cognito authorisers flatten groups into a string.
        admin = {"sub": ADMIN_SUB, "email": "Ann@Example.com", "cognito:groups": "platform-admins",
                 "token_use": "id", "exp": "Fri Nov 27 04:00:00 UTC 2026"}
        status, tenant = self.call(rest_v1("POST", "/v1.0/tenants", admin,
                                           body=harness.tenant_body()))
        self.assertEqual(status, 201, tenant)
        self.assertEqual(tenant["createdBy"], "ann@example.com")
        tid = tenant["tenantId"]

        status, _ = self.call(http_v2("GET", f"/v1.0/tenants/{tid}",
                                      {"sub": ADMIN_SUB, "cognito:groups": "[platform-admins]"}))
        self.assertEqual(status, 200)
        # A principal without platform groups or membership does not see the tenant.
        status, body = self.call(http_v2("GET", f"/v1.0/tenants/{tid}", {"sub": STRANGER_SUB}))
        self.assertEqual(status, 404, body)

    def test_without_authoriser_claims_nothing_a_client_sends_authenticates(self):
        local_token = subprocess.run(
            [harness.BIN, "token", "--email", "admin@example.com", "--groups", "platform-admins",
             "--data-dir", self.data_dir], capture_output=True, timeout=30,
            check=True).stdout.decode().strip()
        spoofed = {"Authorization": "Bearer " + local_token,
                   "X-Authorizer-Claims": json.dumps({"sub": ADMIN_SUB,
                                                      "cognito:groups": ["platform-admins"]})}
        for event in (rest_v1("GET", "/v1.0/tenants", headers=spoofed),
                      http_v2("GET", "/v1.0/tenants", headers=spoofed),
                      # Claims in the body of a request are just a body.
                      rest_v1("POST", "/v1.0/tenants", headers=spoofed,
                              body={"requestContext": {"authorizer": {"claims": {"sub": "x"}}}})):
            status, body = self.call(event)
            self.assertEqual(status, 401, body)
            self.assertEqual(body["error"]["code"], "UNAUTHORIZED")
        # /health needs no principal in any mode.
        status, body = self.call(rest_v1("GET", "/health"))
        self.assertEqual(status, 200, body)


class ServeRefusesApiGatewayModeTest(unittest.TestCase):
    def test_serve_with_auth_mode_apigw_exits_with_a_reason(self):
        if not os.access(harness.BIN, os.X_OK):
            self.skipTest("tenantd binary not built")
        data_dir = tempfile.mkdtemp(prefix="tenantd-apigw-serve-")
        try:
            done = subprocess.run([harness.BIN, "serve", "--port", "0", "--data-dir", data_dir],
                                  env=dict(os.environ, AUTH_MODE="apigw"), capture_output=True,
                                  timeout=30)
            self.assertEqual(done.returncode, 2, done)
            self.assertIn(b"AUTH_MODE=apigw", done.stderr)
            self.assertNotIn(b"listening", done.stdout)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)

    def test_cognito_modes_without_a_user_pool_do_not_start(self):
        if not os.access(harness.BIN, os.X_OK):
            self.skipTest("tenantd binary not built")
        data_dir = tempfile.mkdtemp(prefix="tenantd-cognito-serve-")
        try:
            for setting, message in (({"AUTH_MODE": "cognito"}, b"COGNITO_USER_POOL_ID"),
                                     ({"DIRECTORY": "cognito"}, b"COGNITO_USER_POOL_ID")):
                env = {k: v for k, v in os.environ.items() if not k.startswith("COGNITO_")}
                env.update(setting)
                done = subprocess.run(
                    [harness.BIN, "serve", "--port", "0", "--data-dir", data_dir], env=env,
                    capture_output=True, timeout=30)
                self.assertNotEqual(done.returncode, 0, done)
                self.assertIn(message, done.stderr)
                self.assertNotIn(b"listening", done.stdout)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
