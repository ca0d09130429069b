"""Tenants (docs/tenants.md) over real HTTP: create, validation, reads, updates, concurrency,
lifecycle, soft delete, audit, lists and pagination, idempotency."""
import json
import time
import unittest
import uuid

import harness
from harness import ServerTestCase, run_concurrently, tenant_body, unique

server = None


def setUpModule():
    global server
    server = harness.start_shared()


def tearDownModule():
    harness.stop_shared(server)


UNKNOWN_ID = "tenant-00000000-0000-4000-8000-000000000000"
LIFECYCLE_LINKS = {"park", "unpark", "suspend", "resume"}




class CreateTest(ServerTestCase):
    def test_create_returns_201_pending_tenant_with_location_and_etag(self):
        name = "Acme " + unique()
        reply = self.admin.post("/v1.0/tenants", {
            "organizationName": "  " + name + "  ", "contactEmail": "  Ops.Team@Example.COM ",
            "environment": "sit", "metadata": {"plan": "gold", "seats": 5, "vip": True}})
        self.assertEqual(reply.status, 201, reply)
        t = reply.body
        self.assertRegex(t["tenantId"], harness.TENANT_ID_RE)
        self.assertEqual(reply.headers["Location"], f"/v1.0/tenants/{t['tenantId']}")
        self.assertEqual(reply.headers["ETag"], '"1"')
        self.assertEqual(t["status"], "PENDING")
        self.assertEqual(t["version"], 1)
        self.assertEqual(t["organizationName"], name)
        self.assertEqual(t["contactEmail"], "ops.team@example.com")
        self.assertEqual(t["environment"], "sit")
        self.assertEqual(t["metadata"], {"plan": "gold", "seats": 5, "vip": True})
        self.assertEqual(t["createdBy"], self.server.admin_email)
        self.assertEqual(t["updatedBy"], self.server.admin_email)
        self.assertRegex(t["createdAt"], harness.TIMESTAMP_RE)
        self.assertEqual(t["createdAt"], t["updatedAt"])
        self.assertEqual(t["_links"]["self"]["href"], f"/v1.0/tenants/{t['tenantId']}")
        self.assertFalse(LIFECYCLE_LINKS & set(t["_links"]), t["_links"])

    def test_create_omits_absent_optional_fields(self):
        t = self.create_tenant()
        for absent in ("division", "group", "team", "parkedAt", "parkedBy", "parkReason",
                       "suspendedAt", "suspendedBy", "suspendReason", "deprovisionedAt",
                       "deprovisionedBy"):
            self.assertNotIn(absent, t)

    def test_create_with_hierarchy_placement_keeps_it(self):
        t = self.create_tenant(division="Engineering", group="Platform", team="Runtime")
        self.assertEqual((t["division"], t["group"], t["team"]),
                         ("Engineering", "Platform", "Runtime"))

    def test_organization_name_allows_the_documented_punctuation_and_bounds(self):
        for name in ("O'Brien & Sons, Co. (Ltd)-" + unique("x"), "Q" + unique("")[:1],
                     ("N" + unique()) .ljust(100, "z")):
            reply = self.admin.post("/tenants", tenant_body(name))
            self.assertEqual(reply.status, 201, reply)
            self.assertEqual(reply.body["organizationName"], name)

    def test_organization_name_accepts_unicode_letters_counting_characters_not_bytes(self):
        for name in ("Café Zürich " + unique(), "日本語 " + unique(), "é" * 99 + unique("")[:1]):
            reply = self.admin.post("/tenants", tenant_body(name))
            self.assertEqual(reply.status, 201, reply)
            self.assertEqual(reply.body["organizationName"], name)
        reply = self.admin.post("/tenants", tenant_body("é" * 101))
        self.assertFieldError(reply, "organizationName", "TOO_LONG")

    def test_location_header_points_at_the_new_tenant(self):
        reply = self.admin.post("/tenants", tenant_body())
        got = self.admin.get(reply.headers["Location"])
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.body["tenantId"], reply.body["tenantId"])

    def test_get_returns_the_tenant_with_counts_and_etag(self):
        created = self.create_tenant()
        reply = self.admin.get(f"/tenants/{created['tenantId']}")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers["ETag"], '"1"')
        self.assertEqual(reply.body["memberCount"], 0)
        self.assertEqual(reply.body["instanceCount"], 0)
        for key, value in created.items():
            if key not in ("memberCount", "instanceCount"):
                self.assertEqual(reply.body[key], value, key)

    def test_get_unknown_or_malformed_id_is_404_tenant_not_found(self):
        for tid in (UNKNOWN_ID, "123", "tenant-XYZ", "TENANT-" + str(uuid.uuid4())):
            reply = self.admin.get(f"/tenants/{tid}")
            self.assertError(reply, 404, "TENANT_NOT_FOUND")


