#!/usr/bin/env python3
"""Starts and stops one throwaway PostgreSQL 15 server for a test run (a ctest fixture).

    postgres_server.py start STATE_DIR     # free 127.0.0.1 port; writes STATE_DIR/url
    postgres_server.py stop STATE_DIR      # stops it and removes its cluster
    postgres_server.py restart STATE_DIR   # stops and starts it again on the same port and data
    postgres_server.py createdb STATE_DIR NAME  # a database of its own (exists: fine)

The cluster lives in a new temporary directory (initdb, trust authentication on 127.0.0.1 only).
PostgreSQL refuses to run as root, so under root (CI) the server runs as the `postgres` system
user of Debian's package, or `nobody` when there is none. fsync is off: the tests kill tenantd,
never the machine, and a test cluster need not survive a power cut. TENANTD_PG_DURABLE=1 keeps
PostgreSQL's durable defaults (benchmarks, scripts/run-postgres.sh).
"""
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("TENANTD_PG_BIN", "/usr/lib/postgresql/15/bin")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_as():
    """The user to run the server as: None for the current one (when it is not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    sys.exit("running as root and neither a postgres nor a nobody user exists")


def command(args, user):
    if user is None:
        return args
    return ["runuser", "-u", user.pw_name, "--"] + args


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def pg_ctl_start(cluster, port, user):
    data = os.path.join(cluster, "data")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {cluster} -c max_connections=400"
    if os.environ.get("TENANTD_PG_DURABLE") != "1":
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        options += " -c shared_buffers=32MB"
    done = subprocess.run(command([os.path.join(BIN, "pg_ctl"), "start", "-w", "-t", "60", "-D", data,
                                   "-l", os.path.join(cluster, "server.log"), "-o", options], user),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        log = read(os.path.join(cluster, "server.log")) or ""
        sys.exit(f"pg_ctl start failed: {done.stdout.decode(errors='replace')}\n{log[-3000:]}")


def pg_ctl_stop(cluster, user, mode="fast"):
    data = os.path.join(cluster, "data")
    subprocess.run(command([os.path.join(BIN, "pg_ctl"), "stop", "-w", "-m", mode, "-D", data], user),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start(state_dir):
    os.makedirs(state_dir, exist_ok=True)
    stop(state_dir)
    user = run_as()
    cluster = tempfile.mkdtemp(prefix="tenantd-pg-")
    if user is not None:
        os.chown(cluster, user.pw_uid, user.pw_gid)
    os.chmod(cluster, 0o755)
    done = subprocess.run(command([os.path.join(BIN, "initdb"), "-D", os.path.join(cluster, "data"),
                                   "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
                                   "--no-sync"], user),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        shutil.rmtree(cluster, ignore_errors=True)
        sys.exit(f"initdb failed: {done.stdout.decode(errors='replace')}")
    port = free_port()
    pg_ctl_start(cluster, port, user)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    write(os.path.join(state_dir, "cluster"), cluster)
    write(os.path.join(state_dir, "port"), str(port))
    write(os.path.join(state_dir, "url"), url)
    print(f"postgres listening on {url} (cluster {cluster})")


def restart(state_dir):
    cluster = read(os.path.join(state_dir, "cluster"))
    port = read(os.path.join(state_dir, "port"))
    if not cluster or not port:
        sys.exit("no server to restart")
    user = run_as()
    pg_ctl_stop(cluster, user)
    pg_ctl_start(cluster, int(port), user)


def stop(state_dir):
    cluster = read(os.path.join(state_dir, "cluster"))
    if not cluster:
        return
    pg_ctl_stop(cluster, run_as(), "immediate")
    shutil.rmtree(cluster, ignore_errors=True)
    for name in ("cluster", "port", "url"):
        try:
            os.remove(os.path.join(state_dir, name))
        except OSError:
            pass
    print(f"postgres of {cluster} stopped")


def createdb(state_dir, name):
    url = read(os.path.join(state_dir, "url"))
    if not url:
        sys.exit("no server")
    done = subprocess.run([os.path.join(BIN, "psql"), url, "-v", "ON_ERROR_STOP=1", "-qc",
                           f'CREATE DATABASE "{name}"'], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    out = done.stdout.decode(errors="replace")
    if done.returncode != 0 and "already exists" not in out:
        sys.exit(f"createdb {name} failed: {out}")
    print(url.rsplit("/", 1)[0] + "/" + name)


if __name__ == "__main__":
    actions = {"start": start, "stop": stop, "restart": restart}
    if len(sys.argv) == 4 and sys.argv[1] == "createdb":
        createdb(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] in actions:
        actions[sys.argv[1]](sys.argv[2])
    else:
        sys.exit(__doc__)
