"""DynamoDB requests per route (docs/performance.md#dynamodb-round-trips-per-route). On Lambda each
round trip to DynamoDB is latency the caller waits for, so every route has a budget: the number of
DynamoDB requests it makes, read from the storeRoundTrips field of its request log line. A change
that adds a request to a route fails here; one that removes a request lowers the budget here and in
the table of docs/performance.md.

Runs on the DynamoDB store only (functional_dynamodb.test_store_round_trips): the other stores have
no remote round trips to count."""
import json
import os
import time
import unittest

import harness
from harness import ServerTestCase, unique

# route -> DynamoDB requests, as measured with a platform admin's token (the member column of the
# table in docs/performance.md adds the membership read). Reads: one GetItem or Query, or a
# BatchGetItem; writes: the reads their conditions cannot replace, then one TransactWriteItems.
BUDGET = {
    "POST /tenants": 1,
    "GET /tenants": 1,
    "GET /tenants/{id}": 1,
    "GET /tenants/{id} (member)": 1,
    "PUT /tenants/{id}": 2,
    "PATCH /tenants/{id}/status": 3,
    "POST /tenants/{id}/suspend": 2,
    "POST /tenants/{id}/resume": 2,
    "GET /tenants/{id}/audit": 2,
    "POST /tenants/{id}/users": 5,
    "GET /tenants/{id}/users": 2,
    "PUT /tenants/{id}/users/{userId}": 3,
    "GET /users/{userId}/tenants": 3,
    "DELETE /tenants/{id}/users/{userId}": 3,
    "GET /tenants/{id}/hierarchy": 3,
    "PUT /tenants/{id}/hierarchy": 4,
    "POST /tenants/{id}/invitations": 4,
    "GET /tenants/{id}/invitations": 2,
    "DELETE /tenants/{id}/invitations/{invitationId}": 6,
    "POST /tenants/{id}/instances": 2,
    "GET /instances/{id}": 3,
    "GET /tenants/{id}/instances": 2,
    "GET /instances/{id}/status": 4,
    "GET /operations/{operationId}": 2,
    "PUT /instances/{id}/size": 4,
    "DELETE /tenants/{id}": 3,
}

server = None


def setUpModule():
    global server
    if harness.STORE_UNDER_TEST == "dynamodb":
        server = harness.start_shared({"SIMULATED_STEP_MS": "5", "LOG_LEVEL": "info"})


def tearDownModule():
    if server is not None:
        harness.stop_shared(server)


