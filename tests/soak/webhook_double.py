"""The webhook receiver of the chaos soak: records the id of every event POSTed to it and, while
`failing` is set, answers 503 without recording (the sink must retry later)."""
import http.server
import json
import threading


class WebhookDouble:
    def __init__(self):
        self.lock = threading.Lock()
        self.failing = False
        self.delivered = {}  # event id -> deliveries accepted
        self.tenants = set()  # detail.tenantId of the events accepted
        self.refused = 0
        double = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with double.lock:
                    if double.failing:
                        double.refused += 1
                        status = 503
                    else:
                        event = json.loads(body)
                        event_id = event.get("id")
                        detail = event.get("detail")
                        if isinstance(detail, dict) and detail.get("tenantId"):
                            double.tenants.add(detail["tenantId"])
                        double.delivered[event_id] = double.delivered.get(event_id, 0) + 1
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # Connections reset by a kill -9 of the server are part of the soak, not errors.
        self.server.handle_error = lambda request, client_address: None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def set_failing(self, failing):
        with self.lock:
            self.failing = failing

    def ids(self):
        with self.lock:
            return dict(self.delivered)

    def tenant_ids(self):
        with self.lock:
            return set(self.tenants)
