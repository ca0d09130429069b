"""STORE=dynamodb end to end against a moto server: `tenantd migrate` creates the tables,
`tenantd serve` keeps tenants there under the runbook's keys with the API's field names as
top-level attributes (what operators read with the AWS CLI), and a restarted server reads them."""
import os
import subprocess
import sys
import tempfile
import unittest

import boto3

import harness
from harness import ServerTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
MOTO = os.path.join(HERE, "..", "moto", "moto_server.py")

server = None
moto_dir = None
aws_env = None


def dynamodb():
    return boto3.client("dynamodb", region_name="eu-west-1",
                        endpoint_url=aws_env["AWS_ENDPOINT_URL_DYNAMODB"],
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def migrate():
    env = dict(os.environ)
    env.update(aws_env)
    return subprocess.run([harness.BIN, "migrate"], env=env, capture_output=True, timeout=60)


def setUpModule():
    global server, moto_dir, aws_env
    moto_dir = tempfile.mkdtemp(prefix="tenantd-moto-")
    subprocess.run([sys.executable, MOTO, "start", moto_dir], check=True, capture_output=True)
    with open(os.path.join(moto_dir, "endpoint")) as f:
        endpoint = f.read().strip()
    aws_env = {"STORE": "dynamodb", "AWS_REGION": "eu-west-1",
               "AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing"}
    done = migrate()
    if done.returncode != 0:
        raise harness.HarnessError(f"migrate failed: {done.stderr!r}")
    server = harness.start_shared(env=aws_env)


def tearDownModule():
    try:
        if server is not None:
            harness.stop_shared(server)
    finally:
        subprocess.run([sys.executable, MOTO, "stop", moto_dir], capture_output=True)


class DynamoDbStoreTest(ServerTestCase):
    def test_migrate_is_idempotent_and_creates_the_four_tables_with_their_indexes(self):
        again = migrate()
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn(b"dynamodb tables of environment dev", again.stdout)
        names = dynamodb().list_tables()["TableNames"]
        for table in ("tenants", "instances", "invitations", "control"):
            self.assertIn(f"bbws-{table}-dev", names)
        described = dynamodb().describe_table(TableName="bbws-tenants-dev")["Table"]
        self.assertEqual(described["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(sorted(i["IndexName"] for i in described["GlobalSecondaryIndexes"]),
                         sorted([f"GSI{n}" for n in range(1, 8)] + ["TTL"]))

    def test_a_tenant_is_an_item_operators_can_read_under_the_runbook_keys(self):
        created = self.create_tenant(metadata={"plan": "gold", "seats": 5})
        tid = created["tenantId"]
        item = dynamodb().get_item(TableName="bbws-tenants-dev",
                                   Key={"PK": {"S": f"TENANT#{tid}"}, "SK": {"S": "METADATA"}},
                                   ConsistentRead=True)["Item"]
        self.assertEqual(item["tenantId"], {"S": tid})
        self.assertEqual(item["organizationName"], {"S": created["organizationName"]})
        self.assertEqual(item["status"], {"S": "PENDING"})
        self.assertEqual(item["version"], {"N": "1"})
        self.assertEqual(item["metadata"]["M"]["seats"], {"N": "5"})
        # The runbook's query: everything of the tenant, by partition key.
        queried = dynamodb().query(TableName="bbws-tenants-dev",
                                   KeyConditionExpression="PK = :pk",
                                   ExpressionAttributeValues={":pk": {"S": f"TENANT#{tid}"}})
        sort_keys = {i["SK"]["S"] for i in queried["Items"]}
        self.assertIn("METADATA", sort_keys)
        self.assertTrue(any(sk.startswith("EVENT#") for sk in sort_keys), sort_keys)
        audit = [i for i in queried["Items"] if i["SK"]["S"].startswith("EVENT#")]
        self.assertIn("ttl", audit[0])

    def test_reads_lists_and_conditional_updates_go_through_dynamodb(self):
        tid = self.create_tenant()["tenantId"]
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["tenantId"], tid)
        listed = self.admin.get("/tenants", params={"limit": 100}).body["items"]
        self.assertIn(tid, [t["tenantId"] for t in listed])
        self.assertEqual(self.admin.put(f"/tenants/{tid}", {"metadata": {"v": 2}}).status, 200)
        stale = self.admin.put(f"/tenants/{tid}", {"metadata": {"v": 3}},
                               headers={"If-Match": '"1"'})
        self.assertError(stale, 412, "PRECONDITION_FAILED")
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["metadata"], {"v": 2})

    def test_a_restarted_server_reads_what_the_first_one_wrote(self):
        tid = self.create_tenant()["tenantId"]
        other = harness.Server(env=aws_env).start()
        try:
            reply = other.admin().get(f"/tenants/{tid}")
            self.assertEqual(reply.status, 200, reply)
            self.assertEqual(reply.body["tenantId"], tid)
        finally:
            other.stop()
            other.cleanup()


if __name__ == "__main__":
    unittest.main()
