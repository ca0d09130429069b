"""A local Lambda Runtime API (the endpoint behind AWS_LAMBDA_RUNTIME_API) for tests and
benchmarks: hands out queued events and records what the runtime posts back, with timestamps."""
import http.server
import json
import queue
import socket
import threading
import time
import uuid

PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    """A local Lambda Runtime API: hands out queued events and records what comes back."""

    def __init__(self):
        self.events = queue.Queue()
        self.results = {}  # request id -> (kind, body, error type header)
        self.handed_out = {}  # request id -> time.monotonic() when `next` returned it
        self.answered_at = {}  # request id -> time.monotonic() when its result arrived
        self.done = threading.Condition()
        self.next_calls = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # Small replies must not wait for delayed ACKs (Nagle), or latencies measure TCP.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    return self._reply(404)
                api.next_calls += 1
                request_id, event, deadline_ms = api.events.get()
                api.handed_out[request_id] = time.monotonic()
                self._reply(200, event, {
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                    "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1",
                    "Lambda-Runtime-Invoked-Function-Arn":
                        "arn:aws:lambda:eu-west-1:123456789012:function:bbws-tenant-instance-management-dev",
                })

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = self.path[len(PREFIX):].split("/")
                if len(parts) == 4 and parts[1] == "invocation" and parts[3] in ("response", "error"):
                    with api.done:
                        api.answered_at[parts[2]] = time.monotonic()
                        api.results[parts[2]] = (parts[3], body,
                                                 self.headers.get("Lambda-Runtime-Function-Error-Type"))
                        api.done.notify_all()
                    return self._reply(202, b'{"status":"OK"}')
                if self.path == PREFIX + "/init/error":
                    with api.done:
                        api.results["init"] = ("init", body, None)
                        api.done.notify_all()
                    return self._reply(202, b'{"status":"OK"}')
                self._reply(404)

        class Quiet(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a runtime killed mid-request resets its connection: expected here

        self.server = Quiet(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def invoke(self, event, deadline_in_ms=3000):
        request_id = str(uuid.uuid4())
        raw = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.events.put((request_id, raw, int(time.time() * 1000) + deadline_in_ms))
        return request_id

    def result(self, request_id, timeout=15):
        deadline = time.time() + timeout
        with self.done:
            while request_id not in self.results:
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise AssertionError(f"no result for invocation {request_id}")
                self.done.wait(remaining)
            return self.results[request_id]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
