"""A fault-injecting HTTP proxy in front of moto's DynamoDB for the chaos soak.

Every request is forwarded to the upstream endpoint unchanged, except while a fault mode is on:
  throttle  a share of requests is answered 400 ProvisionedThroughputExceededException
  error     a share is answered 500 InternalServerError without reaching DynamoDB
  ambiguous a share is forwarded (DynamoDB applies it) but answered 500 (a lost response)
The counts of each injected fault are kept for the report.
"""
import http.client
import http.server
import json
import random
import threading
import urllib.parse

THROTTLE_BODY = json.dumps({
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded"})
ERROR_BODY = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                         "message": "Internal server error (injected)"})


class FaultProxy:
    def __init__(self, upstream):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.lock = threading.Lock()
        self.mode = None
        self.rate = 0.0
        self.counts = {"forwarded": 0, "throttle": 0, "error": 0, "ambiguous": 0}
        self.random = random.Random(16)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                fault = proxy._pick_fault()
                if fault == "throttle":
                    return self._answer(400, THROTTLE_BODY.encode())
                if fault == "error":
                    return self._answer(500, ERROR_BODY.encode())
                status, data = proxy._forward(self.path, self.headers, body)
                if fault == "ambiguous":
                    return self._answer(500, ERROR_BODY.encode())
                self._answer(status, data)

            def do_GET(self):
                status, data = proxy._forward(self.path, self.headers, None, method="GET")
                self._answer(status, data)

            def _answer(self, status, data):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/x-amz-json-1.0")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the server was killed while waiting for this answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # Connections reset by a kill -9 of the server are part of the soak, not errors.
        self.server.handle_error = lambda request, client_address: None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def set_fault(self, mode, rate=0.0):
        with self.lock:
            self.mode, self.rate = mode, rate

    def _pick_fault(self):
        with self.lock:
            if self.mode is not None and self.random.random() < self.rate:
                self.counts[self.mode] += 1
                return self.mode
            self.counts["forwarded"] += 1
            return None

    def _forward(self, path, headers, body, method="POST"):
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        try:
            forwarded = {k: v for k, v in headers.items()
                         if k.lower() not in ("connection", "keep-alive", "proxy-connection")}
            conn.request(method, path, body=body, headers=forwarded)
            reply = conn.getresponse()
            return reply.status, reply.read()
        except OSError as e:
            return 500, json.dumps({"__type": "InternalServerError",
                                    "message": f"proxy: upstream failed: {e}"}).encode()
        finally:
            conn.close()
