"""The Lambda door (SPEC section 11) end to end: the real binary runs as a custom runtime
against a local Runtime API server, and `tenantd invoke` answers the runbook's health check."""
import base64
import http.server
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import harness

PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    """A local Lambda Runtime API: hands out queued events and records what comes back."""

    def __init__(self):
        self.events = queue.Queue()
        self.results = {}  # request id -> (kind, body, error type header)
        self.done = threading.Condition()
        self.next_calls = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    return self._reply(404)
                api.next_calls += 1
                request_id, event, deadline_ms = api.events.get()
                self._reply(200, event, {
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                    "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1",
                    "Lambda-Runtime-Invoked-Function-Arn":
                        "arn:aws:lambda:eu-west-1:123456789012:function:bbws-tenant-instance-management-dev",
                })

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = self.path[len(PREFIX):].split("/")
                if len(parts) == 4 and parts[1] == "invocation" and parts[3] in ("response", "error"):
                    with api.done:
                        api.results[parts[2]] = (parts[3], body,
                                                 self.headers.get("Lambda-Runtime-Function-Error-Type"))
                        api.done.notify_all()
                    return self._reply(202, b'{"status":"OK"}')
                if self.path == PREFIX + "/init/error":
                    with api.done:
                        api.results["init"] = ("init", body, None)
                        api.done.notify_all()
                    return self._reply(202, b'{"status":"OK"}')
                self._reply(404)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def invoke(self, event, deadline_in_ms=3000):
        request_id = str(uuid.uuid4())
        raw = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.events.put((request_id, raw, int(time.time() * 1000) + deadline_in_ms))
        return request_id

    def result(self, request_id, timeout=15):
        deadline = time.time() + timeout
        with self.done:
            while request_id not in self.results:
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise AssertionError(f"no result for invocation {request_id}")
                self.done.wait(remaining)
            return self.results[request_id]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class LambdaRuntimeTest(unittest.TestCase):
    def setUp(self):
        if not os.access(harness.BIN, os.X_OK):
            self.skipTest("tenantd binary not built")
        self.data_dir = tempfile.mkdtemp(prefix="tenantd-lambda-")
        self.api = RuntimeApi()
        self.env = dict(os.environ, DATA_DIR=self.data_dir, LOG_LEVEL="info",
                        AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{self.api.port}")
        self.proc = None

    def tearDown(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.stderr.close()
        self.api.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def start(self, argv0=None):
        binary = harness.BIN
        if argv0:  # the Lambda service starts the executable as `bootstrap`, without arguments
            binary = os.path.join(self.data_dir, argv0)
            os.symlink(harness.BIN, binary)
        self.stderr_path = os.path.join(self.data_dir, "stderr.log")
        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([binary] if argv0 else [binary, "lambda"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)

    def token(self, email, groups):
        done = subprocess.run([harness.BIN, "token", "--email", email, "--groups", groups,
                               "--data-dir", self.data_dir], capture_output=True, timeout=30,
                              check=True)
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
        self.assertEqual(set(summary), {"outboxDelivered", "invitationsExpired"})

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
        lines = [json.loads(l) for l in open(self.stderr_path) if l.startswith("{")]
        requests_logged = [l for l in lines if l.get("route")]
        first = next(l for l in requests_logged if l.get("requestId") == health)
        self.assertTrue(first["coldStart"])
        later = next(l for l in requests_logged if l.get("requestId") == create)
        self.assertFalse(later["coldStart"])
        self.assertIn("Root=1-5bef4de7", later.get("traceId", ""))

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
