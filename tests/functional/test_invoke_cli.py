"""`tenantd invoke` reads its event from an argument, `-` (stdin) or `--file PATH`, with flags
before or after it, and every command answers --help (issue 15, item 5)."""
import json
import os
import subprocess
import tempfile
import unittest

import harness

EVENT = {"httpMethod": "GET", "path": "/health", "headers": {}}


class InvokeCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(harness.BIN, os.X_OK):
            raise unittest.SkipTest(f"tenantd binary not found at {harness.BIN}")
        cls.dir = tempfile.mkdtemp(prefix="tenantd-invoke-")
        cls.event_file = os.path.join(cls.dir, "event.json")
        with open(cls.event_file, "w", encoding="utf-8") as f:
            json.dump(EVENT, f)

    def run_tenantd(self, *args, stdin=b""):
        env = dict(os.environ, LOG_LEVEL="error")
        return subprocess.run([harness.BIN, *args], input=stdin, capture_output=True,
                              env=env, timeout=60)

    def assertHealthy(self, done):
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout)["statusCode"], 200, done.stdout)

    def test_the_event_comes_from_a_file_stdin_or_an_argument_with_flags_anywhere(self):
        text = json.dumps(EVENT)
        self.assertHealthy(self.run_tenantd("invoke", "--file", self.event_file,
                                            "--data-dir", self.dir))
        self.assertHealthy(self.run_tenantd("invoke", "--data-dir", self.dir,
                                            f"--file={self.event_file}"))
        self.assertHealthy(self.run_tenantd("invoke", "-", "--data-dir", self.dir,
                                            stdin=text.encode()))
        self.assertHealthy(self.run_tenantd("invoke", "--data-dir", self.dir,
                                            stdin=text.encode()))
        self.assertHealthy(self.run_tenantd("invoke", "--data-dir", self.dir, text))
        self.assertHealthy(self.run_tenantd("invoke", text, "--data-dir", self.dir))

    def test_bad_event_sources_are_usage_errors(self):
        missing = self.run_tenantd("invoke", "--file", os.path.join(self.dir, "none.json"),
                                   "--data-dir", self.dir)
        self.assertEqual(missing.returncode, 2)
        self.assertIn(b"--file", missing.stderr)
        both = self.run_tenantd("invoke", "--file", self.event_file, json.dumps(EVENT),
                                "--data-dir", self.dir)
        self.assertEqual(both.returncode, 2)

    def test_every_command_answers_help(self):
        for command in ("serve", "token", "migrate", "outbox", "invoke", "lambda", "version"):
            with self.subTest(command=command):
                done = self.run_tenantd(command, "--help")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn(b"Usage" if command != "serve" else b"PORT", done.stdout)


if __name__ == "__main__":
    unittest.main()
