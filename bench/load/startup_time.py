#!/usr/bin/env python3
"""Start-up time of `tenantd serve`: from exec to the first 200 from GET /health, best of N.

    bench/load/startup_time.py BIN [--runs 10] [--data-dir DIR]

Each run starts `BIN serve --port 0` on a data dir, reads the `tenantd listening on
http://HOST:PORT` line, then polls /health until it answers 200, and stops the server with
SIGTERM. Without --data-dir every run gets a new empty data dir (a first start: key file,
database and tables are created); with it every run reuses that dir (a restart).
Prints one line per run on stderr, then `best X ms, median Y ms` on stdout.
"""
import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

LISTENING = re.compile(r"tenantd listening on http://([^:/\s]+):(\d+)")


def wait_for_listening(proc, deadline):
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"tenantd exited (code {proc.poll()}) before it was listening")
        match = LISTENING.search(line)
        if match:
            return match.group(1), int(match.group(2))
    raise RuntimeError("tenantd did not print its listening line in time")


def wait_for_health(host, port, deadline):
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection(host, port, timeout=5)
        try:
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
    raise RuntimeError("GET /health did not answer 200 in time")


def one_run(binary, data_dir):
    start = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 30
        host, port = wait_for_listening(proc, deadline)
        wait_for_health(host, port, deadline)
        return (time.perf_counter() - start) * 1000.0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--data-dir", help="reuse this data dir for every run (a restart)")
    args = parser.parse_args()

    times = []
    for i in range(args.runs):
        scratch = None
        data_dir = args.data_dir
        if data_dir is None:
            scratch = tempfile.mkdtemp(prefix="tenantd-startup-")
            data_dir = scratch
        try:
            ms = one_run(args.binary, data_dir)
        finally:
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
        times.append(ms)
        print(f"run {i + 1}: {ms:.1f} ms", file=sys.stderr)
    print(f"best {min(times):.1f} ms, median {statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
