"""The Lambda door (docs/lambda.md) end to end: the real binary runs as a custom runtime
against a local Runtime API server, and `tenantd invoke` answers the runbook's health check."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

import harness
from lambda_runtime_api import RuntimeApi


class LambdaRuntimeTest(unittest.TestCase):
    def setUp(self):
        if not os.access(harness.BIN, os.X_OK):
            self.skipTest("tenantd binary not built")
        self.data_dir = tempfile.mkdtemp(prefix="tenantd-lambda-")
        self.api = RuntimeApi()
        # The Lambda defaults are AWS services; these tests run it on the embedded parts.
        self.env = dict(os.environ, DATA_DIR=self.data_dir, LOG_LEVEL="info",
                        AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{self.api.port}",
                        STORE="sqlite", AUTH_MODE="local", DIRECTORY="local", EVENT_SINKS="file",
                        PROVISIONER="events", JWT_SECRET="lambda-test-secret-0123456789abcdef")
        self.proc = None

    def tearDown(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.stderr.close()
            self.stdout.close()
        self.api.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def start(self, argv0=None):
        binary = harness.BIN
        if argv0:  # the Lambda service starts the executable as `bootstrap`, without arguments
            binary = os.path.join(self.data_dir, argv0)
            os.symlink(harness.BIN, binary)
        self.stderr_path = os.path.join(self.data_dir, "stderr.log")
        self.stdout_path = os.path.join(self.data_dir, "stdout.log")
        self.stderr = open(self.stderr_path, "wb")
        self.stdout = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen([binary] if argv0 else [binary, "lambda"], env=self.env,
                                     stdout=self.stdout, stderr=self.stderr)

    def token(self, email, groups):
        done = subprocess.run([harness.BIN, "token", "--email", email, "--groups", groups,
                               "--data-dir", self.data_dir], env=self.env, capture_output=True,
                              timeout=30, check=True)
        return done.stdout.decode().strip()

    def response(self, request_id):
        kind, body, _ = self.api.result(request_id)
        self.assertEqual(kind, "response", body)
        return json.loads(body)

    def test_the_runtime_serves_http_scheduled_and_refused_events_in_one_process(self):
        admin = self.token("admin@example.com", "platform-admins")
        self.start(argv0="bootstrap")

        health = self.api.invoke({"httpMethod": "GET", "path": "/health", "headers": {}})
        doc = self.response(health)
        self.assertEqual(doc["statusCode"], 200)
        self.assertEqual(json.loads(doc["body"])["status"], "healthy")
        self.assertEqual(doc["headers"]["X-Request-Id"], health)  # the Lambda request id

        name = harness.unique("Lambda")
        body = json.dumps(harness.tenant_body(name))
        create = self.api.invoke({
            "resource": "/{proxy+}", "path": "/v1.0/tenants", "httpMethod": "POST",
            "headers": {"Content-Type": "application/json", "Authorization": "Bearer " + admin},
            "multiValueHeaders": {"Content-Type": ["application/json"],
                                  "Authorization": ["Bearer " + admin]},
            "queryStringParameters": None, "multiValueQueryStringParameters": None,
            "requestContext": {"stage": "dev", "requestId": "apigw-1",
                               "identity": {"sourceIp": "203.0.113.9"}},
            "body": base64.b64encode(body.encode()).decode(), "isBase64Encoded": True})
        created = self.response(create)
        self.assertEqual(created["statusCode"], 201, created)
        self.assertEqual(created["multiValueHeaders"]["Content-Type"], ["application/json"])
        tenant_id = json.loads(created["body"])["tenantId"]

        get = self.api.invoke({
            "version": "2.0", "routeKey": "$default", "rawPath": f"/dev/v1.0/tenants/{tenant_id}",
            "rawQueryString": "", "headers": {"authorization": "Bearer " + admin},
            "requestContext": {"http": {"method": "GET", "path": f"/dev/v1.0/tenants/{tenant_id}",
                                        "sourceIp": "198.51.100.7"},
                               "requestId": "apigw-2", "stage": "dev"},
            "isBase64Encoded": False})
        got = self.response(get)
        self.assertEqual(got["statusCode"], 200, got)
        self.assertEqual(json.loads(got["body"])["organizationName"], name)
        self.assertNotIn("multiValueHeaders", got)

        # The create's TENANT_CREATED event was delivered before its invocation returned.
        events = harness.read_events(os.path.join(self.data_dir, "events.ndjson"))
        self.assertIn("TENANT_CREATED", [e["detail-type"] for e in events])

        scheduled = self.api.invoke({
            "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012", "time": "2026-11-27T00:00:00Z",
            "region": "eu-west-1", "resources": ["arn:aws:events:eu-west-1:123456789012:rule/jobs"],
            "detail": {}})
        summary = self.response(scheduled)
        self.assertEqual(set(summary),
                         {"provisionerReports", "outboxDelivered", "invitationsExpired"})

        unknown = self.api.invoke({"Records": [{"eventSource": "aws:sqs"}]})
        kind, body, error_type = self.api.result(unknown)
        self.assertEqual((kind, error_type), ("error", "UnsupportedEvent"))
        self.assertIn("[Records]", json.loads(body)["errorMessage"])

        garbage = self.api.invoke(b"{not json")
        self.assertEqual(self.api.result(garbage)[2], "InvalidEvent")

        late = self.api.invoke({"httpMethod": "GET", "path": "/health"}, deadline_in_ms=-1)
        self.assertEqual(self.api.result(late)[2], "DeadlineExceeded")

        # The loop survived every refusal and still answers.
        again = self.response(self.api.invoke({"httpMethod": "GET", "path": "/health"}))
        self.assertEqual(again["statusCode"], 200)
        self.assertIsNone(self.proc.poll())

        # One JSON log line per request, with the Lambda request id and coldStart on the first.
        time.sleep(0.1)
        with open(self.stderr_path) as log:
            lines = [json.loads(line) for line in log if line.startswith("{")]
        requests_logged = [l for l in lines if l.get("route")]
        first = next(l for l in requests_logged if l.get("requestId") == health)
        self.assertTrue(first["coldStart"])
        later = next(l for l in requests_logged if l.get("requestId") == create)
        self.assertFalse(later["coldStart"])
        self.assertIn("Root=1-5bef4de7", later.get("traceId", ""))

        # Metrics: one CloudWatch EMF line per invocation on stdout; the create counted once.
        with open(self.stdout_path) as out:
            emf = [json.loads(line) for line in out if line.startswith("{")]
        self.assertEqual(len(emf), 7)  # every invocation that started (not the late one)
        for line in emf:
            directive = line["_aws"]["CloudWatchMetrics"][0]
            self.assertEqual(directive["Namespace"], "BBWS/TenantManagement")
            self.assertEqual(line["Environment"], "dev")
            for metric in directive["Metrics"]:
                self.assertIn(metric["Name"], line)
        self.assertEqual([line["TenantCreated"] for line in emf], [0, 1, 0, 0, 0, 0, 0])

    def test_a_lambda_without_a_shared_secret_fails_its_init(self):
        del self.env["JWT_SECRET"]
        self.start()
        kind, body, _ = self.api.result("init")
        self.assertEqual(kind, "init")
        self.assertIn("SERVICE_SECRET", json.loads(body)["errorMessage"])
        self.assertEqual(self.proc.wait(timeout=10), 2)

    def test_a_configuration_error_is_reported_as_an_init_error(self):
        self.env["ENVIRONMENT"] = "staging"
        self.start()
        kind, body, _ = self.api.result("init")
        self.assertEqual(kind, "init")
        self.assertIn("ENVIRONMENT", json.loads(body)["errorMessage"])
        self.assertEqual(self.proc.wait(timeout=10), 2)


class InvokeTest(unittest.TestCase):
    def test_the_runbook_health_check_answers_healthy(self):
        if not os.access(harness.BIN, os.X_OK):
            self.skipTest("tenantd binary not built")
        data_dir = tempfile.mkdtemp(prefix="tenantd-invoke-")
        try:
            done = subprocess.run(
                [harness.BIN, "invoke", '{"httpMethod":"GET","path":"/health","headers":{}}',
                 "--data-dir", data_dir], capture_output=True, timeout=30)
            self.assertEqual(done.returncode, 0, done.stderr)
            doc = json.loads(done.stdout)
            self.assertEqual(doc["statusCode"], 200)
            health = json.loads(doc["body"])
            self.assertEqual(health["status"], "healthy")
            self.assertIn("version", health)

            refused = subprocess.run([harness.BIN, "invoke", "--data-dir", data_dir],
                                     input=b'{"detail-type":"Object Created","source":"aws.s3"}',
                                     capture_output=True, timeout=30)
            self.assertEqual(refused.returncode, 1)
            self.assertEqual(json.loads(refused.stdout)["errorType"], "UnsupportedEvent")
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
