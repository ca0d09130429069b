"""Invitations (docs/invitations.md) over real HTTP: create in both forms, refusals, lists with filters
and merged Admin pages, links, cancel, resend (new token, limit), accept (membership, races),
decline, expiry (read-time and swept), authorisation, invalid bodies, and that the token lives
only in the notification. The token is taken from events.ndjson, as an invitee would get it."""
import datetime
import os
import time
import unittest
import urllib.parse

import harness
from harness import ServerTestCase, read_events, run_concurrently, unique, wait_for

# Every query parameter of the accept link is easy to parse; the token is a base64url string.
INVITE_URL = "https://invite.test/accept?invitation={invitationId}&tenant={tenantId}&token={token}"
ENV = {"INVITE_URL_TEMPLATE": INVITE_URL}
UNKNOWN_TENANT = "tenant-00000000-0000-4000-8000-000000000000"
UNKNOWN_INVITATION = "inv-00000000-0000-4000-8000-000000000000"
NOTIFIED = ("INVITATION_CREATED", "INVITATION_RESENT")

server = None


def setUpModule():
    global server
    server = harness.start_shared(ENV)


def tearDownModule():
    harness.stop_shared(server)


def email(prefix="inv"):
    return f"{prefix}-{unique().lower()}@example.com"


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)


def distinct(events):
    """Delivery is at least once: one entry per event id, in file order."""
    seen, out = set(), []
    for e in events:
        if e["id"] not in seen:
            seen.add(e["id"])
            out.append(e)
    return out


def invitation_events(srv, invitation_id, types):
    def mine(e):
        d = e.get("detail") if isinstance(e.get("detail"), dict) else {}
        after = d.get("after") if isinstance(d.get("after"), dict) else {}
        return e.get("detail-type") in types and after.get("invitationId") == invitation_id
    return distinct([e for e in read_events(srv.events_path()) if mine(e)])


def tokens_from_events(srv, invitation_id):
    """The tokens of the invitation's notifications (create, then each resend), in order."""
    tokens = []
    for e in invitation_events(srv, invitation_id, NOTIFIED):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(e["detail"]["acceptUrl"]).query)
        assert query["invitation"] == [invitation_id], e
        assert query["tenant"] == [e["detail"]["tenantId"]], e
        tokens.append(query["token"][0])
    return tokens


