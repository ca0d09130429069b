"""Hardening of the `serve` door against hostile or unlucky input (issue 16): the request head and
trailers are bounded, framing is strict, JSON bodies are bounded and unambiguous, weak secrets
are refused, health tells the truth and one client cannot take every connection. Raw sockets,
so that exactly the bytes under test reach the server."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from harness import ServerTestCase

server = None


def setUpModule():
    global server
    # info: request lines are logged too, so that the log checks below see them
    server = harness.start_shared(env={"MAX_CONNECTIONS_PER_CLIENT": "8", "LOG_LEVEL": "info"})


def tearDownModule():
    harness.stop_shared(server)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_reply(sock, timeout=10):
    """Reads until the server closes; returns the raw bytes."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    return data


class RequestFramingTest(ServerTestCase):
    def test_endless_trailers_are_431_and_memory_stays_bounded(self):
        before = rss_kib(self.server.proc.pid)
        statuses = []
        for _ in range(3):  # three connections once took RSS from 18 MB to 1.86 GB
            sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            sock.sendall(b"POST /v1.0/tenants HTTP/1.1\r\nHost: x\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n")
            line = b"X-Trailer: " + b"t" * 1000 + b"\r\n"
            try:
                for _ in range(20_000):  # 20 MB each, unless the server stops reading first
                    sock.sendall(line)
            except (BrokenPipeError, ConnectionResetError):
                pass
            raw = read_reply(sock)
            sock.close()
            statuses.append(raw.split(b" ", 2)[1] if raw else b"")
        self.assertEqual(statuses, [b"431"] * 3)
        grown = rss_kib(self.server.proc.pid) - before
        self.assertLess(grown, 20 * 1024, f"RSS grew by {grown} KiB under the trailer attack")

    def test_an_oversized_head_is_431_in_the_error_format(self):
        reply = harness.raw_http(self.server.port, "GET", "/health",
                                 {"X-Big": "h" * (17 * 1024)})
        self.assertError(reply, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE")

    def test_transfer_codings_other_than_chunked_are_refused_and_the_connection_closed(self):
        for codings, status in (("gzip", 501), ("xchunked", 501), ("chunked, identity", 400),
                                ("identity", 501)):
            smuggled = b"GET /v1.0/tenants HTTP/1.1\r\nHost: x\r\n\r\n"
            data = (f"POST /v1.0/tenants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"Transfer-Encoding: {codings}\r\n\r\n").encode() + smuggled
            reply = harness.raw_request(self.server.port, data, path="/v1.0/tenants")
            self.assertEqual(reply.status, status, (codings, reply))
            self.assertEqual(reply.headers.get("Connection"), "close", codings)
            self.assertEqual(reply.raw.count(b"HTTP/1.1"), 0, "a second response was sent")

    def test_transfer_encoding_with_content_length_is_400(self):
        data = (b"POST /v1.0/tenants HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        reply = harness.raw_request(self.server.port, data, path="/v1.0/tenants")
        self.assertError(reply, 400, "VALIDATION_ERROR")

    def test_obsolete_line_folding_is_refused(self):
        data = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\r\n"
        reply = harness.raw_request(self.server.port, data, method="GET", path="/health")
        self.assertError(reply, 400, "VALIDATION_ERROR")
        self.assertIn("folding", reply.body["error"]["message"])

    def test_invalid_utf8_in_a_path_is_never_echoed_raw(self):
        data = b"GET /nowhere\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        reply = harness.raw_request(self.server.port, data, method="GET", path="/nowhere",
                                    check=False)
        self.assertEqual(reply.status, 404, reply.raw)
        text = reply.raw.decode("utf-8")  # strict: raises on a raw 0xFF
        self.assertIn("\ufffd", json.loads(text)["error"]["message"])
        with open(os.path.join(self.server.data_dir, "stderr.log"), "rb") as f:
            lines = [line for line in f.read().split(b"\n") if line]
        self.assertTrue(any(b"/nowhere" in line for line in lines), lines[-5:])
        for line in lines:
            json.loads(line.decode("utf-8"))  # every log line is JSON, in valid UTF-8


class JsonBodyTest(ServerTestCase):
    def post_raw(self, body):
        return harness.raw_http(self.server.port, "POST", "/v1.0/tenants",
                                {"Content-Type": "application/json",
                                 "Content-Length": str(len(body))},
                                body=body, token=self.server.admin_token())

    def test_a_duplicate_key_is_400_naming_it(self):
        body = json.dumps(harness.tenant_body())[:-1] + ', "organizationName": "Other"}'
        reply = self.post_raw(body.encode())
        self.assertFieldError(reply, "organizationName", "DUPLICATE_KEY")

    def test_an_integer_beyond_64_bits_in_metadata_is_refused_not_rounded(self):
        body = json.dumps(harness.tenant_body())[:-1] + ', "metadata": {"n": 9223372036854775808}}'
        reply = self.post_raw(body.encode())
        self.assertError(reply, 400, "INVALID_JSON")
        self.assertIn("64 bits", reply.body["error"]["message"])

    def test_the_largest_signed_64_bit_integer_is_kept_exactly(self):
        body = json.dumps(harness.tenant_body())[:-1] + ', "metadata": {"n": 9223372036854775807}}'
        reply = self.post_raw(body.encode())
        self.assertEqual(reply.status, 201, reply)
        self.assertIn(b'"n":9223372036854775807', reply.raw)

    def test_deep_nesting_is_400_not_a_crash(self):
        body = b'{"metadata":' + b"[" * 10_000 + b"]" * 10_000 + b"}"
        reply = self.post_raw(body)
        self.assertError(reply, 400, "INVALID_JSON")
        self.assertEqual(self.server.client().get("/health").status, 200)


class NamesTest(ServerTestCase):
    def test_look_alike_names_are_refused_or_collide(self):
        for name in ("Acme\u202eCorp", "Ac\u200bme", "Acme \U0001F600", "Acme\u00a0Corp"):
            reply = self.admin.post("/v1.0/tenants", harness.tenant_body(name))
            self.assertFieldError(reply, "organizationName", "INVALID_FORMAT")
        base = "Caf\u00e9 " + harness.unique("")
        self.create_tenant(organizationName=base)
        twin = "CAFE\u0301 " + base.split(" ", 1)[1].upper()
        reply = self.admin.post("/v1.0/tenants", harness.tenant_body(twin))
        self.assertEqual(reply.status, 409, reply)


class HealthAndHeadTest(ServerTestCase):
    def test_head_is_answered_where_get_is(self):
        for path in ("/health", "/v1.0/health", "/v1.0/tenants"):
            data = (f"HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    f"Authorization: Bearer {self.server.admin_token()}\r\n\r\n").encode()
            reply = harness.raw_request(self.server.port, data, method="HEAD", path=path,
                                        check=False)
            self.assertEqual(reply.status, 200, (path, reply.raw))
            self.assertEqual(reply.raw, b"")
            self.assertGreater(int(reply.headers["Content-Length"]), 0)


class ConnectionCapTest(ServerTestCase):
    def test_one_client_over_its_cap_is_closed_at_once_and_others_are_served(self):
        held = []
        try:
            for _ in range(8):
                s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                s.settimeout(5)
                self.assertIn(b" 200 ", s.recv(4096))
                held.append(s)
            extra = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
            started = time.monotonic()
            self.assertEqual(read_reply(extra, timeout=5), b"")
            self.assertLess(time.monotonic() - started, 2.0)
            extra.close()
            # Another address (all of 127/8 is loopback) is still served.
            other = socket.create_connection(("127.0.0.1", self.server.port), timeout=5,
                                             source_address=("127.0.0.2", 0))
            other.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertIn(b" 200 ", read_reply(other))
            other.close()
            for s in held[:2]:
                s.close()
            held = held[2:]
            metrics = harness.wait_for(lambda: self._refused_metric(), timeout=5)
            self.assertTrue(metrics)
        finally:
            for s in held:
                s.close()

    def _refused_metric(self):
        reply = self.admin.get("/v1.0/metrics")
        if reply.status != 200:
            return None
        for line in reply.text.splitlines():
            if line.startswith('tenantd_http_connections_refused_total{cap="per_client"}'):
                return float(line.split()[-1]) >= 1
        return None


class WeakSecretTest(unittest.TestCase):
    def run_serve(self, env, data_dir):
        full = dict(os.environ, **env)
        return subprocess.run([harness.BIN, "serve", "--port", "0", "--data-dir", data_dir],
                              env=full, capture_output=True, timeout=20, text=True)

    def test_short_secrets_are_refused_at_start_naming_the_setting(self):
        data_dir = tempfile.mkdtemp(prefix="tenantd-weak-")
        self.addCleanup(shutil.rmtree, data_dir, True)
        for env, named in (({"JWT_SECRET": "a"}, "JWT_SECRET"),
                           ({"SERVICE_SECRET": "x" * 31}, "SERVICE_SECRET")):
            done = self.run_serve(env, data_dir)
            self.assertEqual(done.returncode, 2, done.stderr)
            self.assertIn(named, done.stderr)
            self.assertIn("32 bytes", done.stderr)

    def test_a_one_byte_key_file_is_refused_naming_the_file(self):
        data_dir = tempfile.mkdtemp(prefix="tenantd-weak-")
        self.addCleanup(shutil.rmtree, data_dir, True)
        with open(os.path.join(data_dir, "jwt.key"), "w") as f:
            f.write("k")
        done = self.run_serve({}, data_dir)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("jwt.key", done.stderr)
        self.assertIn("at least 32", done.stderr)


if __name__ == "__main__":
    unittest.main()
