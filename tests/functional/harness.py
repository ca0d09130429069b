"""Black-box harness for the functional tests: runs the real `tenantd` binary on 127.0.0.1 and
checks every response it receives against docs/openapi.yaml.

Environment:
  TENANTD_BIN         path to the tenantd binary (default: <repo>/build/release/tenantd)
  TENANTD_SOURCE_DIR  repository root (default: two levels above this file)
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import jsonschema
import requests
import yaml

try:  # jsonschema >= 4.18 resolves $ref through `referencing`; older ones through RefResolver.
    import referencing
    import referencing.jsonschema
except ImportError:  # pragma: no cover - depends on the machine's jsonschema
    referencing = None

SOURCE_DIR = os.environ.get(
    "TENANTD_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BIN = os.environ.get("TENANTD_BIN", os.path.join(SOURCE_DIR, "build", "release", "tenantd"))
OPENAPI_PATH = os.path.join(SOURCE_DIR, "docs", "openapi.yaml")

LISTENING_RE = re.compile(r"^tenantd listening on http://([0-9.]+):([0-9]+)$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TENANT_ID_RE = re.compile(r"^tenant-" + UUID_RE + r"$")
EVENT_ID_RE = re.compile(r"^evt-" + UUID_RE + r"$")

START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 20
REQUEST_TIMEOUT_S = 15


class HarnessError(AssertionError):
    """A contract violation found by the harness (fails the test that triggered it)."""


def unique(prefix="T"):
    """A short unique organisation-name-safe suffix (letters and digits only)."""
    return prefix + uuid.uuid4().hex[:10]


# ---------------------------------------------------------------------------------------------
# OpenAPI: response validation
# ---------------------------------------------------------------------------------------------

class OpenApi:
    """docs/openapi.yaml loaded once; validates (path, method, status, body) against it."""

    DOC_URI = "https://tenantd.invalid/openapi.json"  # never fetched: registered in memory

    def __init__(self, path=OPENAPI_PATH):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        if referencing is not None:
            resource = referencing.Resource.from_contents(
                self.doc, default_specification=referencing.jsonschema.DRAFT202012)
            self._ref_kwargs = {
                "registry": referencing.Registry().with_resource(self.DOC_URI, resource)}
        else:
            self._ref_kwargs = {
                "resolver": jsonschema.RefResolver(base_uri=self.DOC_URI, referrer=self.doc)}
        # Templates sorted so that literal segments win over parameters (/lifecycle/park before
        # a hypothetical /{x}/park).
        self.templates = []
        for template in self.doc["paths"]:
            parts = template.strip("/").split("/")
            regex = "^/" + "/".join(
                "[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$"
            literal = sum(1 for p in parts if not p.startswith("{"))
            self.templates.append((-literal, template, re.compile(regex)))
        self.templates.sort()
        self._validators = {}

    def match(self, path):
        """The documented template of a concrete path (root or /v1.0), or None."""
        path = path.split("?", 1)[0]
        if not path.startswith("/v1.0/"):
            path = "/v1.0" + (path if path != "/" else "")
        for _, template, regex in self.templates:
            if regex.match(path):
                return template
        return None

    def _resolve(self, node):
        while isinstance(node, dict) and "$ref" in node and len(node) == 1:
            pointer = node["$ref"]
            assert pointer.startswith("#/"), pointer
            node = self.doc
            for part in pointer[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def operation(self, template, method):
        item = self._resolve(self.doc["paths"][template])
        return self._resolve(item.get(method.lower())) if method.lower() in item else None

    def methods(self, template):
        item = self._resolve(self.doc["paths"][template])
        return {m.upper() for m in ("get", "put", "post", "delete", "patch") if m in item}

    def validator_for_schema_pointer(self, pointer):
        if pointer not in self._validators:
            schema = {"$ref": self.DOC_URI + pointer}
            self._validators[pointer] = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
                **self._ref_kwargs)
        return self._validators[pointer]

    def response_schema_pointer(self, template, method, status):
        """Pointer to the JSON schema for this response, or None when it has no JSON body."""
        op = self.operation(template, method)
        if op is None:
            return None, None
        key = str(status) if str(status) in op["responses"] else "default"
        if key not in op["responses"]:
            return None, None
        raw = op["responses"][key]
        if "$ref" in raw:
            pointer = raw["$ref"][1:] + "/content"
            response = self._resolve(raw)
        else:
            item = self.doc["paths"][template]
            if "$ref" in item:
                base = item["$ref"][1:]
            else:
                base = "/paths/" + template.replace("~", "~0").replace("/", "~1")
            pointer = base + "/" + method.lower() + "/responses/" + key + "/content"
            response = raw
        content = response.get("content", {})
        if "application/json" in content:
            return "#" + pointer + "/application~1json/schema", "application/json"
        if "text/plain" in content:
            return None, "text/plain"
        return None, None

    def check_schema(self, pointer, body, what):
        validator = self.validator_for_schema_pointer(pointer)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            lines = []
            for e in errors[:8]:
                where = "/".join(str(p) for p in e.absolute_path) or "(root)"
                lines.append(f"  at {where}: {e.message[:300]}")
            raise HarnessError(f"{what}: body does not match the OpenAPI schema {pointer}:\n"
                               + "\n".join(lines) + "\n  body: " + json.dumps(body)[:1500])


_openapi = None


def openapi():
    global _openapi
    if _openapi is None:
        _openapi = OpenApi()
    return _openapi


def _check_no_nulls(value, where="body"):
    """Optional fields are left out rather than sent as null; only nextToken may be null."""
    if isinstance(value, dict):
        for k, v in value.items():
            if v is None and k != "nextToken":
                raise HarnessError(f"{where}.{k} is null (optional fields must be omitted)")
            _check_no_nulls(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_no_nulls(v, f"{where}[{i}]")


def _check_links(value, where="body"):
    """Every _links href points under /v1.0."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "_links" and isinstance(v, dict):
                for name, link in v.items():
                    href = link.get("href") if isinstance(link, dict) else None
                    if not isinstance(href, str) or not href.startswith("/v1.0/"):
                        raise HarnessError(f"{where}._links.{name} href {href!r} not under /v1.0/")
            else:
                _check_links(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_links(v, f"{where}[{i}]")


def check_response(method, path, status, headers, body_bytes):
    """Validates one response against the contract. Returns the parsed JSON body (or None)."""
    what = f"{method} {path} -> {status}"
    request_id = headers.get("X-Request-Id")
    if not request_id:
        raise HarnessError(f"{what}: no X-Request-Id header")
    api = openapi()
    template = api.match(path)
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    parsed = None
    is_document = template == "/v1.0/openapi.json"
    if content_type == "application/json" or (status >= 400 and body_bytes):
        if content_type != "application/json":
            raise HarnessError(f"{what}: error body with Content-Type {content_type!r}")
        try:
            parsed = json.loads(body_bytes.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise HarnessError(f"{what}: body is not JSON ({e}): {body_bytes[:300]!r}")
        if not (is_document and status == 200):
            _check_no_nulls(parsed)
            _check_links(parsed)
    if template is None or api.operation(template, method) is None:
        # Unknown route or wrong method: the common error format.
        if status < 400:
            raise HarnessError(f"{what}: success on an undocumented route/method")
        if parsed is None:
            raise HarnessError(f"{what}: error without a JSON body")
        api.check_schema("#/components/schemas/Error", parsed, what)
    else:
        pointer, media = api.response_schema_pointer(template, method, status)
        if media is None and status != 204 and method != "HEAD":
            raise HarnessError(f"{what}: status not documented for {method} {template}")
        if media == "application/json":
            if parsed is None:
                raise HarnessError(f"{what}: expected JSON, got Content-Type {content_type!r}")
            api.check_schema(pointer, parsed, what)
        elif media == "text/plain" and content_type != "text/plain":
            raise HarnessError(f"{what}: expected text/plain, got {content_type!r}")
    replayed = headers.get("Idempotent-Replayed") == "true"
    if parsed is not None and status >= 400 and not replayed:
        if parsed.get("requestId") != request_id:
            raise HarnessError(f"{what}: error requestId {parsed.get('requestId')!r} differs "
                               f"from X-Request-Id {request_id!r}")
    return parsed


# ---------------------------------------------------------------------------------------------
# JWT helpers (HS256, for crafting tokens in tests)
# ---------------------------------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode_jwt(token):
    header, payload, _ = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


def make_jwt(header, payload, secret):
    """Signs header.payload with HMAC-SHA256 under `secret` (bytes or str), whatever header says."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(payload, separators=(",", ":")).encode()))
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


# ---------------------------------------------------------------------------------------------
# Responses and the client
# ---------------------------------------------------------------------------------------------

class Reply:
    """A checked response: status, headers (case-insensitive), parsed JSON body, raw text."""

    def __init__(self, method, path, status, headers, raw, body):
        self.method = method
        self.path = path
        self.status = status
        self.headers = headers
        self.raw = raw
        self.body = body

    @property
    def text(self):
        return self.raw.decode("utf-8", "replace")

    @property
    def code(self):
        """The error code of an error response (None otherwise)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code")
        return None

    @property
    def field_errors(self):
        try:
            return self.body["error"]["details"]["errors"]
        except (KeyError, TypeError):
            return []

    def __repr__(self):
        return f"<{self.method} {self.path} -> {self.status} {self.text[:400]}>"


class Client:
    """A keep-alive HTTP client bound to one server and (optionally) one bearer token."""

    def __init__(self, base_url, token=None):
        self.base_url = base_url
        self.token = token
        self.session = requests.Session()

    def with_token(self, token):
        return Client(self.base_url, token)

    def request(self, method, path, json_body=None, data=None, headers=None, token="default",
                params=None):
        """Sends one request; `json_body` is serialised with Content-Type application/json.
        `token=None` sends no Authorization header; a string overrides the client's token."""
        h = {}
        bearer = self.token if token == "default" else token
        if bearer is not None:
            h["Authorization"] = "Bearer " + bearer
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            h["Content-Type"] = "application/json"
        if headers:
            h.update(headers)
        resp = self.session.request(method, self.base_url + path, data=data, headers=h,
                                    params=params, timeout=REQUEST_TIMEOUT_S,
                                    allow_redirects=False)
        full_path = resp.request.path_url
        body = check_response(method, full_path, resp.status_code, resp.headers, resp.content)
        return Reply(method, full_path, resp.status_code, resp.headers, resp.content, body)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.request("POST", path, json_body=json_body, **kw)

    def put(self, path, json_body=None, **kw):
        return self.request("PUT", path, json_body=json_body, **kw)

    def patch(self, path, json_body=None, **kw):
        return self.request("PATCH", path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def close(self):
        self.session.close()


def raw_request(port, data, timeout=10, check=True, method="POST", path="/"):
    """Sends raw bytes on a fresh connection and parses one HTTP response.
    Returns a Reply (validated like any other when `check`). Tolerates the server closing the
    connection before the whole request was sent (as it may for oversized bodies)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        resp = http.client.HTTPResponse(sock, method=method)
        resp.begin()
        raw = resp.read()
        headers = requests.structures.CaseInsensitiveDict(resp.getheaders())
        status = resp.status
    finally:
        sock.close()
    body = check_response(method, path, status, headers, raw) if check else None
    return Reply(method, path, status, headers, raw, body)


def raw_http(port, method, path, headers, body=b"", token=None, check=True):
    """Builds an HTTP/1.1 request by hand (exact headers, no Content-Type unless given)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    if token:
        lines.append("Authorization: Bearer " + token)
    for k, v in headers.items():
        lines.append(f"{k}: {v}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return raw_request(port, head + body, check=check, method=method, path=path)


# ---------------------------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------------------------

# TENANTD_TEST_STORE=dynamodb runs every server of the suite on DynamoDB (a moto server whose
# endpoint is in TENANTD_MOTO_ENDPOINT_FILE) instead of SQLite, except where a test picks STORE.
STORE_UNDER_TEST = os.environ.get("TENANTD_TEST_STORE", "sqlite")


def dynamodb_env(data_dir):
    """The settings of a server on moto's DynamoDB. Each data dir gets its own moto account
    (tests/moto/serialize_requests.py maps TESTACCT<digits> keys to accounts), so servers are as
    isolated as with their own SQLite files, and a restart on the same data dir sees its data."""
    path = os.environ.get("TENANTD_MOTO_ENDPOINT_FILE")
    if not path:
        raise HarnessError("TENANTD_TEST_STORE=dynamodb needs TENANTD_MOTO_ENDPOINT_FILE")
    with open(path) as f:
        endpoint = f.read().strip()
    account = int(hashlib.sha256(os.path.realpath(data_dir).encode()).hexdigest(), 16) % 10**12
    return {"STORE": "dynamodb", "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "AWS_ACCESS_KEY_ID": f"TESTACCT{account:012d}", "AWS_SECRET_ACCESS_KEY": "testing"}


# TENANTD_TEST_STORE=postgres runs every server on PostgreSQL: the server of the test run (its URL
# in TENANTD_POSTGRES_URL_FILE), one schema per data dir, so servers are as isolated as with their
# own SQLite files, and a restart on the same data dir sees its data.
PG_BIN = os.environ.get("TENANTD_PG_BIN", "/usr/lib/postgresql/15/bin")


def postgres_admin_url():
    path = os.environ.get("TENANTD_POSTGRES_URL_FILE")
    if not path:
        raise HarnessError("TENANTD_TEST_STORE=postgres needs TENANTD_POSTGRES_URL_FILE")
    with open(path) as f:
        return f.read().strip()


def psql(url, sql):
    """Runs `sql` with psql on `url`; returns its unaligned, tuples-only output."""
    done = subprocess.run([os.path.join(PG_BIN, "psql"), url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                          capture_output=True, timeout=60)
    if done.returncode != 0:
        raise HarnessError(f"psql failed: {done.stderr!r}")
    return done.stdout.decode()


def postgres_database(name):
    """The URL of a namespace `name` of its own on the test run's server: a schema (created when
    missing) that the URL puts first on the search path. Schemas cost nothing to create, unlike
    databases (a copy of template1 each)."""
    admin = postgres_admin_url()
    psql(admin, f'CREATE SCHEMA IF NOT EXISTS "{name}"')
    separator = "&" if "?" in admin else "?"
    return f"{admin}{separator}options=-csearch_path%3D{name}"


def postgres_env(data_dir):
    digest = hashlib.sha256(os.path.realpath(data_dir).encode()).hexdigest()[:16]
    return {"STORE": "postgres", "DATABASE_URL": postgres_database("f" + digest)}


class Server:
    """One `tenantd serve` process on 127.0.0.1 with a private data dir."""

    def __init__(self, env=None, data_dir=None, args=()):
        if not os.path.isfile(BIN) or not os.access(BIN, os.X_OK):
            if "TENANTD_BIN" in os.environ:  # ctest always sets it: a missing binary is a failure
                raise HarnessError(f"TENANTD_BIN={BIN} is not an executable file")
            raise unittest.SkipTest(f"tenantd binary not found at {BIN} (set TENANTD_BIN)")
        self.owns_data_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="tenantd-func-")
        self.env = dict(os.environ)
        self.env.setdefault("LOG_LEVEL", "warn")
        # Tests talk fast; only the rate-limit test wants a limiter that bites.
        self.env.setdefault("RATE_LIMIT_RPS", "100000")
        self.env.setdefault("RATE_LIMIT_BURST", "100000")
        if env:
            self.env.update(env)
        # Tables the harness chose are created by `tenantd migrate` before the first start.
        self.needs_migrate = (STORE_UNDER_TEST in ("dynamodb", "postgres")
                              and "STORE" not in (env or {}))
        if self.needs_migrate:
            self.env.update(dynamodb_env(self.data_dir) if STORE_UNDER_TEST == "dynamodb"
                            else postgres_env(self.data_dir))
        self.args = list(args)
        self.proc = None
        self.port = None
        self.listening_lines = []
        self.stdout_lines = []
        self._lines = queue.Queue()
        self._stderr = None
        self._tokens = {}
        self._admin_client = None
        self.admin_email = "admin@example.com"

    # -- lifecycle --

    def start(self):
        self._stderr = open(os.path.join(self.data_dir, "stderr.log"), "ab")
        if self.needs_migrate:
            self._migrate()
        self.proc = subprocess.Popen(
            [BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", self.data_dir]
            + self.args,
            stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL, env=self.env)
        self._lines = queue.Queue()
        reader = threading.Thread(target=self._read_stdout, args=(self.proc, self._lines),
                                  daemon=True)
        reader.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise HarnessError("tenantd did not print its listening line in time\n" + self.logs())
            try:
                line = self._lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise HarnessError(f"tenantd exited early with {self.proc.returncode}\n"
                                       + self.logs())
                continue
            if line is None:
                raise HarnessError("tenantd closed stdout before listening\n" + self.logs())
            m = LISTENING_RE.match(line)
            if m:
                if m.group(1) != "127.0.0.1":
                    raise HarnessError(f"listening on {m.group(1)}, asked for 127.0.0.1")
                self.port = int(m.group(2))
                return self

    def _migrate(self):
        done = subprocess.run([BIN, "migrate"], env=self.env, capture_output=True, timeout=60)
        if done.returncode != 0:
            raise HarnessError(f"tenantd migrate failed ({done.returncode}): {done.stderr!r}")
        self.needs_migrate = False

    def _read_stdout(self, proc, lines):
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.stdout_lines.append(line)
            if LISTENING_RE.match(line):
                self.listening_lines.append(line)
            lines.put(line)
        lines.put(None)

    def stop(self, sig=signal.SIGTERM, expect_code=0):
        """Signals the server and waits; asserts the exit code. Returns the exit code."""
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self._close()
            raise HarnessError(f"tenantd did not exit within {STOP_TIMEOUT_S}s of {sig!r}")
        self._close()
        if expect_code is not None and code != expect_code:
            raise HarnessError(f"tenantd exited with {code} after {sig!r}, expected {expect_code}\n"
                               + self.logs())
        return code

    def kill(self):
        """kill -9: no chance to flush anything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None
        if self._stderr:
            self._stderr.close()
            self._stderr = None

    def cleanup(self):
        self.kill()
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def logs(self, tail=4000):
        try:
            with open(os.path.join(self.data_dir, "stderr.log"), "rb") as f:
                err = f.read().decode("utf-8", "replace")
        except OSError:
            err = ""
        out = "\n".join(self.stdout_lines)
        return f"--- stdout (tail) ---\n{out[-tail:]}\n--- stderr (tail) ---\n{err[-tail:]}"

    # -- helpers --

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def token(self, email, groups=(), sub=None, ttl=None):
        """Mints a token with `tenantd token` for this server's data dir (cached per identity)."""
        key = (email, tuple(groups), sub, ttl)
        if key in self._tokens:
            return self._tokens[key]
        cmd = [BIN, "token", "--email", email, "--data-dir", self.data_dir]
        if groups:
            cmd += ["--groups", ",".join(groups)]
        if sub:
            cmd += ["--sub", sub]
        if ttl is not None:
            cmd += ["--ttl", str(ttl)]
        done = subprocess.run(cmd, env=self.env, capture_output=True, timeout=30)
        if done.returncode != 0:
            raise HarnessError(f"tenantd token failed ({done.returncode}): {done.stderr!r}")
        token = done.stdout.decode().strip()
        if token.count(".") != 2:
            raise HarnessError(f"tenantd token printed no JWT: {token!r}")
        self._tokens[key] = token
        return token

    def admin_token(self):
        return self.token(self.admin_email, ["platform-admins"])

    def client(self, token=None):
        return Client(self.base_url, token)

    def admin(self):
        """The shared admin client of this server (not for use from several threads)."""
        if self._admin_client is None or self._admin_client.base_url != self.base_url:
            self._admin_client = self.client(self.admin_token())
        return self._admin_client

    def stored_items(self):
        """STORE=dynamodb or postgres: every item of this server's tables as JSON text, by table."""
        if self.env.get("STORE") == "postgres":
            url = self.env["DATABASE_URL"]
            tables = {}
            for table in psql(url, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'bbws-%'"
                              " AND schemaname = current_schema() ORDER BY 1").split():
                tables[table] = psql(url, f'SELECT coalesce(json_agg(t), \'[]\') FROM "{table}" t')
            return tables
        import boto3  # only the DynamoDB runs need it
        client = boto3.client("dynamodb", region_name=self.env["AWS_REGION"],
                              endpoint_url=self.env["AWS_ENDPOINT_URL_DYNAMODB"],
                              aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"])
        tables = {}
        for table in client.list_tables()["TableNames"]:
            items = []
            for page in client.get_paginator("scan").paginate(TableName=table):
                items.extend(page["Items"])
            tables[table] = json.dumps(items)
        return tables

    def events_path(self):
        return os.path.join(self.data_dir, "events.ndjson")


def read_events(path):
    """Every line of an NDJSON events file, parsed (a torn or invalid line is a failure). Text
    after the last newline is a line the server is still writing: it is read on a later call."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    events = []
    for n, line in enumerate(data.split(b"\n")[:-1]):
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except ValueError as e:
            raise HarnessError(f"{path} line {n + 1} is not JSON ({e}): {line[:300]!r}")
    return events


def wait_for(predicate, timeout=5.0, interval=0.05):
    """Polls `predicate` until it returns something truthy or the timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def tenant_body(name=None, **extra):
    body = {"organizationName": name or ("Org " + unique()),
            "contactEmail": "owner@example.com", "environment": "dev"}
    body.update(extra)
    return body


class ServerTestCase(unittest.TestCase):
    """Base for modules that share one server (set by setUpModule through `use_server`)."""

    server = None

    @classmethod
    def use_server(cls, server):
        ServerTestCase.server = server

    @property
    def admin(self):
        return self.server.admin()

    def create_tenant(self, client=None, **fields):
        reply = (client or self.admin).post("/v1.0/tenants", tenant_body(**fields))
        self.assertEqual(reply.status, 201, reply)
        return reply.body

    def activate(self, tenant_id, client=None):
        reply = (client or self.admin).patch(f"/v1.0/tenants/{tenant_id}/status",
                                             {"status": "ACTIVE"})
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def assertError(self, reply, status, code):
        self.assertEqual(reply.status, status, reply)
        self.assertEqual(reply.code, code, reply)

    def assertFieldError(self, reply, field, code=None):
        self.assertError(reply, 400, "VALIDATION_ERROR")
        matches = [e for e in reply.field_errors
                   if e.get("field") == field and (code is None or e.get("code") == code)]
        self.assertTrue(matches, f"no field error {field}/{code} in {reply.field_errors}")


def start_shared(env=None):
    """For setUpModule: starts a server and makes it the shared one."""
    server = Server(env=env).start()
    ServerTestCase.use_server(server)
    return server


def stop_shared(server):
    """For tearDownModule: SIGTERM, exit code 0, data dir removed."""
    try:
        server.stop()
    finally:
        server.cleanup()


def run_concurrently(count, fn):
    """Runs fn(i) on `count` threads released together; returns the results in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