class InvitationTestCase(ServerTestCase):
    def invite(self, tenant_id, address, role="Viewer", client=None, **extra):
        body = {"email": address, "role": role}
        body.update(extra)
        reply = (client or self.admin).post(f"/v1.0/tenants/{tenant_id}/invitations", body)
        self.assertEqual(reply.status, 201, reply)
        return reply.body

    def token(self, invitation_id, sends=1):
        """The newest token once the invitation's `sends`-th notification was delivered."""
        tokens = wait_for(lambda: (lambda t: t if len(t) >= sends else None)(
            tokens_from_events(self.server, invitation_id)), timeout=5.0)
        self.assertTrue(tokens, f"notification {sends} of {invitation_id} not delivered")
        self.assertEqual(len(tokens), sends, tokens)
        self.assertRegex(tokens[-1], r"^[A-Za-z0-9_-]{43}$")
        return tokens[-1]

    def user(self, address, groups=()):
        return self.server.client(self.server.token(address, groups))

    def assign(self, tenant_id, address, role):
        reply = self.admin.post(f"/v1.0/tenants/{tenant_id}/users",
                                {"email": address, "role": role})
        self.assertEqual(reply.status, 201, reply)
        return reply.body

    def accept(self, client, invitation_id, token):
        return client.post(f"/v1.0/invitations/{invitation_id}/accept", {"token": token})

    def decline(self, client, invitation_id, token):
        return client.post(f"/v1.0/invitations/{invitation_id}/decline", {"token": token})

    def get(self, invitation_id):
        reply = self.admin.get(f"/v1.0/invitations/{invitation_id}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def members(self, tenant_id):
        reply = self.admin.get(f"/v1.0/tenants/{tenant_id}/users?limit=100")
        self.assertEqual(reply.status, 200, reply)
        return reply.body["items"]

    def list_all(self, client, path):
        """Every item of a paged list, following nextToken; asserts each page's size."""
        items, token, pages = [], None, 0
        while True:
            sep = "&" if "?" in path else "?"
            reply = client.get(path + (f"{sep}nextToken={token}" if token else ""))
            self.assertEqual(reply.status, 200, reply)
            items += reply.body["items"]
            pages += 1
            token = reply.body["nextToken"]
            self.assertEqual(reply.body["moreAvailable"], token is not None, reply)
            if not token:
                return items, pages


class CreateTest(InvitationTestCase):
    def test_both_forms_create_a_pending_invitation_with_location_and_etag(self):
        t = self.create_tenant()
        tid = t["tenantId"]
        nested_address, flat_address = email(), email()
        nested = self.admin.post(f"/v1.0/tenants/{tid}/invitations",
                                 {"email": " " + nested_address.upper(), "role": "Operator",
                                  "message": "Welcome aboard"})
        flat = self.admin.post("/invitations",
                               {"tenantId": tid, "email": flat_address, "role": "Admin"})
        for reply, address in ((nested, nested_address), (flat, flat_address)):
            self.assertEqual(reply.status, 201, reply)
            inv = reply.body
            self.assertRegex(inv["invitationId"], r"^inv-" + harness.UUID_RE + "$")
            self.assertEqual(reply.headers["Location"], f"/v1.0/invitations/{inv['invitationId']}")
            self.assertEqual(reply.headers["ETag"], '"1"')
            self.assertEqual((inv["tenantId"], inv["email"], inv["status"]),
                             (tid, address, "PENDING"))
            self.assertEqual((inv["resendCount"], inv["version"]), (0, 1))
            self.assertEqual(inv["createdBy"], self.server.admin_email)
            self.assertEqual(inv["lastSentAt"], inv["createdAt"])
            # The default time to live is 7 days.
            self.assertEqual(parse_time(inv["expiresAt"]) - parse_time(inv["createdAt"]),
                             datetime.timedelta(days=7))
            for absent in ("acceptedAt", "acceptedBy", "declinedAt", "cancelledAt",
                           "cancelledBy", "division", "group", "team", "token", "tokenHash"):
                self.assertNotIn(absent, inv)
            self.assertEqual(set(inv["_links"]), {"self", "tenant", "cancel", "resend"})
            read = self.admin.get(reply.headers["Location"])
            self.assertEqual(read.status, 200, read)
            self.assertEqual(read.body, inv)
        self.assertEqual(nested.body["role"], "Operator")
        self.assertEqual(nested.body["message"], "Welcome aboard")
        self.assertEqual(flat.body["role"], "Admin")
        self.assertNotIn("message", flat.body)
        for inv in (nested.body, flat.body):
            self.token(inv["invitationId"])  # the notification carries the accept link

    def test_a_second_pending_invitation_for_the_same_email_is_409(self):
        t, other = self.create_tenant(), self.create_tenant()
        address = email()
        first = self.invite(t["tenantId"], address)
        again = self.admin.post("/v1.0/invitations",
                                {"tenantId": t["tenantId"], "email": address.upper(),
                                 "role": "Admin"})
        self.assertError(again, 409, "DUPLICATE_INVITATION")
        self.assertEqual(again.body["error"]["details"]["invitationId"], first["invitationId"])
        self.invite(other["tenantId"], address)  # another tenant: its own invitation
        # Once the first is no longer pending, the address can be invited again.
        self.assertEqual(self.admin.delete(f"/v1.0/invitations/{first['invitationId']}").status,
                         200)
        self.invite(t["tenantId"], address)
        listed = self.admin.get(f"/v1.0/tenants/{t['tenantId']}/invitations")
        self.assertEqual(listed.body["count"], 2)

    def test_inviting_a_member_is_409_user_already_member(self):
        t = self.create_tenant()
        address = email()
        self.assign(t["tenantId"], address, "Viewer")
        reply = self.admin.post(f"/v1.0/tenants/{t['tenantId']}/invitations",
                                {"email": address.upper(), "role": "Admin"})
        self.assertError(reply, 409, "USER_ALREADY_MEMBER")
        self.assertEqual(
            self.admin.get(f"/v1.0/tenants/{t['tenantId']}/invitations").body["count"], 0)

    def test_a_deprovisioned_tenant_takes_no_invitations(self):
        t = self.create_tenant()
        pending = self.invite(t["tenantId"], email())
        self.assertEqual(self.admin.delete(f"/v1.0/tenants/{t['tenantId']}").status, 200)
        for reply in (self.admin.post(f"/v1.0/tenants/{t['tenantId']}/invitations",
                                      {"email": email(), "role": "Viewer"}),
                      self.admin.post("/v1.0/invitations", {"tenantId": t["tenantId"],
                                                            "email": email(), "role": "Viewer"}),
                      self.admin.post(f"/v1.0/invitations/{pending['invitationId']}/resend")):
            self.assertError(reply, 422, "TENANT_NOT_ACTIVE")
        self.assertEqual(self.get(pending["invitationId"])["resendCount"], 0)

    def test_invalid_bodies_are_400_and_create_nothing(self):
        t = self.create_tenant()
        path = f"/v1.0/tenants/{t['tenantId']}/invitations"
        bad = self.admin.post(path, {"email": "not-an-email", "role": "Owner", "colour": "x",
                                     "message": "m" * 1001})
        self.assertFieldError(bad, "email")
        self.assertFieldError(bad, "role", "INVALID_VALUE")
        self.assertFieldError(bad, "colour", "UNKNOWN_FIELD")
        self.assertFieldError(bad, "message")
        missing = self.admin.post(path, {})
        self.assertFieldError(missing, "email", "REQUIRED")
        self.assertFieldError(missing, "role", "REQUIRED")
        self.assertFieldError(self.admin.post("/v1.0/invitations",
                                              {"email": email(), "role": "Viewer"}),
                              "tenantId", "REQUIRED")
        # The nested form names the tenant in the path only.
        self.assertFieldError(self.admin.post(path, {"tenantId": t["tenantId"], "email": email(),
                                                     "role": "Viewer"}),
                              "tenantId", "UNKNOWN_FIELD")
        self.assertFieldError(self.admin.post(path, {"email": email(), "role": "Viewer",
                                                     "team": "Runtime"}), "team")
        self.assertError(self.admin.post(path, data=b"{", headers={
            "Content-Type": "application/json"}), 400, "INVALID_JSON")
        self.assertEqual(self.admin.get(path).body["count"], 0)

    def test_invalid_answer_bodies_are_400_and_never_echo_the_token(self):
        t = self.create_tenant()
        address = email()
        inv = self.invite(t["tenantId"], address)
        token = self.token(inv["invitationId"])
        invitee = self.user(address)
        for verb in ("accept", "decline"):
            path = f"/v1.0/invitations/{inv['invitationId']}/{verb}"
            self.assertFieldError(invitee.post(path, {}), "token", "REQUIRED")
            self.assertFieldError(invitee.post(path, {"token": ""}), "token")
            self.assertFieldError(invitee.post(path, {"token": 42}), "token")
            long_token = "L" * 300 + token
            too_long = invitee.post(path, {"token": long_token})
            self.assertFieldError(too_long, "token")
            unknown = invitee.post(path, {"token": token, "extra": token})
            self.assertFieldError(unknown, "extra", "UNKNOWN_FIELD")
            for reply in (too_long, unknown):
                self.assertNotIn(token, reply.text)
                self.assertNotIn(token, str(dict(reply.headers)))
        self.assertEqual(self.get(inv["invitationId"])["status"], "PENDING")

    def test_unknown_tenant_is_404(self):
        self.assertError(self.admin.post(f"/v1.0/tenants/{UNKNOWN_TENANT}/invitations",
                                         {"email": email(), "role": "Viewer"}),
                         404, "TENANT_NOT_FOUND")
        self.assertError(self.admin.post("/invitations", {"tenantId": UNKNOWN_TENANT,
                                                          "email": email(), "role": "Viewer"}),
                         404, "TENANT_NOT_FOUND")


class ListTest(InvitationTestCase):
    def test_status_and_email_filters_in_both_forms(self):
        t = self.create_tenant()
        tid = t["tenantId"]
        addresses = [email("f") for _ in range(3)]
        invs = [self.invite(tid, a) for a in addresses]
        # Creation order; invitations made in the same millisecond follow their ids.
        invs.sort(key=lambda i: (i["createdAt"], i["invitationId"]))
        addresses = [i["email"] for i in invs]
        self.assertEqual(self.admin.delete(f"/v1.0/invitations/{invs[1]['invitationId']}").status,
                         200)
        for base in (f"/v1.0/tenants/{tid}/invitations?", f"/v1.0/invitations?tenantId={tid}&"):
            def ids(query):
                reply = self.admin.get(base + query)
                self.assertEqual(reply.status, 200, reply)
                self.assertEqual(reply.body["count"], len(reply.body["items"]))
                return [i["invitationId"] for i in reply.body["items"]]

            self.assertEqual(ids("limit=100"), [i["invitationId"] for i in invs])
            self.assertEqual(ids("status=PENDING"), [invs[0]["invitationId"],
                                                     invs[2]["invitationId"]])
            self.assertEqual(ids("status=CANCELLED"), [invs[1]["invitationId"]])
            self.assertEqual(ids("status=ACCEPTED"), [])
            self.assertEqual(ids("email=" + addresses[2].upper()), [invs[2]["invitationId"]])
            self.assertEqual(ids(f"email={addresses[1]}&status=CANCELLED"),
                             [invs[1]["invitationId"]])
            self.assertEqual(ids(f"email={addresses[1]}&status=PENDING"), [])
            self.assertFieldError(self.admin.get(base + "status=OPEN"), "status", "INVALID_VALUE")
            self.assertFieldError(self.admin.get(base + "email=nobody"), "email")
            self.assertFieldError(self.admin.get(base + "colour=red"), "colour", "UNKNOWN_FIELD")
        self.assertFieldError(
            self.admin.get(f"/v1.0/tenants/{tid}/invitations?tenantId={tid}"), "tenantId",
            "UNKNOWN_FIELD")
        # A page token is bound to its filters.
        first = self.admin.get(f"/v1.0/tenants/{tid}/invitations?limit=1")
        self.assertTrue(first.body["nextToken"])
        self.assertError(self.admin.get(f"/v1.0/tenants/{tid}/invitations?status=PENDING&limit=1"
                                        f"&nextToken={first.body['nextToken']}"),
                         400, "INVALID_PAGINATION_TOKEN")

    def test_an_admin_of_two_tenants_lists_exactly_their_invitations_in_order(self):
        admin_address = email("admin2")
        t_a, t_b, t_op, t_other = (self.create_tenant() for _ in range(4))
        self.assign(t_a["tenantId"], admin_address, "Admin")
        self.assign(t_b["tenantId"], admin_address, "Admin")
        self.assign(t_op["tenantId"], admin_address, "Operator")
        mine = []
        # Interleaved, so that a correct merge has to alternate between the two tenants.
        for tenant in (t_a, t_b, t_op, t_a, t_other, t_b, t_a, t_op, t_b, t_a):
            inv = self.invite(tenant["tenantId"], email("m"))
            if tenant in (t_a, t_b):
                mine.append(inv)
        expected = [i["invitationId"]
                    for i in sorted(mine, key=lambda i: (i["createdAt"], i["invitationId"]))]
        tenant_admin = self.user(admin_address)
        items, pages = self.list_all(tenant_admin, "/v1.0/invitations?limit=2")
        self.assertEqual([i["invitationId"] for i in items], expected)
        self.assertEqual(pages, 4)  # 7 invitations, 2 per page
        # A filter applies to the merged list as well.
        self.assertEqual(self.admin.delete(f"/v1.0/invitations/{mine[0]['invitationId']}").status,
                         200)
        pending, _ = self.list_all(tenant_admin, "/v1.0/invitations?status=PENDING&limit=2")
        self.assertEqual([i["invitationId"] for i in pending],
                         [i for i in expected if i != mine[0]["invitationId"]])
        cancelled, _ = self.list_all(tenant_admin, "/v1.0/invitations?status=CANCELLED&limit=2")
        self.assertEqual([i["invitationId"] for i in cancelled], [mine[0]["invitationId"]])
        by_email, _ = self.list_all(tenant_admin,
                                    f"/v1.0/invitations?email={mine[3]['email']}&limit=2")
        self.assertEqual([i["invitationId"] for i in by_email], [mine[3]["invitationId"]])
        # A principal that administers nothing sees an empty page.
        nobody = self.user(email("nobody")).get("/v1.0/invitations")
        self.assertEqual((nobody.status, nobody.body["count"]), (200, 0), nobody)


class ReadAndManageTest(InvitationTestCase):
    def test_get_links_cancel_and_resend_while_allowed(self):
        t, other = self.create_tenant(), self.create_tenant()
        inv = self.invite(t["tenantId"], email())
        iid = inv["invitationId"]
        for path in (f"/v1.0/invitations/{iid}", f"/invitations/{iid}",
                     f"/v1.0/tenants/{t['tenantId']}/invitations/{iid}"):
            reply = self.admin.get(path)
            self.assertEqual(reply.status, 200, reply)
            self.assertEqual(reply.headers["ETag"], '"1"')
            self.assertEqual(reply.body["_links"], {
                "self": {"href": f"/v1.0/invitations/{iid}"},
                "tenant": {"href": f"/v1.0/tenants/{t['tenantId']}"},
                "cancel": {"href": f"/v1.0/invitations/{iid}"},
                "resend": {"href": f"/v1.0/invitations/{iid}/resend"}})
        # The wrong tenant in a nested path does not find it.
        for reply in (self.admin.get(f"/v1.0/tenants/{other['tenantId']}/invitations/{iid}"),
                      self.admin.delete(f"/v1.0/tenants/{other['tenantId']}/invitations/{iid}"),
                      self.admin.post(
                          f"/v1.0/tenants/{other['tenantId']}/invitations/{iid}/resend"),
                      self.admin.get(f"/v1.0/invitations/{UNKNOWN_INVITATION}"),
                      self.admin.get("/v1.0/invitations/123")):
            self.assertError(reply, 404, "INVITATION_NOT_FOUND")
        self.assertEqual(self.get(iid)["status"], "PENDING")
        self.assertEqual(self.get(iid)["resendCount"], 0)

    def test_cancel_returns_the_cancelled_invitation_then_422(self):
        t = self.create_tenant()
        address = email()
        inv = self.invite(t["tenantId"], address)
        iid = inv["invitationId"]
        token = self.token(iid)
        path = f"/v1.0/tenants/{t['tenantId']}/invitations/{iid}"
        self.assertError(self.admin.delete(path, headers={"If-Match": '"9"'}), 412,
                         "PRECONDITION_FAILED")
        reply = self.admin.delete(path, headers={"If-Match": '"1"'})
        self.assertEqual(reply.status, 200, reply)
        c = reply.body
        self.assertEqual((c["status"], c["version"], c["cancelledBy"]),
                         ("CANCELLED", 2, self.server.admin_email))
        self.assertRegex(c["cancelledAt"], harness.TIMESTAMP_RE)
        self.assertEqual(reply.headers["ETag"], '"2"')
        self.assertEqual(set(c["_links"]), {"self", "tenant"})
        again = self.admin.delete(f"/v1.0/invitations/{iid}")
        self.assertError(again, 422, "INVITATION_NOT_PENDING")
        self.assertEqual(again.body["error"]["details"]["currentStatus"], "CANCELLED")
        self.assertError(self.admin.post(f"/v1.0/invitations/{iid}/resend"), 422,
                         "INVITATION_NOT_PENDING")
        self.assertError(self.accept(self.user(address), iid, token), 422,
                         "INVITATION_NOT_PENDING")
        self.assertEqual(self.members(t["tenantId"]), [])
        self.assertEqual(self.get(iid), {**c})

    def test_resend_issues_a_new_token_and_stops_after_five(self):
        t = self.create_tenant()
        address = email()
        inv = self.invite(t["tenantId"], address)
        iid = inv["invitationId"]
        first_token = self.token(iid)
        time.sleep(0.01)  # a later lastSentAt / expiresAt
        reply = self.admin.post(f"/v1.0/invitations/{iid}/resend")
        self.assertEqual(reply.status, 200, reply)
        r = reply.body
        self.assertEqual((r["status"], r["resendCount"], r["version"]), ("PENDING", 1, 2))
        self.assertEqual(reply.headers["ETag"], '"2"')
        self.assertGreater(r["lastSentAt"], inv["lastSentAt"])
        self.assertGreater(r["expiresAt"], inv["expiresAt"])
        self.assertEqual(r["createdAt"], inv["createdAt"])
        second_token = self.token(iid, sends=2)
        self.assertNotEqual(second_token, first_token)
        invitee = self.user(address)
        # The old token stops working: exactly like an unknown invitation.
        self.assertError(self.accept(invitee, iid, first_token), 404, "INVITATION_NOT_FOUND")
        self.assertError(self.decline(invitee, iid, first_token), 404, "INVITATION_NOT_FOUND")
        for n in range(2, 6):
            path = (f"/v1.0/tenants/{t['tenantId']}/invitations/{iid}/resend" if n % 2
                    else f"/invitations/{iid}/resend")
            reply = self.admin.post(path, headers={"If-Match": f'"{n}"'})
            self.assertEqual(reply.status, 200, reply)
            self.assertEqual(reply.body["resendCount"], n)
        self.assertEqual(set(reply.body["_links"]), {"self", "tenant", "cancel"})
        sixth = self.admin.post(f"/v1.0/invitations/{iid}/resend")
        self.assertError(sixth, 422, "QUOTA_EXCEEDED")
        self.assertEqual(self.get(iid)["resendCount"], 5)
        last_token = self.token(iid, sends=6)
        self.assertError(self.accept(invitee, iid, second_token), 404, "INVITATION_NOT_FOUND")
        accepted = self.accept(invitee, iid, last_token)
        self.assertEqual(accepted.status, 200, accepted)


class AnswerTest(InvitationTestCase):
    def test_the_invitee_accepts_and_becomes_a_member(self):
        t = self.create_tenant()
        tid = t["tenantId"]
        address = email()
        inv = self.invite(tid, address, role="Operator")
        iid = inv["invitationId"]
        token = self.token(iid)
        invitee = self.user(address)
        # The invitee may read its own invitation before answering it.
        self.assertEqual(invitee.get(f"/v1.0/invitations/{iid}").status, 200)
        reply = self.accept(invitee, iid, token)
        self.assertEqual(reply.status, 200, reply)
        m = reply.body
        self.assertEqual((m["tenantId"], m["email"], m["role"], m["version"]),
                         (tid, address, "Operator", 1))
        self.assertEqual(reply.headers["ETag"], '"1"')
        self.assertEqual(reply.headers["Location"], f"/v1.0/tenants/{tid}/users/{m['userId']}")
        self.assertEqual([(x["userId"], x["role"]) for x in self.members(tid)],
                         [(m["userId"], "Operator")])
        self.assertEqual(self.admin.get(f"/v1.0/tenants/{tid}").body["memberCount"], 1)
        after = self.get(iid)
        self.assertEqual((after["status"], after["acceptedBy"], after["version"]),
                         ("ACCEPTED", m["userId"], 2))
        self.assertRegex(after["acceptedAt"], harness.TIMESTAMP_RE)
        self.assertEqual(set(after["_links"]), {"self", "tenant"})
        mine = invitee.get("/v1.0/me/tenants")
        self.assertEqual([x["tenantId"] for x in mine.body["items"]], [tid])
        # Final: neither accepted again, declined, cancelled nor resent.
        for again in (self.accept(invitee, iid, token), self.decline(invitee, iid, token),
                      self.admin.delete(f"/v1.0/invitations/{iid}"),
                      self.admin.post(f"/v1.0/invitations/{iid}/resend")):
            self.assertError(again, 422, "INVITATION_NOT_PENDING")
        self.assertEqual(len(self.members(tid)), 1)
        # A member is not invited again.
        self.assertError(self.admin.post(f"/v1.0/tenants/{tid}/invitations",
                                         {"email": address, "role": "Admin"}),
                         409, "USER_ALREADY_MEMBER")

    def test_an_accept_with_an_idempotency_key_commits_once_and_replays(self):
        """The key's APPLIED marker rides in the accept's own transaction (invitation, membership,
        counter, outbox): every store takes it, and a repeat gets the same membership."""
        t = self.create_tenant()
        tid = t["tenantId"]
        address = email()
        iid = self.invite(tid, address, role="Viewer")["invitationId"]
        token = self.token(iid)
        invitee = self.user(address)
        key = {"Idempotency-Key": "accept-" + iid}
        first = invitee.post(f"/v1.0/invitations/{iid}/accept", {"token": token}, headers=key)
        self.assertEqual(first.status, 200, first)
        again = invitee.post(f"/v1.0/invitations/{iid}/accept", {"token": token}, headers=key)
        self.assertEqual((again.status, again.body), (200, first.body))
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual([x["role"] for x in self.members(tid)], ["Viewer"])
        self.assertEqual(self.get(iid)["status"], "ACCEPTED")

    def test_another_email_is_403_and_a_wrong_token_404(self):
        t = self.create_tenant()
        address = email()
        inv = self.invite(t["tenantId"], address)
        iid = inv["invitationId"]
        token = self.token(iid)
        other = self.user(email("other"))
        for reply in (self.accept(other, iid, token), self.decline(other, iid, token)):
            self.assertError(reply, 403, "FORBIDDEN")
            self.assertNotIn(token, reply.text)
        invitee = self.user(address)
        wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        for reply in (self.accept(invitee, iid, wrong), self.decline(invitee, iid, wrong),
                      self.accept(other, iid, wrong),  # the token is checked first
                      self.accept(invitee, UNKNOWN_INVITATION, token)):
            self.assertError(reply, 404, "INVITATION_NOT_FOUND")
            self.assertNotIn(wrong, reply.text)
        self.assertError(invitee.post(f"/v1.0/invitations/{iid}/accept", {"token": token},
                                      token=None), 401, "UNAUTHORIZED")
        self.assertEqual(self.members(t["tenantId"]), [])
        self.assertEqual(self.get(iid)["status"], "PENDING")
        self.assertEqual(self.accept(invitee, iid, token).status, 200)

    def test_concurrent_accepts_create_exactly_one_membership(self):
        for _ in range(3):
            t = self.create_tenant()
            address = email("race")
            inv = self.invite(t["tenantId"], address, role="Admin")
            iid = inv["invitationId"]
            token = self.token(iid)
            bearer = self.server.token(address)

            def go(_):
                client = self.server.client(bearer)
                try:
                    return self.accept(client, iid, token)
                finally:
                    client.close()

            replies = run_concurrently(6, go)
            self.assertEqual(sorted(r.status for r in replies), [200] + [422] * 5, replies)
            self.assertEqual({r.code for r in replies if r.status == 422},
                             {"INVITATION_NOT_PENDING"})
            winner = next(r.body for r in replies if r.status == 200)
            self.assertEqual([m["userId"] for m in self.members(t["tenantId"])],
                             [winner["userId"]])
            self.assertEqual(self.admin.get(f"/v1.0/tenants/{t['tenantId']}").body["memberCount"],
                             1)
            self.assertEqual(self.get(iid)["version"], 2)
            accepted = wait_for(lambda: invitation_events(self.server, iid,
                                                          ("INVITATION_ACCEPTED",)))
            time.sleep(0.3)  # a second (wrong) event would have arrived by now
            self.assertEqual(len(invitation_events(self.server, iid, ("INVITATION_ACCEPTED",))),
                             1, accepted)

    def test_the_invitee_declines(self):
        t = self.create_tenant()
        address = email()
        inv = self.invite(t["tenantId"], address)
        iid = inv["invitationId"]
        token = self.token(iid)
        invitee = self.user(address)
        reply = self.decline(invitee, iid, token)
        self.assertEqual(reply.status, 200, reply)
        d = reply.body
        self.assertEqual((d["status"], d["version"]), ("DECLINED", 2))
        self.assertRegex(d["declinedAt"], harness.TIMESTAMP_RE)
        self.assertNotIn("acceptedAt", d)
        self.assertEqual(set(d["_links"]), {"self", "tenant"})
        self.assertEqual(reply.headers["ETag"], '"2"')
        self.assertError(self.accept(invitee, iid, token), 422, "INVITATION_NOT_PENDING")
        self.assertError(self.decline(invitee, iid, token), 422, "INVITATION_NOT_PENDING")
        self.assertEqual(self.members(t["tenantId"]), [])
        self.assertEqual(self.get(iid)["status"], "DECLINED")
        self.invite(t["tenantId"], address)  # declined: the address may be invited again
        self.assertTrue(wait_for(lambda: invitation_events(self.server, iid,
                                                           ("INVITATION_DECLINED",))))


class AuthorisationTest(InvitationTestCase):
    def test_who_may_do_what(self):
        t = self.create_tenant()
        tid = t["tenantId"]
        admin_a, operator_a, viewer_a = email("ta"), email("to"), email("tv")
        self.assign(tid, admin_a, "Admin")
        self.assign(tid, operator_a, "Operator")
        self.assign(tid, viewer_a, "Viewer")
        tenant_admin = self.user(admin_a)
        created = tenant_admin.post("/v1.0/invitations",
                                    {"tenantId": tid, "email": email(), "role": "Viewer"})
        self.assertEqual(created.status, 201, created)
        self.assertEqual(created.body["createdBy"], admin_a)
        iid = created.body["invitationId"]
        self.assertEqual(tenant_admin.get(f"/v1.0/tenants/{tid}/invitations").body["count"], 1)
        nested = f"/v1.0/tenants/{tid}/invitations"
        body = {"email": email(), "role": "Viewer"}
        for weak in (self.user(operator_a), self.user(viewer_a)):
            for reply in (weak.post(nested, body),
                          weak.post("/v1.0/invitations", {"tenantId": tid, **body}),
                          weak.get(nested), weak.get(f"/v1.0/invitations?tenantId={tid}"),
                          weak.get(f"/v1.0/invitations/{iid}"),
                          weak.delete(f"/v1.0/invitations/{iid}"),
                          weak.post(f"/v1.0/invitations/{iid}/resend")):
                self.assertError(reply, 403, "FORBIDDEN")
            self.assertEqual(weak.get("/v1.0/invitations").body["count"], 0)
        platform_operator = self.user(email("pop"), ["platform-operators"])
        self.assertEqual(platform_operator.get(nested).body["count"], 1)
        self.assertEqual(platform_operator.get(f"/v1.0/invitations/{iid}").status, 200)
        everything, _ = self.list_all(platform_operator, "/v1.0/invitations?limit=100")
        self.assertIn(iid, [i["invitationId"] for i in everything])
        for reply in (platform_operator.post(nested, body),
                      platform_operator.post("/v1.0/invitations", {"tenantId": tid, **body}),
                      platform_operator.delete(f"/v1.0/invitations/{iid}"),
                      platform_operator.post(f"/v1.0/invitations/{iid}/resend")):
            self.assertError(reply, 403, "FORBIDDEN")
        stranger = self.user(email("stranger"))
        for reply in (stranger.post(nested, body), stranger.get(nested),
                      stranger.post("/v1.0/invitations", {"tenantId": tid, **body}),
                      stranger.get(f"/v1.0/invitations?tenantId={tid}")):
            self.assertError(reply, 404, "TENANT_NOT_FOUND")
        for reply in (stranger.get(f"/v1.0/invitations/{iid}"),
                      stranger.get(f"/v1.0/tenants/{tid}/invitations/{iid}"),
                      stranger.delete(f"/v1.0/invitations/{iid}"),
                      stranger.post(f"/v1.0/invitations/{iid}/resend")):
            self.assertError(reply, 404, "INVITATION_NOT_FOUND")
        self.assertEqual(stranger.get("/v1.0/invitations").body["count"], 0)
        self.assertError(self.server.client().get(nested), 401, "UNAUTHORIZED")
        after = self.get(iid)
        self.assertEqual((after["status"], after["resendCount"], after["version"]),
                         ("PENDING", 0, 1))
        self.assertEqual(self.admin.get(nested).body["count"], 1)


class ExpiryTest(InvitationTestCase):
    """A server of its own whose invitations live 3 s and whose sweep runs every second."""

    expiring = None

    @classmethod
    def setUpClass(cls):
        cls.expiring = harness.Server(env={**ENV, "INVITATION_TTL": "3s",
                                           "INVITATION_SWEEP_INTERVAL": "1s"}).start()

    @classmethod
    def tearDownClass(cls):
        harness.stop_shared(cls.expiring)

    def setUp(self):
        self.server = self.expiring  # this class's helpers talk to the short-lived server

    def test_an_expired_invitation_is_410_reads_expired_and_is_swept_once(self):
        t = self.create_tenant()
        address = email()
        inv = self.invite(t["tenantId"], address)
        iid = inv["invitationId"]
        expires = parse_time(inv["expiresAt"])
        self.assertEqual(expires - parse_time(inv["createdAt"]), datetime.timedelta(seconds=3))
        token = self.token(iid)
        keep = self.invite(t["tenantId"], email())  # cancelled before expiry: never swept
        self.assertEqual(self.admin.delete(f"/v1.0/invitations/{keep['invitationId']}").status,
                         200)
        remaining = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        time.sleep(max(0.0, remaining) + 0.05)
        invitee = self.user(address)
        # At once on read, whether or not the sweep has stored it yet.
        for reply in (self.accept(invitee, iid, token), self.decline(invitee, iid, token)):
            self.assertError(reply, 410, "INVITATION_EXPIRED")
            self.assertEqual(reply.body["error"]["details"]["expiresAt"], inv["expiresAt"])
        read = self.get(iid)
        self.assertEqual(read["status"], "EXPIRED")
        self.assertEqual(set(read["_links"]), {"self", "tenant", "cancel", "resend"})
        path = f"/v1.0/tenants/{t['tenantId']}/invitations"
        self.assertEqual([i["invitationId"] for i in
                          self.admin.get(path + "?status=EXPIRED").body["items"]], [iid])
        self.assertEqual(self.admin.get(path + "?status=PENDING").body["count"], 0)
        self.assertEqual(self.members(t["tenantId"]), [])
        swept = wait_for(lambda: invitation_events(self.server, iid, ("INVITATION_EXPIRED",)),
                         timeout=5.0)
        self.assertTrue(swept, "no INVITATION_EXPIRED event within 5 s")
        time.sleep(2.5)  # more sweeps ran: none may expire it again
        self.assertEqual(len(invitation_events(self.server, iid, ("INVITATION_EXPIRED",))), 1)
        self.assertEqual(swept[0]["detail"]["after"]["status"], "EXPIRED")
        self.assertEqual(invitation_events(self.server, keep["invitationId"],
                                           ("INVITATION_EXPIRED",)), [])
        stored = self.get(iid)
        self.assertEqual((stored["status"], stored["version"]), ("EXPIRED", 2))
        # Resending revives it with a fresh token; the expired one still does not work.
        revived = self.admin.post(f"/v1.0/invitations/{iid}/resend")
        self.assertEqual(revived.status, 200, revived)
        self.assertEqual((revived.body["status"], revived.body["resendCount"]), ("PENDING", 1))
        fresh = self.token(iid, sends=2)
        self.assertError(self.accept(invitee, iid, token), 404, "INVITATION_NOT_FOUND")
        accepted = self.accept(invitee, iid, fresh)
        self.assertEqual(accepted.status, 200, accepted)

    def test_an_expired_invitation_can_be_cancelled(self):
        t = self.create_tenant()
        inv = self.invite(t["tenantId"], email())
        remaining = (parse_time(inv["expiresAt"]) -
                     datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        time.sleep(max(0.0, remaining) + 0.05)
        self.assertEqual(self.get(inv["invitationId"])["status"], "EXPIRED")
        reply = self.admin.delete(f"/v1.0/invitations/{inv['invitationId']}")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["status"], "CANCELLED")


class RecordingClient(harness.Client):
    """Keeps every response (status line, headers, body) for the leak check."""

    def __init__(self, base_url, token, log):
        super().__init__(base_url, token)
        self.log = log

    def request(self, *args, **kw):
        reply = super().request(*args, **kw)
        self.log.append(reply)
        return reply


class TokenLeakTest(InvitationTestCase):
    """The plain token exists only in the notification: not in any response, log line or file
    of the data dir but events.ndjson (docs/invitations.md)."""

    def setUp(self):
        self.server = harness.Server(env={**ENV, "LOG_LEVEL": "debug"}).start()
        self.addCleanup(self.server.cleanup)
        self.replies = []

    def recording(self, bearer):
        return RecordingClient(self.server.base_url, bearer, self.replies)

    def snapshot(self):
        files = {}
        for name in sorted(os.listdir(self.server.data_dir)):
            full = os.path.join(self.server.data_dir, name)
            if os.path.isfile(full):
                with open(full, "rb") as f:
                    files[name] = f.read()
        if self.server.env.get("STORE") in ("dynamodb", "postgres"):
            for table, items in self.server.stored_items().items():
                files[self.server.env["STORE"] + ":" + table] = items.encode()
        return files

    def test_tokens_appear_only_in_events_ndjson(self):
        admin = self.recording(self.server.admin_token())
        t = admin.post("/v1.0/tenants", harness.tenant_body()).body
        tid = t["tenantId"]
        a_address, b_address, c_address = email("a"), email("b"), email("c")
        a = admin.post(f"/v1.0/tenants/{tid}/invitations", {"email": a_address, "role": "Admin"})
        self.assertEqual(a.status, 201, a)
        a_id = a.body["invitationId"]
        first = self.token(a_id)
        self.assertEqual(admin.post(f"/v1.0/invitations/{a_id}/resend").status, 200)
        second = self.token(a_id, sends=2)
        a_client = self.recording(self.server.token(a_address))
        self.assertEqual(self.accept(a_client, a_id, first).status, 404)
        self.assertEqual(self.accept(self.recording(self.server.token(b_address)), a_id,
                                     second).status, 403)
        self.assertEqual(self.accept(a_client, a_id, second).status, 200)
        self.assertEqual(self.accept(a_client, a_id, second).status, 422)
        b = admin.post("/v1.0/invitations", {"tenantId": tid, "email": b_address,
                                             "role": "Viewer"})
        b_id = b.body["invitationId"]
        b_token = self.token(b_id)
        self.assertEqual(self.decline(self.recording(self.server.token(b_address)), b_id,
                                      b_token).status, 200)
        c = admin.post(f"/v1.0/tenants/{tid}/invitations", {"email": c_address, "role": "Viewer"})
        c_id = c.body["invitationId"]
        c_token = self.token(c_id)
        self.assertEqual(admin.delete(f"/v1.0/invitations/{c_id}").status, 200)
        for path in (f"/v1.0/invitations?tenantId={tid}", f"/v1.0/tenants/{tid}/audit?limit=100",
                     f"/v1.0/invitations/{a_id}", f"/v1.0/invitations/{b_id}",
                     f"/v1.0/invitations/{c_id}", "/metrics"):
            admin.get(path)
        tokens = [first, second, b_token, c_token]
        self.assertEqual(len(set(tokens)), 4)
        running = self.snapshot()  # the WAL and shared memory as they are while serving
        self.server.stop()
        stopped = self.snapshot()
        self.assertIn("events.ndjson", stopped)
        # The store was among the places checked: the SQLite files, or the DynamoDB / PostgreSQL
        # tables.
        self.assertTrue(any(name.startswith(("tenantd", "dynamodb:bbws-invitations",
                                             "postgres:bbws-invitations"))
                            for name in stopped), list(stopped))
        self.assertGreater(len(self.replies), 15)
        for token in tokens:
            self.assertIn(token.encode(), stopped["events.ndjson"])
            for reply in self.replies:
                self.assertNotIn(token, reply.text, reply)
                for name, value in reply.headers.items():
                    self.assertNotIn(token, f"{name}: {value}", reply)
            self.assertNotIn(token, "\n".join(self.server.stdout_lines))
            for snapshot in (running, stopped):
                for name, data in snapshot.items():
                    if name != "events.ndjson":
                        self.assertNotIn(token.encode(), data, f"token found in {name}")
        self.assertIn("stderr.log", stopped)  # the server's log was among the files checked


if __name__ == "__main__":
    unittest.main()
