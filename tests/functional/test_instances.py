"""Instances, operations and backups (docs/instances.md) over real HTTP: a full life with the
simulated driver at a few milliseconds per step (every observed state must be legal), the same
life driven by an external worker through POST /instances/{id}/events with the `events` driver,
tenant isolation on every instance, operation and backup route, refusals, races, and the tenant
park / unpark / delete cascade."""
import time
import unittest

import harness
from harness import ServerTestCase, read_events, run_concurrently, unique, wait_for

server = None
STEP_MS = 5

# Every state a request or progress step may lead to from each state (docs/instances.md's table).
PROVISION_PATH = ["PENDING_PROVISIONING", "COMMITTING", "WORKFLOW_QUEUED", "WORKFLOW_RUNNING",
                  "PROVISIONING", "ACTIVE"]
LEGAL_NEXT = {
    "PENDING_PROVISIONING": {"COMMITTING", "FAILED", "WORKFLOW_FAILED"},
    "COMMITTING": {"WORKFLOW_QUEUED", "FAILED", "WORKFLOW_FAILED"},
    "WORKFLOW_QUEUED": {"WORKFLOW_RUNNING", "FAILED", "WORKFLOW_FAILED"},
    "WORKFLOW_RUNNING": {"PROVISIONING", "FAILED", "WORKFLOW_FAILED"},
    "PROVISIONING": {"ACTIVE", "FAILED", "WORKFLOW_FAILED"},
    "ACTIVE": {"SCALING", "UPDATING", "SUSPENDING", "BACKING_UP", "RESTORING",
               "PENDING_DEPROVISIONING"},
    "SCALING": {"ACTIVE"},
    "UPDATING": {"ACTIVE"},
    "SUSPENDING": {"SUSPENDED", "ACTIVE"},
    "SUSPENDED": {"RESUMING", "BACKING_UP", "RESTORING", "PENDING_DEPROVISIONING"},
    "RESUMING": {"ACTIVE", "SUSPENDED"},
    "BACKING_UP": {"ACTIVE", "SUSPENDED"},
    "RESTORING": {"ACTIVE", "SUSPENDED"},
    "PENDING_DEPROVISIONING": {"DEPROVISIONING", "FAILED"},
    "DEPROVISIONING": {"DEPROVISIONED", "FAILED"},
    "FAILED": {"PENDING_PROVISIONING", "PENDING_DEPROVISIONING"},
    "WORKFLOW_FAILED": {"PENDING_PROVISIONING", "PENDING_DEPROVISIONING"},
    "DEPROVISIONED": set(),
}
FAKE_INSTANCE = "inst-00000000-0000-4000-8000-000000000000"


def setUpModule():
    global server
    server = harness.start_shared({"SIMULATED_STEP_MS": str(STEP_MS)})


def tearDownModule():
    harness.stop_shared(server)


def email(prefix="user"):
    return f"{prefix}-{unique().lower()}@example.com"


