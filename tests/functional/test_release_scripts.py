"""The runbook's release pipeline (docs/operations.md#deployment-pipeline): scripts/release/*.sh driven against a moto
server (AWS_ENDPOINT_URL). Health checks run the real tenantd binary through the deployed package
(release_invoke.py, the TENANTD_INVOKE_CMD seam); the promotions' smoke tests hit a real
`tenantd serve`. Asserts aliases, versions, CodeSha256 and the bbws-deployments-{env} records."""
import base64
import hashlib
import http.server
import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import zipfile

import boto3
import yaml
from moto.awslambda import models as lambda_models
from moto.awslambda.models import lambda_backends
from moto.server import ThreadedMotoServer

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
RELEASE = os.path.join(harness.SOURCE_DIR, "scripts", "release")
WORKFLOWS = os.path.join(harness.SOURCE_DIR, ".github", "workflows")
ACCOUNT = "123456789012"
REGIONS = {"dev": "eu-west-1", "sit": "eu-west-1", "prod": "af-south-1"}
ALL_FIELDS = {"deploymentId", "environment", "action", "fromVersion", "toVersion", "codeSha256",
              "actor", "reason", "timestamp", "result"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def package(label):
    """A zip whose bootstrap runs the real tenantd binary; `label` makes each package distinct."""
    script = f'#!/bin/sh\n# release {label}\nexec "{harness.BIN}" "$@"\n'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        info = zipfile.ZipInfo("bootstrap", date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = 0o100755 << 16
        z.writestr(info, script)
    return out.getvalue()


def sha_b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class CodeLocations(http.server.ThreadingHTTPServer):
    """Serves each function version's package at the path of its Code.Location (the presigned S3
    URL real Lambda returns; moto's host is not reachable). `swap` maps a package's CodeSha256 to
    other bytes: the package changed between the source and the target."""

    def __init__(self):
        self.swap = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):  # noqa: N805 - the request handler, not the server
                key = urllib.parse.unquote(handler.path.lstrip("/"))
                body = self.find(key)
                handler.send_response(200 if body is not None else 404)
                handler.send_header("Content-Length", str(len(body or b"")))
                handler.end_headers()
                handler.wfile.write(body or b"")

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def find(self, key):
        for region in set(REGIONS.values()):
            for fn in lambda_backends[ACCOUNT][region]._lambdas.all():
                if fn.code.get("S3Key") == key:
                    return self.swap.get(fn.code_sha_256, fn.code_bytes)
        return None


def publish_with_own_code(publish):
    """moto's published versions share $LATEST's code dict, so a version's Code.Location follows
    later uploads; on AWS a version's code never changes. Each new version gets its own copy."""
    def wrapper(storage, *args, **kwargs):
        fn = publish(storage, *args, **kwargs)
        if fn is not None:
            fn.code = dict(fn.code)
        return fn
    return wrapper


class ReleaseScriptsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(harness.BIN, os.X_OK):
            raise unittest.SkipTest("tenantd binary not built")
        cls.publish = lambda_models.LambdaStorage.publish_version
        lambda_models.LambdaStorage.publish_version = publish_with_own_code(cls.publish)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        cls.moto_port = free_port()
        cls.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=cls.moto_port, verbose=False)
        cls.moto.start()
        cls.endpoint = f"http://127.0.0.1:{cls.moto_port}"
        cls.codes = CodeLocations()
        threading.Thread(target=cls.codes.serve_forever, daemon=True).start()
        cls.server = harness.Server().start()  # the API the smoke tests reach
        cls.token = cls.server.admin_token()
        cls.work = tempfile.mkdtemp(prefix="tenantd-release-")
        cls.env = dict(
            os.environ, AWS_ENDPOINT_URL=cls.endpoint, AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="eu-west-1",
            LAMBDA_CODE_URL_BASE=f"http://127.0.0.1:{cls.codes.server_address[1]}",
            TENANTD_INVOKE_CMD=f"{sys.executable} {os.path.join(HERE, 'release_invoke.py')}",
            SMOKE_API_URL=cls.server.base_url, COGNITO_TOKEN=cls.token,
            ERROR_WATCH_SECONDS="0", DEPLOY_ACTOR="release-test")
        for name in ("AWS_PROFILE", "AWS_REGION", "GITHUB_ACTOR"):
            cls.env.pop(name, None)
        role = cls.client("iam", "dev").create_role(
            RoleName="tenantd-lambda", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        for env in REGIONS:  # what deploy/terraform creates, with a first package in place
            cls.client("lambda", env).create_function(
                FunctionName=cls.fn(env), Runtime="provided.al2023", Handler="bootstrap",
                Role=role, Code={"ZipFile": package("initial")}, Architectures=["arm64"],
                Environment={"Variables": cls.function_env(env)})
            cls.client("dynamodb", env).create_table(
                TableName=f"bbws-deployments-{env}", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "deploymentId", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "deploymentId", "KeyType": "HASH"}])

    @classmethod
    def tearDownClass(cls):
        lambda_models.LambdaStorage.publish_version = cls.publish
        cls.server.cleanup()
        cls.codes.shutdown()
        cls.moto.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    # -- helpers --

    @classmethod
    def client(cls, service, env):
        return boto3.client(service, endpoint_url=cls.endpoint, region_name=REGIONS[env],
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    @staticmethod
    def fn(env):
        return f"bbws-tenant-instance-management-{env}"

    @staticmethod
    def function_env(env, **extra):
        return dict({"ENVIRONMENT": env, "STORE": "sqlite", "AUTH_MODE": "local",
                     "DIRECTORY": "local", "EVENT_SINKS": "file", "PROVISIONER": "simulated",
                     "LOG_LEVEL": "warn"}, **extra)

    def run_script(self, name, *args, expect=0, env=None):
        done = subprocess.run([os.path.join(RELEASE, name), *args], capture_output=True,
                              env=dict(self.env, **(env or {})), timeout=300)
        output = done.stdout.decode() + done.stderr.decode()
        self.assertEqual(done.returncode, expect, f"{name} {args}:\n{output}")
        return done.stdout.decode().strip(), output

    def deploy_dev(self, label):
        path = os.path.join(self.work, f"{label}.zip")
        with open(path, "wb") as f:
            f.write(package(label))
        version, _ = self.run_script("deploy-dev.sh", "--zip", path, "--reason", f"test {label}")
        return version, sha_b64(package(label))

    def alias(self, env, name=None):
        return self.client("lambda", env).get_alias(
            FunctionName=self.fn(env), Name=name or f"latest-{env}")["FunctionVersion"]

    def aliases(self, env):
        return {a["Name"]: a["FunctionVersion"] for a in self.client("lambda", env).list_aliases(
            FunctionName=self.fn(env))["Aliases"]}

    def versions(self, env):
        return {v["Version"]: v["CodeSha256"] for v in self.client("lambda", env)
                .list_versions_by_function(FunctionName=self.fn(env))["Versions"]
                if v["Version"] != "$LATEST"}

    def latest_sha(self, env):
        return self.client("lambda", env).get_function_configuration(
            FunctionName=self.fn(env))["CodeSha256"]

    def records(self, env):
        items = self.client("dynamodb", env).scan(TableName=f"bbws-deployments-{env}")["Items"]
        out = [{k: v["S"] for k, v in item.items()} for item in items]
        for r in out:
            self.assertLessEqual(ALL_FIELDS, set(r), r)
            self.assertEqual((r["environment"], r["actor"]), (env, "release-test"))
        return sorted(out, key=lambda r: r["deploymentId"])

    def backups(self, env):
        return {n: v for n, v in self.aliases(env).items() if n.startswith("backup-")}

    # -- the steps, in order: each starts from the state the previous ones left --

    def test_1_dev_deploy_and_sit_promotion_copy_the_exact_package(self):
        v1, sha1 = self.deploy_dev("a")
        self.assertEqual((v1, self.alias("dev"), self.versions("dev")[v1]), ("1", "1", sha1))
        [rec] = self.records("dev")
        self.assertEqual((rec["action"], rec["result"], rec["fromVersion"], rec["toVersion"],
                          rec["codeSha256"], rec["reason"]),
                         ("deploy", "succeeded", "", "1", sha1, "test a"))
        sit, out = self.run_script("promote.sh", "--to", "sit", "--version", "1")
        self.assertEqual((sit, self.alias("sit"), self.versions("sit")[sit]), ("1", "1", sha1))
        self.assertIn("List tenants... PASS", out)  # the smoke tests ran against the API
        [rec] = self.records("sit")
        self.assertEqual((rec["action"], rec["result"], rec["toVersion"], rec["codeSha256"]),
                         ("promote", "succeeded", "1", sha1))

    def test_2_prod_promotion_needs_the_maintenance_window(self):
        _, out = self.run_script("promote.sh", "--to", "prod", expect=1)
        self.assertIn("maintenance-window", out)
        self.assertNotIn("latest-prod", self.aliases("prod"))
        self.assertEqual(self.versions("prod"), {})
        [refused] = self.records("prod")
        self.assertEqual((refused["action"], refused["result"]), ("promote", "refused"))
        prod, _ = self.run_script("promote.sh", "--to", "prod", "--maintenance-window", "true")
        self.assertEqual((prod, self.alias("prod"), self.versions("prod")[prod]),
                         ("1", "1", sha_b64(package("a"))))
        self.assertEqual([r["result"] for r in self.records("prod")], ["refused", "succeeded"])

    def test_3_a_second_dev_deploy_leaves_a_backup_alias(self):
        v2, sha2 = self.deploy_dev("b")
        self.assertEqual((v2, self.alias("dev"), self.versions("dev")[v2]), ("2", "2", sha2))
        [(name, version)] = self.backups("dev").items()
        self.assertRegex(name, r"^backup-\d{8}-\d{6}$")
        self.assertEqual(version, "1")

    def test_4_integrity_failure_refuses_and_leaves_the_alias_alone(self):
        self.codes.swap = {sha_b64(package("b")): package("tampered")}  # changed on its way
        try:
            _, out = self.run_script("promote.sh", "--to", "sit", expect=1)
        finally:
            self.codes.swap = {}
        self.assertIn("integrity check failed", out)
        self.assertEqual(self.alias("sit"), "1")
        self.assertEqual(list(self.versions("sit")), ["1"])  # nothing published
        self.assertEqual(self.latest_sha("sit"), sha_b64(package("a")))  # $LATEST restored
        last = self.records("sit")[-1]
        self.assertEqual((last["action"], last["result"], last["fromVersion"], last["toVersion"]),
                         ("promote", "refused", "1", ""))
        self.assertIn("integrity check failed", last["detail"])

    def test_5_failed_health_check_rolls_back_automatically(self):
        # SIT's configuration points the store at nothing: the new version cannot be healthy.
        self.client("lambda", "sit").update_function_configuration(
            FunctionName=self.fn("sit"), Environment={"Variables": self.function_env(
                "sit", STORE="dynamodb", AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
                AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")})
        try:
            _, out = self.run_script("promote.sh", "--to", "sit", expect=1)
        finally:
            self.client("lambda", "sit").update_function_configuration(
                FunctionName=self.fn("sit"), Environment={"Variables": self.function_env("sit")})
        self.assertIn("health check failed: latest-sit rolled back to version 1", out)
        self.assertEqual(self.alias("sit"), "1")
        self.assertEqual(sorted(self.versions("sit")), ["1", "2"])
        promote, rollback = self.records("sit")[-2:]
        self.assertEqual((promote["action"], promote["result"], promote["toVersion"]),
                         ("promote", "rolled-back", "2"))
        self.assertEqual((rollback["action"], rollback["result"], rollback["fromVersion"],
                          rollback["toVersion"], rollback["reason"]),
                         ("rollback", "succeeded", "2", "1",
                          "automatic rollback: health check failed"))

    def test_6_preflight_refuses_a_source_with_errors_in_the_window(self):
        self.client("cloudwatch", "dev").put_metric_data(Namespace="AWS/Lambda", MetricData=[{
            "MetricName": "Errors", "Value": 12, "Unit": "Count",
            "Dimensions": [{"Name": "FunctionName", "Value": self.fn("dev")}]}])
        _, out = self.run_script("promote.sh", "--to", "sit", expect=1)
        self.assertIn("dev had 12 errors in the last 1h (limit 9)", out)
        self.assertEqual(self.alias("sit"), "1")
        self.assertEqual(self.records("sit")[-1]["result"], "refused")

    def test_7_a_deploy_that_fails_its_health_check_rolls_dev_back(self):
        broken = os.path.join(self.work, "broken.zip")
        with zipfile.ZipFile(broken, "w") as z:  # a package whose bootstrap crashes
            info = zipfile.ZipInfo("bootstrap", date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o100755 << 16
            z.writestr(info, "#!/bin/sh\necho 'segfault' >&2\nexit 139\n")
        _, out = self.run_script("deploy-dev.sh", "--zip", broken, expect=1)
        self.assertIn("rolled back to version 2", out)
        self.assertEqual(self.alias("dev"), "2")
        self.assertEqual(self.records("dev")[-1]["reason"], "automatic rollback: health check failed")

    def test_8_manual_rollback_to_the_newest_backup_and_to_a_given_version(self):
        self.run_script("rollback.sh", "--env", "dev", expect=2)  # a reason is required
        # Backups point to 1 (before b) and 2 (before the broken one): the newest elsewhere is 1.
        back, _ = self.run_script("rollback.sh", "--env", "dev", "--reason", "High error rate")
        self.assertEqual((back, self.alias("dev")), ("1", "1"))
        rec = self.records("dev")[-1]
        self.assertEqual((rec["action"], rec["result"], rec["fromVersion"], rec["toVersion"],
                          rec["reason"], rec["codeSha256"]),
                         ("rollback", "succeeded", "2", "1", "High error rate",
                          sha_b64(package("a"))))
        again, _ = self.run_script("rollback.sh", "--env", "dev", "--target-version", "2",
                                   "--reason", "roll forward")
        self.assertEqual((again, self.alias("dev")), ("2", "2"))
        self.run_script("rollback.sh", "--env", "dev", "--target-version", "9",
                        "--reason", "no such version", expect=1)
        self.assertEqual(self.alias("dev"), "2")


    def test_9_errors_during_the_watch_window_roll_prod_back(self):
        # The promotion runs in the background; once latest-prod has moved (the watch is about to
        # start), the new version "fails" in CloudWatch, as live traffic would report it.
        result = {}
        worker = threading.Thread(target=lambda: result.update(zip(("stdout", "out"), self.run_script(
            "promote.sh", "--to", "prod", "--maintenance-window", "true", expect=1,
            env={"ERROR_WATCH_SECONDS": "8"}))))
        worker.start()
        deadline = time.monotonic() + 240
        while self.alias("prod") == "1" and worker.is_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.client("cloudwatch", "prod").put_metric_data(Namespace="AWS/Lambda", MetricData=[{
            "MetricName": "Errors", "Value": 3, "Unit": "Count",
            "Dimensions": [{"Name": "FunctionName", "Value": self.fn("prod")}]}])
        worker.join(300)
        self.assertIn("errors during the watch window: latest-prod rolled back to version 1",
                      result.get("out", ""))
        self.assertEqual(self.alias("prod"), "1")
        promote, rollback = self.records("prod")[-2:]
        self.assertEqual((promote["result"], promote["toVersion"], rollback["toVersion"]),
                         ("rolled-back", "2", "1"))

class SmokeTestScriptTest(unittest.TestCase):
    """scripts/release/smoke-test.sh against a real `tenantd serve` and a minted token."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def smoke(self, *args):
        env = {k: v for k, v in os.environ.items() if k not in ("API_URL", "COGNITO_TOKEN")}
        done = subprocess.run([os.path.join(RELEASE, "smoke-test.sh"), *args],
                              capture_output=True, env=env, timeout=60)
        return done.returncode, done.stdout.decode() + done.stderr.decode()

    def test_passes_with_a_valid_token(self):
        code, out = self.smoke("--url", self.server.base_url, "--token", self.server.admin_token())
        self.assertEqual(code, 0, out)
        for name in ("Health check", "List tenants", "Unknown tenant"):
            self.assertIn(f"{name}... PASS", out)

    def test_fails_with_a_rejected_token_and_skips_without_one(self):
        code, out = self.smoke("--url", self.server.base_url, "--token", "not.a.jwt")
        self.assertEqual(code, 1, out)
        self.assertIn("List tenants... FAIL (HTTP 401", out)
        code, out = self.smoke("--url", self.server.base_url)
        self.assertEqual(code, 0, out)
        self.assertIn("SKIPPED", out)

    def test_fails_when_the_api_is_down(self):
        code, out = self.smoke("--url", f"http://127.0.0.1:{free_port()}")
        self.assertEqual(code, 1, out)
        self.assertIn("Health check... FAIL", out)


class PipelineFilesTest(unittest.TestCase):
    """The workflows are valid YAML with the runbook's inputs and call only the scripts; every
    script answers --help; the Terraform is formatted."""

    INPUTS = {"deploy-dev.yml": {"skip_tests"}, "promote-to-sit.yml": {"dev_version"},
              "promote-to-prod.yml": {"sit_version", "maintenance_window"},
              "rollback.yml": {"environment", "target_version", "reason"}}

    def test_workflows_are_valid_and_call_existing_scripts(self):
        for name, inputs in self.INPUTS.items():
            with open(os.path.join(WORKFLOWS, name)) as f:
                doc = yaml.safe_load(f)
            triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
            self.assertEqual(set(triggers["workflow_dispatch"]["inputs"]), inputs, name)
            runs = [step["run"] for job in doc["jobs"].values() for step in job["steps"]
                    if "run" in step]
            self.assertTrue(any("scripts/release/" in r for r in runs), name)
            for run in runs:
                for word in run.split():
                    if word.startswith("scripts/"):
                        self.assertTrue(os.path.isfile(os.path.join(harness.SOURCE_DIR, word)),
                                        f"{name} calls missing {word}")
        with open(os.path.join(WORKFLOWS, "deploy-dev.yml")) as f:
            self.assertIn("main", yaml.safe_load(f)[True]["push"]["branches"])
        with open(os.path.join(WORKFLOWS, "promote-to-prod.yml")) as f:
            prod = yaml.safe_load(f)
        self.assertTrue(prod[True]["workflow_dispatch"]["inputs"]["maintenance_window"]["required"])
        self.assertTrue(any(job.get("environment") for job in prod["jobs"].values()))

    def test_every_script_answers_help(self):
        for name in ("deploy-dev.sh", "promote.sh", "rollback.sh", "smoke-test.sh", "status.sh",
                     "save-profile.sh"):
            done = subprocess.run([os.path.join(RELEASE, name), "--help"], capture_output=True)
            self.assertEqual(done.returncode, 0, name)
            self.assertIn(b"usage: scripts/release/" + name.encode(), done.stdout)

    def test_terraform_is_formatted(self):
        if shutil.which("terraform") is None:
            self.skipTest("terraform not installed")
        done = subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff",
                               os.path.join(harness.SOURCE_DIR, "deploy", "terraform")],
                              capture_output=True)
        self.assertEqual(done.returncode, 0, done.stdout.decode() + done.stderr.decode())


if __name__ == "__main__":
    unittest.main()
