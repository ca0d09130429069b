"""SERVICE_SECRET / SERVICE_SECRET_ARN (docs/http-api.md and docs/lambda.md): processes that share a store must
agree on page tokens and on the key that seals outbox events, as Lambda instances do. Two servers
with their own data dirs on one DynamoDB (moto) and the secret from Secrets Manager: a page token
from one is honoured by the other; a server with another secret refuses it; a secret that does
not exist stops the start with a message naming it."""
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
REGION = "eu-west-1"

moto_dir = None
aws_env = None


def setUpModule():
    global moto_dir, aws_env
    moto_dir = tempfile.mkdtemp(prefix="tenantd-moto-")
    subprocess.run([sys.executable, MOTO, "start", moto_dir], check=True, capture_output=True)
    with open(os.path.join(moto_dir, "endpoint")) as f:
        endpoint = f.read().strip()
    aws_env = {"STORE": "dynamodb", "AWS_REGION": REGION, "AWS_ENDPOINT_URL": endpoint,
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "JWT_SECRET": "the-tokens-of-this-test-0123456789abcdef"}
    done = subprocess.run([harness.BIN, "migrate"], env={**os.environ, **aws_env},
                          capture_output=True, timeout=60)
    if done.returncode != 0:
        raise harness.HarnessError(f"migrate failed: {done.stderr!r}")


def tearDownModule():
    subprocess.run([sys.executable, MOTO, "stop", moto_dir], capture_output=True)
    shutil.rmtree(moto_dir, ignore_errors=True)


def secret(name, value):
    client = boto3.client("secretsmanager", region_name=REGION,
                          endpoint_url=aws_env["AWS_ENDPOINT_URL"],
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    return client.create_secret(Name=name, SecretString=value)["ARN"]


class SharedSecretTest(unittest.TestCase):
    def serve(self, **env):
        server = harness.Server(env={**aws_env, **env}).start()
        self.addCleanup(server.cleanup)
        return server

    def test_a_page_token_of_one_process_is_honoured_by_another_with_the_same_secret(self):
        arn = secret("tenantd/dev/service-" + harness.unique(), "s" * 40)
        first = self.serve(SERVICE_SECRET_ARN=arn)
        second = self.serve(SERVICE_SECRET_ARN=arn)
        stranger = self.serve(SERVICE_SECRET="another-secret-entirely-0123456789abcdef")
        prefix = "Shared" + harness.unique()
        for n in range(3):
            created = first.admin().post("/v1.0/tenants", harness.tenant_body(f"{prefix} {n}"))
            self.assertEqual(created.status, 201, created)
        query = {"organizationName": prefix, "limit": 1}
        page = first.admin().get("/v1.0/tenants", params=query)
        self.assertEqual(page.status, 200, page)
        token = page.body["nextToken"]
        self.assertIsNotNone(token)
        following = second.admin().get("/v1.0/tenants", params={**query, "nextToken": token})
        self.assertEqual(following.status, 200, following)
        self.assertEqual(following.body["count"], 1)
        self.assertNotEqual(following.body["items"][0]["tenantId"],
                            page.body["items"][0]["tenantId"])
        refused = stranger.admin().get("/v1.0/tenants", params={**query, "nextToken": token})
        self.assertEqual((refused.status, refused.code), (400, "INVALID_PAGINATION_TOKEN"), refused)

    def test_a_secret_that_does_not_exist_stops_the_start_naming_it(self):
        server = harness.Server(env={**aws_env, "SERVICE_SECRET_ARN": "tenantd/dev/missing"})
        self.addCleanup(server.cleanup)
        with self.assertRaises(harness.HarnessError) as failed:
            server.start()
        self.assertIn("tenantd/dev/missing", str(failed.exception))
        self.assertNotIn("s" * 40, str(failed.exception))


if __name__ == "__main__":
    unittest.main()
