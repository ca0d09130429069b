"""The soak's mixed workload: workers that each own a few tenants and drive every route family
against the current server (its port changes at every restart), recording what was acknowledged.

The Model holds only acknowledged facts. A write that got no answer (connection reset by a kill,
a timeout, a 5xx) may or may not have happened: the thing it touched is marked uncertain and
its state is not asserted, except where the API promises more (an Idempotency-Key retry).
"""
import http.client
import json
import random
import threading
import time
import uuid

TRANSITIONAL_STATES = {"PENDING_PROVISIONING", "COMMITTING", "WORKFLOW_QUEUED",
                       "WORKFLOW_RUNNING", "PROVISIONING", "SCALING", "SUSPENDING", "RESUMING",
                       "UPDATING", "BACKING_UP", "RESTORING", "PENDING_DEPROVISIONING",
                       "DEPROVISIONING"}


class Target:
    """Where the server is now; the chaos thread updates it at every restart."""

    def __init__(self, token):
        self.lock = threading.Lock()
        self.port = None
        self.token = token

    def set_port(self, port):
        with self.lock:
            self.port = port

    def get_port(self):
        with self.lock:
            return self.port


class Reply:
    def __init__(self, status, body):
        self.status = status
        self.body = body

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300


def request(target, method, path, body=None, headers=None, timeout=10):
    """One request; status None when no answer came (server down, reset, timeout)."""
    port = target.get_port()
    if port is None:
        return Reply(None, None)
    all_headers = {"Authorization": "Bearer " + target.token}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=all_headers)
        reply = conn.getresponse()
        raw = reply.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return Reply(reply.status, parsed)
    except (OSError, http.client.HTTPException):
        return Reply(None, None)
    finally:
        conn.close()


