#!/usr/bin/env python3
"""Signs a few real DynamoDB requests with botocore's SigV4Auth and with tenantd's signer
(sigv4_sign_tool, path in argv[1]) for fixed credentials and time, and fails unless every
signed header is identical."""
import datetime
import json
import subprocess
import sys
import unittest
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TOOL = None
EPOCH = 1769337000  # 2026-01-25T10:30:00Z

CASES = [
    {"endpoint": "https://dynamodb.eu-west-1.amazonaws.com", "region": "eu-west-1",
     "operation": "GetItem",
     "body": json.dumps({"TableName": "bbws-tenants-prod",
                         "Key": {"PK": {"S": "TENANT#t1"}, "SK": {"S": "METADATA"}},
                         "ConsistentRead": True}, separators=(",", ":")),
     "access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
     "token": ""},
    {"endpoint": "https://dynamodb.af-south-1.amazonaws.com", "region": "af-south-1",
     "operation": "TransactWriteItems",
     "body": json.dumps({"TransactItems": [{"Put": {"TableName": "bbws-tenants-dev", "Item": {
         "PK": {"S": "TENANT#Zoë"}, "SK": {"S": "USER#日本"}, "name": {"S": "Zoë 日本"}},
         "ConditionExpression": "attribute_not_exists(#pk) OR #ttl <= :now",
         "ExpressionAttributeNames": {"#pk": "PK", "#ttl": "ttl"},
         "ExpressionAttributeValues": {":now": {"N": str(EPOCH)}}}}],
         "ClientRequestToken": "0123456789abcdef"}, ensure_ascii=False, separators=(",", ":")),
     "access_key": "ASIAEXAMPLE", "secret_key": "secret/with+chars=",
     "token": "IQoJb3JpZ2luX2VjEXAMPLE//////////session+token/value=="},
    {"endpoint": "http://127.0.0.1:4566", "region": "us-east-1", "operation": "Query",
     "body": json.dumps({"TableName": "bbws-tenants-sit", "IndexName": "GSI1",
                         "KeyConditionExpression": "#h = :h",
                         "ExpressionAttributeNames": {"#h": "GSI1PK"},
                         "ExpressionAttributeValues": {":h": {"S": "TENANTS"}},
                         "ScanIndexForward": False, "Limit": 20}),
     "access_key": "testing", "secret_key": "testing", "token": ""},
    {"endpoint": "https://proxy.example.com:8443/dynamodb/", "region": "eu-central-1",
     "operation": "DescribeTable", "body": "{\"TableName\":\"bbws-control-dev\"}",
     "access_key": "AKIDEXAMPLE", "secret_key": "x", "token": "tok"},
]


def botocore_headers(case):
    body = case["body"].encode("utf-8")
    request = AWSRequest(method="POST", url=case["endpoint"], data=body, headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810." + case["operation"]})
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"] or None)
    fixed = datetime.datetime.fromtimestamp(EPOCH, datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=fixed):
        botocore.auth.SigV4Auth(credentials, "dynamodb", case["region"]).add_auth(request)
    return request.headers


def tenantd_headers():
    lines = "".join(json.dumps(dict(case, epoch=EPOCH), ensure_ascii=False) + "\n"
                    for case in CASES)
    done = subprocess.run([TOOL], input=lines.encode("utf-8"), capture_output=True, check=True)
    return [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]


class SigV4AgainstBotocore(unittest.TestCase):
    def test_every_signed_header_matches_botocore(self):
        ours = tenantd_headers()
        self.assertEqual(len(ours), len(CASES))
        for case, signed in zip(CASES, ours):
            theirs = botocore_headers(case)
            with self.subTest(operation=case["operation"], endpoint=case["endpoint"]):
                for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
                    self.assertEqual(signed["headers"].get(name), theirs.get(name), name)
                self.assertIn("Signature=", signed["headers"]["Authorization"])


if __name__ == "__main__":
    TOOL = sys.argv.pop(1)
    unittest.main()
