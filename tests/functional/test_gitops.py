"""The gitops driver (docs/instances.md#drivers) end to end: tenantd with PROVISIONER=gitops against a
local bare git repository (file:// URL) and a local double of GitHub's workflow_dispatch API.
Create -> rendered files committed and pushed, workflow dispatched with the right inputs,
COMMITTING -> WORKFLOW_QUEUED, then the workflow's reports -> ACTIVE; delete -> files removed,
destroy dispatched; dispatch 422 and a refused push -> FAILED with a non-retryable error;
a silent workflow -> WORKFLOW_FAILED after GITOPS_WORKFLOW_TIMEOUT."""
import os
import shutil
import subprocess
import tempfile
import unittest

import harness
from github_double import GithubDouble
from harness import ServerTestCase, read_events, wait_for

REPOSITORY = "bbws/gitops-dev"
TOKEN = "ghp-test-token"


def git(*args, cwd=None):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout.strip()


class GitopsEnvironment:
    """A bare GitOps repository with a seed commit, the GitHub double and a tenantd using both."""

    def __init__(self, timeout="60s", provisioner="gitops", env=None):
        self.root = tempfile.mkdtemp(prefix="tenantd-gitops-")
        self.bare = os.path.join(self.root, "gitops.git")
        git("init", "-q", "--bare", "-b", "main", self.bare)
        seed = os.path.join(self.root, "seed")
        git("clone", "-q", self.bare, seed)
        with open(os.path.join(seed, "shared.tfvars"), "w") as f:
            f.write('vpc_id = "vpc-1"\n')
        git("add", "-A", cwd=seed)
        git("commit", "-q", "-m", "seed", cwd=seed)
        git("push", "-q", "origin", "HEAD:main", cwd=seed)
        self.github = GithubDouble().start()
        self.server = harness.Server(env={
            **(env or {}),
            "PROVISIONER": provisioner,
            "GITOPS_REPO_URL": "file://" + self.bare,
            "GITOPS_GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_API_URL": self.github.url,
            "GITHUB_TOKEN": TOKEN,
            "GITOPS_WORKFLOW_TIMEOUT": timeout,
        }).start()

    def remote(self, *args):
        return git("--git-dir=" + self.bare, *args)

    def close(self):
        try:
            self.server.stop()
        finally:
            self.server.cleanup()
            self.github.stop()
            shutil.rmtree(self.root, ignore_errors=True)