class Model:
    """Acknowledged facts, shared by the workers (each tenant is driven by one worker only)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tenants = {}  # tenantId -> {"name", "email", "email_certain"}
        self.members = {}  # tenantId -> {userId: "present" | "removed" | "uncertain"}
        self.uncertain_member_emails = {}  # tenantId -> emails whose add got no answer
        self.instances = {}  # instanceId -> tenantId
        self.operations = {}  # operationId -> instanceId
        self.invitations = {}  # invitationId -> tenantId
        # (key, name, [tenantIds of 2xx answers], attempts, the error code that ended it or None)
        self.idempotent_creates = []
        self.requests = 0
        self.answers = {}  # status (or "none") -> count
        self.unexpected = []  # (what, status, body): 4xx answers the workload did not expect

    def count(self, reply):
        with self.lock:
            self.requests += 1
            key = "none" if reply.status is None else str(reply.status)
            self.answers[key] = self.answers.get(key, 0) + 1

    def note_unexpected(self, what, reply):
        with self.lock:
            if len(self.unexpected) < 50:
                self.unexpected.append((what, reply.status, str(reply.body)[:300]))


def error_code(reply):
    if isinstance(reply.body, dict) and isinstance(reply.body.get("error"), dict):
        return reply.body["error"].get("code")
    return None


def retryable(reply):
    """No answer, 5xx, 429, and the 409s that say "try again": a claim on the Idempotency-Key
    still held (by a request in flight, or by a killed process until the claim expires, 60 s)
    and a concurrent change of a related record."""
    if reply.status is None or reply.status >= 500 or reply.status == 429:
        return True
    return reply.status == 409 and error_code(reply) in ("OPERATION_IN_PROGRESS",
                                                         "VERSION_CONFLICT")


class Worker(threading.Thread):
    def __init__(self, index, target, model, stop, seed):
        super().__init__(daemon=True, name=f"soak-worker-{index}")
        self.index = index
        self.target = target
        self.model = model
        self.stop = stop
        self.random = random.Random(seed)
        self.owned = []  # tenantIds this worker drives

    def call(self, method, path, body=None, headers=None):
        reply = request(self.target, method, path, body, headers)
        self.model.count(reply)
        if reply.status is None:
            time.sleep(0.2)  # the server is restarting
        return reply

    def run(self):
        ops = [(self.create_tenant, 3), (self.update_tenant, 2), (self.add_member, 3),
               (self.remove_member, 1), (self.invite, 2), (self.hierarchy, 1),
               (self.create_instance, 1), (self.backup, 1), (self.reads, 6)]
        weights = [w for _, w in ops]
        while not self.stop.is_set():
            op = self.random.choices(ops, weights)[0][0]
            if op is not self.create_tenant and not self.owned:
                op = self.create_tenant
            op()

    def pick(self):
        return self.random.choice(self.owned)

    # -- tenants --

    def create_tenant(self):
        name = f"Soak {self.index} {uuid.uuid4().hex[:12]}"
        key = str(uuid.uuid4())
        body = {"organizationName": name, "contactEmail": "owner@example.com",
                "environment": "dev"}
        ids = []
        attempts = 0
        refused = None
        # Retried with the same key until a definite answer: exactly one tenant must result.
        while attempts < 60 and not self.stop.is_set():
            attempts += 1
            reply = self.call("POST", "/v1.0/tenants", body, {"Idempotency-Key": key})
            if error_code(reply) == "OPERATION_IN_PROGRESS":
                time.sleep(2)  # a killed process's claim on the key lasts up to 60 s
            if reply.ok:
                ids.append(reply.body["tenantId"])
                if attempts > 1 or self.random.random() < 0.2:
                    # A client that lost the answer (or just repeats itself) sends it again.
                    again = self.call("POST", "/v1.0/tenants", body, {"Idempotency-Key": key})
                    if again.ok:
                        ids.append(again.body["tenantId"])
                break
            if not retryable(reply):
                self.model.note_unexpected("create tenant", reply)
                refused = error_code(reply) or str(reply.status)
                break
        with self.model.lock:
            self.model.idempotent_creates.append((key, name, ids, attempts, refused))
            if ids:
                self.model.tenants[ids[0]] = {"name": name, "email": "owner@example.com",
                                              "email_certain": True}
                self.model.members.setdefault(ids[0], {})
        if ids:
            self.owned.append(ids[0])
            self.activate(ids[0])

    def activate(self, tid):
        for _ in range(10):
            reply = self.call("PATCH", f"/v1.0/tenants/{tid}/status", {"status": "ACTIVE"})
            if reply.ok or not retryable(reply):
                return

    def update_tenant(self):
        tid = self.pick()
        email = f"c{uuid.uuid4().hex[:8]}@example.com"
        reply = self.call("PUT", f"/v1.0/tenants/{tid}", {"contactEmail": email})
        with self.model.lock:
            t = self.model.tenants[tid]
            if reply.ok:
                t["email"], t["email_certain"] = email, True
            elif retryable(reply):
                t["email_certain"] = False
        if not reply.ok and not retryable(reply):
            self.model.note_unexpected("update tenant", reply)

    # -- members --

    def add_member(self):
        tid = self.pick()
        email = f"m{uuid.uuid4().hex[:10]}@example.com"
        role = self.random.choice(["Admin", "Operator", "Viewer"])
        reply = self.call("POST", f"/v1.0/tenants/{tid}/users", {"email": email, "role": role})
        with self.model.lock:
            if reply.ok:
                self.model.members[tid][reply.body["userId"]] = "present"
            elif retryable(reply):
                self.model.uncertain_member_emails.setdefault(tid, set()).add(email)
        if not reply.ok and not retryable(reply):
            self.model.note_unexpected("add member", reply)

    def remove_member(self):
        tid = self.pick()
        with self.model.lock:
            present = [u for u, s in self.model.members[tid].items() if s == "present"]
        if not present:
            return
        uid = self.random.choice(present)
        reply = self.call("DELETE", f"/v1.0/tenants/{tid}/users/{uid}")
        with self.model.lock:
            if reply.ok:
                self.model.members[tid][uid] = "removed"
            elif retryable(reply):
                self.model.members[tid][uid] = "uncertain"
        last_admin = reply.status == 422 and isinstance(reply.body, dict) and \
            reply.body.get("error", {}).get("code") == "CANNOT_REMOVE_LAST_ADMIN"
        if not reply.ok and not retryable(reply) and not last_admin:
            self.model.note_unexpected("remove member", reply)

    # -- invitations and hierarchy --

    def invite(self):
        tid = self.pick()
        reply = self.call("POST", f"/v1.0/tenants/{tid}/invitations",
                          {"email": f"i{uuid.uuid4().hex[:10]}@example.com", "role": "Viewer"})
        if reply.ok:
            with self.model.lock:
                self.model.invitations[reply.body["invitationId"]] = tid
        elif not retryable(reply):
            self.model.note_unexpected("invite", reply)

    def hierarchy(self):
        tid = self.pick()
        tree = {"divisions": [{"name": "Sales", "groups": [{"name": f"G{self.random.randint(1, 3)}"}]}]}
        reply = self.call("PUT", f"/v1.0/tenants/{tid}/hierarchy", tree)
        if not reply.ok and not retryable(reply) and reply.status != 409:
            self.model.note_unexpected("hierarchy", reply)
        self.call("GET", f"/v1.0/tenants/{tid}/hierarchy")

    # -- instances --

    def create_instance(self):
        tid = self.pick()
        with self.model.lock:
            has = any(t == tid for t in self.model.instances.values())
        if has:
            return
        reply = self.call("POST", f"/v1.0/tenants/{tid}/instances", {"tier": "STANDARD"},
                          {"Idempotency-Key": f"inst-{tid}"})
        if reply.ok:
            with self.model.lock:
                self.model.instances[reply.body["instanceId"]] = tid
                if reply.body.get("operationId"):
                    self.model.operations[reply.body["operationId"]] = reply.body["instanceId"]
        elif not retryable(reply) and reply.status != 409:
            self.model.note_unexpected("create instance", reply)

    def backup(self):
        with self.model.lock:
            mine = [i for i, t in self.model.instances.items() if t in self.owned]
        if not mine:
            return
        iid = self.random.choice(mine)
        reply = self.call("POST", f"/v1.0/instances/{iid}/backup")
        if reply.ok:
            with self.model.lock:
                if reply.body.get("operationId"):
                    self.model.operations[reply.body["operationId"]] = iid
        elif not retryable(reply) and reply.status != 409:
            self.model.note_unexpected("backup", reply)

    # -- reads of every family --

    def reads(self):
        tid = self.pick()
        path = self.random.choice([
            f"/v1.0/tenants/{tid}", "/v1.0/tenants?limit=5", f"/v1.0/tenants/{tid}/users",
            f"/v1.0/tenants/{tid}/invitations", f"/v1.0/tenants/{tid}/instances",
            f"/v1.0/tenants/{tid}/audit?limit=5", "/health", "/metrics", "/v1.0/me/tenants"])
        reply = self.call("GET", path)
        if not reply.ok and not retryable(reply):
            self.model.note_unexpected("GET " + path, reply)
