#!/usr/bin/env bash
# Store and scale-out benchmark: GET /v1.0/tenants/{id} and POST /v1.0/tenants with wrk on
#   1. one replica on SQLite (the embedded default),
#   2. one replica on PostgreSQL 15,
#   3. one PostgreSQL replica behind nginx, and
#   4. two PostgreSQL replicas behind nginx (round-robin).
#   bench/postgres.sh
# PostgreSQL is a throwaway local cluster (tests/postgres/postgres_server.py) with its durable
# defaults (fsync on, synchronous_commit on). Settings: BENCH_DURATION [10s], BENCH_THREADS [2],
# BENCH_CONNECTIONS [64], BENCH_SERVER_THREADS [16] (THREADS of every replica: a server thread
# waits for each database round trip, so a networked store needs more threads than cores).
# wrk, nginx, PostgreSQL and the replicas share this machine's cores, so the figures say what each
# layer costs, not how far more machines would scale.
set -euo pipefail

# shellcheck source=bench/common.sh disable=SC1091 # followed with -x
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
server_threads=${BENCH_SERVER_THREADS:-16}

build_tenantd
work=$(mktemp -d /tmp/tenantd-bench-pg.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  python3 tests/postgres/postgres_server.py stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# run_wrk NAME WRK_ARGS...: sets rps and p99_ms; fails on any non-2xx response or socket error.
run_wrk() {
  local name=$1
  shift
  local out="$work/wrk-$name.txt"
  log "wrk $name: $*"
  wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s --latency "$@" >"$out"
  wrk_figures "$out"
  if [[ $bad -ne 0 ]]; then
    cat "$out" >&2
    log "$name: $bad non-2xx responses and socket errors"
    exit 1
  fi
}

secret="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export JWT_SECRET=$secret SERVICE_SECRET=$secret LOG_LEVEL=warn
export RATE_LIMIT_RPS=100000000 RATE_LIMIT_BURST=100000000 THREADS=$server_threads

# start_serve NAME [VAR=VALUE...]: starts a replica; sets base.
start_serve() {
  local name=$1
  shift
  mkdir -p "$work/$name"
  env "$@" "$bin" serve --host 127.0.0.1 --port 0 --data-dir "$work/$name" >"$work/$name.log" 2>&1 &
  pids+=($!)
  base=""
  for _ in $(seq 1 300); do
    base=$(grep -m1 -o 'tenantd listening on http://[0-9.:]*' "$work/$name.log" | sed 's/.* on //' || true)
    [[ -n $base ]] && return 0
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  log "$name did not start"
  exit 1
}

# start_nginx NAME UPSTREAM_URL...: round-robin over the upstreams; sets base.
start_nginx() {
  local name=$1
  shift
  local dir="$work/$name" port servers="" user=""
  port=$(free_port)
  mkdir -p "$dir"
  for upstream in "$@"; do
    servers+="    server ${upstream#http://};"$'\n'
  done
  [[ $(id -u) -eq 0 ]] && user="user root root;"
  cat >"$dir/nginx.conf" <<CONF
$user
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/fcgi;
  uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
  upstream tenantd {
$servers    keepalive 128;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://tenantd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" &
  pids+=($!)
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$base/health" && return 0
    sleep 0.1
  done
  log "nginx did not start"
  exit 1
}

declare -A result
# measure LABEL BASE DATA_DIR: GET of one tenant, then POST of unique tenants.
measure() {
  local label=$1 url=$2 data_dir=$3 token tenant_id
  token=$("$bin" token --email bench@example.com --groups platform-admins --data-dir "$data_dir")
  export TOKEN=$token
  tenant_id=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"organizationName":"Bench '"$label"' '"$RANDOM"'","contactEmail":"ops@example.com","environment":"prod"}' \
    "$url/v1.0/tenants" | jq -r .tenantId)
  run_wrk "$label-get" -H "Authorization: Bearer $token" "$url/v1.0/tenants/$tenant_id"
  result[$label-get]="$rps ($p99_ms ms)"
  run_wrk "$label-post" -s bench/load/post_tenants.lua "$url/v1.0/tenants" -- "$label$(date +%s)"
  result[$label-post]="$rps ($p99_ms ms)"
}

start_serve sqlite STORE=sqlite
measure sqlite "$base" "$work/sqlite"
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true

log "starting PostgreSQL"
TENANTD_PG_DURABLE=1 python3 tests/postgres/postgres_server.py start "$work/pg" >&2
url=$(python3 tests/postgres/postgres_server.py createdb "$work/pg" bench)
STORE=postgres DATABASE_URL=$url "$bin" migrate >&2
start_serve pg-a STORE=postgres DATABASE_URL="$url"
replica_a=$base
measure pg1 "$replica_a" "$work/pg-a"
start_nginx nginx1 "$replica_a"
measure nginx-pg1 "$base" "$work/pg-a"
start_serve pg-b STORE=postgres DATABASE_URL="$url"
replica_b=$base
start_nginx nginx2 "$replica_a" "$replica_b"
measure nginx-pg2 "$base" "$work/pg-a"

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
cat <<MD
Machine: $(nproc) cores, $cpu; load average at start: $load_at_start
Date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD)
Command: bench/postgres.sh (wrk -t$threads -c$connections -d$duration --timeout 10s --latency; THREADS=$server_threads)

| setup | GET /v1.0/tenants/{id} requests/s (p99) | POST /v1.0/tenants requests/s (p99) |
|---|---|---|
| 1 replica, SQLite | ${result[sqlite-get]} | ${result[sqlite-post]} |
| 1 replica, PostgreSQL | ${result[pg1-get]} | ${result[pg1-post]} |
| nginx -> 1 PostgreSQL replica | ${result[nginx-pg1-get]} | ${result[nginx-pg1-post]} |
| nginx -> 2 PostgreSQL replicas | ${result[nginx-pg2-get]} | ${result[nginx-pg2-post]} |
MD
