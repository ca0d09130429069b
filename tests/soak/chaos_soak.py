#!/usr/bin/env python3
"""Chaos soak (docs/hardening.md): a mixed workload of every route family against `tenantd serve`
for a bounded time while faults are injected, then an invariant checker.

    python3 tests/soak/chaos_soak.py --duration 180          # CI (scripts/test.sh)
    python3 tests/soak/chaos_soak.py --duration 1800         # the long run

Faults: kill -9 and restart every ~20 s; the webhook sink refusing (503) for two windows;
DynamoDB (moto, tests/moto/moto_server.py) behind tests/soak/fault_proxy.py throttling, failing
with 500s, and losing responses of applied writes; the data dir (a tmpfs of its own, root only)
filled to the last byte and freed. Afterwards: no acknowledged write lost, no effect applied twice
for a retried Idempotency-Key, memberCount / instanceCount exact, every outbox event delivered to
every sink, no operation stuck running, the server's RSS under --rss-limit-mb. Prints the figures;
exit status 1 when an invariant fails.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "functional"))
sys.path.insert(0, HERE)

import harness  # noqa: E402  (tests/functional/harness.py: the server process)
import invariants  # noqa: E402
from disk_filler import DiskFiller  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from webhook_double import WebhookDouble  # noqa: E402
from workload import Model, Target, Worker, request  # noqa: E402

JWT_SECRET = "chaos-soak-jwt-secret-0123456789abcdef0123"


def fault_windows(duration):
    """(start, end, what) in seconds from the start, scaled to the duration."""
    d = duration
    return [(0.10 * d, 0.22 * d, ("dynamodb", "throttle", 0.25)),
            (0.20 * d, 0.35 * d, ("webhook", True, None)),
            (0.40 * d, 0.50 * d, ("dynamodb", "error", 0.15)),
            (0.50 * d, 0.60 * d, ("disk", True, None)),
            (0.60 * d, 0.68 * d, ("webhook", True, None)),
            (0.70 * d, 0.78 * d, ("dynamodb", "ambiguous", 0.05))]


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class Chaos:
    def __init__(self, args, server, target, proxy, webhook, disk):
        self.args = args
        self.server = server
        self.target = target
        self.proxy = proxy
        self.webhook = webhook
        self.disk = disk
        self.kills = 0
        self.restart_failures = 0
        self.restart_seconds = []
        self.rss_samples = []
        self.faults = {"dynamodb_windows": 0, "webhook_windows": 0, "disk_fills": 0}
        self.random = random.Random(20)

    def start_server(self):
        """Starts the server, retrying while it cannot (a full disk may stop it): returns the
        seconds it took."""
        began = time.monotonic()
        while True:
            try:
                self.server.start()
                self.target.set_port(self.server.port)
                return time.monotonic() - began
            except harness.HarnessError as e:
                self.restart_failures += 1
                if time.monotonic() - began > 60:
                    raise RuntimeError(f"server does not start: {e}")
                time.sleep(1)

    def kill_and_restart(self):
        self.target.set_port(None)
        self.server.kill()
        self.kills += 1
        self.restart_seconds.append(self.start_server())

    def apply(self, kind, value, rate, on):
        if kind == "dynamodb":
            self.proxy.set_fault(value if on else None, rate or 0.0)
            self.faults["dynamodb_windows"] += on
        elif kind == "webhook":
            self.webhook.set_failing(on)
            self.faults["webhook_windows"] += on
        elif kind == "disk" and self.disk.mounted:
            if on:
                self.disk.fill()
                self.faults["disk_fills"] += 1
            else:
                self.disk.free()

    def run(self, duration, stop):
        began = time.monotonic()
        windows = fault_windows(duration)
        active = set()
        next_kill = began + self.args.kill_interval + self.random.uniform(-4, 4)
        while not stop.is_set():
            now = time.monotonic() - began
            if now >= duration:
                break
            for i, (start, end, (kind, value, rate)) in enumerate(windows):
                if start <= now < end and i not in active:
                    active.add(i)
                    self.apply(kind, value, rate, True)
                elif now >= end and i in active:
                    active.discard(i)
                    self.apply(kind, value, rate, False)
            if time.monotonic() >= next_kill:
                self.kill_and_restart()
                next_kill = time.monotonic() + self.args.kill_interval + self.random.uniform(-4, 4)
            if self.server.proc is not None:
                sample = rss_mb(self.server.proc.pid)
                if sample is not None:
                    self.rss_samples.append(sample)
            time.sleep(0.5)
        for i in list(active):
            kind, value, rate = windows[i][2]
            self.apply(kind, value, rate, False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=180, help="seconds of workload and faults")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill-interval", type=float, default=20, help="seconds between kill -9s")
    parser.add_argument("--rss-limit-mb", type=float, default=256,
                        help="bound on the server's resident memory, during and after the run")
    parser.add_argument("--settle", type=float, default=120,
                        help="seconds the work may take to settle after the faults stop")
    parser.add_argument("--report", help="also write the report as JSON to this file")
    args = parser.parse_args()
    if not os.access(harness.BIN, os.X_OK):
        sys.exit(f"tenantd binary not found at {harness.BIN} (set TENANTD_BIN)")

    work_dir = tempfile.mkdtemp(prefix="tenantd-soak-")
    data_dir = os.path.join(work_dir, "data")
    moto_dir = os.path.join(work_dir, "moto")
    disk = DiskFiller(data_dir)
    disk.mount()
    moto_script = os.path.join(SOURCE_DIR, "tests", "moto", "moto_server.py")
    subprocess.run([sys.executable, moto_script, "start", moto_dir], check=True,
                   stdout=subprocess.DEVNULL)
    proxy = webhook = server = None
    try:
        with open(os.path.join(moto_dir, "endpoint")) as f:
            proxy = FaultProxy(f.read().strip()).start()
        webhook = WebhookDouble().start()
        env = {"STORE": "dynamodb", "AWS_REGION": "eu-west-1",
               "AWS_ENDPOINT_URL_DYNAMODB": proxy.endpoint,
               "AWS_ACCESS_KEY_ID": "TESTACCT000000000016", "AWS_SECRET_ACCESS_KEY": "testing",
               "JWT_SECRET": JWT_SECRET, "EVENT_SINKS": "file,webhook",
               "WEBHOOK_URL": webhook.url, "WEBHOOK_SECRET": "chaos-soak-webhook-secret-0123456789",
               "PROVISIONER": "simulated", "SIMULATED_STEP_MS": "300",
               "OUTBOX_BASE_BACKOFF_MS": "100", "OUTBOX_MAX_ATTEMPTS": "60",
               "LOG_LEVEL": "warn"}
        server = harness.Server(env=env, data_dir=data_dir)
        cli_env = dict(server.env)
        subprocess.run([harness.BIN, "migrate", "--data-dir", data_dir], env=cli_env, check=True,
                       capture_output=True, timeout=120)
        target = Target(server.token("soak-admin@example.com", ["platform-admins"]))
        chaos = Chaos(args, server, target, proxy, webhook, disk)
        chaos.start_server()

        model = Model()
        stop = threading.Event()
        workers = [Worker(i, target, model, stop, seed=1600 + i) for i in range(args.workers)]
        began = time.monotonic()
        for w in workers:
            w.start()
        chaos.run(args.duration, stop)
        stop.set()
        for w in workers:
            w.join(30)
        load_seconds = time.monotonic() - began
        if server.proc is None or server.proc.poll() is not None:
            chaos.start_server()
        # The faults have stopped: the checks run against the last server, as it is.
        checks = [invariants.check_writes(target, model),
                  invariants.check_idempotency(target, model),
                  invariants.check_counts(target, model),
                  invariants.check_operations(target, model, args.settle),
                  invariants.check_events(harness.BIN, cli_env, data_dir, webhook, model,
                                          args.settle)]
        final_rss = rss_mb(server.proc.pid) if server.proc is not None else None
        peak_rss = max(chaos.rss_samples + [final_rss or 0])
        rss_ok = final_rss is not None and final_rss <= args.rss_limit_mb and \
            peak_rss <= args.rss_limit_mb
        checks.append((f"server RSS under {args.rss_limit_mb:.0f} MB", rss_ok,
                       {"peak_mb": round(peak_rss, 1),
                        "final_mb": round(final_rss, 1) if final_rss else None},
                       [] if rss_ok else [f"peak {peak_rss:.1f} MB, final {final_rss} MB"]))
        report = {
            "duration_s": round(load_seconds, 1),
            "requests": model.requests,
            "requests_per_s": round(model.requests / load_seconds, 1),
            "answers": dict(sorted(model.answers.items())),
            "faults": {"kill_9": chaos.kills,
                       "restart_s_max": round(max(chaos.restart_seconds, default=0), 2),
                       "restart_failures": chaos.restart_failures,
                       "dynamodb_injected": {k: v for k, v in proxy.counts.items()
                                             if k not in ("forwarded", "token_replays")},
                       "dynamodb_forwarded": proxy.counts["forwarded"],
                       "dynamodb_token_replays": proxy.counts["token_replays"],
                       "webhook_failure_windows": chaos.faults["webhook_windows"],
                       "webhook_refusals": webhook.refused,
                       "disk_fills": disk.fills if disk.mounted else
                       f"not injected ({disk.reason})"},
            "unexpected_4xx": model.unexpected[:10],
            "invariants": [{"name": n, "passed": ok, "figures": f, "problems": p[:20]}
                           for n, ok, f, p in checks],
        }
        print_report(report)
        if args.report:
            with open(args.report, "w") as f:
                json.dump(report, f, indent=2)
        return 0 if all(ok for _, ok, _, _ in checks) else 1
    finally:
        if server is not None:
            server.kill()
        if proxy is not None:
            proxy.stop()
        if webhook is not None:
            webhook.stop()
        subprocess.run([sys.executable, moto_script, "stop", moto_dir], stdout=subprocess.DEVNULL)
        disk.unmount()
        shutil.rmtree(work_dir, ignore_errors=True)


def print_report(report):
    print(f"chaos soak: {report['duration_s']} s, {report['requests']} requests "
          f"({report['requests_per_s']}/s), answers {report['answers']}")
    print("faults injected: " + json.dumps(report["faults"]))
    for what in report["unexpected_4xx"]:
        print(f"  unexpected answer: {what}")
    for inv in report["invariants"]:
        mark = "ok    " if inv["passed"] else "FAILED"
        print(f"{mark} {inv['name']}: {json.dumps(inv['figures'])}")
        for p in inv["problems"]:
            print(f"         {p}")


if __name__ == "__main__":
    sys.exit(main())
