#!/usr/bin/env bash
# Acknowledged creates across a kill -9 under the full create load (issue 17, item 2):
#   bench/crash.sh
# Starts tenantd on a scratch data dir and runs bench/load/post_tenants.lua with bench/run.sh's
# wrk settings (BENCH_DURATION [8s], BENCH_THREADS, BENCH_CONNECTIONS). BENCH_KILL_AFTER seconds
# in (default: half of BENCH_DURATION) the server gets SIGKILL. It is then started again on the
# same data dir, and every tenant whose create was answered 201 is read back: prints the
# creates/s before the kill and how many were acknowledged, present and missing; exits non-zero
# when one is missing (or none was acknowledged).
set -euo pipefail

BENCH_DURATION=${BENCH_DURATION:-8s}
# shellcheck source=bench/common.sh disable=SC1091 # followed with -x
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
seconds=${duration%s}
kill_after=${BENCH_KILL_AFTER:-$(awk -v s="$seconds" 'BEGIN { print s / 2 }')}

work=$(mktemp -d /tmp/tenantd-crash.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

build_tenantd
start_tenantd data
server_pid=$started_pid
token=$("$bin" token --email bench@example.com --groups platform-admins --data-dir "$work/data")

log "creates for $duration, kill -9 after ${kill_after}s"
(
  sleep "$kill_after"
  kill -9 "$server_pid" 2>/dev/null || true # (a server that died by itself is checked the same)
) &
killer=$!
# wrk goes on until its duration ends, counting the refused connections after the kill.
TOKEN=$token ACKED_IDS=$work/acked wrk -t"$threads" -c"$connections" -d"$duration" \
  -s bench/load/post_tenants.lua "$started_base/v1.0/tenants" -- "crash$(date +%s)" \
  >"$work/wrk.txt" 2>&1 || true
wait "$killer"
wait "$server_pid" 2>/dev/null || true
server_pid=""
acked=$(wc -l <"$work/acked")
log "$acked creates acknowledged, $(awk -v n="$acked" -v s="$kill_after" \
  'BEGIN { printf "%.0f", n / s }') per second before the kill; restarting"

start_tenantd data
server_pid=$started_pid
python3 bench/load/check_acked.py "$started_base" "$token" "$work/acked"