class ValidationTest(ServerTestCase):
    def post(self, body):
        return self.admin.post("/tenants", body)

    def test_every_problem_is_reported_at_once(self):
        reply = self.post({"organizationName": " x ", "contactEmail": "not-an-email",
                           "environment": "qa", "group": "Platform"})
        self.assertError(reply, 400, "VALIDATION_ERROR")
        fields = {e["field"] for e in reply.field_errors}
        self.assertTrue({"organizationName", "contactEmail", "environment", "group"} <= fields,
                        reply.field_errors)

    def test_missing_required_fields_are_required_errors(self):
        reply = self.post({})
        for field in ("organizationName", "contactEmail", "environment"):
            self.assertFieldError(reply, field, "REQUIRED")

    def test_organization_name_rules(self):
        cases = [("  A  ", "TOO_SHORT"), ("B" * 101, "TOO_LONG"),
                 ("Acme<script>", "INVALID_FORMAT"), ("Acme_Corp", "INVALID_FORMAT"),
                 ("Acme;DROP", "INVALID_FORMAT"), ("   ", None), (123, "INVALID_TYPE")]
        for value, code in cases:
            with self.subTest(value=value):
                self.assertFieldError(self.post(tenant_body(value)), "organizationName", code)

    def test_contact_email_rules(self):
        for value in ("foo", "foo@", "@example.com", "a b@example.com", "a@b", "x" * 250 + "@e.io",
                      42):
            with self.subTest(value=value):
                self.assertFieldError(self.post(tenant_body(contactEmail=value)), "contactEmail")

    def test_environment_must_be_dev_sit_or_prod(self):
        for value in ("qa", "", "production", 1):
            with self.subTest(value=value):
                self.assertFieldError(self.post(tenant_body(environment=value)), "environment")

    def test_hierarchy_names_and_dependencies(self):
        self.assertFieldError(self.post(tenant_body(division="A")), "division", "TOO_SHORT")
        self.assertFieldError(self.post(tenant_body(division="D" * 51)), "division", "TOO_LONG")
        self.assertFieldError(self.post(tenant_body(group="Platform")), "group", "DEPENDENCY")
        self.assertFieldError(self.post(tenant_body(division="Eng", team="Runtime")), "team",
                              "DEPENDENCY")
        self.assertFieldError(self.post(tenant_body(division="Eng", group="P")), "group",
                              "TOO_SHORT")

    def test_metadata_rules(self):
        def metadata_error(metadata):
            reply = self.post(tenant_body(metadata=metadata))
            self.assertError(reply, 400, "VALIDATION_ERROR")
            self.assertTrue(any(e["field"].startswith("metadata") for e in reply.field_errors),
                            reply.field_errors)

        metadata_error("not an object")
        metadata_error([1, 2])
        metadata_error({"nested": {"a": 1}})
        metadata_error({"list": [1]})
        metadata_error({"nothing": None})
        metadata_error({f"k{i}": i for i in range(51)})
        metadata_error({f"k{i}": "v" * 200 for i in range(45)})  # about 9.5 KiB serialised
        ok = self.post(tenant_body(metadata={f"k{i}": i for i in range(50)}))
        self.assertEqual(ok.status, 201, ok)

    def test_unknown_field_is_rejected(self):
        reply = self.post(tenant_body(colour="red"))
        self.assertFieldError(reply, "colour")
        reply = self.post(tenant_body(status="ACTIVE"))
        self.assertError(reply, 400, "VALIDATION_ERROR")

    def test_body_must_be_a_json_object(self):
        for body in ([], "text", 42, None):
            with self.subTest(body=body):
                reply = self.admin.request("POST", "/tenants", data=json.dumps(body).encode(),
                                           headers={"Content-Type": "application/json"})
                self.assertEqual(reply.status, 400, reply)
                self.assertIn(reply.code, ("VALIDATION_ERROR", "INVALID_JSON"))

    def test_malformed_json_is_400_invalid_json(self):
        for data in (b'{"organizationName": ', b"{'a': 1}", b'{"a":1}}', b"\xff\xfe{}",
                     b'{"a": 1,}'):
            with self.subTest(data=data):
                reply = self.admin.request("POST", "/tenants", data=data,
                                           headers={"Content-Type": "application/json"})
                self.assertError(reply, 400, "INVALID_JSON")

    def test_wrong_or_missing_content_type_is_415(self):
        data = json.dumps(tenant_body()).encode()
        for content_type in ("text/plain", "application/x-www-form-urlencoded",
                             "application/xml"):
            reply = self.admin.request("POST", "/tenants", data=data,
                                       headers={"Content-Type": content_type})
            self.assertError(reply, 415, "UNSUPPORTED_MEDIA_TYPE")
        reply = harness.raw_http(self.server.port, "POST", "/tenants",
                                 {"Content-Length": str(len(data))}, data,
                                 token=self.server.admin_token())
        self.assertError(reply, 415, "UNSUPPORTED_MEDIA_TYPE")

    def test_json_content_type_with_charset_is_accepted(self):
        reply = self.admin.request("POST", "/tenants", data=json.dumps(tenant_body()).encode(),
                                   headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(reply.status, 201, reply)

    def test_body_over_64_kib_is_413(self):
        big = json.dumps(tenant_body(metadata={"blob": "x" * (70 * 1024)})).encode()
        reply = harness.raw_http(self.server.port, "POST", "/tenants",
                                 {"Content-Type": "application/json",
                                  "Content-Length": str(len(big))}, big,
                                 token=self.server.admin_token())
        self.assertError(reply, 413, "PAYLOAD_TOO_LARGE")
        # Just under the limit is read and judged on its content instead.
        near = json.dumps(tenant_body(metadata={"blob": "x" * (60 * 1024)})).encode()
        reply = self.admin.request("POST", "/tenants", data=near,
                                   headers={"Content-Type": "application/json"})
        self.assertError(reply, 400, "VALIDATION_ERROR")

    def test_chunked_body_over_64_kib_is_413(self):
        big = json.dumps(tenant_body(metadata={"blob": "x" * (70 * 1024)})).encode()
        chunked = b""
        for i in range(0, len(big), 8192):
            piece = big[i:i + 8192]
            chunked += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        chunked += b"0\r\n\r\n"
        reply = harness.raw_http(self.server.port, "POST", "/tenants",
                                 {"Content-Type": "application/json",
                                  "Transfer-Encoding": "chunked"}, chunked,
                                 token=self.server.admin_token())
        self.assertError(reply, 413, "PAYLOAD_TOO_LARGE")

    def test_failed_validation_creates_nothing(self):
        name = "Nothing " + unique()
        reply = self.post(tenant_body(name, environment="qa"))
        self.assertEqual(reply.status, 400, reply)
        listed = self.admin.get("/tenants", params={"organizationName": name})
        self.assertEqual(listed.body["items"], [])


class UniquenessTest(ServerTestCase):
    def test_duplicate_name_is_409_conflict_case_insensitively(self):
        name = "Dup Name " + unique()
        self.create_tenant(name=name)
        for variant in (name, name.upper(), "  " + name.lower() + " "):
            reply = self.admin.post("/tenants", tenant_body(variant))
            self.assertError(reply, 409, "CONFLICT")

    def test_concurrent_creates_of_one_name_yield_exactly_one_tenant(self):
        name = "Race " + unique()
        token = self.server.admin_token()

        def create(i):
            client = self.server.client(token)
            try:
                return client.post("/tenants", tenant_body(name if i % 2 else name.upper()))
            finally:
                client.close()

        replies = run_concurrently(20, create)
        statuses = sorted(r.status for r in replies)
        self.assertEqual(statuses.count(201), 1, statuses)
        for r in replies:
            if r.status != 201:
                self.assertError(r, 409, "CONFLICT")
        listed = self.admin.get("/tenants", params={"organizationName": name})
        self.assertEqual(len(listed.body["items"]), 1)

    def test_renaming_frees_the_old_name_and_own_name_is_no_conflict(self):
        old = "Old " + unique()
        tid = self.create_tenant(name=old)["tenantId"]
        same = self.admin.put(f"/tenants/{tid}", {"organizationName": old.upper()})
        self.assertEqual(same.status, 200, same)
        new = "New " + unique()
        self.assertEqual(self.admin.put(f"/tenants/{tid}", {"organizationName": new}).status, 200)
        self.assertEqual(self.admin.post("/tenants", tenant_body(old)).status, 201)
        self.assertError(self.admin.post("/tenants", tenant_body(new)), 409, "CONFLICT")

    def test_update_to_a_taken_name_is_409_conflict(self):
        taken = "Taken " + unique()
        self.create_tenant(name=taken)
        tid = self.create_tenant()["tenantId"]
        reply = self.admin.put(f"/tenants/{tid}", {"organizationName": taken.lower()})
        self.assertError(reply, 409, "CONFLICT")
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["version"], 1)


