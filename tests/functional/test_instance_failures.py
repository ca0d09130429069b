"""A failed instance operation leaves the instance exactly as it was (docs/instances.md, "When an
operation fails"), with the simulated driver: a first run of the server brings instances to the
states each operation starts from, a restart with SIMULATED_FAIL naming every operation type
fails one operation of each type, and each instance's whole representation
(GET /v1.0/instances/{id}) is compared with the one from before the request. Only the fields the
table names may differ: lastError, updatedAt, version (and state, provisioningState and _links
where the table says the instance ends FAILED)."""
import unittest

import harness
from harness import ServerTestCase, wait_for

STEP_MS = 5
EVERY_TYPE = "PROVISION,UPDATE,SCALE,SUSPEND,RESUME,BACKUP,RESTORE,DEPROVISION"
# The fields a failure may change; the state ones (the state and what is derived from it, the
# original plan's `status` included) only where the instance ends FAILED.
ATTEMPT_FIELDS = {"lastError", "updatedAt", "version"}
STATE_FIELDS = {"state", "provisioningState", "status", "_links"}


def without(representation, fields):
    return {k: v for k, v in representation.items() if k not in fields}


class FailureCase(ServerTestCase):
    """Helpers shared with the ecs and gitops failure tests."""

    def instance(self, iid, client=None):
        reply = (client or self.admin).get(f"/v1.0/instances/{iid}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def operation(self, oid, client=None):
        reply = (client or self.admin).get(f"/v1.0/operations/{oid}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def wait_ended(self, oid, client=None, timeout=10.0):
        ended = wait_for(lambda: self.operation(oid, client)["status"] in {"COMPLETED", "FAILED"}
                         and self.operation(oid, client), timeout=timeout)
        self.assertTrue(ended, f"operation {oid} did not end: {self.operation(oid, client)}")
        return ended

    def assert_failed_back(self, before, oid, ends_in=None, code=None, client=None):
        """The operation FAILED and the instance equals `before` apart from the table's fields."""
        op = self.wait_ended(oid, client)
        self.assertEqual(op["status"], "FAILED", op)
        if code:
            self.assertEqual(op["error"]["code"], code, op)
        self.assertIn("requested", op)  # what was asked for stays on the operation
        after = self.instance(before["instanceId"], client)
        ends_in = ends_in or before["state"]
        self.assertEqual(after["state"], ends_in)
        self.assertEqual(after["lastError"], op["error"])
        self.assertGreaterEqual(after["version"], before["version"] + 2)  # accepted, ..., failed
        ignored = ATTEMPT_FIELDS | (STATE_FIELDS if ends_in != before["state"] else set())
        self.assertEqual(without(after, ignored), without(before, ignored))
        return op, after


class SimulatedFailureTest(FailureCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = harness.Server(env={"SIMULATED_STEP_MS": str(STEP_MS),
                                      "MAX_INSTANCES_PER_TENANT": "3"}).start()
        ServerTestCase.use_server(cls.srv)
        adm = cls.srv.admin()
        tid = adm.post("/v1.0/tenants", harness.tenant_body()).body["tenantId"]
        adm.patch(f"/v1.0/tenants/{tid}/status", {"status": "ACTIVE"})
        cls.tid = tid

        def create(count, version):
            reply = adm.post(f"/v1.0/tenants/{tid}/instances", {
                "tier": "STANDARD", "configuration": {"desiredCount": count,
                                                      "wordpressVersion": version}})
            assert reply.status == 202, reply
            return reply.body["instanceId"]

        def settle(iid, state):
            ok = wait_for(lambda: adm.get(f"/v1.0/instances/{iid}").body["state"] == state,
                          timeout=10.0)
            assert ok, f"{iid} never reached {state}"

        # What the failing run starts from: one ACTIVE instance, one SUSPENDED with a backup.
        cls.active = create(3, "6.4")
        cls.suspended = create(4, "6.3")
        settle(cls.active, "ACTIVE")
        settle(cls.suspended, "ACTIVE")
        backup = adm.post(f"/v1.0/instances/{cls.suspended}/backup", {"type": "FULL"})
        assert backup.status == 202, backup
        cls.backup_id = backup.body["backupId"]
        settle(cls.suspended, "ACTIVE")
        assert adm.post(f"/v1.0/instances/{cls.suspended}/suspend").status == 200
        settle(cls.suspended, "SUSPENDED")
        cls.srv.stop()
        cls.srv.env["SIMULATED_FAIL"] = EVERY_TYPE
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        harness.stop_shared(cls.srv)

    def test_failed_operations_of_an_active_instance_leave_it_as_it_was(self):
        iid = self.active
        requests = [
            ("SCALE", lambda: self.admin.put(f"/v1.0/instances/{iid}/size", {"desiredCount": 7})),
            ("UPDATE", lambda: self.admin.put(f"/v1.0/instances/{iid}", {
                "tier": "ENTERPRISE", "configuration": {"desiredCount": 5,
                                                        "wordpressVersion": "6.5",
                                                        "phpVersion": "8.3"}})),
            ("SUSPEND", lambda: self.admin.post(f"/v1.0/instances/{iid}/suspend")),
            ("BACKUP", lambda: self.admin.post(f"/v1.0/instances/{iid}/backup", {"type": "FULL"})),
        ]
        for kind, send in requests:
            with self.subTest(kind):
                before = self.instance(iid)
                reply = send()
                self.assertIn(reply.status, (200, 202), reply)
                self.assert_failed_back(before, reply.body["operationId"],
                                        code="SIMULATED_FAILURE")
        status = self.admin.get(f"/v1.0/instances/{iid}/status")
        self.assertEqual(status.status, 200, status)
        self.assertEqual(status.body["source"], "STORE")  # the simulated driver reads no cloud
        self.assertEqual(status.body["desiredCount"], 3)

        before = self.instance(iid)
        reply = self.admin.delete(f"/v1.0/instances/{iid}")
        self.assertEqual(reply.status, 202, reply)
        self.assert_failed_back(before, reply.body["operationId"], ends_in="FAILED")

    def test_failed_resume_and_restore_leave_a_suspended_instance_suspended(self):
        iid = self.suspended
        for kind, send in [
                ("RESUME", lambda: self.admin.post(f"/v1.0/instances/{iid}/resume")),
                ("RESTORE", lambda: self.admin.post(f"/v1.0/instances/{iid}/restore",
                                                    {"backupId": self.backup_id}))]:
            with self.subTest(kind):
                before = self.instance(iid)
                reply = send()
                self.assertIn(reply.status, (200, 202), reply)
                _, after = self.assert_failed_back(before, reply.body["operationId"])
                self.assertEqual(after["desiredCount"], 0)
                self.assertEqual(after["configuration"]["desiredCount"], 4)

    def test_failed_provisioning_retry_keeps_the_configuration_it_had(self):
        tid = self.create_tenant()["tenantId"]
        created = self.admin.post(f"/v1.0/tenants/{tid}/instances", {
            "tier": "STANDARD", "configuration": {"desiredCount": 2}})
        self.assertEqual(created.status, 202, created)
        iid = created.body["instanceId"]
        self.wait_ended(created.body["operationId"])
        before = self.instance(iid)
        self.assertEqual(before["state"], "FAILED")
        self.assertEqual(self.admin.patch(f"/v1.0/tenants/{tid}/status",
                                          {"status": "PENDING"}).status, 200)
        retry = self.admin.put(f"/v1.0/instances/{iid}", {
            "configuration": {"desiredCount": 6, "wordpressVersion": "6.5"}})
        self.assertEqual(retry.status, 202, retry)
        op, _ = self.assert_failed_back(before, retry.body["operationId"])
        self.assertEqual(op["type"], "PROVISION")
        self.assertEqual(op["requested"]["configuration"]["desiredCount"], 6)


if __name__ == "__main__":
    unittest.main()
