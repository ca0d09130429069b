"""The eventbridge and sns sinks (docs/events.md) against a moto server: what tenantd publishes is
read back through SQS queues (an EventBridge rule's target; SNS subscriptions with and without raw
delivery) and checked field by field. An EventBridge outage loses nothing: the events arrive once
it ends, and the sink that had accepted them does not get them again. A chosen sink without its setting stops `serve` at startup."""
import http.client
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse
import uuid

import boto3

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
MOTO = os.path.join(HERE, "..", "moto", "moto_server.py")
REGION = "eu-west-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

moto_dir = None
endpoint = None


def setUpModule():
    global moto_dir, endpoint
    if not os.access(harness.BIN, os.X_OK):
        raise unittest.SkipTest("tenantd binary not built")
    moto_dir = tempfile.mkdtemp(prefix="tenantd-moto-sinks-")
    subprocess.run([sys.executable, MOTO, "start", moto_dir], check=True, capture_output=True)
    with open(os.path.join(moto_dir, "endpoint")) as f:
        endpoint = f.read().strip()


def tearDownModule():
    subprocess.run([sys.executable, MOTO, "stop", moto_dir], capture_output=True)
    shutil.rmtree(moto_dir, ignore_errors=True)


def client(service):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)


class Queue:
    """An SQS queue whose messages are collected (and deleted) as they arrive."""

    def __init__(self, name, raw_sns=False):
        self.sqs = client("sqs")
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.arn = self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.messages = []

    def drain(self):
        while True:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                           MessageAttributeNames=["All"], WaitTimeSeconds=0)
            batch = got.get("Messages", [])
            if not batch:
                return self.messages
            for m in batch:
                self.messages.append(m)
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])


def eventbridge_rule(events, bus, queue):
    rule = "to-" + queue.url.rsplit("/", 1)[-1]  # rule names are unique per test
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(
        {"source": ["bbws.tenant-management", "bbws.instance-management"]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue.arn}])


def server_env(**extra):
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION,
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "STORE": "sqlite", "OUTBOX_BASE_BACKOFF_MS": "50", "OUTBOX_MAX_ATTEMPTS": "30"}
    env.update(extra)
    return env


class AwsSinksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        suffix = uuid.uuid4().hex[:8]
        cls.events = client("events")
        cls.bus = "tenant-events-dev"
        cls.events.create_event_bus(Name=cls.bus)
        cls.bus_queue = Queue("bus-" + suffix)
        eventbridge_rule(cls.events, cls.bus, cls.bus_queue)

        sns = client("sns")
        cls.topic = sns.create_topic(Name="tenant-notifications-dev")["TopicArn"]
        cls.sns_queue = Queue("sns-" + suffix)
        sns.subscribe(TopicArn=cls.topic, Protocol="sqs", Endpoint=cls.sns_queue.arn)
        cls.raw_queue = Queue("sns-raw-" + suffix)
        sns.subscribe(TopicArn=cls.topic, Protocol="sqs", Endpoint=cls.raw_queue.arn,
                      Attributes={"RawMessageDelivery": "true"})

        # EVENT_BUS_NAME unset: the default bus of ENVIRONMENT=dev is tenant-events-dev.
        cls.server = harness.Server(env=server_env(EVENT_SINKS="eventbridge,sns",
                                                   SNS_TOPIC_ARN=cls.topic)).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()

    def bus_events(self, tenant_id, count):
        def found():
            got = [json.loads(m["Body"]) for m in self.bus_queue.drain()]
            mine = [e for e in got if e["detail"].get("tenantId") == tenant_id]
            return mine if len(mine) >= count else None
        return harness.wait_for(found, timeout=10.0, interval=0.1) or []

    def sns_messages(self, queue, tenant_id, count, tenant_of):
        def found():
            mine = [m for m in queue.drain() if tenant_of(m) == tenant_id]
            return mine if len(mine) >= count else None
        return harness.wait_for(found, timeout=10.0, interval=0.1) or []

    def create_and_activate(self, request_id):
        admin = self.server.admin()
        created = admin.post("/v1.0/tenants", harness.tenant_body(),
                             headers={"X-Request-Id": request_id})
        self.assertEqual(created.status, 201, created)
        tid = created.body["tenantId"]
        activated = admin.patch(f"/v1.0/tenants/{tid}/status", {"status": "ACTIVE"})
        self.assertEqual(activated.status, 200, activated)
        return created.body

    def check_detail(self, detail, tenant, request_id):
        self.assertRegex(detail["eventId"], harness.EVENT_ID_RE)
        self.assertEqual(detail["tenantId"], tenant["tenantId"])
        self.assertEqual(detail["actor"], self.server.admin_email)
        self.assertRegex(detail["occurredAt"], harness.TIMESTAMP_RE)
        if request_id is not None:
            self.assertEqual(detail["requestId"], request_id)

    def test_eventbridge_rule_target_receives_each_change_with_its_detail(self):
        rid = "req-" + uuid.uuid4().hex
        tenant = self.create_and_activate(rid)
        events = self.bus_events(tenant["tenantId"], 2)
        self.assertEqual([e["detail-type"] for e in events],
                         ["TENANT_CREATED", "TENANT_ACTIVATED"], events)
        created = events[0]
        self.assertEqual(created["version"], "0")
        self.assertEqual(created["source"], "bbws.tenant-management")
        self.assertEqual(created["region"], REGION)
        self.assertEqual(created["resources"], [])
        self.assertTrue(created["id"])  # EventBridge's own id; ours is detail.eventId
        self.check_detail(created["detail"], tenant, rid)
        self.assertNotIn("before", created["detail"])
        self.assertEqual(created["detail"]["after"]["organizationName"],
                         tenant["organizationName"])
        # The entry's Time is the change's time (EventBridge keeps whole seconds), not the
        # delivery's.
        self.assertEqual(created["time"], created["detail"]["occurredAt"][:19] + "Z")
        activated = events[1]["detail"]
        self.assertEqual((activated["before"]["status"], activated["after"]["status"]),
                         ("PENDING", "ACTIVE"))
        self.assertNotEqual(activated["eventId"], created["detail"]["eventId"])

    def test_sns_message_is_the_envelope_with_event_type_and_tenant_attributes(self):
        rid = "req-" + uuid.uuid4().hex
        tenant = self.create_and_activate(rid)
        tid = tenant["tenantId"]
        wrapped = self.sns_messages(
            self.sns_queue, tid, 2,
            lambda m: json.loads(json.loads(m["Body"])["Message"])["detail"]["tenantId"])
        self.assertEqual(len(wrapped), 2, wrapped)
        types = []
        for m in wrapped:
            note = json.loads(m["Body"])
            self.assertEqual(note["Type"], "Notification")
            self.assertEqual(note["TopicArn"], self.topic)
            envelope = json.loads(note["Message"])
            types.append(envelope["detail-type"])
            self.assertEqual(note["MessageAttributes"]["eventType"],
                             {"Type": "String", "Value": envelope["detail-type"]})
            self.assertEqual(note["MessageAttributes"]["tenantId"],
                             {"Type": "String", "Value": tid})
            self.assertEqual(envelope["version"], "0")
            self.assertRegex(envelope["id"], harness.EVENT_ID_RE)
            self.assertEqual(envelope["id"], envelope["detail"]["eventId"])
            self.assertEqual(envelope["source"], "bbws.tenant-management")
            self.assertRegex(envelope["time"], harness.TIMESTAMP_RE)
            self.assertEqual(envelope["time"], envelope["detail"]["occurredAt"])
            self.assertEqual(envelope["region"], REGION)
            self.assertEqual(envelope["resources"], [])
            self.check_detail(envelope["detail"], tenant,
                          rid if envelope["detail-type"] == "TENANT_CREATED" else None)
        self.assertEqual(types, ["TENANT_CREATED", "TENANT_ACTIVATED"])

        raw = self.sns_messages(self.raw_queue, tid, 2,
                                lambda m: json.loads(m["Body"])["detail"]["tenantId"])
        self.assertEqual([json.loads(m["Body"])["detail-type"] for m in raw], types)
        for m in raw:
            attributes = m["MessageAttributes"]
            self.assertEqual(attributes["eventType"],
                             {"DataType": "String",
                              "StringValue": json.loads(m["Body"])["detail-type"]})
            self.assertEqual(attributes["tenantId"], {"DataType": "String", "StringValue": tid})

    def test_invitation_notification_on_sns_carries_the_accept_url(self):
        tenant = self.create_and_activate("req-" + uuid.uuid4().hex)
        tid = tenant["tenantId"]
        invited = self.server.admin().post(f"/v1.0/tenants/{tid}/invitations",
                                           {"email": "guest@example.com", "role": "Viewer"})
        self.assertEqual(invited.status, 201, invited)
        raw = self.sns_messages(self.raw_queue, tid, 3,
                                lambda m: json.loads(m["Body"])["detail"]["tenantId"])
        notes = [json.loads(m["Body"]) for m in raw
                 if json.loads(m["Body"])["detail-type"] == "INVITATION_CREATED"]
        self.assertEqual(len(notes), 1, raw)
        self.assertIn(invited.body["invitationId"], notes[0]["detail"]["acceptUrl"])
        self.assertIn("token=", notes[0]["detail"]["acceptUrl"])
        self.assertEqual(raw[-1]["MessageAttributes"]["eventType"]["StringValue"],
                         "INVITATION_CREATED")

    def test_a_burst_goes_out_in_batches_and_every_event_arrives_once(self):
        admin = self.server.admin()
        tid = self.create_and_activate("req-" + uuid.uuid4().hex)["tenantId"]
        for n in range(23):
            reply = admin.put(f"/v1.0/tenants/{tid}", {"metadata": {"n": n}})
            self.assertEqual(reply.status, 200, reply)
        events = self.bus_events(tid, 25)
        self.assertEqual(len(events), 25)
        ids = {e["detail"]["eventId"] for e in events}
        self.assertEqual(len(ids), 25)  # a retry after a partial failure would show up here
        self.assertEqual(sorted(e["detail"]["after"]["metadata"]["n"] for e in events
                                if e["detail-type"] == "TENANT_UPDATED"), list(range(23)))