class UpdateTest(ServerTestCase):
    def test_update_changes_fields_bumps_version_and_etag(self):
        tid = self.create_tenant()["tenantId"]
        name = "Renamed " + unique()
        reply = self.admin.put(f"/tenants/{tid}", {"organizationName": f"  {name} ",
                                                   "contactEmail": "NEW@Example.com"})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["organizationName"], name)
        self.assertEqual(reply.body["contactEmail"], "new@example.com")
        self.assertEqual(reply.body["version"], 2)
        self.assertEqual(reply.headers["ETag"], '"2"')
        self.assertGreaterEqual(reply.body["updatedAt"], reply.body["createdAt"])

    def test_metadata_is_merged_key_by_key_and_null_removes(self):
        tid = self.create_tenant(metadata={"a": 1, "b": "x"})["tenantId"]
        reply = self.admin.put(f"/tenants/{tid}", {"metadata": {"a": None, "c": True}})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["metadata"], {"b": "x", "c": True})
        reply = self.admin.put(f"/tenants/{tid}", {"metadata": {"b": 2.5}})
        self.assertEqual(reply.body["metadata"], {"b": 2.5, "c": True})
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["metadata"], {"b": 2.5, "c": True})

    def test_update_validates_like_create(self):
        tid = self.create_tenant()["tenantId"]
        reply = self.admin.put(f"/tenants/{tid}", {"organizationName": "x", "contactEmail": "bad",
                                                   "colour": "red"})
        self.assertError(reply, 400, "VALIDATION_ERROR")
        fields = {e["field"] for e in reply.field_errors}
        self.assertTrue({"organizationName", "contactEmail", "colour"} <= fields, fields)
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["version"], 1)

    def test_environment_is_immutable(self):
        tid = self.create_tenant()["tenantId"]
        reply = self.admin.put(f"/tenants/{tid}", {"environment": "prod"})
        self.assertFieldError(reply, "environment")
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["environment"], "dev")

    def test_update_of_unknown_tenant_is_404(self):
        reply = self.admin.put(f"/tenants/{UNKNOWN_ID}", {"metadata": {"a": 1}})
        self.assertError(reply, 404, "TENANT_NOT_FOUND")

    def test_if_match_stale_is_412_and_matching_applies(self):
        tid = self.create_tenant()["tenantId"]
        self.assertEqual(self.admin.put(f"/tenants/{tid}", {"metadata": {"v": 2}}).status, 200)
        stale = self.admin.put(f"/tenants/{tid}", {"metadata": {"v": 3}},
                               headers={"If-Match": '"1"'})
        self.assertError(stale, 412, "PRECONDITION_FAILED")
        fresh = self.admin.put(f"/tenants/{tid}", {"metadata": {"v": 3}},
                               headers={"If-Match": '"2"'})
        self.assertEqual(fresh.status, 200, fresh)
        self.assertEqual(fresh.body["version"], 3)
        self.assertEqual(fresh.headers["ETag"], '"3"')

    def test_if_match_applies_to_lifecycle_status_and_delete(self):
        tid = self.create_tenant()["tenantId"]
        self.assertError(self.admin.patch(f"/tenants/{tid}/status", {"status": "ACTIVE"},
                                          headers={"If-Match": '"7"'}), 412, "PRECONDITION_FAILED")
        self.assertEqual(self.admin.patch(f"/tenants/{tid}/status", {"status": "ACTIVE"},
                                          headers={"If-Match": '"1"'}).status, 200)
        self.assertError(self.admin.post(f"/tenants/{tid}/park", {"reason": "quiet season now"},
                                         headers={"If-Match": '"1"'}), 412, "PRECONDITION_FAILED")
        self.assertError(self.admin.delete(f"/tenants/{tid}", headers={"If-Match": '"1"'}),
                         412, "PRECONDITION_FAILED")
        self.assertEqual(self.admin.delete(f"/tenants/{tid}", headers={"If-Match": '"2"'}).status,
                         200)

    def test_if_match_accepts_star_and_weak_tags(self):
        tid = self.create_tenant()["tenantId"]
        star = self.admin.put(f"/tenants/{tid}", {"metadata": {"a": 1}}, headers={"If-Match": "*"})
        self.assertEqual(star.status, 200, star)
        weak = self.admin.put(f"/tenants/{tid}", {"metadata": {"a": 2}},
                              headers={"If-Match": 'W/"2"'})
        self.assertEqual(weak.status, 200, weak)
        self.assertEqual(weak.body["version"], 3)

    def test_concurrent_updates_never_lose_an_update(self):
        tid = self.create_tenant()["tenantId"]
        token = self.server.admin_token()

        def update(i):
            client = self.server.client(token)
            try:
                return client.put(f"/tenants/{tid}", {"metadata": {f"k{i}": i}})
            finally:
                client.close()

        replies = run_concurrently(12, update)
        winners = []
        for i, r in enumerate(replies):
            self.assertIn(r.status, (200, 409), r)
            if r.status == 200:
                winners.append(i)
            else:
                self.assertEqual(r.code, "VERSION_CONFLICT", r)
        self.assertTrue(winners)
        final = self.admin.get(f"/tenants/{tid}").body
        self.assertEqual(final["version"], 1 + len(winners))
        self.assertEqual(final["metadata"], {f"k{i}": i for i in winners})