class GitopsTestCase(ServerTestCase):
    env = None

    def setUp(self):
        self.srv = self.env.server
        self.adm = self.srv.admin()
        self.worker = self.srv.client(self.srv.token("workflow@example.com", ["system"]))

    def create(self, tid, **body):
        body.setdefault("tier", "STANDARD")
        reply = self.adm.post(f"/v1.0/tenants/{tid}/instances", body)
        self.assertEqual(reply.status, 202, reply)
        return reply.body

    def instance(self, iid):
        reply = self.adm.get(f"/v1.0/instances/{iid}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def operation(self, oid):
        reply = self.adm.get(f"/v1.0/operations/{oid}")
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def wait_state(self, iid, states, timeout=10.0):
        found = wait_for(lambda: self.instance(iid)["state"] in states and self.instance(iid),
                         timeout=timeout)
        self.assertTrue(found, f"{iid} never reached {states}: {self.instance(iid)['state']}")
        return found

    def report(self, iid, **body):
        reply = self.worker.post(f"/v1.0/instances/{iid}/events", body)
        self.assertEqual(reply.status, 200, reply)
        return reply.body

    def states_seen(self, tid):
        """The states of the tenant's instance, in the order of its INSTANCE_STATE_CHANGED."""
        return [e["detail"]["after"]["state"] for e in read_events(self.srv.events_path())
                if e["detail-type"] == "INSTANCE_STATE_CHANGED"
                and e["detail"].get("tenantId") == tid]


class GitopsLifeTest(GitopsTestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = GitopsEnvironment()

    @classmethod
    def tearDownClass(cls):
        cls.env.close()

    def test_create_commits_dispatches_and_reports_lead_to_active(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        created = self.create(tid, tier="PROFESSIONAL", opportunityId="opp-42",
                              configuration={"desiredCount": 3})
        iid, oid = created["instanceId"], created["operationId"]
        self.wait_state(iid, {"WORKFLOW_QUEUED"})

        # The rendered Terraform is on the branch, on top of the seed commit.
        tf = self.env.remote("show", f"main:tenants/{tid}/ecs.tf")
        self.assertIn("desired_count   = 3", tf)
        main_tf = self.env.remote("show", f"main:tenants/{tid}/main.tf")
        self.assertIn(f'"bbws:tenant-id" = "{tid}"', main_tf)
        self.assertIn('"bbws:opportunity" = "opp-42"', main_tf)
        self.assertIn(f'service_name  = "tenant-{tid}-wordpress"', main_tf)
        self.env.remote("show", f"main:.github/workflows/deploy-tenant-{tid}.yml")
        self.assertEqual(self.env.remote("show", "main:shared.tfvars"), 'vpc_id = "vpc-1"')
        self.assertIn(oid, self.env.remote("log", "-1", "--format=%s", "main"))

        # One dispatch of the tenant's workflow with the commit and the operation.
        dispatches = self.env.github.for_workflow(f"deploy-tenant-{tid}.yml")
        self.assertEqual(len(dispatches), 1, dispatches)
        d = dispatches[0]
        self.assertEqual(f"{d['owner']}/{d['repo']}", REPOSITORY)
        self.assertEqual(d["authorization"], "Bearer " + TOKEN)
        self.assertEqual(d["body"], {"ref": "main", "inputs": {
            "action": "apply", "instance_id": iid, "operation_id": oid,
            "config_ref": self.env.remote("rev-parse", "main")}})

        self.assertEqual(self.operation(oid)["status"], "IN_PROGRESS")
        # The workflow reports its progress and success.
        for state in ["WORKFLOW_RUNNING", "PROVISIONING", "ACTIVE"]:
            self.assertTrue(self.report(iid, type="STATE_CHANGED", state=state,
                                        operationId=oid)["applied"])
        self.assertEqual(self.instance(iid)["state"], "ACTIVE")
        self.assertEqual(self.operation(oid)["status"], "COMPLETED")
        seen = wait_for(lambda: len(self.states_seen(tid)) >= 5 and self.states_seen(tid))
        self.assertEqual(seen, ["COMMITTING", "WORKFLOW_QUEUED", "WORKFLOW_RUNNING",
                                "PROVISIONING", "ACTIVE"])

        # Delete: the tenant's files leave the branch and `destroy` runs on the last commit
        # that had them.
        with_files = self.env.remote("rev-parse", "main")
        reply = self.adm.delete(f"/v1.0/instances/{iid}")
        self.assertEqual(reply.status, 202, reply)
        delete_op = reply.body["operationId"]
        self.wait_state(iid, {"DEPROVISIONING"})
        listing = self.env.remote("ls-tree", "-r", "--name-only", "main")
        self.assertNotIn(f"tenants/{tid}/", listing)
        self.assertIn(f".github/workflows/deploy-tenant-{tid}.yml", listing)
        destroy = self.env.github.for_workflow(f"deploy-tenant-{tid}.yml")[-1]["body"]["inputs"]
        self.assertEqual(destroy, {"action": "destroy", "instance_id": iid,
                                   "operation_id": delete_op, "config_ref": with_files})
        self.report(iid, type="OPERATION_COMPLETED", operationId=delete_op)
        self.assertEqual(self.instance(iid)["state"], "DEPROVISIONED")

    def test_dispatch_422_fails_the_operation_with_a_non_retryable_error(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        self.env.github.answers[f"deploy-tenant-{tid}.yml"] = (
            422, {"message": "Unexpected inputs provided: [\"config_ref\"]"})
        created = self.create(tid)
        iid, oid = created["instanceId"], created["operationId"]
        inst = self.wait_state(iid, {"FAILED", "WORKFLOW_FAILED"})
        self.assertEqual(inst["state"], "FAILED")
        self.assertEqual(inst["lastError"]["code"], "WORKFLOW_DISPATCH_REJECTED")
        self.assertIs(inst["lastError"]["retryable"], False)
        self.assertIn("422", inst["lastError"]["message"])
        self.assertIn("Unexpected inputs", inst["lastError"]["message"])
        op = self.operation(oid)
        self.assertEqual(op["status"], "FAILED")
        self.assertEqual(op["error"]["code"], "WORKFLOW_DISPATCH_REJECTED")
        # Not retried on its own: one dispatch only.
        self.assertEqual(len(self.env.github.for_workflow(f"deploy-tenant-{tid}.yml")), 1)

    def test_dispatch_5xx_is_retried_then_fails_retryably(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        self.env.github.answers[f"deploy-tenant-{tid}.yml"] = (502, {"message": "Bad Gateway"})
        created = self.create(tid)
        inst = self.wait_state(created["instanceId"], {"FAILED"})
        self.assertEqual(inst["lastError"]["code"], "GITHUB_UNAVAILABLE")
        self.assertIs(inst["lastError"]["retryable"], True)
        self.assertEqual(len(self.env.github.for_workflow(f"deploy-tenant-{tid}.yml")), 3)

    def test_refused_push_fails_the_operation_and_leaves_the_branch(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        before = self.env.remote("rev-parse", "main")
        lock = os.path.join(self.env.bare, "refs", "heads", "main.lock")
        open(lock, "w").close()  # the remote refuses to move its branch
        try:
            created = self.create(tid)
            inst = self.wait_state(created["instanceId"], {"FAILED"})
        finally:
            os.remove(lock)
        self.assertEqual(inst["lastError"]["code"], "GIT_PUSH_REJECTED")
        self.assertIs(inst["lastError"]["retryable"], False)
        self.assertEqual(self.env.remote("rev-parse", "main"), before)
        self.assertEqual(self.env.github.for_workflow(f"deploy-tenant-{tid}.yml"), [])


class GitopsTimeoutTest(GitopsTestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = GitopsEnvironment(timeout="2s")

    @classmethod
    def tearDownClass(cls):
        cls.env.close()

    def test_silent_workflow_times_out_into_workflow_failed(self):
        tid = self.create_tenant(client=self.adm)["tenantId"]
        created = self.create(tid)
        iid, oid = created["instanceId"], created["operationId"]
        self.wait_state(iid, {"WORKFLOW_QUEUED", "WORKFLOW_FAILED"})
        inst = self.wait_state(iid, {"WORKFLOW_FAILED"}, timeout=10)
        self.assertEqual(inst["lastError"]["code"], "WORKFLOW_TIMEOUT")
        self.assertIs(inst["lastError"]["retryable"], True)
        self.assertEqual(self.operation(oid)["status"], "FAILED")
        # A late report of the timed-out run changes nothing.
        self.assertFalse(self.report(iid, type="STATE_CHANGED", state="WORKFLOW_RUNNING",
                                     operationId=oid)["applied"])


class GitopsSetupTest(unittest.TestCase):
    def test_missing_repository_settings_refuse_to_start(self):
        srv = harness.Server(env={"PROVISIONER": "gitops", "GITHUB_TOKEN": TOKEN})
        try:
            with self.assertRaises(harness.HarnessError) as caught:
                srv.start()
            self.assertIn("GITOPS_REPO_URL", str(caught.exception))
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
