"""A local HTTP double of the GitHub REST API's workflow_dispatch endpoint, for the gitops
driver's tests: records every dispatch and answers 204, or what a test asks for per workflow
file (e.g. 422 with GitHub's error body)."""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DISPATCH_RE = re.compile(r"^/repos/([^/]+)/([^/]+)/actions/workflows/([^/]+)/dispatches$")


class GithubDouble:
    def __init__(self):
        self.dispatches = []  # dicts: owner, repo, workflow, authorization, body
        self.answers = {}  # workflow file -> (status, body dict)
        self._lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                m = DISPATCH_RE.match(self.path)
                if not m:
                    self._answer(404, {"message": "Not Found"})
                    return
                with double._lock:
                    double.dispatches.append({
                        "owner": m.group(1), "repo": m.group(2), "workflow": m.group(3),
                        "authorization": self.headers.get("Authorization"),
                        "body": json.loads(raw or b"{}")})
                    status, body = double.answers.get(m.group(3), (204, None))
                self._answer(status, body)

            def _answer(self, status, body):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def for_workflow(self, workflow):
        with self._lock:
            return [d for d in self.dispatches if d["workflow"] == workflow]
