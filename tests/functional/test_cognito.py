"""AUTH_MODE=cognito and DIRECTORY=cognito end to end.

Against moto: real Cognito tokens (AdminInitiateAuth) verified with the pool's JWKS, and members
added by the e-mail of a pool user (the Cognito `sub` becomes the userId).
Against a JWKS this test serves itself, with an RSA key of its own: forged and misused tokens
(expired, not yet valid, wrong issuer, wrong audience, unknown kid, alg none, HS256 keyed with the
public key, tampered payload), so each of the verifier's checks is the one that refuses."""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import boto3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import harness
from harness import ServerTestCase, b64url, decode_jwt, make_jwt

HERE = os.path.dirname(os.path.abspath(__file__))
MOTO = os.path.join(HERE, "..", "moto", "moto_server.py")
REGION = "eu-west-1"
PASSWORD = "Passw0rd!Passw0rd"

moto_dir = None
endpoint = None
pool = {}
moto_server = None
jwks_server = None
forged_server = None


def cognito():
    return boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def add_user(email, groups=()):
    c = cognito()
    c.admin_create_user(UserPoolId=pool["id"], Username=email, MessageAction="SUPPRESS",
                        UserAttributes=[{"Name": "email", "Value": email}])
    c.admin_set_user_password(UserPoolId=pool["id"], Username=email, Password=PASSWORD,
                              Permanent=True)
    for g in groups:
        c.admin_add_user_to_group(UserPoolId=pool["id"], Username=email, GroupName=g)
    attrs = c.admin_get_user(UserPoolId=pool["id"], Username=email)["UserAttributes"]
    return next(a["Value"] for a in attrs if a["Name"] == "sub")


def tokens(email, client_id=None):
    result = cognito().admin_initiate_auth(
        UserPoolId=pool["id"], ClientId=client_id or pool["client"], AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]
    return result["IdToken"], result["AccessToken"]


def int_b64(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Jwks(http.server.BaseHTTPRequestHandler):
    """Serves the test's own key set and counts the fetches."""
    document = b""
    fetches = 0

    def do_GET(self):
        type(self).fetches += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.document)))
        self.end_headers()
        self.wfile.write(self.document)

    def log_message(self, *args):
        pass


KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ISSUER = "https://issuer.test.example/pool"
CLIENT = "forged-test-client"


def jwk(key, kid):
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
            "n": int_b64(numbers.n), "e": int_b64(numbers.e)}


def rs256(header, payload, key=KEY):
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(payload).encode()))
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


def claims(**overrides):
    now = int(time.time())
    c = {"sub": "5d0c3f5e-1111-4222-8333-444455556666", "email": "forged@example.com",
         "cognito:groups": ["platform-admins"], "token_use": "id", "iss": ISSUER, "aud": CLIENT,
         "iat": now, "exp": now + 600}
    c.update(overrides)
    return {k: v for k, v in c.items() if v is not None}


