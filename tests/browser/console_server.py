"""A real `tenantd serve` for the browser tests, with only the standard library (the tests run
on Debian's python3, where python3-selenium lives): start on 127.0.0.1 port 0, call the API,
mint sign-in links, read the events file.

Environment: TENANTD_BIN (default <repo>/build/release/tenantd)."""
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("TENANTD_BIN", os.path.join(SOURCE_DIR, "build", "release", "tenantd"))
LISTENING_RE = re.compile(r"^tenantd listening on (http://127\.0\.0\.1:[0-9]+)$")
# Invitation links name this public URL; the tests open their path on the real server.
PUBLIC_URL = "http://console.example.test"


class ApiError(AssertionError):
    pass


class ConsoleServer:
    def __init__(self, extra_env=None):
        self.data_dir = tempfile.mkdtemp(prefix="tenantd-browser-")
        self.env = dict(os.environ, LOG_LEVEL="warn", RATE_LIMIT_RPS="100000",
                        RATE_LIMIT_BURST="100000", SIMULATED_STEP_MS="150",
                        PUBLIC_URL=PUBLIC_URL, INVITATION_SWEEP_INTERVAL="1h")
        for name in ("INVITE_URL_TEMPLATE", "AUTH_MODE", "STORE", "PROVISIONER"):
            self.env.pop(name, None)
        self.env.update(extra_env or {})
        self.proc = None
        self.base_url = None
        self._tokens = {}

    def start(self):
        self._stderr = open(os.path.join(self.data_dir, "stderr.log"), "ab")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", self.data_dir],
            stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL, env=self.env)
        lines = queue.Queue()

        def read():
            for raw in self.proc.stdout:
                lines.put(raw.decode().strip())
            lines.put(None)
        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            m = LISTENING_RE.match(line)
            if m:
                self.base_url = m.group(1)
                return self
        raise AssertionError("tenantd did not start:\n" + self.logs())

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self._stderr.close()
            self.proc = None
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def logs(self):
        try:
            with open(os.path.join(self.data_dir, "stderr.log"), encoding="utf-8",
                      errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def _cli(self, *args):
        done = subprocess.run([BIN, *args, "--data-dir", self.data_dir], env=self.env,
                              capture_output=True, timeout=30, check=False)
        if done.returncode != 0:
            raise AssertionError(f"tenantd {args[0]} failed: {done.stderr!r}")
        return done.stdout.decode().strip()

    def sign_in_link(self, email, groups=(), ttl=None):
        """A one-time console link (`tenantd console-link`), opened on this server."""
        args = ["console-link", "--email", email]
        if groups:
            args += ["--groups", ",".join(groups)]
        if ttl is not None:
            args += ["--ttl", str(ttl)]
        link = self._cli(*args)
        assert link.startswith(PUBLIC_URL + "/console/?code="), link
        return self.on_server(link)

    def on_server(self, public_link):
        """A PUBLIC_URL link with this server's origin instead."""
        return self.base_url + public_link[len(PUBLIC_URL):]

    def token(self, email, groups=()):
        key = (email, tuple(groups))
        if key not in self._tokens:
            args = ["token", "--email", email]
            if groups:
                args += ["--groups", ",".join(groups)]
            self._tokens[key] = self._cli(*args)
        return self._tokens[key]

    def api(self, method, path, body=None, email="admin@example.com", groups=("platform-admins",)):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + "/v1.0/" + path.lstrip("/"), data=data,
                                         method=method)
        request.add_header("Authorization", "Bearer " + self.token(email, groups))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as e:
            raise ApiError(f"{method} {path}: {e.code} {e.read().decode()}") from None
        return json.loads(text) if text else None

    def create_tenant(self, name):
        """A new tenant, activated (PENDING tenants take no instances)."""
        tenant = self.api("POST", "tenants", {"organizationName": name,
                                              "contactEmail": "owner@example.com",
                                              "environment": "dev"})
        return self.api("PATCH", f"tenants/{tenant['tenantId']}/status", {"status": "ACTIVE"})

    def events(self):
        path = os.path.join(self.data_dir, "events.ndjson")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