class LifecycleTest(ServerTestCase):
    def links(self, tenant):
        return LIFECYCLE_LINKS & set(tenant["_links"])

    def test_status_patch_walks_pending_to_active(self):
        tid = self.create_tenant()["tenantId"]
        reply = self.admin.patch(f"/tenants/{tid}/status", {"status": "ACTIVE"})
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["status"], "ACTIVE")
        self.assertEqual(reply.body["version"], 2)
        self.assertEqual(reply.headers["ETag"], '"2"')
        self.assertEqual(self.links(reply.body), {"park", "suspend"})

    def test_status_patch_pending_failed_pending(self):
        tid = self.create_tenant()["tenantId"]
        self.assertEqual(self.admin.patch(f"/tenants/{tid}/status",
                                          {"status": "FAILED"}).body["status"], "FAILED")
        self.assertEqual(self.admin.patch(f"/tenants/{tid}/status",
                                          {"status": "PENDING"}).body["status"], "PENDING")

    def test_invalid_transition_is_422_with_details(self):
        tid = self.create_tenant()["tenantId"]
        self.activate(tid)
        reply = self.admin.patch(f"/tenants/{tid}/status", {"status": "PENDING"})
        self.assertError(reply, 422, "INVALID_STATUS_TRANSITION")
        details = reply.body["error"]["details"]
        self.assertEqual(details["currentStatus"], "ACTIVE")
        self.assertEqual(details["requestedStatus"], "PENDING")
        self.assertEqual(set(details["allowedTransitions"]), {"SUSPENDED", "PARKED",
                                                              "DEPROVISIONED"})

    def test_status_patch_rejects_unknown_status_and_fields(self):
        tid = self.create_tenant()["tenantId"]
        self.assertFieldError(self.admin.patch(f"/tenants/{tid}/status", {"status": "BOGUS"}),
                              "status")
        self.assertFieldError(self.admin.patch(f"/tenants/{tid}/status", {}), "status",
                              "REQUIRED")
        self.assertFieldError(self.admin.patch(f"/tenants/{tid}/status",
                                               {"status": "ACTIVE", "colour": "red"}), "colour")

    def test_park_and_unpark_with_links_and_messages(self):
        for prefix in ("", "/lifecycle"):
            with self.subTest(prefix=prefix):
                tid = self.create_tenant()["tenantId"]
                self.activate(tid)
                reason = "  Quiet season, parked by request  "
                parked = self.admin.post(f"/tenants/{tid}{prefix}/park", {"reason": reason})
                self.assertEqual(parked.status, 200, parked)
                t = parked.body
                self.assertEqual(t["status"], "PARKED")
                self.assertEqual(t["parkReason"], reason.strip())
                self.assertEqual(t["parkedBy"], self.server.admin_email)
                self.assertRegex(t["parkedAt"], harness.TIMESTAMP_RE)
                self.assertTrue(t["message"])
                self.assertEqual(t["version"], 3)
                self.assertEqual(parked.headers["ETag"], '"3"')
                self.assertEqual(self.links(t), {"unpark"})
                unparked = self.admin.post(f"/tenants/{tid}{prefix}/unpark")
                self.assertEqual(unparked.status, 200, unparked)
                self.assertEqual(unparked.body["status"], "ACTIVE")
                self.assertTrue(unparked.body["message"])
                self.assertTrue(unparked.body.get("warning"), "unpark carries a warning")
                self.assertEqual(self.links(unparked.body), {"park", "suspend"})

    def test_suspend_and_resume_with_links(self):
        for prefix in ("", "/lifecycle"):
            with self.subTest(prefix=prefix):
                tid = self.create_tenant()["tenantId"]
                self.activate(tid)
                suspended = self.admin.post(f"/tenants/{tid}{prefix}/suspend",
                                            {"reason": "Unpaid invoices for 3 months"})
                self.assertEqual(suspended.status, 200, suspended)
                t = suspended.body
                self.assertEqual(t["status"], "SUSPENDED")
                self.assertEqual(t["suspendReason"], "Unpaid invoices for 3 months")
                self.assertEqual(t["suspendedBy"], self.server.admin_email)
                self.assertRegex(t["suspendedAt"], harness.TIMESTAMP_RE)
                self.assertTrue(t["message"])
                self.assertEqual(self.links(t), {"resume"})
                resumed = self.admin.post(f"/tenants/{tid}{prefix}/resume")
                self.assertEqual(resumed.status, 200, resumed)
                self.assertEqual(resumed.body["status"], "ACTIVE")
                self.assertTrue(resumed.body["message"])
                self.assertEqual(self.links(resumed.body), {"park", "suspend"})

    def test_reason_must_be_10_to_500_characters(self):
        tid = self.create_tenant()["tenantId"]
        self.activate(tid)
        for action in ("park", "suspend", "lifecycle/park", "lifecycle/suspend"):
            for body, code in (({}, "REQUIRED"), ({"reason": "too short"}, "TOO_SHORT"),
                               ({"reason": "   short    "}, "TOO_SHORT"),
                               ({"reason": "r" * 501}, "TOO_LONG"), ({"reason": 12345678901},
                                                                     "INVALID_TYPE")):
                with self.subTest(action=action, body=body):
                    reply = self.admin.post(f"/tenants/{tid}/{action}", body)
                    self.assertFieldError(reply, "reason", code)
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["status"], "ACTIVE")
        exact = self.admin.post(f"/tenants/{tid}/park", {"reason": "0123456789"})
        self.assertEqual(exact.status, 200, exact)
        longest = self.admin.post(f"/tenants/{tid}/unpark")
        self.assertEqual(longest.status, 200, longest)
        longest = self.admin.post(f"/tenants/{tid}/suspend", {"reason": "s" * 500})
        self.assertEqual(longest.status, 200, longest)

    def test_lifecycle_from_wrong_state_is_422(self):
        tid = self.create_tenant()["tenantId"]
        reply = self.admin.post(f"/tenants/{tid}/park", {"reason": "not active yet, though"})
        self.assertError(reply, 422, "INVALID_STATUS_TRANSITION")
        self.assertEqual(reply.body["error"]["details"]["currentStatus"], "PENDING")
        self.assertEqual(reply.body["error"]["details"]["requestedStatus"], "PARKED")
        self.assertError(self.admin.post(f"/tenants/{tid}/resume"), 422,
                         "INVALID_STATUS_TRANSITION")
        self.activate(tid)
        self.admin.post(f"/tenants/{tid}/park", {"reason": "quiet season now"})
        for action, body in (("park", {"reason": "parking twice over"}),
                             ("suspend", {"reason": "suspending a parked one"}),
                             ("resume", None)):
            reply = self.admin.post(f"/tenants/{tid}/{action}", body)
            self.assertError(reply, 422, "INVALID_STATUS_TRANSITION")
            self.assertEqual(reply.body["error"]["details"]["currentStatus"], "PARKED")
            self.assertEqual(set(reply.body["error"]["details"]["allowedTransitions"]),
                             {"ACTIVE", "DEPROVISIONED"})

    def test_lifecycle_of_unknown_tenant_is_404(self):
        for action, body in (("park", {"reason": "quiet season now"}), ("unpark", None)):
            reply = self.admin.post(f"/tenants/{UNKNOWN_ID}/{action}", body)
            self.assertError(reply, 404, "TENANT_NOT_FOUND")


