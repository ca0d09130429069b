"""PROVISIONER=ecs through the Lambda door against moto's ECS (docs/instances.md#drivers and docs/instances.md#progress-reports): a
request's operation is carried out in the same invocation after it commits (UpdateService,
RunTask), backup tasks end with their EventBridge `ECS Task State Change` STOPPED event, ECS
errors end the operation FAILED with a retryable flag, and the scheduled event runs a pass."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
MOTO = os.path.join(HERE, "..", "moto", "moto_server.py")
CLUSTER = "bbws-cluster-dev"


def task_stopped_event(task_arn, exit_code, reason="Essential container in task exited"):
    """The event EventBridge delivers when a one-off Fargate task stops."""
    return {
        "version": "0", "id": "3317b2af-7005-947d-b652-f55e762e571a",
        "detail-type": "ECS Task State Change", "source": "aws.ecs",
        "account": "123456789012", "time": "2026-11-27T01:02:40Z", "region": "eu-west-1",
        "resources": [task_arn],
        "detail": {
            "clusterArn": f"arn:aws:ecs:eu-west-1:123456789012:cluster/{CLUSTER}",
            "containers": [{"containerArn": task_arn.replace(":task/", ":container/") + "/c1",
                            "exitCode": exit_code, "lastStatus": "STOPPED", "name": "backup",
                            "taskArn": task_arn}],
            "createdAt": "2026-11-27T01:00:02.118Z", "desiredStatus": "STOPPED",
            "group": "family:bbws-backup-dev", "lastStatus": "STOPPED", "launchType": "FARGATE",
            "startedAt": "2026-11-27T01:00:31.904Z", "stopCode": "EssentialContainerExited",
            "stoppedAt": "2026-11-27T01:02:40.377Z", "stoppedReason": reason,
            "taskArn": task_arn,
            "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/"
                                 "bbws-backup-dev:1",
            "version": 4}}


class LambdaEcsDriverTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(harness.BIN, os.X_OK):
            raise unittest.SkipTest("tenantd binary not built")
        cls.moto_dir = tempfile.mkdtemp(prefix="tenantd-moto-ecsdrv-")
        subprocess.run([sys.executable, MOTO, "start", cls.moto_dir], check=True,
                       capture_output=True)
        with open(os.path.join(cls.moto_dir, "endpoint")) as f:
            cls.endpoint = f.read().strip()
        cls.ecs = boto3.client("ecs", endpoint_url=cls.endpoint, region_name="eu-west-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
        cls.ecs.create_cluster(clusterName=CLUSTER)
        for family in ("wordpress", "bbws-backup-dev", "bbws-restore-dev"):
            cls.ecs.register_task_definition(
                family=family, networkMode="bridge", cpu="256", memory="512",
                containerDefinitions=[{"name": "backup", "image": "bbws/backup", "memory": 512}])

    @classmethod
    def tearDownClass(cls):
        subprocess.run([sys.executable, MOTO, "stop", cls.moto_dir], capture_output=True)
        shutil.rmtree(cls.moto_dir, ignore_errors=True)

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="tenantd-lambda-ecsdrv-")
        self.addCleanup(shutil.rmtree, self.data_dir, True)
        self.env = dict(os.environ, DATA_DIR=self.data_dir, PROVISIONER="ecs", LOG_LEVEL="warn",
                        AWS_ENDPOINT_URL_ECS=self.endpoint, AWS_REGION="eu-west-1",
                        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                        AWS_MAX_ATTEMPTS="2")
        token = subprocess.run([harness.BIN, "token", "--email", "ops@example.com", "--groups",
                                "platform-admins,system"], env=self.env, capture_output=True,
                               check=True).stdout.decode().strip()
        self.headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

    def invoke(self, event):
        done = subprocess.run([harness.BIN, "invoke", json.dumps(event)], env=self.env,
                              capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        return json.loads(done.stdout)

    def http(self, method, path, body=None):
        doc = self.invoke({"httpMethod": method, "path": path, "headers": self.headers,
                           "body": json.dumps(body) if body is not None else None})
        return doc["statusCode"], json.loads(doc["body"]) if doc["body"] else None

    def active_instance(self, with_service=True):
        status, tenant = self.http("POST", "/v1.0/tenants", harness.tenant_body())
        self.assertEqual(status, 201, tenant)
        tid = tenant["tenantId"]
        status, created = self.http("POST", f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"})
        self.assertEqual(status, 202, created)
        iid = created["instanceId"]
        for state in ("COMMITTING", "WORKFLOW_QUEUED", "WORKFLOW_RUNNING", "PROVISIONING",
                      "ACTIVE"):
            status, out = self.http("POST", f"/v1.0/instances/{iid}/events",
                                    {"type": "STATE_CHANGED", "state": state})
            self.assertEqual((status, out["applied"]), (200, True), out)
        if with_service:
            self.ecs.create_service(
                cluster=CLUSTER, serviceName=f"tenant-{tid}-wordpress",
                taskDefinition="wordpress", desiredCount=2,
                tags=[{"key": "bbws:tenant-id", "value": tid},
                      {"key": "bbws:environment", "value": "dev"}])
        return tid, iid

    def desired(self, tid):
        return self.ecs.describe_services(
            cluster=CLUSTER, services=[f"tenant-{tid}-wordpress"])["services"][0]["desiredCount"]

    def operation(self, op):
        status, body = self.http("GET", f"/v1.0/operations/{op}")
        self.assertEqual(status, 200, body)
        return body

    def task_of(self, operation_id):
        arns = self.ecs.list_tasks(cluster=CLUSTER, startedBy=operation_id[-36:])["taskArns"]
        self.assertEqual(len(arns), 1, arns)
        return arns[0]

    def test_scale_suspend_and_resume_happen_in_the_invocation_that_asked(self):
        tid, iid = self.active_instance()
        status, out = self.http("PUT", f"/v1.0/instances/{iid}/size", {"desiredCount": 4})
        self.assertEqual(status, 200, out)
        self.assertEqual(self.desired(tid), 4)
        self.assertEqual(self.operation(out["operationId"])["status"], "COMPLETED")
        status, out = self.http("POST", f"/v1.0/instances/{iid}/suspend")
        self.assertEqual(status, 200, out)
        self.assertEqual(self.desired(tid), 0)
        self.assertEqual(self.http("GET", f"/v1.0/instances/{iid}")[1]["state"], "SUSPENDED")
        status, out = self.http("POST", f"/v1.0/instances/{iid}/resume")
        self.assertEqual(status, 200, out)
        self.assertEqual(self.desired(tid), 4)  # the count from before the suspension
        status, live = self.http("GET", f"/v1.0/instances/{iid}/status")
        self.assertEqual((status, live["status"], live["desiredCount"], live["runningCount"],
                          live["pendingCount"], live["healthStatus"]),
                         (200, "ACTIVE", 4, 4, 0, "HEALTHY"), live)
        # The scheduled event runs a pass too: nothing is left to do.
        jobs = self.invoke({"source": "aws.events", "detail-type": "Scheduled Event",
                            "detail": {}})
        self.assertEqual(jobs["provisionerReports"], 0, jobs)

    def test_backup_tasks_end_with_their_stopped_event(self):
        tid, iid = self.active_instance()
        status, out = self.http("POST", f"/v1.0/instances/{iid}/backup", {"type": "DATABASE"})
        self.assertEqual(status, 202, out)
        bid, op = out["backupId"], out["operationId"]
        arn = self.task_of(op)
        task = self.ecs.describe_tasks(cluster=CLUSTER, tasks=[arn], include=["TAGS"])["tasks"][0]
        tags = {t["key"]: t["value"] for t in task["tags"]}
        self.assertEqual((tags["bbws:backup-id"], tags["bbws:operation-id"], tags["bbws:tenant-id"]),
                         (bid, op, tid))
        env = {e["name"]: e["value"]
               for e in task["overrides"]["containerOverrides"][0]["environment"]}
        location = f"s3://bbws-backups-dev/{tid}/{iid}/{bid}.tar.gz"
        self.assertEqual((env["TYPE"], env["BACKUP_ID"], env["BACKUP_LOCATION"]),
                         ("DATABASE", bid, location))
        # The container reports what it wrote by tagging its own task, then exits 0.
        self.ecs.tag_resource(resourceArn=arn, tags=[
            {"key": "bbws:backup-size-bytes", "value": "52428800"},
            {"key": "bbws:backup-checksum", "value": "sha256:2c26b46b68ffc68f"}])
        out = self.invoke(task_stopped_event(arn, 0))
        self.assertTrue(out["applied"], out)
        self.assertFalse(self.invoke(task_stopped_event(arn, 0))["applied"])  # replay
        status, backup = self.http("GET", f"/v1.0/instances/{iid}/backups/{bid}")
        self.assertEqual((backup["status"], backup["sizeBytes"], backup["location"],
                          backup["checksum"]),
                         ("COMPLETED", 52428800, location, "sha256:2c26b46b68ffc68f"), backup)

        # A backup whose task exits non-zero fails, retryable, and says why.
        status, out = self.http("POST", f"/v1.0/instances/{iid}/backup", {})
        arn = self.task_of(out["operationId"])
        self.assertTrue(self.invoke(task_stopped_event(arn, 3))["applied"])
        failed = self.operation(out["operationId"])
        self.assertEqual((failed["status"], failed["error"]["code"], failed["error"]["retryable"]),
                         ("FAILED", "TASK_FAILED", True), failed)
        self.assertIn("exited with code 3", failed["error"]["message"])
        status, instance = self.http("GET", f"/v1.0/instances/{iid}")
        self.assertEqual((instance["state"], instance["lastError"]["code"]),
                         ("ACTIVE", "TASK_FAILED"))

    def test_a_missing_service_fails_the_operation_not_retryable(self):
        tid, iid = self.active_instance(with_service=False)
        status, out = self.http("PUT", f"/v1.0/instances/{iid}/size", {"desiredCount": 3})
        self.assertEqual(status, 200, out)
        failed = self.operation(out["operationId"])
        self.assertEqual((failed["status"], failed["error"]["code"], failed["error"]["retryable"]),
                         ("FAILED", "ECS_SERVICE_NOT_FOUND", False), failed)
        status, instance = self.http("GET", f"/v1.0/instances/{iid}")
        self.assertEqual((instance["state"], instance["lastError"]["code"],
                          instance["lastError"]["retryable"]),
                         ("ACTIVE", "ECS_SERVICE_NOT_FOUND", False))


    def test_serve_runs_the_driver_on_its_own_thread(self):
        tid, iid = self.active_instance()  # through `invoke`, on the same data dir
        server = harness.Server(env={k: v for k, v in self.env.items()
                                     if k.startswith(("AWS_", "PROVISIONER"))}
                                | {"ECS_POLL_MS": "50"}, data_dir=self.data_dir).start()
        self.addCleanup(server.stop)
        admin = server.client(server.token("ops@example.com", groups=["platform-admins"]))
        reply = admin.put(f"/v1.0/instances/{iid}/size", {"desiredCount": 3})
        self.assertEqual(reply.status, 200, reply)
        deadline = time.monotonic() + 10
        while self.desired(tid) != 3 or admin.get(f"/v1.0/instances/{iid}").body["state"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline, "the driver did not act")
            time.sleep(0.05)
        status = admin.get(f"/v1.0/instances/{iid}/status").body
        self.assertEqual((status["desiredCount"], status["runningCount"]), (3, 3), status)


if __name__ == "__main__":
    unittest.main()
