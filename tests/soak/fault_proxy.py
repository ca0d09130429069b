"""A fault-injecting HTTP proxy in front of moto's DynamoDB for the chaos soak.

Every request is forwarded to the upstream endpoint unchanged, except while a fault mode is on:
  throttle  a share of requests is answered 400 ProvisionedThroughputExceededException
  error     a share is answered 500 InternalServerError without reaching DynamoDB
  ambiguous a share is forwarded (DynamoDB applies it) but answered 500 (a lost response)
The counts of each injected fault are kept for the report.

moto ignores TransactWriteItems' ClientRequestToken, which DynamoDB honours: a call repeating the
token of a call that succeeded in the last ten minutes succeeds again without writing anything.
tenantd resends a transaction whose answer was a 5xx with the same token, so after a lost answer
moto would see the transaction's conditions fail against its own writes. The proxy keeps that
part of DynamoDB's contract itself.
"""
import hashlib
import http.client
import http.server
import json
import random
import threading
import time
import urllib.parse

TOKEN_WINDOW_S = 600  # how long DynamoDB remembers a ClientRequestToken

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
        self.counts = {"forwarded": 0, "throttle": 0, "error": 0, "ambiguous": 0,
                       "token_replays": 0}
        self.applied_tokens = {}  # ClientRequestToken -> (request digest, answer body, time)
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
                token = proxy._client_token(self.headers, body)
                replayed = proxy._replay(token, body)
                if replayed:
                    status, data = replayed
                else:
                    status, data = proxy._forward(self.path, self.headers, body)
                    if token and status == 200:
                        proxy._remember(token, body, data)
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

    @staticmethod
    def _client_token(headers, body):
        if not headers.get("X-Amz-Target", "").endswith(".TransactWriteItems"):
            return None
        try:
            return json.loads(body).get("ClientRequestToken")
        except ValueError:
            return None

    def _replay(self, token, body):
        """DynamoDB's answer to a repeated token: success without writing, or a mismatch error
        when the token comes with another request."""
        if not token:
            return None
        with self.lock:
            known = self.applied_tokens.get(token)
            if known is None or time.monotonic() - known[2] > TOKEN_WINDOW_S:
                return None
            self.counts["token_replays"] += 1
        if known[0] != hashlib.sha256(body).digest():
            return 400, json.dumps({
                "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
                "message": "The request uses the same client token as a previous, but "
                           "non-identical request."}).encode()
        return 200, known[1]

    def _remember(self, token, body, data):
        with self.lock:
            self.applied_tokens[token] = (hashlib.sha256(body).digest(), data, time.monotonic())

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