class DeleteTest(ServerTestCase):
    def test_delete_deprovisions_and_later_writes_are_422(self):
        tid = self.create_tenant()["tenantId"]
        self.activate(tid)
        reply = self.admin.delete(f"/tenants/{tid}")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.body["tenantId"], tid)
        self.assertEqual(reply.body["status"], "DEPROVISIONED")
        self.assertEqual(reply.body["deprovisionedBy"], self.server.admin_email)
        self.assertTrue(reply.body["message"])
        got = self.admin.get(f"/tenants/{tid}")
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.body["status"], "DEPROVISIONED")
        self.assertEqual(got.body["deprovisionedAt"], reply.body["deprovisionedAt"])
        self.assertFalse(LIFECYCLE_LINKS & set(got.body["_links"]))
        version = got.body["version"]
        for method, path, body in (("PUT", f"/tenants/{tid}", {"metadata": {"a": 1}}),
                                   ("POST", f"/tenants/{tid}/park", {"reason": "quiet season"}),
                                   ("POST", f"/tenants/{tid}/unpark", None),
                                   ("POST", f"/tenants/{tid}/resume", None),
                                   ("PATCH", f"/tenants/{tid}/status", {"status": "ACTIVE"}),
                                   ("DELETE", f"/tenants/{tid}", None)):
            with self.subTest(method=method, path=path):
                reply = self.admin.request(method, path, json_body=body)
                self.assertEqual(reply.status, 422, reply)
                self.assertIn(reply.code, ("INVALID_STATUS_TRANSITION", "TENANT_NOT_ACTIVE"))
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["version"], version)

    def test_delete_from_every_live_state(self):
        for walk in ([], ["FAILED"], ["ACTIVE"], ["ACTIVE", "park"], ["ACTIVE", "suspend"]):
            with self.subTest(walk=walk):
                tid = self.create_tenant()["tenantId"]
                for step in walk:
                    if step in ("park", "suspend"):
                        r = self.admin.post(f"/tenants/{tid}/{step}", {"reason": "for the test!"})
                    else:
                        r = self.admin.patch(f"/tenants/{tid}/status", {"status": step})
                    self.assertEqual(r.status, 200, r)
                self.assertEqual(self.admin.delete(f"/tenants/{tid}").status, 200)

    def test_name_is_reusable_after_deprovision(self):
        name = "Reuse " + unique()
        tid = self.create_tenant(name=name)["tenantId"]
        self.assertEqual(self.admin.delete(f"/tenants/{tid}").status, 200)
        again = self.admin.post("/tenants", tenant_body(name.lower()))
        self.assertEqual(again.status, 201, again)
        self.assertNotEqual(again.body["tenantId"], tid)

    def test_delete_unknown_is_404(self):
        self.assertError(self.admin.delete(f"/tenants/{UNKNOWN_ID}"), 404, "TENANT_NOT_FOUND")


