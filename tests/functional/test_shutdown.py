"""Process conventions of `tenantd serve` (docs/architecture.md): the listening line, graceful stop on
SIGTERM / SIGINT with exit code 0, and the outbox flushed before exit."""
import signal
import socket
import unittest

import harness
from harness import read_events


class ShutdownTest(unittest.TestCase):
    def start(self):
        server = harness.Server().start()
        self.addCleanup(server.cleanup)
        return server

    def test_listening_line_is_printed_exactly_once_in_the_documented_format(self):
        server = self.start()
        self.assertEqual(server.listening_lines,
                         [f"tenantd listening on http://127.0.0.1:{server.port}"])
        self.assertGreater(server.port, 0)
        self.assertEqual(server.client().get("/health").status, 200)
        server.stop()
        self.assertEqual(len(server.listening_lines), 1)

    def test_sigterm_exits_0_and_closes_the_port(self):
        server = self.start()
        port = server.port
        self.assertEqual(server.client().get("/health").status, 200)
        self.assertEqual(server.stop(signal.SIGTERM), 0)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()

    def test_sigint_exits_0(self):
        server = self.start()
        self.assertEqual(server.stop(signal.SIGINT), 0)

    def test_sigterm_flushes_the_outbox_before_exit(self):
        server = self.start()
        admin = server.admin()
        ids = [admin.post("/tenants", harness.tenant_body()).body["tenantId"] for _ in range(5)]
        server.stop(signal.SIGTERM)
        created = {e["detail"]["tenantId"] for e in read_events(server.events_path())
                   if e.get("detail-type") == "TENANT_CREATED"}
        self.assertTrue(set(ids) <= created, f"missing after SIGTERM: {set(ids) - created}")

    def test_restart_on_the_same_data_dir_keeps_tenants_and_tokens(self):
        server = self.start()
        admin = server.admin()
        tid = admin.post("/tenants", harness.tenant_body()).body["tenantId"]
        token = server.admin_token()
        server.stop()
        again = harness.Server(data_dir=server.data_dir).start()
        self.addCleanup(again.kill)
        reply = again.client(token).get(f"/tenants/{tid}")
        self.assertEqual(reply.status, 200, reply)
        again.stop()


if __name__ == "__main__":
    unittest.main()
