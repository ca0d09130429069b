#!/usr/bin/env python3
"""Lambda cold start and warm invocation latency of tenantd, against the floor of the seed's
Python stack measured in the same run (docs/performance.md#targets, issue 6).

    bench/load/lambda_bench.py BIN [--runs 10] [--warm 1000] [--floor-client PATH]
                               [--api-double PATH]

- cold start: exec of BIN (as `bootstrap`, AWS_LAMBDA_RUNTIME_API pointing at a local Runtime
  API) to the first response posted back, for the health event and for a GET of a tenant; best
  and median of --runs fresh processes (the data dir is kept, as a warm Lambda sandbox's /tmp is
  not: every run opens an existing store, like a Lambda re-using its tables);
- the floor: the whole process `python3 -c "import boto3, pydantic; boto3.client('dynamodb');
  boto3.client('events')"`, best and median of --runs;
- warm: --warm sequential health invocations through one running runtime loop, from `next`
  returning the event to the response arriving (includes the local Runtime API's own Python);
- the warm floor (with --floor-client, built as build/release/bench/runtime_floor_client): the same
  invocations answered by a client that does no work, in alternating rounds with tenantd's, so
  that both see the same machine. What the harness costs on its own is that floor.
- with --api-double (build/release/bench/runtime_api_double): the same warm invocations, and the
  floor's, in the same rounds, timed by a Runtime API written in C++, whose own share of each
  invocation is smaller than the Python one's; and --runs more health cold starts, timed by it
  from before its fork of BIN to the first response, against the same Python floor (with
  --floor-client, alternating with as many of the client that does no work).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "functional"))
from lambda_runtime_api import RuntimeApi  # noqa: E402

HEALTH = {"httpMethod": "GET", "path": "/health", "headers": {}}
# The Lambda defaults are AWS services; the benchmark runs it on the embedded parts, with the
# settings a Lambda requires (a fixed secret, explicit sinks), as tests/functional does.
EMBEDDED = {"STORE": "sqlite", "AUTH_MODE": "local", "DIRECTORY": "local", "EVENT_SINKS": "file",
            "PROVISIONER": "events", "JWT_SECRET": "lambda-bench-secret-0123456789abcdef",
            "LOG_LEVEL": "warn"}


def lambda_env(data_dir, api=None):
    env = dict(os.environ, DATA_DIR=data_dir, **EMBEDDED)
    if api is not None:
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{api.port}"
    return env


def cold_start(binary, data_dir, event):
    api = RuntimeApi()
    request_id = api.invoke(event)
    env = lambda_env(data_dir, api)
    started = time.monotonic()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        kind, body, _ = api.result(request_id)
        elapsed = api.answered_at[request_id] - started
        if kind != "response" or json.loads(body)["statusCode"] != 200:
            raise RuntimeError(f"cold start answered {kind}: {body[:200]!r}")
        return elapsed * 1000
    finally:
        proc.kill()
        proc.wait()
        api.close()


def python_floor():
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import boto3, pydantic; boto3.client('dynamodb', "
                    "region_name='eu-west-1'); boto3.client('events', region_name='eu-west-1')"],
                   check=True)
    return (time.monotonic() - started) * 1000


WARM_ROUNDS = 4


def warm_latencies(binary, data_dir, count):
    api = RuntimeApi()
    env = lambda_env(data_dir, api)
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        api.result(api.invoke(HEALTH))  # the cold one
        samples = []
        for _ in range(count):
            request_id = api.invoke(HEALTH)
            api.result(request_id)
            samples.append((api.answered_at[request_id] - api.handed_out[request_id]) * 1000)
        return samples
    finally:
        proc.kill()
        proc.wait()
        api.close()


def double_latencies(double, binary, data_dir, count):
    """A health cold start and `count` warm health invocations timed by runtime_api_double (C++),
    in milliseconds: (cold, [warm...])."""
    out = subprocess.run([double, str(count), json.dumps(HEALTH), binary], check=True,
                         env=lambda_env(data_dir), capture_output=True).stdout
    millis = [float(line) / 1000 for line in out.decode().split()]
    return millis[0], millis[1:]


def percentiles(samples):
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50:.3f} ms, p99 {p99:.3f} ms"


def summary(samples):
    return f"best {min(samples):.1f} ms, median {statistics.median(samples):.1f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warm", type=int, default=1000)
    parser.add_argument("--floor-client", help="runtime_floor_client, for the warm floor")
    parser.add_argument("--api-double",
                        help="runtime_api_double: times the warm invocations again through a C++ "
                             "Runtime API, whose own cost is lower than this script's")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="tenantd-lambda-bench-")
    try:
        bootstrap = os.path.join(work, "bootstrap")
        os.symlink(os.path.abspath(args.binary), bootstrap)
        data_dir = os.path.join(work, "data")
        token = subprocess.run([args.binary, "token", "--email", "bench@example.com", "--groups",
                                "platform-admins", "--data-dir", data_dir], check=True,
                               env=lambda_env(data_dir), capture_output=True).stdout.decode().strip()
        auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        created = subprocess.run(
            [args.binary, "invoke", json.dumps({
                "httpMethod": "POST", "path": "/v1.0/tenants", "headers": auth,
                "body": json.dumps({"organizationName": "Bench Org", "environment": "dev",
                                    "contactEmail": "owner@example.com"})}),
             "--data-dir", data_dir], check=True, env=lambda_env(data_dir),
            capture_output=True).stdout
        tenant_id = json.loads(json.loads(created)["body"])["tenantId"]
        get_tenant = {"httpMethod": "GET", "path": f"/v1.0/tenants/{tenant_id}", "headers": auth}

        health = [cold_start(bootstrap, data_dir, HEALTH) for _ in range(args.runs)]
        get = [cold_start(bootstrap, data_dir, get_tenant) for _ in range(args.runs)]
        health_fast, cold_floor = [], []
        for _ in range(args.runs if args.api_double else 0):
            health_fast.append(double_latencies(args.api_double, bootstrap, data_dir, 0)[0])
            if args.floor_client:
                cold_floor.append(
                    double_latencies(args.api_double, args.floor_client, data_dir, 0)[0])
        floor = [python_floor() for _ in range(args.runs)]
        rounds = WARM_ROUNDS if args.floor_client else 1
        per_round = max(1, args.warm // rounds)
        warm, warm_floor, fast, fast_floor = [], [], [], []
        for _ in range(rounds):
            warm += warm_latencies(bootstrap, data_dir, per_round)
            if args.floor_client:
                warm_floor += warm_latencies(args.floor_client, data_dir, per_round)
            if args.api_double:
                fast += double_latencies(args.api_double, bootstrap, data_dir, per_round)[1]
                if args.floor_client:
                    fast_floor += double_latencies(args.api_double, args.floor_client, data_dir,
                                                   per_round)[1]
        print(f"cold start, health event:   {summary(health)}")
        print(f"cold start, GET tenant:     {summary(get)}")
        print(f"python floor (boto3+pydantic): {summary(floor)}")
        print(f"floor / tenantd (best, health): {min(floor) / min(health):.0f}x")
        if health_fast:
            print(f"cold start, health event, C++ Runtime API: {summary(health_fast)}")
            print(f"floor / tenantd (best, health, C++ Runtime API): "
                  f"{min(floor) / min(health_fast):.0f}x")
        if cold_floor:
            print(f"cold start, a client doing no work, C++ Runtime API: {summary(cold_floor)}")
        print(f"warm invocation ({len(warm)}): {percentiles(warm)}")
        if warm_floor:
            print(f"warm floor, a client doing no work ({len(warm_floor)}): "
                  f"{percentiles(warm_floor)}")
        if fast:
            print(f"warm invocation, C++ Runtime API ({len(fast)}): {percentiles(fast)}")
        if fast_floor:
            print(f"warm floor, C++ Runtime API ({len(fast_floor)}): {percentiles(fast_floor)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