class AuditTest(ServerTestCase):
    def test_audit_trail_is_newest_first_with_before_after_reason_and_request_ids(self):
        tid = self.create_tenant(client=None)["tenantId"]
        steps = [
            ("PATCH", f"/tenants/{tid}/status", {"status": "ACTIVE"}, "TENANT_ACTIVATED"),
            ("PUT", f"/tenants/{tid}", {"metadata": {"tier": "gold"}}, "TENANT_UPDATED"),
            ("POST", f"/tenants/{tid}/park", {"reason": "Quiet season parking"}, "TENANT_PARKED"),
            ("POST", f"/tenants/{tid}/unpark", None, "TENANT_UNPARKED"),
            ("POST", f"/tenants/{tid}/suspend", {"reason": "Unpaid invoice"}, "TENANT_SUSPENDED"),
            ("POST", f"/tenants/{tid}/resume", None, "TENANT_RESUMED"),
            ("DELETE", f"/tenants/{tid}", None, "TENANT_DEPROVISIONED"),
        ]
        request_ids = {}
        for method, path, body, event in steps:
            time.sleep(0.003)  # distinct millisecond timestamps; same-ms order is tested below
            rid = "audit-" + uuid.uuid4().hex
            reply = self.admin.request(method, path, json_body=body, headers={"X-Request-Id": rid})
            self.assertEqual(reply.status, 200, reply)
            request_ids[event] = rid
        reply = self.admin.get(f"/tenants/{tid}/audit")
        self.assertEqual(reply.status, 200, reply)
        items = reply.body["items"]
        expected = ["TENANT_CREATED"] + [s[3] for s in steps]
        self.assertEqual([e["eventType"] for e in items], list(reversed(expected)))
        self.assertEqual(reply.body["count"], len(expected))
        stamps = [e["timestamp"] for e in items]
        self.assertEqual(stamps, sorted(stamps, reverse=True))
        self.assertEqual(len({e["eventId"] for e in items}), len(items))
        by_type = {e["eventType"]: e for e in items}
        for event, rid in request_ids.items():
            self.assertEqual(by_type[event]["requestId"], rid, event)
        for e in items:
            self.assertEqual(e["actor"], self.server.admin_email)
        created = by_type["TENANT_CREATED"]["details"]
        self.assertNotIn("before", created)
        self.assertEqual(created["after"]["status"], "PENDING")
        parked = by_type["TENANT_PARKED"]["details"]
        self.assertEqual(parked["before"]["status"], "ACTIVE")
        self.assertEqual(parked["after"]["status"], "PARKED")
        self.assertEqual(parked["reason"], "Quiet season parking")
        self.assertEqual(by_type["TENANT_SUSPENDED"]["details"]["reason"], "Unpaid invoice")
        updated = by_type["TENANT_UPDATED"]["details"]
        self.assertEqual(updated["after"]["metadata"], {"tier": "gold"})
        self.assertNotEqual(updated["before"].get("metadata"), {"tier": "gold"})

    def test_rapid_changes_keep_their_order_in_the_trail(self):
        # Changes within one millisecond must still come back newest first.
        tid = self.create_tenant()["tenantId"]
        for i in range(15):
            self.assertEqual(self.admin.put(f"/tenants/{tid}", {"metadata": {"n": i}}).status, 200)
        items = self.admin.get(f"/tenants/{tid}/audit", params={"limit": 100}).body["items"]
        self.assertEqual(len(items), 16)
        versions = [e["details"]["after"]["version"] for e in items]
        self.assertEqual(versions, list(range(16, 0, -1)))

    def test_failed_requests_write_no_audit_entry(self):
        tid = self.create_tenant()["tenantId"]
        self.admin.post(f"/tenants/{tid}/park", {"reason": "not active yet, though"})
        self.admin.put(f"/tenants/{tid}", {"organizationName": "x"})
        items = self.admin.get(f"/tenants/{tid}/audit").body["items"]
        self.assertEqual([e["eventType"] for e in items], ["TENANT_CREATED"])

    def test_audit_pages_with_limit_and_next_token(self):
        tid = self.create_tenant()["tenantId"]
        for i in range(4):
            self.assertEqual(self.admin.put(f"/tenants/{tid}", {"metadata": {"n": i}}).status, 200)
        seen = []
        token = None
        pages = 0
        while True:
            params = {"limit": 2}
            if token:
                params["nextToken"] = token
            page = self.admin.get(f"/tenants/{tid}/audit", params=params).body
            pages += 1
            self.assertLessEqual(len(page["items"]), 2)
            seen += [e["eventId"] for e in page["items"]]
            token = page["nextToken"]
            self.assertEqual(page["moreAvailable"], token is not None)
            if token is None:
                break
            self.assertLess(pages, 10)
        self.assertEqual(len(seen), 5)
        self.assertEqual(len(set(seen)), 5)

    def test_audit_of_unknown_tenant_is_404(self):
        self.assertError(self.admin.get(f"/tenants/{UNKNOWN_ID}/audit"), 404, "TENANT_NOT_FOUND")


class ListTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        # Seven tenants with a private name prefix, created oldest to newest.
        cls.prefix = "Page" + uuid.uuid4().hex[:8]
        admin = cls.server.admin()
        cls.ids = []
        for i in range(7):
            env = "prod" if i % 3 == 0 else "dev"
            reply = admin.post("/tenants", tenant_body(f"{cls.prefix} {i}", environment=env))
            assert reply.status == 201, reply
            cls.ids.append(reply.body["tenantId"])
            time.sleep(0.003)  # distinct createdAt, so "newest first" has one right answer
        for tid in cls.ids[:3]:
            reply = admin.patch(f"/tenants/{tid}/status", {"status": "ACTIVE"})
            assert reply.status == 200, reply

    def walk(self, params, limit_key="limit", token_key="nextToken", limit=3):
        pages = []
        token = None
        while True:
            query = dict(params)
            query[limit_key] = limit
            if token:
                query[token_key] = token
            reply = self.admin.get("/tenants", params=query)
            self.assertEqual(reply.status, 200, reply)
            pages.append(reply.body)
            token = reply.body["nextToken"]
            if token is None:
                return pages
            self.assertLess(len(pages), 20, "pagination does not end")

    def test_list_is_newest_first_and_pages_without_duplicates_or_gaps(self):
        pages = self.walk({"organizationName": self.prefix})
        self.assertEqual([len(p["items"]) for p in pages], [3, 3, 1])
        for p in pages:
            self.assertEqual(p["count"], len(p["items"]))
            self.assertEqual(p["moreAvailable"], p["nextToken"] is not None)
            self.assertEqual("next" in p["_links"], p["nextToken"] is not None)
        ids = [t["tenantId"] for p in pages for t in p["items"]]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), set(self.ids))
        stamps = [t["createdAt"] for p in pages for t in p["items"]]
        self.assertEqual(stamps, sorted(stamps, reverse=True))
        self.assertEqual(ids[0], self.ids[-1])
        self.assertEqual(ids[-1], self.ids[0])

    def test_next_link_follows_to_the_next_page(self):
        first = self.admin.get("/tenants", params={"organizationName": self.prefix,
                                                   "limit": 3}).body
        href = first["_links"]["next"]["href"]
        second = self.admin.get(href)
        self.assertEqual(second.status, 200, second)
        ids = [t["tenantId"] for t in first["items"] + second.body["items"]]
        self.assertEqual(len(set(ids)), 6)

    def test_list_items_are_whole_tenants(self):
        # Issue 15: the original API's clients read every TenantResponse field from list items.
        page = self.admin.get("/tenants", params={"organizationName": self.prefix}).body
        self.assertEqual(len(page["items"]), 7)
        for item in page["items"]:
            single = self.admin.get(f"/tenants/{item['tenantId']}").body
            self.assertEqual(item, single)
            self.assertEqual(item["_links"]["self"]["href"], f"/v1.0/tenants/{item['tenantId']}")

    def test_filters_status_environment_and_case_insensitive_name_prefix(self):
        active = self.walk({"organizationName": self.prefix, "status": "ACTIVE"})
        self.assertEqual({t["tenantId"] for p in active for t in p["items"]}, set(self.ids[:3]))
        prod = self.walk({"organizationName": self.prefix.lower(), "environment": "prod"})
        expected = {tid for i, tid in enumerate(self.ids) if i % 3 == 0}
        self.assertEqual({t["tenantId"] for p in prod for t in p["items"]}, expected)
        both = self.walk({"organizationName": self.prefix.upper(), "environment": "prod",
                          "status": "PENDING"})
        self.assertEqual({t["tenantId"] for p in both for t in p["items"]},
                         {tid for i, tid in enumerate(self.ids) if i % 3 == 0 and i >= 3})
        for p in active:
            for t in p["items"]:
                self.assertEqual(t["status"], "ACTIVE")

    def test_page_size_and_start_at_are_synonyms(self):
        a = self.walk({"organizationName": self.prefix}, limit=2)
        b = self.walk({"organizationName": self.prefix}, limit_key="pageSize",
                      token_key="startAt", limit=2)
        self.assertEqual([[t["tenantId"] for t in p["items"]] for p in a],
                         [[t["tenantId"] for t in p["items"]] for p in b])

    def test_default_limit_is_20(self):
        prefix = "Many" + uuid.uuid4().hex[:8]
        for i in range(21):
            self.create_tenant(name=f"{prefix} {i}")
        page = self.admin.get("/tenants", params={"organizationName": prefix}).body
        self.assertEqual(len(page["items"]), 20)
        self.assertTrue(page["moreAvailable"])
        rest = self.admin.get("/tenants", params={"organizationName": prefix,
                                                  "nextToken": page["nextToken"]}).body
        self.assertEqual(len(rest["items"]), 1)
        self.assertIsNone(rest["nextToken"])

    def test_bad_foreign_or_altered_token_is_400_invalid_pagination_token(self):
        first = self.admin.get("/tenants", params={"organizationName": self.prefix,
                                                   "status": "ACTIVE", "limit": 1}).body
        token = first["nextToken"]
        self.assertIsNotNone(token)
        ok = self.admin.get("/tenants", params={"organizationName": self.prefix,
                                                "status": "ACTIVE", "limit": 1,
                                                "nextToken": token})
        self.assertEqual(ok.status, 200, ok)
        foreign = self.admin.get("/tenants", params={"organizationName": self.prefix,
                                                     "status": "PENDING", "limit": 1,
                                                     "nextToken": token})
        self.assertError(foreign, 400, "INVALID_PAGINATION_TOKEN")
        other_prefix = self.admin.get("/tenants", params={"organizationName": "Zz", "limit": 1,
                                                          "status": "ACTIVE",
                                                          "nextToken": token})
        self.assertError(other_prefix, 400, "INVALID_PAGINATION_TOKEN")
        middle = len(token) // 2
        altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
        for bad in (altered, "garbage", "", token[:-2], token + "x"):
            with self.subTest(bad=bad):
                reply = self.admin.get("/tenants", params={"organizationName": self.prefix,
                                                           "status": "ACTIVE", "limit": 1,
                                                           "nextToken": bad})
                if bad == "":
                    self.assertIn(reply.status, (200, 400), reply)
                    if reply.status == 400:
                        self.assertEqual(reply.code, "INVALID_PAGINATION_TOKEN")
                else:
                    self.assertError(reply, 400, "INVALID_PAGINATION_TOKEN")

    def test_audit_token_is_foreign_to_the_tenant_list(self):
        tid = self.ids[0]
        audit = self.admin.get(f"/tenants/{tid}/audit", params={"limit": 1}).body
        self.assertIsNotNone(audit["nextToken"])
        reply = self.admin.get("/tenants", params={"nextToken": audit["nextToken"]})
        self.assertError(reply, 400, "INVALID_PAGINATION_TOKEN")
        other = self.admin.get(f"/tenants/{self.ids[1]}/audit",
                               params={"nextToken": audit["nextToken"]})
        self.assertError(other, 400, "INVALID_PAGINATION_TOKEN")

    def test_limit_out_of_range_or_not_a_number_is_400(self):
        for value in ("0", "101", "abc", "-1", "2.5"):
            for key in ("limit", "pageSize"):
                with self.subTest(key=key, value=value):
                    reply = self.admin.get("/tenants", params={key: value})
                    self.assertError(reply, 400, "VALIDATION_ERROR")
        self.assertEqual(self.admin.get("/tenants", params={"limit": "100"}).status, 200)
        self.assertEqual(self.admin.get("/tenants", params={"limit": "1"}).status, 200)

    def test_unknown_filter_values_are_400(self):
        self.assertError(self.admin.get("/tenants", params={"status": "BOGUS"}), 400,
                         "VALIDATION_ERROR")
        self.assertError(self.admin.get("/tenants", params={"environment": "qa"}), 400,
                         "VALIDATION_ERROR")