class OutageProxy:
    """Forwards to moto, or answers 503 while `down`: an EventBridge outage that ends when the
    test says so (a missing bus cannot be used: once it exists, an event could slip in before the
    rule that routes it)."""

    def __init__(self):
        proxy = self
        self.down = True
        self.refused = 0
        target = urllib.parse.urlsplit(endpoint)

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if proxy.down:
                    proxy.refused += 1
                    answer = json.dumps({"__type": "ServiceUnavailableException",
                                         "message": "outage"}).encode()
                    self.send_response(503)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request("POST", self.path, body=body, headers=headers)
                reply = upstream.getresponse()
                data = reply.read()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.getheader("Content-Type", ""))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class OutageTest(unittest.TestCase):
    def test_events_held_back_by_an_eventbridge_outage_arrive_after_it_ends(self):
        suffix = uuid.uuid4().hex[:8]
        events = client("events")
        bus = "outage-bus-" + suffix
        events.create_event_bus(Name=bus)
        bus_queue = Queue("outage-" + suffix)
        eventbridge_rule(events, bus, bus_queue)
        sns = client("sns")
        topic = sns.create_topic(Name="outage-topic-" + suffix)["TopicArn"]
        sns_queue = Queue("outage-sns-" + suffix)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=sns_queue.arn,
                      Attributes={"RawMessageDelivery": "true"})
        proxy = OutageProxy()
        self.addCleanup(proxy.close)

        # One HTTP attempt per delivery attempt, so that the outbox's backoff is what retries.
        server = harness.Server(env=server_env(
            EVENT_SINKS="eventbridge,sns", EVENT_BUS_NAME=bus, SNS_TOPIC_ARN=topic,
            AWS_ENDPOINT_URL_EVENTBRIDGE=proxy.url, AWS_MAX_ATTEMPTS="1"))
        server.start()
        self.addCleanup(server.cleanup)
        self.addCleanup(server.stop)
        created = server.admin().post("/v1.0/tenants", harness.tenant_body())
        self.assertEqual(created.status, 201, created)
        tid = created.body["tenantId"]
        self.assertTrue(harness.wait_for(lambda: proxy.refused >= 4, timeout=10.0))

        listed = subprocess.run([harness.BIN, "outbox", "list", "--data-dir", server.data_dir],
                                env=server.env, capture_output=True, timeout=30)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        waiting = [e for e in map(json.loads, listed.stdout.decode().splitlines())
                   if e["tenantId"] == tid]
        self.assertEqual(len(waiting), 1, listed.stdout)
        self.assertGreaterEqual(waiting[0]["attempts"], 3)
        self.assertIn("eventbridge: PutEvents: ServiceUnavailableException", waiting[0]["lastError"])
        self.assertEqual(waiting[0]["deliveredTo"], ["sns"])  # SNS took it on the first attempt

        proxy.down = False

        def arrived():
            got = [json.loads(m["Body"]) for m in bus_queue.drain()]
            return [e for e in got if e["detail"]["tenantId"] == tid]
        delivered = harness.wait_for(arrived, timeout=15.0, interval=0.1)
        self.assertEqual([e["detail-type"] for e in delivered], ["TENANT_CREATED"])
        self.assertEqual(delivered[0]["detail"]["eventId"], waiting[0]["eventId"])
        # The retries went only to the sink that had not accepted the event.
        published = [json.loads(m["Body"]) for m in sns_queue.drain()]
        self.assertEqual([e["id"] for e in published if e["detail"]["tenantId"] == tid],
                         [waiting[0]["eventId"]])
        self.assertTrue(harness.wait_for(lambda: not [
            line for line in subprocess.run(
                [harness.BIN, "outbox", "list", "--data-dir", server.data_dir], env=server.env,
                capture_output=True, timeout=30).stdout.decode().splitlines() if tid in line],
            timeout=5.0), "the delivered event is still in the outbox")