def setUpModule():
    global moto_dir, endpoint, moto_server, jwks_server, forged_server
    moto_dir = tempfile.mkdtemp(prefix="tenantd-moto-")
    subprocess.run([sys.executable, MOTO, "start", moto_dir], check=True, capture_output=True)
    with open(os.path.join(moto_dir, "endpoint")) as f:
        endpoint = f.read().strip()
    c = cognito()
    # E-mail addresses as user names: id tokens then carry the email claim, as in production.
    pool["id"] = c.create_user_pool(PoolName="bbws-user-pool-dev",
                                    UsernameAttributes=["email"])["UserPool"]["Id"]
    for name in ("client", "other_client"):
        pool[name] = c.create_user_pool_client(
            UserPoolId=pool["id"], ClientName=name,
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    c.create_group(UserPoolId=pool["id"], GroupName="platform-admins")
    pool["admin_sub"] = add_user("ann@example.com", groups=["platform-admins"])
    pool["bob_sub"] = add_user("bob@example.com")
    moto_server = harness.Server(env={
        "AUTH_MODE": "cognito", "DIRECTORY": "cognito", "COGNITO_USER_POOL_ID": pool["id"],
        "COGNITO_CLIENT_ID": pool["client"],
        "COGNITO_JWKS_URL": f"{endpoint}/{pool['id']}/.well-known/jwks.json",
        "AWS_REGION": REGION, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": endpoint,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}).start()
    ServerTestCase.use_server(moto_server)

    Jwks.document = json.dumps({"keys": [jwk(KEY, "test-key")]}).encode()
    jwks_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=jwks_server.serve_forever, daemon=True).start()
    forged_server = harness.Server(env={
        "AUTH_MODE": "cognito", "COGNITO_ISSUER": ISSUER, "COGNITO_CLIENT_ID": CLIENT,
        "COGNITO_JWKS_URL": f"http://127.0.0.1:{jwks_server.server_port}/jwks.json"}).start()


def tearDownModule():
    try:
        for s in (moto_server, forged_server):
            if s is not None:
                harness.stop_shared(s)
        if jwks_server is not None:
            jwks_server.shutdown()
    finally:
        subprocess.run([sys.executable, MOTO, "stop", moto_dir], capture_output=True)


class CognitoTokensTest(ServerTestCase):
    """Tokens issued by (moto's) Cognito."""

    def test_id_and_access_tokens_of_the_pool_are_accepted(self):
        id_token, access_token = tokens("ann@example.com")
        for token in (id_token, access_token):
            reply = self.server.client(token).post("/v1.0/tenants", harness.tenant_body())
            self.assertEqual(reply.status, 201, reply)
        # The id token names the actor by e-mail; the access token (no email) by sub.
        listed = self.server.client(id_token).get("/v1.0/tenants?limit=100")
        self.assertEqual(listed.status, 200, listed)

    def test_id_token_of_another_app_client_is_refused(self):
        id_token, access_token = tokens("ann@example.com", client_id=pool["other_client"])
        for token in (id_token, access_token):
            reply = self.server.client(token).get("/v1.0/tenants")
            self.assertError(reply, 401, "TOKEN_INVALID")
            self.assertNotIn(token.split(".")[2][:16], reply.text)

    def test_tampered_cognito_token_is_refused(self):
        id_token, _ = tokens("bob@example.com")
        header, payload = decode_jwt(id_token)
        payload["cognito:groups"] = ["platform-admins"]
        parts = id_token.split(".")
        forged = parts[0] + "." + b64url(json.dumps(payload).encode()) + "." + parts[2]
        self.assertError(self.server.client(forged).get("/v1.0/tenants"), 401, "TOKEN_INVALID")

    def test_hs256_keyed_with_the_pools_public_key_and_alg_none_are_refused(self):
        id_token, _ = tokens("bob@example.com")
        header, payload = decode_jwt(id_token)
        payload["cognito:groups"] = ["platform-admins"]
        jwks_text = urllib.request.urlopen(
            f"{endpoint}/{pool['id']}/.well-known/jwks.json").read()
        n = json.loads(jwks_text)["keys"][0]["n"]
        for secret in (jwks_text, n):
            forged = make_jwt({"alg": "HS256", "kid": header["kid"]}, payload, secret)
            self.assertError(self.server.client(forged).get("/v1.0/tenants"), 401,
                             "TOKEN_INVALID")
        unsigned = (b64url(json.dumps({"alg": "none", "kid": header["kid"]}).encode()) + "." +
                    b64url(json.dumps(payload).encode()) + ".")
        self.assertError(self.server.client(unsigned).get("/v1.0/tenants"), 401,
                         "TOKEN_INVALID")


class CognitoDirectoryTest(ServerTestCase):
    """DIRECTORY=cognito: members are the pool's users, by e-mail; the sub is the userId."""

    def test_member_added_by_email_gets_the_cognito_sub_and_sees_the_tenant(self):
        admin = self.server.client(tokens("ann@example.com")[0])
        tenant = self.create_tenant(client=admin)
        reply = admin.post(f"/v1.0/tenants/{tenant['tenantId']}/users",
                           {"email": "Bob@Example.com", "role": "Viewer"})
        self.assertEqual(reply.status, 201, reply)
        self.assertEqual(reply.body["userId"], pool["bob_sub"])
        self.assertEqual(reply.body["email"], "bob@example.com")
        # Bob's own Cognito token finds the membership through its sub.
        bob = self.server.client(tokens("bob@example.com")[0])
        mine = bob.get("/v1.0/me/tenants")
        self.assertEqual(mine.status, 200, mine)
        self.assertIn(tenant["tenantId"], [t["tenantId"] for t in mine.body["items"]])
        self.assertEqual(bob.get(f"/v1.0/tenants/{tenant['tenantId']}").status, 200)

    def test_unknown_email_is_404_user_not_found_and_adds_nothing(self):
        admin = self.server.client(tokens("ann@example.com")[0])
        tenant = self.create_tenant(client=admin)
        reply = admin.post(f"/v1.0/tenants/{tenant['tenantId']}/users",
                           {"email": "nobody@example.com", "role": "Admin"})
        self.assertError(reply, 404, "USER_NOT_FOUND")
        members = admin.get(f"/v1.0/tenants/{tenant['tenantId']}/users")
        self.assertEqual(members.status, 200, members)
        self.assertEqual(members.body["count"], 0)


class ForgedTokensTest(unittest.TestCase):
    """The verifier's checks one by one, with a key the test holds (served as the JWKS)."""

    def status(self, token):
        reply = forged_server.client(token).get("/v1.0/tenants")
        self.assertNotIn(token, reply.text)
        return reply.status, reply.code

    def test_a_well_formed_token_of_the_key_is_accepted(self):
        self.assertEqual(self.status(rs256({"alg": "RS256", "kid": "test-key"}, claims())),
                         (200, None))
        access = claims(token_use="access", aud=None, client_id=CLIENT, email=None)
        self.assertEqual(self.status(rs256({"alg": "RS256", "kid": "test-key"}, access)),
                         (200, None))

    def test_each_broken_claim_is_refused(self):
        now = int(time.time())
        head = {"alg": "RS256", "kid": "test-key"}
        cases = {
            "expired": (claims(exp=now - 120), "TOKEN_EXPIRED"),
            "not yet valid": (claims(nbf=now + 600), "TOKEN_INVALID"),
            "wrong issuer": (claims(iss="https://cognito-idp.eu-west-1.amazonaws.com/other"),
                             "TOKEN_INVALID"),
            "wrong audience": (claims(aud="another-client"), "TOKEN_INVALID"),
            "access token of another client": (
                claims(token_use="access", aud=None, client_id="another-client"),
                "TOKEN_INVALID"),
            "refresh token use": (claims(token_use="refresh"), "TOKEN_INVALID"),
            "no expiry": (claims(exp=None), "TOKEN_INVALID"),
        }
        for name, (payload, code) in cases.items():
            with self.subTest(name):
                self.assertEqual(self.status(rs256(head, payload)), (401, code))

    def test_forged_signatures_are_refused(self):
        good = rs256({"alg": "RS256", "kid": "test-key"}, claims(**{"cognito:groups": []}))
        h, p, s = good.split(".")
        promoted = b64url(json.dumps(claims()).encode())
        n = jwk(KEY, "test-key")["n"]
        cases = {
            "tampered payload": f"{h}.{promoted}.{s}",
            "unknown kid": rs256({"alg": "RS256", "kid": "made-up"}, claims(), OTHER_KEY),
            "known kid, other key": rs256({"alg": "RS256", "kid": "test-key"}, claims(),
                                          OTHER_KEY),
            "alg none": b64url(b'{"alg":"none","kid":"test-key"}') + "." + promoted + ".",
            "HS256 keyed with the public key": make_jwt({"alg": "HS256", "kid": "test-key"},
                                                        claims(), n),
            "HS256 keyed with the JWKS": make_jwt({"alg": "HS256", "kid": "test-key"}, claims(),
                                                  Jwks.document),
        }
        for name, token in cases.items():
            with self.subTest(name):
                self.assertEqual(self.status(token), (401, "TOKEN_INVALID"))

    def test_unknown_kids_do_not_flood_the_issuer(self):
        # Warm: the set is fetched once; unknown kids within the minute fetch nothing more.
        self.status(rs256({"alg": "RS256", "kid": "test-key"}, claims()))
        before = Jwks.fetches
        for i in range(20):
            token = rs256({"alg": "RS256", "kid": f"made-up-{i}"}, claims(), OTHER_KEY)
            self.assertEqual(self.status(token), (401, "TOKEN_INVALID"))
        self.assertLessEqual(Jwks.fetches - before, 1)


if __name__ == "__main__":
    unittest.main()