class IdempotencyTest(ServerTestCase):
    def test_same_key_same_body_replays_the_first_response(self):
        key = "idem-" + uuid.uuid4().hex
        body = tenant_body()
        first = self.admin.post("/tenants", body, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 201, first)
        self.assertNotEqual(first.headers.get("Idempotent-Replayed"), "true")
        second = self.admin.post("/tenants", body, headers={"Idempotency-Key": key})
        self.assertEqual(second.status, 201, second)
        self.assertEqual(second.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(second.body, first.body)
        listed = self.admin.get("/tenants", params={"organizationName": body["organizationName"]})
        self.assertEqual(len(listed.body["items"]), 1)

    def test_retry_of_a_rejected_request_with_the_same_key_gets_the_same_error(self):
        key = "idem-" + uuid.uuid4().hex
        body = tenant_body(environment="qa")
        first = self.admin.post("/tenants", body, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 400, first)
        second = self.admin.post("/tenants", body, headers={"Idempotency-Key": key})
        self.assertEqual(second.status, 400, second)
        self.assertEqual(second.body["error"], first.body["error"])

    def test_same_key_different_body_is_409_idempotency_key_reused(self):
        key = "idem-" + uuid.uuid4().hex
        self.assertEqual(self.admin.post("/tenants", tenant_body(),
                                         headers={"Idempotency-Key": key}).status, 201)
        reply = self.admin.post("/tenants", tenant_body(), headers={"Idempotency-Key": key})
        self.assertError(reply, 409, "IDEMPOTENCY_KEY_REUSED")

    def test_keys_are_per_principal(self):
        key = "idem-" + uuid.uuid4().hex
        self.assertEqual(self.admin.post("/tenants", tenant_body(),
                                         headers={"Idempotency-Key": key}).status, 201)
        operator = self.server.client(self.server.token("op2@example.com",
                                                        ["platform-operators"]))
        reply = operator.post("/tenants", tenant_body(), headers={"Idempotency-Key": key})
        self.assertEqual(reply.status, 201, reply)
        self.assertNotEqual(reply.headers.get("Idempotent-Replayed"), "true")

    def test_lifecycle_post_replay_does_not_apply_twice(self):
        tid = self.create_tenant()["tenantId"]
        self.activate(tid)
        key = "idem-" + uuid.uuid4().hex
        body = {"reason": "quiet season, parked"}
        first = self.admin.post(f"/tenants/{tid}/park", body, headers={"Idempotency-Key": key})
        self.assertEqual(first.status, 200, first)
        again = self.admin.post(f"/tenants/{tid}/park", body, headers={"Idempotency-Key": key})
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.body, first.body)
        self.assertEqual(self.admin.get(f"/tenants/{tid}").body["version"], 3)

    def test_concurrent_retries_with_one_key_create_one_tenant(self):
        key = "idem-" + uuid.uuid4().hex
        body = tenant_body()
        token = self.server.admin_token()

        def send(i):
            client = self.server.client(token)
            try:
                return client.post("/tenants", body, headers={"Idempotency-Key": key})
            finally:
                client.close()

        replies = run_concurrently(8, send)
        originals = []
        for r in replies:
            self.assertIn(r.status, (201, 409), r)
            if r.status == 409:
                self.assertEqual(r.code, "OPERATION_IN_PROGRESS", r)
            elif r.headers.get("Idempotent-Replayed") != "true":
                originals.append(r)
        self.assertEqual(len(originals), 1, [r.status for r in replies])
        for r in replies:
            if r.status == 201:
                self.assertEqual(r.body, originals[0].body)
        listed = self.admin.get("/tenants", params={"organizationName": body["organizationName"]})
        self.assertEqual(len(listed.body["items"]), 1)

    def test_key_must_be_1_to_255_printable_characters(self):
        reply = self.admin.post("/tenants", tenant_body(), headers={"Idempotency-Key": "k" * 256})
        self.assertError(reply, 400, "VALIDATION_ERROR")
        data = json.dumps(tenant_body()).encode()
        reply = harness.raw_http(self.server.port, "POST", "/tenants",
                                 {"Content-Type": "application/json",
                                  "Content-Length": str(len(data)),
                                  "Idempotency-Key": "bad\x7fkey"}, data,
                                 token=self.server.admin_token())
        self.assertError(reply, 400, "VALIDATION_ERROR")
        ok = self.admin.post("/tenants", tenant_body(), headers={"Idempotency-Key": "k" * 255})
        self.assertEqual(ok.status, 201, ok)


if __name__ == "__main__":
    unittest.main()
