"""The webhook sink (docs/events.md): every event is POSTed to WEBHOOK_URL with the envelope as the
body and an HMAC signature that the verification example of docs/webhooks.md accepts (the example
is run as written). A receiver that fails for a while loses nothing: refused deliveries come again
after backoff."""
import http.server
import json
import os
import re
import threading
import time
import unittest
import uuid

import harness

SECRET = "webhook-test-secret-" + uuid.uuid4().hex


def docs_example():
    """The Python block of docs/webhooks.md, executed: its verify_signature()."""
    with open(os.path.join(harness.SOURCE_DIR, "docs", "webhooks.md")) as f:
        text = f.read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    if len(blocks) != 1:
        raise harness.HarnessError("docs/webhooks.md should hold one python example")
    names = {}
    exec(compile(blocks[0], "docs/webhooks.md", "exec"), names)  # noqa: S102 - our own docs
    return names["verify_signature"]


verify_signature = docs_example()


class Receiver:
    """An HTTP endpoint that answers 503 to the first `refuse` requests, then 204, recording every
    request (headers and raw body) and whether its signature verified."""

    def __init__(self, refuse=0):
        receiver = self
        self.refuse = refuse
        self.lock = threading.Lock()
        self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signed = verify_signature(SECRET, self.headers.get("X-Tenantd-Timestamp", ""),
                                          self.headers.get("X-Tenantd-Signature", ""), body)
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                              "body": body, "signed": signed})
                    refused = len(receiver.requests) <= receiver.refuse
                status = 503 if refused else (204 if signed else 401)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tenantd?v=1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of_tenant(self, tenant_id):
        with self.lock:
            return [r for r in self.requests
                    if json.loads(r["body"])["detail"].get("tenantId") == tenant_id]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class WebhookSinkTest(unittest.TestCase):
    def start(self, receiver):
        self.addCleanup(receiver.close)
        server = harness.Server(env={"EVENT_SINKS": "webhook", "WEBHOOK_URL": receiver.url,
                                     "WEBHOOK_SECRET": SECRET, "AWS_REGION": "eu-west-1",
                                     "OUTBOX_BASE_BACKOFF_MS": "50"})
        server.start()
        self.addCleanup(server.cleanup)
        self.addCleanup(server.stop)
        return server

    def test_each_event_is_posted_once_signed_with_the_envelope_as_body(self):
        receiver = Receiver()
        server = self.start(receiver)
        rid = "req-" + uuid.uuid4().hex
        admin = server.admin()
        created = admin.post("/v1.0/tenants", harness.tenant_body(),
                             headers={"X-Request-Id": rid})
        self.assertEqual(created.status, 201, created)
        tid = created.body["tenantId"]
        self.assertEqual(admin.patch(f"/v1.0/tenants/{tid}/status",
                                     {"status": "ACTIVE"}).status, 200)
        got = harness.wait_for(lambda: (lambda r: r if len(r) >= 2 else None)(
            receiver.of_tenant(tid)), timeout=5.0)
        self.assertEqual(len(got), 2, receiver.requests)
        time.sleep(0.2)
        self.assertEqual(len(receiver.of_tenant(tid)), 2)  # 204 means delivered: no resend

        types = []
        for r in got:
            self.assertTrue(r["signed"], r["headers"])
            self.assertEqual(r["path"], "/hooks/tenantd?v=1")
            self.assertEqual(r["headers"]["Content-Type"], "application/json")
            self.assertRegex(r["headers"]["X-Tenantd-Signature"], r"^sha256=[0-9a-f]{64}$")
            self.assertLess(abs(int(r["headers"]["X-Tenantd-Timestamp"]) - time.time()), 60)
            e = json.loads(r["body"])
            types.append(e["detail-type"])
            self.assertEqual(r["headers"]["X-Tenantd-Event-Id"], e["id"])
            self.assertEqual(r["headers"]["X-Tenantd-Event-Type"], e["detail-type"])
            self.assertEqual(e["version"], "0")
            self.assertRegex(e["id"], harness.EVENT_ID_RE)
            self.assertEqual(e["source"], "bbws.tenant-management")
            self.assertRegex(e["time"], harness.TIMESTAMP_RE)
            self.assertEqual(e["region"], "eu-west-1")
            self.assertEqual(e["resources"], [])
            d = e["detail"]
            self.assertEqual((d["eventId"], d["tenantId"], d["actor"], d["occurredAt"]),
                             (e["id"], tid, server.admin_email, e["time"]))
        self.assertEqual(types, ["TENANT_CREATED", "TENANT_ACTIVATED"])
        self.assertEqual(json.loads(got[0]["body"])["detail"]["requestId"], rid)

        # The docs' check is not a rubber stamp: another secret, an altered body or an old
        # timestamp fails it.
        r = got[0]
        ts, sig = r["headers"]["X-Tenantd-Timestamp"], r["headers"]["X-Tenantd-Signature"]
        self.assertTrue(verify_signature(SECRET, ts, sig, r["body"]))
        self.assertFalse(verify_signature("another secret", ts, sig, r["body"]))
        self.assertFalse(verify_signature(SECRET, ts, sig, r["body"].replace(b"ACTIVE", b"PARKED")
                                          + b" "))
        self.assertFalse(verify_signature(SECRET, ts, sig, r["body"], now=int(ts) + 301))

    def test_refused_deliveries_are_retried_until_the_receiver_takes_them(self):
        receiver = Receiver(refuse=3)
        server = self.start(receiver)
        created = server.admin().post("/v1.0/tenants", harness.tenant_body())
        self.assertEqual(created.status, 201, created)
        tid = created.body["tenantId"]
        got = harness.wait_for(lambda: (lambda r: r if len(r) >= 4 else None)(
            receiver.of_tenant(tid)), timeout=10.0)
        self.assertEqual(len(got), 4, receiver.requests)  # three 503s, then the 204
        ids = {json.loads(r["body"])["id"] for r in got}
        self.assertEqual(len(ids), 1)  # the same event each time
        self.assertTrue(all(r["signed"] for r in got))
        time.sleep(0.3)
        self.assertEqual(len(receiver.of_tenant(tid)), 4)  # nothing after the 204


if __name__ == "__main__":
    unittest.main()
