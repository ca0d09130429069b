"""EventBridge ECS events through the Lambda door (docs/instances.md#progress-reports and docs/lambda.md): the service's tags,
read from ECS (a moto server) with ListTagsForResource, name the tenant; the event becomes the
same progress report an external worker would post, so it moves the instance only when it fits."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import boto3

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
MOTO = os.path.join(HERE, "..", "moto", "moto_server.py")


def ecs_event(detail_type, arn, detail):
    return {"version": "0", "id": "5f4e3d2c-1b0a-4f9e-8d7c-6b5a49382716",
            "detail-type": detail_type, "source": "aws.ecs", "account": "123456789012",
            "time": "2026-11-27T00:00:00Z", "region": "eu-west-1", "resources": [arn],
            "detail": detail}


class LambdaEcsEventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(harness.BIN, os.X_OK):
            raise unittest.SkipTest("tenantd binary not built")
        cls.moto_dir = tempfile.mkdtemp(prefix="tenantd-moto-ecs-")
        subprocess.run([sys.executable, MOTO, "start", cls.moto_dir], check=True,
                       capture_output=True)
        with open(os.path.join(cls.moto_dir, "endpoint")) as f:
            cls.endpoint = f.read().strip()
        cls.ecs = boto3.client("ecs", endpoint_url=cls.endpoint, region_name="eu-west-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
        cls.ecs.create_cluster(clusterName="bbws-cluster-dev")
        cls.ecs.register_task_definition(
            family="wordpress", containerDefinitions=[{"name": "wp", "image": "wordpress",
                                                       "memory": 512}])

    @classmethod
    def tearDownClass(cls):
        subprocess.run([sys.executable, MOTO, "stop", cls.moto_dir], capture_output=True)
        shutil.rmtree(cls.moto_dir, ignore_errors=True)

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="tenantd-lambda-ecs-")
        self.addCleanup(shutil.rmtree, self.data_dir, True)
        self.env = dict(os.environ, DATA_DIR=self.data_dir, PROVISIONER="events",
                        LOG_LEVEL="warn", AWS_ENDPOINT_URL_ECS=self.endpoint,
                        AWS_REGION="eu-west-1", AWS_ACCESS_KEY_ID="testing",
                        AWS_SECRET_ACCESS_KEY="testing")
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

    def service(self, tenant_id, environment="dev"):
        return self.ecs.create_service(
            cluster="bbws-cluster-dev", serviceName=f"tenant-{tenant_id}-wordpress",
            taskDefinition="wordpress", desiredCount=2,
            tags=[{"key": "bbws:tenant-id", "value": tenant_id},
                  {"key": "bbws:environment", "value": environment}])["service"]["serviceArn"]

    def test_deployment_and_steady_state_events_finish_provisioning_once(self):
        status, tenant = self.http("POST", "/v1.0/tenants", harness.tenant_body())
        self.assertEqual(status, 201, tenant)
        tid = tenant["tenantId"]
        status, created = self.http("POST", f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"})
        self.assertEqual(status, 202, created)
        iid = created["instanceId"]
        arn = self.service(tid)

        steady = ecs_event("ECS Service Action", arn,
                           {"eventType": "INFO", "eventName": "SERVICE_STEADY_STATE"})
        early = self.invoke(steady)  # the GitOps steps have not happened: does not fit yet
        self.assertEqual((early["applied"], early["tenantId"], early["instanceId"]),
                         (False, tid, iid))
        for state in ("COMMITTING", "WORKFLOW_QUEUED", "WORKFLOW_RUNNING"):
            status, out = self.http("POST", f"/v1.0/instances/{iid}/events",
                                    {"type": "STATE_CHANGED", "state": state})
            self.assertEqual((status, out["applied"]), (200, True), out)

        deploying = self.invoke(ecs_event(
            "ECS Deployment State Change", arn,
            {"eventType": "INFO", "eventName": "SERVICE_DEPLOYMENT_IN_PROGRESS",
             "deploymentId": "ecs-svc/1"}))
        self.assertTrue(deploying["applied"], deploying)
        self.assertTrue(self.invoke(steady)["applied"])
        self.assertFalse(self.invoke(steady)["applied"])  # a replay changes nothing

        status, instance = self.http("GET", f"/v1.0/instances/{iid}")
        self.assertEqual((status, instance["state"]), (200, "ACTIVE"))
        status, tenant = self.http("GET", f"/v1.0/tenants/{tid}")
        self.assertEqual(tenant["status"], "ACTIVE")  # its first instance activated it

    def test_events_of_other_environments_and_unknown_services_are_ignored(self):
        status, tenant = self.http("POST", "/v1.0/tenants", harness.tenant_body())
        tid = tenant["tenantId"]
        self.http("POST", f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"})
        other_env = self.service(tid + "x", environment="prod")
        steady = {"eventType": "INFO", "eventName": "SERVICE_STEADY_STATE"}
        for arn in (other_env, "arn:aws:ecs:eu-west-1:123456789012:service/bbws-cluster-dev/gone"):
            out = self.invoke(ecs_event("ECS Service Action", arn, steady))
            self.assertFalse(out["applied"], out)
            self.assertIn("reason", out)


if __name__ == "__main__":
    unittest.main()