@unittest.skipUnless(harness.STORE_UNDER_TEST == "dynamodb", "counts DynamoDB requests")
class StoreRoundTripsTest(ServerTestCase):
    measured = {}

    @classmethod
    def tearDownClass(cls):
        # The table for docs/performance.md, in the log of the test run.
        print("\n| route | DynamoDB requests |\n|---|---|")
        for route, count in cls.measured.items():
            print(f"| `{route}` | {count} |")
        super().tearDownClass()

    def round_trips(self, route, method, path, body=None, client=None, expect=200):
        request_id = "rt-" + unique().lower()
        reply = (client or self.admin).request(method, path, json_body=body,
                                               headers={"X-Request-Id": request_id})
        self.assertEqual(reply.status, expect, reply)
        line = self.log_line(request_id)
        count = line.get("storeRoundTrips", 0)
        self.measured[route] = count
        if BUDGET.get(route) is not None:
            self.assertEqual(count, BUDGET[route], f"{route}: DynamoDB requests")
        return reply

    def log_line(self, request_id):
        """The request's log line, from the server's stderr (logs go there)."""
        path = os.path.join(self.server.data_dir, "stderr.log")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with open(path, encoding="utf-8", errors="replace") as f:
                for text in f:
                    if request_id in text:
                        line = json.loads(text)
                        if line.get("requestId") == request_id:
                            return line
            time.sleep(0.02)
        self.fail(f"no request log line for {request_id}")

    def test_every_route_stays_within_its_dynamodb_budget(self):
        rt = self.round_trips
        t = rt("POST /tenants", "POST", "/v1.0/tenants", harness.tenant_body(), expect=201).body
        tid = t["tenantId"]
        rt("GET /tenants", "GET", "/v1.0/tenants?limit=20")
        rt("GET /tenants/{id}", "GET", f"/v1.0/tenants/{tid}")
        rt("PUT /tenants/{id}", "PUT", f"/v1.0/tenants/{tid}",
           {"contactEmail": f"c-{unique().lower()}@example.com"})
        rt("PATCH /tenants/{id}/status", "PATCH", f"/v1.0/tenants/{tid}/status",
           {"status": "ACTIVE"})
        rt("POST /tenants/{id}/suspend", "POST", f"/v1.0/tenants/{tid}/suspend", {"reason": "round trips"})
        rt("POST /tenants/{id}/resume", "POST", f"/v1.0/tenants/{tid}/resume", {})
        rt("GET /tenants/{id}/audit", "GET", f"/v1.0/tenants/{tid}/audit")

        address = f"member-{unique().lower()}@example.com"
        member = rt("POST /tenants/{id}/users", "POST", f"/v1.0/tenants/{tid}/users",
                    {"email": address, "role": "Viewer"}, expect=201).body
        uid = member["userId"]
        rt("GET /tenants/{id}/users", "GET", f"/v1.0/tenants/{tid}/users")
        rt("PUT /tenants/{id}/users/{userId}", "PUT", f"/v1.0/tenants/{tid}/users/{uid}",
           {"role": "Operator"})
        rt("GET /users/{userId}/tenants", "GET", f"/v1.0/users/{uid}/tenants")
        rt("GET /tenants/{id} (member)", "GET", f"/v1.0/tenants/{tid}",
           client=self.server.client(self.server.token(address)))
        rt("DELETE /tenants/{id}/users/{userId}", "DELETE", f"/v1.0/tenants/{tid}/users/{uid}",
           expect=204)

        rt("GET /tenants/{id}/hierarchy", "GET", f"/v1.0/tenants/{tid}/hierarchy")
        rt("PUT /tenants/{id}/hierarchy", "PUT", f"/v1.0/tenants/{tid}/hierarchy",
           {"divisions": [{"name": "Sales", "groups": []}]})

        invitation = rt("POST /tenants/{id}/invitations", "POST",
                        f"/v1.0/tenants/{tid}/invitations",
                        {"email": f"inv-{unique().lower()}@example.com", "role": "Viewer"},
                        expect=201).body
        rt("GET /tenants/{id}/invitations", "GET", f"/v1.0/tenants/{tid}/invitations")
        rt("DELETE /tenants/{id}/invitations/{invitationId}", "DELETE",
           f"/v1.0/tenants/{tid}/invitations/{invitation['invitationId']}")

        created = rt("POST /tenants/{id}/instances", "POST", f"/v1.0/tenants/{tid}/instances",
                     {"tier": "STANDARD"}, expect=202).body
        iid = created["instanceId"]
        rt("GET /instances/{id}", "GET", f"/v1.0/instances/{iid}")
        rt("GET /tenants/{id}/instances", "GET", f"/v1.0/tenants/{tid}/instances")
        rt("GET /instances/{id}/status", "GET", f"/v1.0/instances/{iid}/status")
        rt("GET /operations/{operationId}", "GET", f"/v1.0/operations/{created['operationId']}")
        self.wait_active(iid)
        rt("PUT /instances/{id}/size", "PUT", f"/v1.0/instances/{iid}/size", {"desiredCount": 3})

        other = self.create_tenant()
        rt("DELETE /tenants/{id}", "DELETE", f"/v1.0/tenants/{other['tenantId']}")

    def wait_active(self, instance_id):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = self.admin.get(f"/v1.0/instances/{instance_id}").body.get("state")
            if state == "ACTIVE":
                return
            time.sleep(0.05)
        self.fail(f"instance {instance_id} did not become ACTIVE")


if __name__ == "__main__":
    unittest.main()
