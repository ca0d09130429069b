"""PROVISIONER=gitops+ecs (docs/instances.md#drivers): mutations by GitOps, operations by ECS, in one
server. A create is committed and dispatched and touches no ECS service; a scale changes the ECS
service's desired count and dispatches nothing; an update goes back to GitOps."""
import os
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

import harness
from test_gitops import GitopsEnvironment, GitopsTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
MOTO = os.path.join(HERE, "..", "moto", "moto_server.py")
CLUSTER = "bbws-cluster-dev"


class GitopsEcsTest(GitopsTestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto_dir = tempfile.mkdtemp(prefix="tenantd-moto-gitops-ecs-")
        subprocess.run([sys.executable, MOTO, "start", cls.moto_dir], check=True,
                       capture_output=True)
        with open(os.path.join(cls.moto_dir, "endpoint")) as f:
            endpoint = f.read().strip()
        cls.env = GitopsEnvironment(provisioner="gitops+ecs", env={
            "AWS_ENDPOINT_URL_ECS": endpoint, "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "ECS_POLL_MS": "50"})
        server_env = cls.env.server.env  # the same credentials: the same moto account
        cls.ecs = boto3.client("ecs", endpoint_url=endpoint, region_name="eu-west-1",
                               aws_access_key_id=server_env["AWS_ACCESS_KEY_ID"],
                               aws_secret_access_key=server_env["AWS_SECRET_ACCESS_KEY"])
        cls.ecs.create_cluster(clusterName=CLUSTER)
        cls.ecs.register_task_definition(
            family="wordpress", networkMode="bridge",
            containerDefinitions=[{"name": "wordpress", "image": "wordpress", "memory": 512}])

    @classmethod
    def tearDownClass(cls):
        try:
            cls.env.close()
        finally:
            subprocess.run([sys.executable, MOTO, "stop", cls.moto_dir], capture_output=True)

    def desired(self, tid):
        return self.ecs.describe_services(
            cluster=CLUSTER, services=[f"tenant-{tid}-wordpress"])["services"][0]["desiredCount"]

    def test_mutations_go_to_gitops_and_operations_to_ecs(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        created = self.create(tid)
        iid, oid = created["instanceId"], created["operationId"]
        self.wait_state(iid, {"WORKFLOW_QUEUED"})
        workflow = f"deploy-tenant-{tid}.yml"
        self.assertEqual(len(self.env.github.for_workflow(workflow)), 1)
        self.assertEqual(self.ecs.list_services(cluster=CLUSTER)["serviceArns"], [])
        for state in ["WORKFLOW_RUNNING", "PROVISIONING", "ACTIVE"]:
            self.report(iid, type="STATE_CHANGED", state=state, operationId=oid)
        # What the workflow's Terraform apply creates.
        self.ecs.create_service(cluster=CLUSTER, serviceName=f"tenant-{tid}-wordpress",
                                taskDefinition="wordpress", desiredCount=2)

        scaled = self.adm.put(f"/v1.0/instances/{iid}/size", {"desiredCount": 4})
        self.assertEqual(scaled.status, 200, scaled)
        deadline = time.monotonic() + 10
        while self.operation(scaled.body["operationId"])["status"] != "COMPLETED":
            self.assertLess(time.monotonic(), deadline, "the ecs half did not scale")
            time.sleep(0.05)
        self.assertEqual(self.desired(tid), 4)
        self.assertEqual(self.instance(iid)["state"], "ACTIVE")
        self.assertEqual(len(self.env.github.for_workflow(workflow)), 1, "a scale dispatched")

        before = self.env.remote("rev-parse", "main")
        updated = self.adm.put(f"/v1.0/instances/{iid}", {"configuration": {"phpVersion": "8.3"}})
        self.assertEqual(updated.status, 202, updated)
        found = harness.wait_for(lambda: len(self.env.github.for_workflow(workflow)) == 2,
                                 timeout=10.0)
        self.assertTrue(found, "the update was not dispatched")
        self.assertNotEqual(self.env.remote("rev-parse", "main"), before)
        self.assertEqual(self.desired(tid), 4)


if __name__ == "__main__":
    unittest.main()
