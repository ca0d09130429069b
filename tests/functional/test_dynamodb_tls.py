"""TLS to AWS endpoints (STORE=dynamodb over https): the certificate chain is verified against
AWS_CA_BUNDLE and the host name is checked. A moto server serves https with a certificate made
for the test; `tenantd migrate` must succeed only when it trusts that certificate for that name."""
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import harness

tmp = None
moto = None
port = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(directory, name, san):
    key = os.path.join(directory, name + ".key")
    cert = os.path.join(directory, name + ".pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=" + name, "-addext", "subjectAltName=" + san,
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def setUpModule():
    global tmp, moto, port
    if shutil.which("openssl") is None:
        raise unittest.SkipTest("openssl CLI not installed")
    tmp = tempfile.mkdtemp(prefix="tenantd-tls-")
    cert, key = make_certificate(tmp, "localhost", "DNS:localhost")
    make_certificate(tmp, "other", "DNS:other.example")
    port = free_port()
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                             str(port), "-c", cert, "-k", key],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(cafile=cert)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"https://localhost:{port}/moto-api/", context=context,
                                   timeout=1).read()
            return
        except OSError:
            if time.monotonic() > deadline or moto.poll() is not None:
                raise harness.HarnessError("moto did not serve https in time")
            time.sleep(0.1)


def tearDownModule():
    if moto is not None:
        moto.terminate()
        moto.wait(timeout=10)
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


def migrate(host, ca_bundle):
    env = dict(os.environ)
    env.update({"STORE": "dynamodb", "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL_DYNAMODB": f"https://{host}:{port}",
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_MAX_ATTEMPTS": "1", "DATA_DIR": tmp})
    env.pop("AWS_CA_BUNDLE", None)
    if ca_bundle:
        env["AWS_CA_BUNDLE"] = os.path.join(tmp, ca_bundle)
    return subprocess.run([harness.BIN, "migrate"], env=env, capture_output=True, timeout=60)


class TlsTest(unittest.TestCase):
    def test_a_trusted_certificate_for_the_host_is_accepted(self):
        done = migrate("localhost", "localhost.pem")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(b"dynamodb tables", done.stdout)

    def test_an_untrusted_certificate_is_refused(self):
        done = migrate("localhost", "other.pem")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn(b"certificate verify failed", done.stderr)

    def test_a_trusted_certificate_for_another_name_is_refused(self):
        # The chain is trusted, but the certificate names localhost, not 127.0.0.1.
        done = migrate("127.0.0.1", "localhost.pem")
        self.assertNotEqual(done.returncode, 0, done.stdout)
        self.assertIn(b"certificate verify failed", done.stderr)

if __name__ == "__main__":
    unittest.main()