class MissingSettingTest(unittest.TestCase):
    def refused(self, **env):
        data_dir = tempfile.mkdtemp(prefix="tenantd-sinks-")
        self.addCleanup(shutil.rmtree, data_dir, True)
        done = subprocess.run([harness.BIN, "serve", "--port", "0", "--data-dir", data_dir],
                              env=dict(os.environ, **server_env(**env)), capture_output=True,
                              timeout=30, stdin=subprocess.DEVNULL)
        self.assertEqual(done.returncode, 2, done.stderr)  # a usage error
        self.assertEqual(done.stdout, b"")  # never listened
        err = done.stderr.decode()
        self.assertIn("invalid configuration", err)
        return err

    def test_sns_without_a_topic_is_refused_naming_sns_topic_arn(self):
        err = self.refused(EVENT_SINKS="file,sns")
        self.assertIn("SNS_TOPIC_ARN: is required by the sns event sink", err)

    def test_webhook_without_url_or_secret_is_refused_naming_the_setting(self):
        self.assertIn("WEBHOOK_URL", self.refused(EVENT_SINKS="webhook", WEBHOOK_SECRET="s"))
        self.assertIn("WEBHOOK_SECRET", self.refused(EVENT_SINKS="webhook",
                                                     WEBHOOK_URL="http://127.0.0.1:9/hook"))

    def test_a_malformed_topic_arn_is_refused(self):
        err = self.refused(EVENT_SINKS="sns", SNS_TOPIC_ARN="tenant-notifications-dev")
        self.assertIn("SNS_TOPIC_ARN", err)


if __name__ == "__main__":
    unittest.main()
