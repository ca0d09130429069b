"""kill -9 in the middle of a concurrent create load (docs/events.md and docs/storage.md): every create that
was acknowledged with 201 survives, and its TENANT_CREATED event is delivered after restart."""
import shutil
import tempfile
import threading
import time
import unittest
import uuid

import requests

import harness
from harness import read_events, wait_for

WORKERS = 6
LOAD_SECONDS = 1.5
ENOUGH_CREATES = 20  # the kill waits for at least this many acknowledged creates
MAX_LOAD_SECONDS = 20  # (a slow store, such as moto's DynamoDB, needs longer than LOAD_SECONDS)


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="tenantd-crash-")
        self.addCleanup(shutil.rmtree, self.data_dir, True)

    def test_acknowledged_creates_and_their_events_survive_kill_9(self):
        first = harness.Server(data_dir=self.data_dir).start()
        self.addCleanup(first.kill)
        token = first.admin_token()
        prefix = "Crash" + uuid.uuid4().hex[:8]
        acknowledged = {}  # tenantId -> organizationName
        lock = threading.Lock()
        stop = threading.Event()
        failures = []

        def worker(w):
            # Plain requests here: after the kill, replies stop arriving and that is expected.
            session = requests.Session()
            n = 0
            while not stop.is_set():
                name = f"{prefix} {w} {n}"
                n += 1
                try:
                    r = session.post(first.base_url + "/tenants", json=harness.tenant_body(name),
                                     headers={"Authorization": "Bearer " + token}, timeout=5)
                except requests.RequestException:
                    return
                if r.status_code == 201:
                    with lock:
                        acknowledged[r.json()["tenantId"]] = name
                else:
                    failures.append((r.status_code, r.text[:300]))
            session.close()

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
        for t in threads:
            t.start()
        time.sleep(LOAD_SECONDS)
        wait_for(lambda: len(acknowledged) >= ENOUGH_CREATES,
                 timeout=MAX_LOAD_SECONDS - LOAD_SECONDS, interval=0.05)
        first.kill()  # SIGKILL while requests are in flight
        stop.set()
        for t in threads:
            t.join(10)
        self.assertEqual(failures, [], "creates failed before the kill")
        self.assertGreater(len(acknowledged), 10, "the load produced too few creates to judge")

        second = harness.Server(data_dir=self.data_dir).start()
        self.addCleanup(second.kill)
        admin = second.admin()
        for tid, name in acknowledged.items():
            reply = admin.get(f"/tenants/{tid}")
            self.assertEqual(reply.status, 200, f"acknowledged {tid} lost: {reply}")
            self.assertEqual(reply.body["organizationName"], name)

        # The outbox is flushed after restart: every acknowledged create is published.
        def missing():
            created = {e["detail"].get("tenantId") for e in read_events(second.events_path())
                       if e.get("detail-type") == "TENANT_CREATED"}
            return set(acknowledged) - created

        wait_for(lambda: not missing(), timeout=8.0, interval=0.2)
        self.assertEqual(missing(), set(), "TENANT_CREATED events never delivered")

        # Listing sees exactly the surviving tenants of this load: no duplicates, no ghosts
        # beyond creates that committed without their reply reaching us.
        listed = set()
        token_ = None
        while True:
            params = {"organizationName": prefix, "limit": 100}
            if token_:
                params["nextToken"] = token_
            page = admin.get("/tenants", params=params).body
            listed |= {t["tenantId"] for t in page["items"]}
            token_ = page["nextToken"]
            if token_ is None:
                break
        self.assertTrue(set(acknowledged) <= listed)
        self.assertLessEqual(len(listed - set(acknowledged)), WORKERS)
        second.stop()


if __name__ == "__main__":
    unittest.main()
