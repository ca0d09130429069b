"""A failed instance operation leaves the instance exactly as it was (docs/instances.md, "When an
operation fails"), with the real drivers: PROVISIONER=gitops+ecs against a local bare repository
and the GitHub double (provision, update and deprovision fail on a rejected dispatch) and moto's
ECS (scale, suspend and resume fail on a missing service, a backup on a task that stops without
an exit code, a restore on a missing service). Each compares the instance's whole representation
with the one from before the request. Live status says UNKNOWN, with the reason and the source of
its counts, when ECS cannot show the service."""
import os
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

import harness
from test_gitops import GitopsEnvironment
from test_instance_failures import FailureCase

HERE = os.path.dirname(os.path.abspath(__file__))
MOTO = os.path.join(HERE, "..", "moto", "moto_server.py")
CLUSTER = "bbws-cluster-dev"
REJECTED = (422, {"message": "Unexpected inputs provided", "documentation_url": "x"})


class DriverFailureTest(FailureCase):
    @classmethod
    def setUpClass(cls):
        # The DynamoDB run's moto serves ECS too (the server's own account); else one of ours.
        shared = os.environ.get("TENANTD_MOTO_ENDPOINT_FILE")
        cls.moto_dir = None if shared else tempfile.mkdtemp(prefix="tenantd-moto-failures-")
        if cls.moto_dir:
            subprocess.run([sys.executable, MOTO, "start", cls.moto_dir], check=True,
                           capture_output=True)
        with open(shared or os.path.join(cls.moto_dir, "endpoint")) as f:
            endpoint = f.read().strip()
        cls.env = GitopsEnvironment(provisioner="gitops+ecs", env={
            "AWS_ENDPOINT_URL_ECS": endpoint, "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "ECS_POLL_MS": "50"})
        cls.srv = cls.env.server
        server_env = cls.srv.env  # the same credentials: the same moto account
        cls.ecs = boto3.client("ecs", endpoint_url=endpoint, region_name="eu-west-1",
                               aws_access_key_id=server_env["AWS_ACCESS_KEY_ID"],
                               aws_secret_access_key=server_env["AWS_SECRET_ACCESS_KEY"])
        cls.ecs.create_cluster(clusterName=CLUSTER)
        for family in ("wordpress", "bbws-backup-dev"):
            cls.ecs.register_task_definition(
                family=family, networkMode="bridge",
                containerDefinitions=[{"name": "backup", "image": family, "memory": 512}])

    @classmethod
    def tearDownClass(cls):
        try:
            cls.env.close()
        finally:
            if cls.moto_dir:
                subprocess.run([sys.executable, MOTO, "stop", cls.moto_dir], capture_output=True)

    def setUp(self):
        self.adm = self.srv.admin()
        self.worker = self.srv.client(self.srv.token("workflow@example.com", ["system"]))

    # -- helpers --

    def instance(self, iid, client=None):
        return super().instance(iid, client or self.adm)

    def operation(self, oid, client=None):
        return super().operation(oid, client or self.adm)

    def report(self, iid, **body):
        reply = self.worker.post(f"/v1.0/instances/{iid}/events", body)
        self.assertEqual(reply.status, 200, reply)
        self.assertTrue(reply.body.get("applied", True), reply)

    def wait_state(self, iid, state):
        deadline = time.monotonic() + 10
        while self.instance(iid)["state"] != state:
            self.assertLess(time.monotonic(), deadline, f"{iid} never reached {state}")
            time.sleep(0.02)

    def active_instance(self, with_service):
        """A tenant's instance made ACTIVE by its workflow's reports (3 tasks)."""
        tid = self.adm.post("/v1.0/tenants", harness.tenant_body()).body["tenantId"]
        created = self.adm.post(f"/v1.0/tenants/{tid}/instances", {
            "tier": "STANDARD", "configuration": {"desiredCount": 3, "wordpressVersion": "6.4"}})
        self.assertEqual(created.status, 202, created)
        iid, oid = created.body["instanceId"], created.body["operationId"]
        self.wait_state(iid, "WORKFLOW_QUEUED")
        for state in ["WORKFLOW_RUNNING", "PROVISIONING", "ACTIVE"]:
            self.report(iid, type="STATE_CHANGED", state=state, operationId=oid)
        if with_service:
            self.ecs.create_service(cluster=CLUSTER, serviceName=f"tenant-{tid}-wordpress",
                                    taskDefinition="wordpress", desiredCount=3)
        return tid, iid

    def fails_back(self, iid, send, code=None, ends_in=None):
        before = self.instance(iid)
        reply = send()
        self.assertIn(reply.status, (200, 202), reply)
        return self.assert_failed_back(before, reply.body["operationId"], ends_in=ends_in,
                                       code=code, client=self.adm)

    # -- gitops: provision, update, deprovision --

    def test_gitops_failures_leave_the_instance_as_it_was(self):
        tid, iid = self.active_instance(with_service=False)
        self.env.github.answers[f"deploy-tenant-{tid}.yml"] = REJECTED
        self.fails_back(iid, lambda: self.adm.put(f"/v1.0/instances/{iid}", {
            "tier": "ENTERPRISE", "configuration": {"desiredCount": 5, "phpVersion": "8.3"}}))
        # The driver pushed what was asked for, then, the dispatch refused, the files as they were.
        self.assertIn("desired_count   = 5",
                      self.env.remote("show", f"main~1:tenants/{tid}/ecs.tf"))
        self.assertIn("desired_count   = 3", self.env.remote("show", f"main:tenants/{tid}/ecs.tf"))
        self.fails_back(iid, lambda: self.adm.delete(f"/v1.0/instances/{iid}"), ends_in="FAILED")
        # A retry is a provisioning operation: it fails back to FAILED with the old configuration.
        _, after = self.fails_back(iid, lambda: self.adm.put(f"/v1.0/instances/{iid}", {
            "configuration": {"desiredCount": 6, "wordpressVersion": "6.5"}}))
        self.assertEqual(after["configuration"]["desiredCount"], 3)
        self.assertEqual(after["configuration"]["wordpressVersion"], "6.4")

    # -- ecs: scale, suspend, resume, backup, restore; live status --

    def test_ecs_failures_on_a_missing_service_leave_the_instance_and_status_says_unknown(self):
        tid, iid = self.active_instance(with_service=False)
        for send in (lambda: self.adm.put(f"/v1.0/instances/{iid}/size", {"desiredCount": 4}),
                     lambda: self.adm.post(f"/v1.0/instances/{iid}/suspend")):
            _, after = self.fails_back(iid, send, code="ECS_SERVICE_NOT_FOUND")
            self.assertEqual((after["desiredCount"], after["runningCount"]), (3, 3))
            self.assertEqual(after["configuration"]["desiredCount"], 3)
        status = self.adm.get(f"/v1.0/instances/{iid}/status")
        self.assertEqual(status.status, 200, status)
        self.assertEqual(status.body["healthStatus"], "UNKNOWN", status.body)
        self.assertEqual(status.body["source"], "STORE")
        self.assertEqual(status.body["reason"]["code"], "ECS_SERVICE_NOT_FOUND")
        self.assertEqual(status.body["desiredCount"], 3)

    def test_ecs_failures_of_backup_resume_and_restore_leave_the_instance(self):
        tid, iid = self.active_instance(with_service=True)
        service = f"tenant-{tid}-wordpress"
        # A backup task that stops without an exit code failed.
        before = self.instance(iid)
        backup = self.adm.post(f"/v1.0/instances/{iid}/backup", {"type": "FULL"})
        self.assertEqual(backup.status, 202, backup)
        by = backup.body["operationId"][-36:]
        deadline = time.monotonic() + 10
        while not self.ecs.list_tasks(cluster=CLUSTER, startedBy=by)["taskArns"]:
            self.assertLess(time.monotonic(), deadline, "the backup task was not started")
            time.sleep(0.05)
        for arn in self.ecs.list_tasks(cluster=CLUSTER, startedBy=by)["taskArns"]:
            self.ecs.stop_task(cluster=CLUSTER, task=arn, reason="test")
        self.assert_failed_back(before, backup.body["operationId"], client=self.adm)

        # A completed backup to restore from (its task's report, as the ECS event would send).
        kept = self.adm.post(f"/v1.0/instances/{iid}/backup", {"type": "FULL"})
        self.assertEqual(kept.status, 202, kept)
        self.report(iid, type="OPERATION_COMPLETED", operationId=kept.body["operationId"],
                    backup={"sizeBytes": 1024, "location": "s3://b/x.tar.gz",
                            "checksum": "sha256:00"})
        suspended = self.adm.post(f"/v1.0/instances/{iid}/suspend")
        self.assertEqual(suspended.status, 200, suspended)
        self.assertEqual(self.wait_ended(suspended.body["operationId"], self.adm)["status"],
                         "COMPLETED")
        self.ecs.delete_service(cluster=CLUSTER, service=service, force=True)

        _, after = self.fails_back(iid, lambda: self.adm.post(f"/v1.0/instances/{iid}/resume"))
        self.assertEqual(after["configuration"]["desiredCount"], 3)
        self.fails_back(iid, lambda: self.adm.post(f"/v1.0/instances/{iid}/restore",
                                                   {"backupId": kept.body["backupId"]}))


if __name__ == "__main__":
    unittest.main()
