#!/usr/bin/env bash
# Two builds of tenantd side by side, on this machine, in the same minutes:
#   bench/ab.sh BIN_A BIN_B [get|member|list|post]
# Each binary serves a scratch data dir of its own (or a copy of BENCH_AB_DATA, a data dir made
# by an earlier run, for a big table); wrk then alternates between the two on the same request,
# BENCH_ROUNDS times (default 5), so that the host's drift from one minute to the next falls on
# both. Prints each run's requests/s and the server's own CPU per request (/proc/PID/stat: it
# does not depend on how the two cores were shared with wrk), then the medians and B's CPU per
# request over A's. Requests: get (a tenant, a platform admin's token), member (the same with a
# Viewer member's token), list (the first page of 20; BENCH_AB_TENANTS tenants, default 100) and
# post (creates, bench/load/post_tenants.lua). wrk settings as bench/run.sh (BENCH_DURATION
# [4s] here, BENCH_THREADS, BENCH_CONNECTIONS).
set -euo pipefail

bin_a=$(realpath "$1")
bin_b=$(realpath "$2")
mode=${3:-get}
BENCH_DURATION=${BENCH_DURATION:-4s}
# shellcheck source=bench/common.sh disable=SC1091 # followed with -x
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
rounds=${BENCH_ROUNDS:-5}
list_tenants=${BENCH_AB_TENANTS:-100}

work=$(mktemp -d /tmp/tenantd-ab.XXXXXX)
declare -A pid url auth
cleanup() {
  for side in a b; do
    if [[ -n ${pid[$side]:-} ]]; then
      kill "${pid[$side]}" 2>/dev/null || true
      wait "${pid[$side]}" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

# serve SIDE BIN: starts BIN with $work/SIDE as its data dir and prepares the request of the
# chosen mode; sets pid, url and auth for SIDE.
serve() {
  local side=$1 bin=$2 base token tenant
  if [[ -n ${BENCH_AB_DATA:-} ]]; then
    cp -r "$BENCH_AB_DATA" "$work/$side"
  fi
  start_tenantd "$side" "$bin"
  pid[$side]=$started_pid base=$started_base
  token=$("$bin" token --email bench@example.com --groups platform-admins --data-dir "$work/$side")
  auth[$side]="Authorization: Bearer $token"
  case $mode in
    get | member)
      tenant=$(curl -sf -X POST -H "${auth[$side]}" -H 'Content-Type: application/json' \
        -d '{"organizationName":"Acme Widgets (Europe) Ltd.","contactEmail":"ops@acme-widgets.example","environment":"prod","metadata":{"plan":"business","seats":25}}' \
        "$base/v1.0/tenants" | jq -r .tenantId)
      url[$side]="$base/v1.0/tenants/$tenant"
      if [[ $mode == member ]]; then
        curl -sf -X POST -H "${auth[$side]}" -H 'Content-Type: application/json' \
          -d '{"email":"viewer@example.com","role":"Viewer"}' "$base/v1.0/tenants/$tenant/users" \
          >/dev/null
        auth[$side]="Authorization: Bearer $("$bin" token --email viewer@example.com \
          --data-dir "$work/$side")"
      fi
      ;;
    list)
      if [[ -z ${BENCH_AB_DATA:-} ]]; then
        TOKEN=$token bench/load/seed_tenants.py "$base" "$list_tenants" "ab$side"
      fi
      url[$side]="$base/v1.0/tenants?limit=20"
      ;;
    post) url[$side]="$base/v1.0/tenants" ;;
    *)
      log "unknown request kind: $mode (get, member, list or post)"
      exit 2
      ;;
  esac
}

# measure SIDE ROUND: one wrk run on SIDE; prints "SIDE requests/s cpu_us_per_request bad".
measure() {
  local side=$1 round=$2 ticks out="$work/wrk-$1-$2.txt"
  local args=(-t"$threads" -c"$connections" -d"$duration" --latency)
  ticks=$(cpu_ticks "${pid[$side]}")
  if [[ $mode == post ]]; then
    TOKEN=${auth[$side]#Authorization: Bearer } wrk "${args[@]}" -s bench/load/post_tenants.lua \
      "${url[$side]}" -- "ab$side$round$(date +%s)" >"$out"
  else
    wrk "${args[@]}" -H "${auth[$side]}" "${url[$side]}" >"$out"
  fi
  ticks=$(($(cpu_ticks "${pid[$side]}") - ticks))
  wrk_figures "$out"
  awk -v s="$side" -v r="$rps" -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    -v b="$bad" 'BEGIN { printf "%s %s %.1f %d\n", s, r, (n > 0 ? t * 1e6 / hz / n : 0), b }'
}

median_of() {  # median_of SIDE COLUMN
  # shellcheck disable=SC2046 # one number per word
  median $(awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$work/runs.txt")
}

serve a "$bin_a"
serve b "$bin_b"
for side in a b; do  # warm both: connections, caches, the first page token
  wrk -t"$threads" -c"$connections" -d1s -H "${auth[$side]}" "${url[$side]}" >/dev/null
done
log "A: $bin_a"
log "B: $bin_b"
log "$mode, $rounds alternating rounds of wrk -t$threads -c$connections -d$duration"
echo "side requests/s cpu_us_per_request bad"
for round in $(seq 1 "$rounds"); do
  for side in a b; do
    measure "$side" "$round" | tee -a "$work/runs.txt"
  done
done
cpu_a=$(median_of a 3) cpu_b=$(median_of b 3)
echo "median A: $(median_of a 2) requests/s, $cpu_a µs CPU per request"
echo "median B: $(median_of b 2) requests/s, $cpu_b µs CPU per request"
awk -v a="$cpu_a" -v b="$cpu_b" 'BEGIN { printf "B / A, CPU per request: %.2f\n", b / a }'
if awk '$4 > 0 { found = 1 } END { exit !found }' "$work/runs.txt"; then
  log "some runs had non-2xx responses or socket errors"
  exit 1
fi
