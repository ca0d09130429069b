"""Three `serve` replicas on one PostgreSQL behind nginx (round-robin), as docs/operations.md
describes the self-hosted scale-out: every guarantee of the API holds across replicas, because
each one comes from the database (docs/decisions/0024-postgresql-migrations-and-replicas.md).

Needs the PostgreSQL server of the test run (TENANTD_POSTGRES_URL_FILE, the postgres.start
fixture) and Debian's nginx."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import harness
from test_webhook_sink import SECRET, Receiver

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
LEASE_S = 2  # OUTBOX_CLAIM_LEASE of the replicas: how long a dead replica's claims block others


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx in the foreground as this test's own process, round-robin over `ports`."""

    def __init__(self, ports):
        self.dir = tempfile.mkdtemp(prefix="tenantd-nginx-")
        self.port = free_port()
        # A root master switches its workers to `nobody`, which could not write our temp dirs.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        servers = "".join(f"    server 127.0.0.1:{p};\n" for p in ports)
        temp = "".join(f"  {kind}_temp_path {self.dir}/{kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = (f"{user}daemon off;\nworker_processes 1;\npid {self.dir}/nginx.pid;\n"
                f"error_log {self.dir}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
                f"http {{\n  access_log off;\n{temp}"
                f"  upstream tenantd {{\n{servers}    keepalive 64;\n  }}\n"
                f"  server {{\n    listen 127.0.0.1:{self.port};\n"
                "    location / {\n      proxy_pass http://tenantd;\n"
                "      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n"
                "      proxy_set_header Host $host;\n"
                # nginx passes a request to the next replica only when the failed one never got it
                # (connection refused) or the method is idempotent: nothing is applied twice.
                "      proxy_next_upstream error timeout;\n    }\n  }\n}\n")
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen([NGINX, "-p", self.dir, "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise harness.HarnessError("nginx exited: " + self.proc.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise harness.HarnessError("nginx did not listen within 10 s")

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipUnless(os.environ.get("TENANTD_POSTGRES_URL_FILE"),
                     "needs the PostgreSQL of the test run (ctest fixture postgres.start)")
class ReplicasBehindNginxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.receiver = Receiver()
        cls.url = harness.postgres_database("replicas" + uuid.uuid4().hex[:12])
        secret = "replicas-" + uuid.uuid4().hex
        cls.env = {"STORE": "postgres", "DATABASE_URL": cls.url, "JWT_SECRET": secret,
                   "SERVICE_SECRET": secret, "EVENT_SINKS": "webhook",
                   "WEBHOOK_URL": cls.receiver.url, "WEBHOOK_SECRET": SECRET,
                   "AWS_REGION": "eu-west-1", "OUTBOX_CLAIM_LEASE": f"{LEASE_S}s",
                   "OUTBOX_BASE_BACKOFF_MS": "50", "THREADS": "4"}
        done = subprocess.run([harness.BIN, "migrate"], env={**os.environ, **cls.env},
                              capture_output=True, timeout=60)
        if done.returncode != 0:
            raise harness.HarnessError(f"tenantd migrate failed: {done.stderr!r}")
        cls.replicas = []
        try:
            for _ in range(3):
                cls.replicas.append(harness.Server(env=cls.env).start())
            cls.nginx = Nginx([r.port for r in cls.replicas])
        except Exception:
            cls.tearDownClass()
            raise
        cls.token = cls.replicas[0].admin_token()

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "nginx", None):
            cls.nginx.close()
        for replica in cls.replicas:
            replica.cleanup()
        cls.receiver.close()

    def balanced(self):
        """A client of nginx: consecutive requests go to the replicas in turn."""
        client = harness.Client(self.nginx.base_url, self.token)
        self.addCleanup(client.close)
        return client

    def direct(self, i):
        client = self.replicas[i].client(self.token)
        self.addCleanup(client.close)
        return client

    def concurrently(self, count, fn):
        clients = [harness.Client(self.nginx.base_url, self.token) for _ in range(count)]
        try:
            return harness.run_concurrently(count, lambda i: fn(clients[i]))
        finally:
            for c in clients:
                c.close()

    def create_tenant(self, name=None):
        reply = self.balanced().post("/v1.0/tenants", harness.tenant_body(name))
        self.assertEqual(reply.status, 201, reply)
        return reply.body

    def deliveries(self):
        """Event id -> how many times the webhook received it."""
        counts = {}
        with self.receiver.lock:
            bodies = [r["body"] for r in self.receiver.requests]
        for body in bodies:
            event_id = json.loads(body)["id"]
            counts[event_id] = counts.get(event_id, 0) + 1
        return counts

    def created_events(self, tenant_ids):
        """tenantId -> ids of the TENANT_CREATED events delivered for it."""
        out = {tid: [] for tid in tenant_ids}
        with self.receiver.lock:
            bodies = [r["body"] for r in self.receiver.requests]
        for body in bodies:
            envelope = json.loads(body)
            tid = envelope["detail"].get("tenantId")
            if envelope["detail-type"] == "TENANT_CREATED" and tid in out:
                out[tid].append(envelope["id"])
        return out

    # ---- the guarantees ----

    def test_fifty_concurrent_creates_of_one_name_give_one_201(self):
        name = "Race " + harness.unique()
        replies = self.concurrently(50, lambda c: c.post("/v1.0/tenants", harness.tenant_body(name)))
        statuses = sorted(r.status for r in replies)
        self.assertEqual(statuses.count(201), 1, statuses)
        self.assertEqual(statuses.count(409), 49, statuses)

    def test_the_last_admin_survives_racing_removals_on_different_replicas(self):
        for _ in range(3):
            tid = self.create_tenant()["tenantId"]
            admins = []
            for _ in range(3):
                reply = self.balanced().post(f"/v1.0/tenants/{tid}/users",
                                             {"email": harness.unique("a") + "@example.com",
                                              "role": "Admin"})
                self.assertEqual(reply.status, 201, reply)
                admins.append(reply.body["userId"])
            replies = harness.run_concurrently(3, lambda i: self.direct(i).delete(
                f"/v1.0/tenants/{tid}/users/{admins[i]}"))
            self.assertEqual(sorted(r.status for r in replies), [204, 204, 422], replies)
            left = self.balanced().get(f"/v1.0/tenants/{tid}/users?role=Admin")
            self.assertEqual(left.body["count"], 1, left)

    def test_the_instance_quota_holds_across_replicas(self):
        tid = self.create_tenant()["tenantId"]
        replies = self.concurrently(12, lambda c: c.post(f"/v1.0/tenants/{tid}/instances",
                                                         {"tier": "STANDARD"}))
        self.assertEqual(sum(r.status == 202 for r in replies), 1, replies)
        self.assertEqual(self.balanced().get(f"/v1.0/tenants/{tid}").body["instanceCount"], 1)

    def test_an_idempotency_key_replays_the_same_response_from_every_replica(self):
        key = {"Idempotency-Key": harness.unique("idem")}
        body = harness.tenant_body()
        first = self.direct(0).post("/v1.0/tenants", body, headers=key)
        self.assertEqual(first.status, 201, first)
        for i in (1, 2):
            again = self.direct(i).post("/v1.0/tenants", body, headers=key)
            self.assertEqual((again.status, again.body), (first.status, first.body),
                             f"replica {i}")
        found = self.balanced().get("/v1.0/tenants",
                                    params={"organizationName": body["organizationName"]})
        self.assertEqual(found.body["count"], 1, found)

    def test_page_tokens_of_one_replica_work_on_the_others(self):
        prefix = "Pages " + harness.unique()
        created = {self.create_tenant(f"{prefix} {i}")["tenantId"] for i in range(5)}
        seen = []
        token = None
        for page in range(3):
            params = {"organizationName": prefix, "limit": 2}
            if token:
                params["nextToken"] = token
            reply = self.direct(page % 3).get("/v1.0/tenants", params=params)
            self.assertEqual(reply.status, 200, reply)
            seen += [t["tenantId"] for t in reply.body["items"]]
            token = reply.body["nextToken"]
        self.assertIsNone(token)
        self.assertEqual(sorted(seen), sorted(created))

    def test_every_event_is_delivered_once_while_all_replicas_dispatch(self):
        replies = self.concurrently(30, lambda c: c.post("/v1.0/tenants", harness.tenant_body()))
        self.assertTrue(all(r.status == 201 for r in replies), replies)
        tenants = [r.body["tenantId"] for r in replies]
        delivered = harness.wait_for(
            lambda: all(self.created_events(tenants).values()), timeout=30)
        self.assertTrue(delivered, self.created_events(tenants))
        time.sleep(LEASE_S + 1)  # a duplicate would come from a second claimer by now
        counts = self.deliveries()
        events = [e for ids in self.created_events(tenants).values() for e in ids]
        self.assertEqual(len(events), 30, "one TENANT_CREATED per tenant")
        self.assertEqual({e: counts[e] for e in events if counts[e] != 1}, {})

    def test_kill_9_of_a_replica_mid_load_loses_no_acknowledged_write_or_event(self):
        victim = self.replicas[2]
        acknowledged = []
        lock = threading.Lock()
        stop = threading.Event()

        def load():
            client = harness.Client(self.nginx.base_url, self.token)
            try:
                while not stop.is_set():
                    try:
                        reply = client.post("/v1.0/tenants", harness.tenant_body())
                    except Exception:  # noqa: BLE001 - a connection cut by the kill
                        continue
                    if reply.status == 201:
                        with lock:
                            acknowledged.append(reply.body["tenantId"])
            finally:
                client.close()

        workers = [threading.Thread(target=load) for _ in range(6)]
        for w in workers:
            w.start()
        harness.wait_for(lambda: len(acknowledged) >= 30, timeout=30)
        victim.kill()
        before_kill = len(acknowledged)
        harness.wait_for(lambda: len(acknowledged) >= before_kill + 30, timeout=30)
        stop.set()
        for w in workers:
            w.join(30)
        self.assertGreater(len(acknowledged), before_kill, "the survivors kept serving")
        try:
            survivor = self.direct(0)
            for tid in acknowledged:
                self.assertEqual(survivor.get(f"/v1.0/tenants/{tid}").status, 200, tid)
            # The victim's claimed events return to the others after the lease.
            delivered = harness.wait_for(
                lambda: all(self.created_events(acknowledged).values()), timeout=LEASE_S + 30)
            missing = [t for t, ids in self.created_events(acknowledged).items() if not ids]
            self.assertTrue(delivered, f"{len(missing)} acknowledged tenants without event")
        finally:
            # Back on its old port, so that nginx has three replicas again for the other tests.
            victim.args = ["--port", str(victim.port)]
            victim.start()


@unittest.skipUnless(os.environ.get("TENANTD_POSTGRES_URL_FILE"),
                     "needs the PostgreSQL of the test run (ctest fixture postgres.start)")
class SchemaVersionTest(unittest.TestCase):
    def test_a_replica_refuses_to_start_on_a_newer_schema(self):
        url = harness.postgres_database("newer" + uuid.uuid4().hex[:12])
        env = {"STORE": "postgres", "DATABASE_URL": url}
        done = subprocess.run([harness.BIN, "migrate"], env={**os.environ, **env},
                              capture_output=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        harness.psql(url, "INSERT INTO \"bbws-migrations-dev\" (version, description) "
                          "VALUES (1000, 'from a newer release')")
        server = harness.Server(env=env)
        self.addCleanup(server.cleanup)
        with self.assertRaises(harness.HarnessError) as raised:
            server.start()
        self.assertIn("newer than this tenantd knows", str(raised.exception))

    def test_serve_on_an_unmigrated_database_asks_for_tenantd_migrate(self):
        url = harness.postgres_database("empty" + uuid.uuid4().hex[:12])
        server = harness.Server(env={"STORE": "postgres", "DATABASE_URL": url})
        self.addCleanup(server.cleanup)
        with self.assertRaises(harness.HarnessError) as raised:
            server.start()
        self.assertIn("tenantd migrate", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
