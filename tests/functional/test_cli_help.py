"""Every subcommand of tenantd answers --help and -h with its usage and flags (exit 0); an
unknown flag is a usage error that names the flag and ends with the command's usage (exit 2)."""
import os
import subprocess
import tempfile
import unittest

import harness

COMMANDS = ("serve", "token", "console-link", "migrate", "outbox", "invoke", "lambda", "version")
# A flag of each command's own that its --help must show (serve lists the settings).
OWN_FLAG = {"serve": b"--port", "token": b"--email", "console-link": b"--email",
            "migrate": b"--store", "outbox": b"--status", "invoke": b"--file",
            "lambda": b"--store", "version": b"--help"}


class CliHelpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(harness.BIN, os.X_OK):
            raise unittest.SkipTest(f"tenantd binary not found at {harness.BIN}")
        cls.dir = tempfile.mkdtemp(prefix="tenantd-cli-help-")

    def run_tenantd(self, *args):
        env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_RUNTIME_API"}
        env.update(LOG_LEVEL="error", DATA_DIR=self.dir)
        return subprocess.run([harness.BIN, *args], stdin=subprocess.DEVNULL, capture_output=True,
                              env=env, cwd=self.dir, timeout=60)

    def test_every_command_answers_help_and_h_with_its_flags(self):
        for command in COMMANDS:
            for flag in ("--help", "-h"):
                with self.subTest(command=command, flag=flag):
                    done = self.run_tenantd(command, flag)
                    self.assertEqual(done.returncode, 0, done.stderr)
                    self.assertIn(b"Usage: tenantd " + command.encode(), done.stdout)
                    self.assertIn(OWN_FLAG[command], done.stdout)

    def test_the_overview_lists_every_command(self):
        for args in (("--help",), ("-h",), ("help",)):
            done = self.run_tenantd(*args)
            self.assertEqual(done.returncode, 0, done.stderr)
            for command in COMMANDS:
                self.assertIn(b"\n  " + command.encode(), done.stdout)

    def test_an_unknown_flag_is_a_usage_error_with_the_usage(self):
        for command in COMMANDS:
            if command == "lambda":  # it needs AWS_LAMBDA_RUNTIME_API before it reads flags
                continue
            with self.subTest(command=command):
                args = ["outbox", "list"] if command == "outbox" else [command]
                if command in ("token", "console-link"):
                    args += ["--email", "a@example.com"]
                done = self.run_tenantd(*args, "--no-such-flag")
                self.assertEqual(done.returncode, 2, done.stderr)
                self.assertIn(b"--no-such-flag", done.stderr)
                self.assertIn(b"Usage: tenantd " + command.encode(), done.stderr)
                self.assertEqual(done.stdout, b"")


if __name__ == "__main__":
    unittest.main()
