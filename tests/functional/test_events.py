"""The file event sink (docs/events.md): every tenant change reaches <data-dir>/events.ndjson
in the EventBridge envelope, shortly after the change, and rejected requests publish nothing."""
import time
import unittest
import uuid

import harness
from harness import ServerTestCase, read_events, wait_for

server = None


def setUpModule():
    global server
    server = harness.start_shared()


def tearDownModule():
    harness.stop_shared(server)


def events_of(tenant_id):
    return [e for e in read_events(server.events_path())
            if isinstance(e.get("detail"), dict) and e["detail"].get("tenantId") == tenant_id]


def first_occurrences(events):
    """Event types in order of first appearance per event id (delivery is at least once)."""
    seen = set()
    order = []
    for e in events:
        if e["id"] not in seen:
            seen.add(e["id"])
            order.append(e["detail-type"])
    return order


class FileSinkTest(ServerTestCase):
    def test_tenant_created_event_arrives_shortly_with_the_envelope(self):
        rid = "evt-test-" + uuid.uuid4().hex
        started = time.monotonic()
        tenant = self.admin.post("/tenants", harness.tenant_body(),
                                 headers={"X-Request-Id": rid}).body
        tid = tenant["tenantId"]
        events = wait_for(lambda: events_of(tid), timeout=3.0, interval=0.02)
        elapsed = time.monotonic() - started
        self.assertTrue(events, "TENANT_CREATED not delivered within 3 s")
        self.assertLess(elapsed, 3.0)
        e = events[0]
        self.assertEqual(e["version"], "0")
        self.assertRegex(e["id"], harness.EVENT_ID_RE)
        self.assertEqual(e["source"], "bbws.tenant-management")
        self.assertEqual(e["detail-type"], "TENANT_CREATED")
        self.assertRegex(e["time"], harness.TIMESTAMP_RE)
        self.assertIsInstance(e["region"], str)
        self.assertTrue(e["region"])
        self.assertIsInstance(e["resources"], list)
        d = e["detail"]
        self.assertEqual(d["eventId"], e["id"])
        self.assertEqual(d["tenantId"], tid)
        self.assertEqual(d["actor"], self.server.admin_email)
        self.assertEqual(d["requestId"], rid)
        self.assertRegex(d["occurredAt"], harness.TIMESTAMP_RE)
        self.assertNotIn("instanceId", d)

    def test_every_lifecycle_change_is_published_in_order(self):
        tid = self.create_tenant()["tenantId"]
        steps = [
            ("PATCH", f"/tenants/{tid}/status", {"status": "ACTIVE"}, "TENANT_ACTIVATED"),
            ("PUT", f"/tenants/{tid}", {"metadata": {"a": 1}}, "TENANT_UPDATED"),
            ("POST", f"/tenants/{tid}/park", {"reason": "quiet season now"}, "TENANT_PARKED"),
            ("POST", f"/tenants/{tid}/unpark", None, "TENANT_UNPARKED"),
            ("POST", f"/tenants/{tid}/suspend", {"reason": "unpaid invoices"}, "TENANT_SUSPENDED"),
            ("POST", f"/tenants/{tid}/resume", None, "TENANT_RESUMED"),
            ("DELETE", f"/tenants/{tid}", None, "TENANT_DEPROVISIONED"),
        ]
        for method, path, body, _ in steps:
            time.sleep(0.003)  # distinct millisecond timestamps
            reply = self.admin.request(method, path, json_body=body)
            self.assertEqual(reply.status, 200, reply)
        expected = ["TENANT_CREATED"] + [s[3] for s in steps]
        events = wait_for(lambda: (lambda ev: ev if len(first_occurrences(ev)) >= len(expected)
                                   else None)(events_of(tid)), timeout=5.0)
        self.assertTrue(events, f"only {first_occurrences(events_of(tid))} arrived")
        self.assertEqual(first_occurrences(events), expected)
        for e in events:
            self.assertEqual(e["source"], "bbws.tenant-management")
            self.assertEqual(e["detail"]["eventId"], e["id"])

    def test_status_patch_to_failed_publishes_tenant_failed(self):
        tid = self.create_tenant()["tenantId"]
        self.assertEqual(self.admin.patch(f"/tenants/{tid}/status",
                                          {"status": "FAILED"}).status, 200)
        events = wait_for(lambda: (lambda ev: ev if "TENANT_FAILED" in first_occurrences(ev)
                                   else None)(events_of(tid)), timeout=5.0)
        self.assertTrue(events, first_occurrences(events_of(tid)))

    def test_rejected_requests_publish_nothing(self):
        tid = self.create_tenant()["tenantId"]
        self.assertEqual(self.admin.post(f"/tenants/{tid}/park",
                                         {"reason": "not active yet, though"}).status, 422)
        self.assertEqual(self.admin.put(f"/tenants/{tid}", {"organizationName": "x"}).status, 400)
        self.assertEqual(self.admin.put(f"/tenants/{tid}", {"metadata": {"a": 1}},
                                        headers={"If-Match": '"9"'}).status, 412)
        # A later change of the same tenant is the marker that earlier ones had their chance.
        self.assertEqual(self.admin.put(f"/tenants/{tid}", {"metadata": {"b": 2}}).status, 200)
        events = wait_for(lambda: (lambda ev: ev if len(first_occurrences(ev)) >= 2
                                   else None)(events_of(tid)), timeout=5.0)
        self.assertTrue(events)
        time.sleep(0.2)
        self.assertEqual(first_occurrences(events_of(tid)), ["TENANT_CREATED", "TENANT_UPDATED"])

    def test_every_line_of_the_file_is_a_json_envelope(self):
        self.create_tenant()
        wait_for(lambda: read_events(server.events_path()), timeout=3.0)
        events = read_events(server.events_path())
        self.assertTrue(events)
        for e in events:
            self.assertEqual(set(e) >= {"version", "id", "source", "detail-type", "time",
                                        "region", "resources", "detail"}, True, e)


if __name__ == "__main__":
    unittest.main()