class InstanceTestCase(ServerTestCase):
    def member(self, tenant_id, role, srv=None):
        srv = srv or self.server
        address = email(role.lower())
        reply = srv.admin().post(f"/v1.0/tenants/{tenant_id}/users",
                                 {"email": address, "role": role})
        self.assertEqual(reply.status, 201, reply)
        return srv.client(srv.token(address, sub=reply.body["userId"]))

    def create_instance(self, tenant_id, client=None, **body):
        body.setdefault("tier", "STANDARD")
        reply = (client or self.admin).post(f"/v1.0/tenants/{tenant_id}/instances", body)
        self.assertEqual(reply.status, 202, reply)
        return reply.body

    def instance(self, instance_id, client=None):
        reply = (client or self.admin).get(f"/v1.0/instances/{instance_id}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def follow(self, instance_id, until, seen, timeout=10.0):
        """Polls the instance until its state is in `until`, appending new states to `seen`."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.instance(instance_id)["state"]
            if not seen or seen[-1] != state:
                seen.append(state)
            if state in until:
                return state
            if time.monotonic() > deadline:
                self.fail(f"instance stuck in {state}; seen {seen}")
            time.sleep(0.002)

    def assertOnPath(self, seen, path):
        """Polling may miss steps, but what it saw must be the operation's path, in order."""
        rest = iter(path)
        for state in seen:
            self.assertIn(state, rest, f"{seen} does not follow {path}")

    def operation(self, operation_id, client=None):
        reply = (client or self.admin).get(f"/v1.0/operations/{operation_id}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def wait_operation(self, operation_id):
        op = wait_for(lambda: (lambda o: o if o["status"] in ("COMPLETED", "FAILED") else None)(
            self.operation(operation_id)), timeout=10.0)
        self.assertTrue(op, f"operation {operation_id} did not finish")
        return op


class SimulatedLifeTest(InstanceTestCase):
    def test_full_life_create_scale_suspend_resume_backup_restore_delete(self):
        t = self.create_tenant()
        tid = t["tenantId"]
        created = self.create_instance(tid, configuration={"desiredCount": 2})
        iid, op_id = created["instanceId"], created["operationId"]
        self.assertEqual(created["status"], "PENDING_PROVISIONING")
        self.assertEqual(created["tenantId"], tid)
        self.assertIn("operation", created["_links"])
        # Readable at once, never a transient 404.
        self.assertIn(self.operation(op_id)["status"], ("PENDING", "IN_PROGRESS", "COMPLETED"))

        seen = []
        self.follow(iid, {"ACTIVE"}, seen)
        self.assertOnPath(seen, PROVISION_PATH)
        op = self.wait_operation(op_id)
        self.assertEqual(op["status"], "COMPLETED")
        self.assertEqual(op["progress"], 100)
        self.assertIn("completedAt", op)
        tenant = self.admin.get(f"/v1.0/tenants/{tid}").body
        self.assertEqual(tenant["status"], "ACTIVE")  # the first instance activated it
        self.assertEqual(tenant["instanceCount"], 1)
        inst = self.instance(iid)
        self.assertEqual(inst["runningCount"], 2)
        self.assertEqual(inst["tags"]["bbws:tenant-id"], tid)
        self.assertIn("size", inst["_links"])

        def step(reply, path):
            seen = []
            self.follow(iid, {path[-1]}, seen)
            self.assertOnPath(seen, path)
            return reply

        size = self.admin.put(f"/v1.0/instances/{iid}/size", {"desiredCount": 4})
        self.assertEqual(size.status, 200, size)
        self.assertEqual((size.body["status"], size.body["previousCount"],
                          size.body["desiredCount"]), ("SCALING", 2, 4))
        step(size, ["SCALING", "ACTIVE"])

        stop = self.admin.put(f"/v1.0/instances/{iid}/status", {"action": "stop"})
        self.assertEqual(stop.status, 200, stop)
        self.assertEqual((stop.body["status"], stop.body["action"]), ("SUSPENDING", "stop"))
        step(stop, ["SUSPENDING", "SUSPENDED"])
        self.assertEqual(self.instance(iid)["desiredCount"], 0)

        resume = self.admin.post(f"/v1.0/instances/{iid}/resume")
        self.assertEqual(resume.status, 200, resume)
        step(resume, ["RESUMING", "ACTIVE"])
        self.assertEqual(self.instance(iid)["desiredCount"], 4)  # from before the suspension

        backup = self.admin.post(f"/v1.0/instances/{iid}/backup", {"type": "DATABASE",
                                                                 "label": "before upgrade"})
        self.assertEqual(backup.status, 202, backup)
        self.assertEqual(backup.body["status"], "PENDING")
        bid = backup.body["backupId"]
        step(backup, ["BACKING_UP", "ACTIVE"])
        self.wait_operation(backup.body["operationId"])
        b = self.admin.get(f"/v1.0/instances/{iid}/backups/{bid}")
        self.assertEqual(b.status, 200, b)
        self.assertEqual((b.body["status"], b.body["type"], b.body["label"]),
                         ("COMPLETED", "DATABASE", "before upgrade"))
        self.assertGreater(b.body["sizeBytes"], 0)
        listed = self.admin.get(f"/v1.0/instances/{iid}/backups")
        self.assertEqual([x["backupId"] for x in listed.body["items"]], [bid])

        restore = self.admin.post(f"/v1.0/instances/{iid}/restore", {"backupId": bid})
        self.assertEqual(restore.status, 202, restore)
        self.assertEqual(restore.body["status"], "RESTORING")
        step(restore, ["RESTORING", "ACTIVE"])

        gone = self.admin.delete(f"/v1.0/instances/{iid}", json_body={"archiveData": True})
        self.assertEqual(gone.status, 202, gone)
        self.assertEqual((gone.body["status"], gone.body["dataRetentionDays"]),
                         ("PENDING_DEPROVISIONING", 30))
        step(gone, ["PENDING_DEPROVISIONING", "DEPROVISIONING", "DEPROVISIONED"])
        self.assertEqual(self.admin.get(f"/v1.0/tenants/{tid}").body["instanceCount"], 0)
        self.assertEqual(self.wait_operation(gone.body["operationId"])["status"], "COMPLETED")

        # Events of docs/events.md, in the instance source, with audit entries beside them.
        def mine():
            return [e for e in read_events(self.server.events_path())
                    if e["detail"].get("tenantId") == tid]
        wait_for(lambda: any(e["detail-type"] == "INSTANCE_STATE_CHANGED"
                             and e["detail"]["after"]["state"] == "DEPROVISIONED"
                             for e in mine()), timeout=5.0)
        types = {e["detail-type"] for e in mine()}
        for expected in ("INSTANCE_PROVISION_REQUESTED", "INSTANCE_SCALE_REQUESTED",
                         "INSTANCE_SUSPEND_REQUESTED", "INSTANCE_RESUME_REQUESTED",
                         "INSTANCE_BACKUP_REQUESTED", "INSTANCE_RESTORE_REQUESTED",
                         "INSTANCE_DEPROVISION_REQUESTED", "INSTANCE_STATE_CHANGED",
                         "OPERATION_COMPLETED", "TENANT_ACTIVATED"):
            self.assertIn(expected, types)
        changes = []
        for e in mine():
            if e["detail-type"].startswith(("INSTANCE_", "OPERATION_")):
                self.assertEqual(e["source"], "bbws.instance-management", e)
            if e["detail-type"] == "INSTANCE_STATE_CHANGED":
                changes.append((e["detail"]["before"]["state"], e["detail"]["after"]["state"]))
        # Every state change the server made, seen or not by the polling, is one legal step,
        # and together they walk the whole life.
        for before, after in changes:
            self.assertIn(after, LEGAL_NEXT[before], f"{before} -> {after}")
        self.assertEqual(len(changes), 5 + 1 + 1 + 1 + 1 + 1 + 2, changes)
        audit = self.admin.get(f"/v1.0/tenants/{tid}/audit?limit=100").body["items"]
        self.assertIn("INSTANCE_PROVISION_REQUESTED", {a["eventType"] for a in audit})

    def test_nested_routes_and_list_filter(self):
        tid = self.create_tenant()["tenantId"]
        iid = self.create_instance(tid)["instanceId"]
        self.follow(iid, {"ACTIVE"}, [])
        nested = self.admin.get(f"/tenants/{tid}/instances/{iid}")
        self.assertEqual(nested.status, 200, nested)
        self.assertEqual(nested.headers["ETag"], f'"{nested.body["version"]}"')
        status = self.admin.get(f"/v1.0/tenants/{tid}/instances/{iid}/status")
        self.assertEqual(status.status, 200, status)
        self.assertEqual((status.body["status"], status.body["healthStatus"]),
                         ("ACTIVE", "HEALTHY"))
        page = self.admin.get(f"/v1.0/tenants/{tid}/instances?state=ACTIVE")
        self.assertEqual([i["instanceId"] for i in page.body["items"]], [iid])
        self.assertEqual(self.admin.get(
            f"/v1.0/tenants/{tid}/instances?state=SUSPENDED").body["items"], [])
        self.assertFieldError(self.admin.get(f"/v1.0/tenants/{tid}/instances?state=nope"),
                              "state", "INVALID_VALUE")

    def test_park_suspends_and_unpark_resumes_the_instances_it_suspended(self):
        tid = self.create_tenant()["tenantId"]
        iid = self.create_instance(tid)["instanceId"]
        self.follow(iid, {"ACTIVE"}, [])
        parked = self.admin.post(f"/v1.0/tenants/{tid}/park", {"reason": "seasonal business"})
        self.assertEqual(parked.status, 200, parked)
        self.follow(iid, {"SUSPENDED"}, [])
        self.assertEqual(self.instance(iid)["suspendedBy"], "PARK")
        unparked = self.admin.post(f"/v1.0/tenants/{tid}/unpark")
        self.assertEqual(unparked.status, 200, unparked)
        self.follow(iid, {"ACTIVE"}, [])
        self.assertNotIn("suspendedBy", self.instance(iid))

    def test_tenant_delete_needs_force_while_instances_live(self):
        tid = self.create_tenant()["tenantId"]
        iid = self.create_instance(tid)["instanceId"]
        self.follow(iid, {"ACTIVE"}, [])
        self.assertError(self.admin.delete(f"/v1.0/tenants/{tid}"), 422,
                         "INVALID_STATUS_TRANSITION")
        self.assertEqual(self.instance(iid)["state"], "ACTIVE")
        forced = self.admin.delete(f"/v1.0/tenants/{tid}?force=true")
        self.assertEqual(forced.status, 200, forced)
        self.follow(iid, {"DEPROVISIONED"}, [])


class IsolationTest(InstanceTestCase):
    def test_a_member_of_another_tenant_gets_404_everywhere(self):
        tid = self.create_tenant()["tenantId"]
        created = self.create_instance(tid)
        iid, op = created["instanceId"], created["operationId"]
        self.follow(iid, {"ACTIVE"}, [])
        backup = self.admin.post(f"/v1.0/instances/{iid}/backup").body
        self.follow(iid, {"ACTIVE"}, [])
        bid = backup["backupId"]
        other = self.create_tenant()["tenantId"]
        outsider = self.member(other, "Admin")
        calls = [
            ("GET", f"/v1.0/instances/{iid}", None),
            ("PUT", f"/v1.0/instances/{iid}", {"tier": "ENTERPRISE"}),
            ("DELETE", f"/v1.0/instances/{iid}", None),
            ("GET", f"/v1.0/instances/{iid}/status", None),
            ("PUT", f"/v1.0/instances/{iid}/status", {"action": "stop"}),
            ("PUT", f"/v1.0/instances/{iid}/size", {"desiredCount": 3}),
            ("POST", f"/v1.0/instances/{iid}/suspend", None),
            ("POST", f"/v1.0/instances/{iid}/resume", None),
            ("POST", f"/v1.0/instances/{iid}/backup", None),
            ("GET", f"/v1.0/instances/{iid}/backups", None),
            ("GET", f"/v1.0/instances/{iid}/backups/{bid}", None),
            ("POST", f"/v1.0/instances/{iid}/restore", {"backupId": bid}),
            ("POST", f"/v1.0/instances/{iid}/events", {"type": "OPERATION_COMPLETED"}),
            ("GET", f"/v1.0/operations/{op}", None),
            ("GET", f"/v1.0/operations/{backup['operationId']}", None),
            ("GET", f"/v1.0/tenants/{tid}/instances", None),
            ("POST", f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"}),
            ("GET", f"/v1.0/tenants/{tid}/instances/{iid}", None),
            ("GET", f"/v1.0/tenants/{tid}/instances/{iid}/status", None),
            ("GET", f"/v1.0/tenants/{other}/instances/{iid}", None),
            ("DELETE", f"/v1.0/tenants/{other}/instances/{iid}", None),
        ]
        for method, path, body in calls:
            reply = outsider.request(method, path, json_body=body)
            self.assertEqual(reply.status, 404, f"{method} {path}: {reply}")
        # Nothing changed.
        inst = self.instance(iid)
        self.assertEqual((inst["state"], inst["tier"], inst["desiredCount"]),
                         ("ACTIVE", "STANDARD", 2))

    def test_roles_viewer_reads_operator_operates_admin_provisions(self):
        tid = self.create_tenant()["tenantId"]
        iid = self.create_instance(tid)["instanceId"]
        self.follow(iid, {"ACTIVE"}, [])
        viewer = self.member(tid, "Viewer")
        operator = self.member(tid, "Operator")
        self.assertEqual(viewer.get(f"/v1.0/instances/{iid}").status, 200)
        self.assertError(viewer.post(f"/v1.0/instances/{iid}/suspend"), 403, "FORBIDDEN")
        self.assertError(operator.put(f"/v1.0/instances/{iid}", {"tier": "ENTERPRISE"}), 403,
                         "FORBIDDEN")
        reply = operator.put(f"/v1.0/instances/{iid}/size", {"desiredCount": 3})
        self.assertEqual(reply.status, 200, reply)
        # Progress reports: platform admins and the system group only.
        self.assertError(operator.post(f"/v1.0/instances/{iid}/events",
                                       {"type": "OPERATION_COMPLETED"}), 404,
                         "INSTANCE_NOT_FOUND")


class RefusalTest(InstanceTestCase):
    def test_bad_bodies_and_ids(self):
        tid = self.create_tenant()["tenantId"]
        base = f"/v1.0/tenants/{tid}/instances"
        self.assertFieldError(self.admin.post(base, {}), "tier", "REQUIRED")
        self.assertFieldError(self.admin.post(base, {"tier": "GOLD"}), "tier", "INVALID_VALUE")
        self.assertFieldError(self.admin.post(base, {"tier": "STANDARD", "colour": "red"}),
                              "colour", "UNKNOWN_FIELD")
        self.assertFieldError(
            self.admin.post(base, {"tier": "STANDARD", "configuration": {"desiredCount": "2"}}),
            "configuration.desiredCount", "INVALID_TYPE")
        self.assertError(self.admin.post(base, {"tier": "STANDARD",
                                                "configuration": {"desiredCount": 11}}),
                         422, "SCALE_LIMIT_EXCEEDED")
        self.assertEqual(self.admin.get(f"/v1.0/tenants/{tid}").body["instanceCount"], 0)
        self.assertError(self.admin.get("/v1.0/instances/123"), 404, "INSTANCE_NOT_FOUND")
        self.assertError(self.admin.get(f"/v1.0/instances/{FAKE_INSTANCE}"), 404,
                         "INSTANCE_NOT_FOUND")
        self.assertError(self.admin.get("/v1.0/operations/op-nope"), 404, "OPERATION_NOT_FOUND")

    def test_create_with_an_idempotency_key_replays_the_same_operation(self):
        tid = self.create_tenant()["tenantId"]
        key = {"Idempotency-Key": unique()}
        first = self.admin.post(f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"},
                                headers=key)
        self.assertEqual(first.status, 202, first)
        again = self.admin.post(f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"},
                                headers=key)
        self.assertEqual(again.status, 202, again)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.body["operationId"], first.body["operationId"])
        self.assertEqual(self.admin.get(f"/v1.0/tenants/{tid}").body["instanceCount"], 1)

    def test_quota_scale_range_and_inactive_tenant(self):
        tid = self.create_tenant()["tenantId"]
        iid = self.create_instance(tid)["instanceId"]
        self.assertError(self.admin.post(f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"}),
                         409, "INSTANCE_EXISTS")
        self.follow(iid, {"ACTIVE"}, [])
        for n in (1, 11):
            self.assertError(self.admin.put(f"/v1.0/instances/{iid}/size", {"desiredCount": n}),
                             422, "SCALE_LIMIT_EXCEEDED")
        self.assertFieldError(self.admin.put(f"/v1.0/instances/{iid}/status", {"action": "halt"}),
                              "action", "INVALID_VALUE")
        self.assertError(self.admin.post(f"/v1.0/instances/{iid}/resume"), 422,
                         "INVALID_STATUS_TRANSITION")
        stale = self.admin.put(f"/v1.0/instances/{iid}/size", {"desiredCount": 3},
                               headers={"If-Match": '"999"'})
        self.assertError(stale, 412, "PRECONDITION_FAILED")
        suspended = self.admin.post(f"/v1.0/tenants/{tid}/suspend", {"reason": "unpaid invoices"})
        self.assertEqual(suspended.status, 200, suspended)
        self.assertError(self.admin.put(f"/v1.0/instances/{iid}/size", {"desiredCount": 3}), 422,
                         "TENANT_NOT_ACTIVE")
        self.assertEqual(self.instance(iid)["desiredCount"], 2)


class EventsDriverTest(InstanceTestCase):
    """PROVISIONER=events: nothing moves unless a worker reports, so races are deterministic."""

    @classmethod
    def setUpClass(cls):
        cls.events_server = harness.Server(env={"PROVISIONER": "events"}).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.events_server.stop()
        finally:
            cls.events_server.cleanup()

    def setUp(self):
        self.srv = self.events_server
        self.adm = self.srv.admin()
        self.worker = self.srv.client(self.srv.token("worker@example.com", ["system"]))

    def report(self, iid, **body):
        reply = self.worker.post(f"/v1.0/instances/{iid}/events", body)
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def provisioned(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        created = self.create_instance(tid, client=self.adm)
        iid = created["instanceId"]
        for state in PROVISION_PATH[1:]:
            self.assertTrue(self.report(iid, type="STATE_CHANGED", state=state)["applied"])
        return tid, iid

    def test_external_worker_drives_provisioning_and_replays_are_ignored(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        created = self.create_instance(tid, client=self.adm)
        iid, op = created["instanceId"], created["operationId"]
        out = self.report(iid, type="STATE_CHANGED", state="ACTIVE")  # skips steps
        self.assertEqual((out["applied"], out["state"]), (False, "PENDING_PROVISIONING"))
        self.assertIn("reason", out)
        self.assertTrue(self.report(iid, type="STATE_CHANGED", state="COMMITTING",
                                    operationId=op)["applied"])
        self.assertFalse(self.report(iid, type="STATE_CHANGED", state="COMMITTING")["applied"])
        self.assertEqual(self.adm.get(f"/v1.0/operations/{op}").body["status"], "IN_PROGRESS")
        failed = self.report(iid, type="STATE_CHANGED", state="WORKFLOW_FAILED",
                             error={"code": "WORKFLOW_FAILED", "message": "apply failed"})
        self.assertEqual((failed["applied"], failed["state"]), (True, "WORKFLOW_FAILED"))
        op_body = self.adm.get(f"/v1.0/operations/{op}").body
        self.assertEqual((op_body["status"], op_body["error"]["message"]),
                         ("FAILED", "apply failed"))
        self.assertEqual(self.adm.get(f"/v1.0/tenants/{tid}").body["status"], "FAILED")
        self.assertEqual(self.adm.get(f"/v1.0/instances/{iid}").body["lastError"]["code"],
                         "WORKFLOW_FAILED")
        self.assertFieldError(self.worker.post(f"/v1.0/instances/{iid}/events",
                                               {"type": "STATE_CHANGED"}), "state", "REQUIRED")

    def test_racing_requests_start_exactly_one_operation(self):
        _, iid = self.provisioned()
        clients = [self.srv.client(self.srv.admin_token()) for _ in range(8)]
        replies = run_concurrently(8, lambda i: clients[i].put(
            f"/v1.0/instances/{iid}/size", {"desiredCount": 3 + i % 5}))
        statuses = sorted(r.status for r in replies)
        self.assertEqual(statuses.count(200), 1, replies)
        for r in replies:
            if r.status != 200:
                self.assertEqual(r.status, 409, r)
                self.assertIn(r.code, ("OPERATION_IN_PROGRESS", "VERSION_CONFLICT"))
        self.assertError(self.adm.post(f"/v1.0/instances/{iid}/suspend"), 409,
                         "OPERATION_IN_PROGRESS")

    def test_racing_creates_respect_the_quota(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        clients = [self.srv.client(self.srv.admin_token()) for _ in range(6)]
        replies = run_concurrently(6, lambda i: clients[i].post(
            f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"}))
        self.assertEqual(sum(r.status == 202 for r in replies), 1, replies)
        self.assertEqual(self.adm.get(f"/v1.0/tenants/{tid}").body["instanceCount"], 1)

    def test_backup_rules(self):
        _, iid = self.provisioned()
        backup = self.adm.post(f"/v1.0/instances/{iid}/backup").body
        self.assertError(self.adm.post(f"/v1.0/instances/{iid}/restore",
                                       {"backupId": backup["backupId"]}), 409,
                         "OPERATION_IN_PROGRESS")
        self.report(iid, type="OPERATION_FAILED", operationId=backup["operationId"],
                    error={"code": "TASK_FAILED", "message": "exit code 1", "retryable": True})
        self.assertEqual(self.adm.get(f"/v1.0/instances/{iid}").body["lastError"],
                         {"code": "TASK_FAILED", "message": "exit code 1", "retryable": True})
        self.assertEqual(self.adm.get(
            f"/v1.0/instances/{iid}/backups/{backup['backupId']}").body["status"], "FAILED")
        self.assertError(self.adm.post(f"/v1.0/instances/{iid}/restore",
                                       {"backupId": backup["backupId"]}), 422,
                         "INVALID_STATUS_TRANSITION")
        self.assertError(self.adm.post(f"/v1.0/instances/{iid}/restore",
                                       {"backupId": "bkp-00000000-0000-4000-8000-000000000000"}),
                         404, "BACKUP_NOT_FOUND")
        for i in range(10):
            b = self.adm.post(f"/v1.0/instances/{iid}/backup")
            self.assertEqual(b.status, 202, b)
            done = self.report(iid, type="OPERATION_COMPLETED", operationId=b.body["operationId"],
                               backup={"sizeBytes": 1024, "location": f"s3://b/{i}",
                                       "checksum": "sha256:00"})
            self.assertTrue(done["applied"], done)
        self.assertError(self.adm.post(f"/v1.0/instances/{iid}/backup"), 422, "QUOTA_EXCEEDED")
        page = self.adm.get(f"/v1.0/instances/{iid}/backups?limit=4")
        self.assertEqual((page.body["count"], page.body["moreAvailable"]), (4, True))


if __name__ == "__main__":
    unittest.main()
