"""Per-principal token-bucket rate limiting (docs/http-api.md): RATE_LIMIT_RPS=5, RATE_LIMIT_BURST=5."""
import time
import unittest

import harness
from harness import ServerTestCase

server = None
RPS = 5
BURST = 5


def setUpModule():
    global server
    server = harness.start_shared(env={"RATE_LIMIT_RPS": str(RPS),
                                       "RATE_LIMIT_BURST": str(BURST)})


def tearDownModule():
    harness.stop_shared(server)


class RateLimitTest(ServerTestCase):
    def burst(self, client, count):
        started = time.monotonic()
        replies = [client.get("/tenants") for _ in range(count)]
        return replies, time.monotonic() - started

    def test_burst_over_the_limit_is_429_rate_limited_with_headers(self):
        client = self.server.client(self.server.token("burst@example.com",
                                                      ["platform-operators"]))
        replies, elapsed = self.burst(client, 25)
        ok = [r for r in replies if r.status == 200]
        limited = [r for r in replies if r.status == 429]
        self.assertEqual(len(ok) + len(limited), len(replies),
                         [r.status for r in replies])
        # The bucket holds BURST and refills at RPS while the burst runs.
        self.assertGreaterEqual(len(ok), BURST)
        self.assertLessEqual(len(ok), BURST + int(elapsed * RPS) + 1)
        self.assertTrue(limited)
        self.assertTrue(all(r.status == 200 for r in replies[:BURST]),
                        [r.status for r in replies[:BURST]])
        for r in limited:
            self.assertEqual(r.code, "RATE_LIMITED")
            retry_after = int(r.headers["Retry-After"])
            self.assertGreaterEqual(retry_after, 1)
            self.assertLessEqual(retry_after, 60)
            self.assertEqual(float(r.headers["X-RateLimit-Limit"]), RPS)
            self.assertEqual(int(r.headers["X-RateLimit-Remaining"]), 0)

    def test_limit_is_per_principal(self):
        noisy = self.server.client(self.server.token("noisy@example.com",
                                                     ["platform-operators"]))
        quiet = self.server.client(self.server.token("quiet@example.com",
                                                     ["platform-operators"]))
        replies, _ = self.burst(noisy, 15)
        self.assertIn(429, [r.status for r in replies])
        reply = quiet.get("/tenants")
        self.assertEqual(reply.status, 200, reply)

    def test_bucket_refills_after_retry_after(self):
        client = self.server.client(self.server.token("refill@example.com",
                                                      ["platform-operators"]))
        replies, _ = self.burst(client, 15)
        limited = [r for r in replies if r.status == 429]
        self.assertTrue(limited)
        time.sleep(min(int(limited[-1].headers["Retry-After"]), 2) + 0.1)
        reply = client.get("/tenants")
        self.assertEqual(reply.status, 200, reply)


if __name__ == "__main__":
    unittest.main()
