#!/usr/bin/env python3
"""Starts and stops one moto server for a test run (a ctest fixture).

    moto_server.py start STATE_DIR   # free 127.0.0.1 port; writes STATE_DIR/endpoint and /pid
    moto_server.py stop STATE_DIR

The server is `python3 -m moto.server -H 127.0.0.1 -p PORT` behind serialize_requests.py, which
lets one request in at a time: moto applies a request in several steps without a lock, so
concurrent requests could interleave (two conditional puts both winning, a query seeing half a
transaction). DynamoDB itself applies each request atomically.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(state_dir):
    os.makedirs(state_dir, exist_ok=True)
    stop(state_dir)
    port = free_port()
    here = os.path.dirname(os.path.abspath(__file__))
    log = open(os.path.join(state_dir, "moto.log"), "wb")
    proc = subprocess.Popen(
        [sys.executable, os.path.join(here, "serialize_requests.py"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"moto exited with {proc.returncode}; see {state_dir}/moto.log")
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        sys.exit("moto did not answer within 60 s")
    with open(os.path.join(state_dir, "pid"), "w") as f:
        f.write(str(proc.pid))
    with open(os.path.join(state_dir, "endpoint"), "w") as f:
        f.write(endpoint)
    print(f"moto listening on {endpoint} (pid {proc.pid})")


def stop(state_dir):
    pid_file = os.path.join(state_dir, "pid")
    try:
        with open(pid_file) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for name in ("pid", "endpoint"):
        try:
            os.remove(os.path.join(state_dir, name))
        except OSError:
            pass
    print(f"moto (pid {pid}) stopped")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit(__doc__)
    (start if sys.argv[1] == "start" else stop)(sys.argv[2])
