"""The admin console's server side (docs/console.md): the embedded assets under /console/ with
their security and caching headers, the one-time sign-in codes, the console's settings, the
default invitation link and GET /summary's reach. The pages themselves are tested in a browser
(tests/browser)."""
import gzip
import json
import re
import subprocess
import unittest

import requests

import harness
from harness import BIN, Server, ServerTestCase, tenant_body, unique

SERVER = None
PUBLIC_URL = "https://console.example.test"


def setUpModule():
    global SERVER
    SERVER = Server(env={"PUBLIC_URL": PUBLIC_URL}).start()
    ServerTestCase.use_server(SERVER)


def tearDownModule():
    SERVER.cleanup()


def console_link(email, groups=(), ttl=None):
    cmd = [BIN, "console-link", "--email", email, "--data-dir", SERVER.data_dir]
    if groups:
        cmd += ["--groups", ",".join(groups)]
    if ttl:
        cmd += ["--ttl", str(ttl)]
    done = subprocess.run(cmd, env=SERVER.env, capture_output=True, timeout=30, check=True)
    return done.stdout.decode().strip()


def code_of(link):
    return re.match(r"^.*/console/\?code=([A-Za-z0-9_-]+)$", link).group(1)


class ConsoleAssetsTest(unittest.TestCase):
    def get(self, path, **kw):
        return requests.get(SERVER.base_url + path, timeout=10, allow_redirects=False, **kw)

    def assert_secured(self, response):
        csp = response.headers["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response.headers["Referrer-Policy"], "no-referrer")
        self.assertEqual(response.headers["X-Frame-Options"], "DENY")

    def asset_paths(self, index_html):
        return re.findall(r'(?:href|src)="(assets/[^"]+)"', index_html)

    def test_console_without_slash_redirects_to_the_folder(self):
        r = self.get("/console")
        self.assertEqual(r.status_code, 308)
        self.assertEqual(r.headers["Location"], "console/")

    def test_index_is_revalidated_and_names_hashed_assets_that_are_cached_for_a_year(self):
        index = self.get("/console/")
        self.assertEqual(index.status_code, 200)
        self.assertTrue(index.headers["Content-Type"].startswith("text/html"))
        self.assertEqual(index.headers["Cache-Control"], "no-cache")
        self.assert_secured(index)
        self.assertNotIn("<script>", index.text)  # no inline script: the CSP would block it
        assets = self.asset_paths(index.text)
        self.assertIn("js/main.js", " ".join(assets))
        total_gzip = 0
        for path in assets:
            r = self.get("/console/" + path)
            self.assertEqual(r.status_code, 200, path)
            self.assertEqual(r.headers["Cache-Control"], "public, max-age=31536000, immutable")
            self.assert_secured(r)
            total_gzip += len(gzip.compress(r.content))
        self.assertLess(total_gzip, 150 * 1024)

    def test_a_matching_etag_gets_304_without_a_body(self):
        first = self.get("/console/")
        again = self.get("/console/", headers={"If-None-Match": first.headers["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")

    def test_assets_of_another_build_do_not_exist(self):
        path = self.asset_paths(self.get("/console/").text)[0]
        other = re.sub(r"^assets/[0-9a-f]+/", "assets/0000000000000000/", path)
        r = self.get("/console/" + other)
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["error"]["code"], "NOT_FOUND")

    def test_settings_say_sign_in_is_by_code_in_local_mode(self):
        r = self.get("/console/config.json")
        self.assertEqual(r.json()["signIn"], "code")
        self.assertIn("&quot;signIn&quot;:&quot;code&quot;", self.get("/console/").text)

    def test_writes_to_console_files_are_refused(self):
        r = requests.post(SERVER.base_url + "/console/", json={}, timeout=10)
        self.assertEqual(r.status_code, 405)
        self.assertEqual(r.headers["Allow"], "GET, HEAD")

    def test_the_api_is_still_served_beside_the_console(self):
        self.assertEqual(self.get("/v1.0/health").status_code, 200)


class LambdaDoorTest(unittest.TestCase):
    def invoke(self, path):
        event = {"httpMethod": "GET", "path": path, "headers": {},
                 "requestContext": {"stage": "dev"}}
        done = subprocess.run([BIN, "invoke", json.dumps(event), "--data-dir", SERVER.data_dir],
                              env=SERVER.env, capture_output=True, timeout=60, check=True)
        return json.loads(done.stdout.decode().strip().splitlines()[-1])

    def test_the_lambda_serves_the_console_with_the_same_headers(self):
        index = self.invoke("/console/")
        self.assertEqual(index["statusCode"], 200)
        self.assertEqual(index["headers"]["X-Frame-Options"], "DENY")
        asset = re.search(r'src="(assets/[^"]+)"', index["body"]).group(1)
        served = self.invoke("/console/" + asset)
        self.assertEqual(served["statusCode"], 200)
        self.assertEqual(served["headers"]["Cache-Control"], "public, max-age=31536000, immutable")


class SignInCodeTest(unittest.TestCase):
    def exchange(self, body):
        return requests.post(SERVER.base_url + "/console/session", json=body, timeout=10)

    def test_a_code_is_exchanged_once_for_a_token_the_api_accepts(self):
        link = console_link("ops@example.com", ["platform-operators"])
        self.assertTrue(link.startswith(PUBLIC_URL + "/console/?code="), link)
        first = self.exchange({"code": code_of(link)})
        self.assertEqual(first.status_code, 200, first.text)
        self.assertEqual(first.headers["Cache-Control"], "no-store")
        token = first.json()["token"]
        _, claims = harness.decode_jwt(token)
        self.assertEqual(claims["email"], "ops@example.com")
        self.assertEqual(claims["cognito:groups"], ["platform-operators"])
        self.assertEqual(SERVER.client(token).get("/v1.0/tenants").status, 200)
        again = self.exchange({"code": code_of(link)})
        self.assertEqual(again.status_code, 401)
        self.assertEqual(again.json()["error"]["code"], "UNAUTHORIZED")

    def test_the_token_lives_as_long_as_the_link_asked(self):
        link = console_link("short@example.com", ttl=120)
        _, claims = harness.decode_jwt(self.exchange({"code": code_of(link)}).json()["token"])
        self.assertEqual(claims["exp"] - claims["iat"], 120)

    def test_unknown_and_malformed_codes_are_refused_clearly(self):
        self.assertEqual(self.exchange({"code": "not-a-code"}).status_code, 401)
        missing = self.exchange({})
        self.assertEqual(missing.status_code, 400)
        self.assertEqual(missing.json()["error"]["details"]["errors"][0]["field"], "code")
        bad = requests.post(SERVER.base_url + "/console/session", data=b"{", timeout=10,
                            headers={"Content-Type": "application/json"})
        self.assertEqual(bad.status_code, 400)


class InvitationLinkTest(ServerTestCase):
    def test_the_default_invitation_link_opens_the_console_accept_page(self):
        tenant = self.admin.post("/v1.0/tenants", tenant_body()).body
        invited = self.admin.post(f"/v1.0/tenants/{tenant['tenantId']}/invitations",
                                  {"email": f"{unique('i').lower()}@example.com", "role": "Viewer"})
        self.assertEqual(invited.status, 201, invited)
        inv_id = invited.body["invitationId"]

        def link():
            for e in harness.read_events(SERVER.events_path()):
                url = (e.get("detail") or {}).get("acceptUrl", "")
                if inv_id in url:
                    return url
            return None
        url = harness.wait_for(link, timeout=10)
        self.assertRegex(url, "^" + re.escape(PUBLIC_URL) + "/console/#/invitations/"
                         + re.escape(inv_id) + r"/accept\?token=[^&]+$")


class SummaryTest(ServerTestCase):
    def test_platform_staff_see_every_tenant_and_the_outbox(self):
        self.admin.post("/v1.0/tenants", tenant_body())
        r = self.admin.get("/v1.0/summary")
        self.assertEqual(r.status, 200, r)
        self.assertGreaterEqual(sum(r.body["tenantsByStatus"].values()), 1)
        self.assertIn("outbox", r.body)
        self.assertEqual(r.headers["Cache-Control"], "no-store")

    def test_a_member_counts_only_their_tenants_and_sees_no_outbox(self):
        mine = self.admin.post("/v1.0/tenants", tenant_body()).body["tenantId"]
        self.admin.post("/v1.0/tenants", tenant_body())
        email = f"{unique('m').lower()}@example.com"
        self.assertEqual(self.admin.post(f"/v1.0/tenants/{mine}/users",
                                         {"email": email, "role": "Viewer"}).status, 201)
        member = SERVER.client(SERVER.token(email))
        r = member.get("/v1.0/summary")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["tenantsByStatus"], {"PENDING": 1})
        self.assertNotIn("outbox", r.body)

    def test_a_stranger_counts_nothing(self):
        r = SERVER.client(SERVER.token(f"{unique('s').lower()}@example.com")).get("/v1.0/summary")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["tenantsByStatus"], {})
        self.assertEqual(r.body["operations"], {"running": 0, "failedLast24h": 0})

    def test_without_a_token_it_is_unauthorized(self):
        self.assertEqual(SERVER.client(None).get("/v1.0/summary").status, 401)


if __name__ == "__main__":
    unittest.main()
