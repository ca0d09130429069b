#!/usr/bin/env bash
# Load benchmark of `tenantd serve` on this machine, against nginx as the reference.
#   bench/run.sh
# Builds the release preset, starts tenantd on a free port with a scratch data dir and measures:
#   - GET /v1.0/tenants/{id}: requests/s and p99 with wrk, then the same wrk against nginx serving
#     the very same body bytes (bench/load/nginx.sh), and the ratio of the two;
#   - the same GET with a tenant member's token against a platform admin's, alternating;
#   - POST /v1.0/tenants throughput (bench/load/post_tenants.lua, unique names);
#   - GET /v1.0/tenants?limit=20 with BENCH_LIST_SMALL tenants in the table, then with
#     BENCH_TENANTS (seeded by POSTs), and nginx serving a body of the same size: a page must cost
#     the same whatever the table's size. The big table's page is measured right after the
#     seeding, then, once the server is idle (its checkpoint and outbox backlog worked off), in
#     BENCH_PAGE_ROUNDS runs alternating with a second server holding BENCH_LIST_SMALL tenants:
#     a run of this machine varies by a fifth from the next, so the cost ratio compares medians,
#     both of requests/s and of the server's own CPU per request (/proc/PID/stat);
#   - start-up time, exec to first 200 from /health, best of 10 (bench/load/startup_time.py);
#   - idle RSS (VmRSS) after start and after the load.
# Settings (environment): BENCH_DURATION [10s], BENCH_THREADS [2], BENCH_CONNECTIONS [64],
# BENCH_TENANTS [100000], BENCH_LIST_SMALL [2000], BENCH_STARTUP_RUNS [10], BENCH_MEMBER_ROUNDS [3],
# BENCH_PAGE_ROUNDS [3]. Exits non-zero when any wrk run saw a non-2xx
# response or a socket error (the figures would not be of working requests). The results are printed and written to bench/results/ (not committed);
# copy the table into docs/performance.md with the machine line.
set -euo pipefail

# shellcheck source=bench/common.sh disable=SC1091 # followed with -x
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
tenants_target=${BENCH_TENANTS:-100000}
list_small_target=${BENCH_LIST_SMALL:-2000}
startup_runs=${BENCH_STARTUP_RUNS:-10}
member_rounds=${BENCH_MEMBER_ROUNDS:-3}
page_rounds=${BENCH_PAGE_ROUNDS:-3}

build_tenantd
work=$(mktemp -d /tmp/tenantd-bench.XXXXXX)
tenantd_pid=""
small_pid=""
nginx_pid=""
stop() {
  if [[ -n $1 ]]; then
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$nginx_pid"
  stop "$tenantd_pid"
  stop "$small_pid"
  rm -rf "$work"
}
trap cleanup EXIT

rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# wait_until_idle PID: waits (at most 120 s) until the process has used under a tenth of a core
# over two half-second samples in a row, and prints the seconds waited.
wait_until_idle() {
  local start=$SECONDS quiet=0 before after quiet_ticks
  quiet_ticks=$(($(getconf CLK_TCK) / 20))
  before=$(cpu_ticks "$1")
  while [[ $quiet -lt 2 && $((SECONDS - start)) -lt 120 ]]; do
    sleep 0.5
    after=$(cpu_ticks "$1")
    if [[ $((after - before)) -lt $quiet_ticks ]]; then
      quiet=$((quiet + 1))
    else
      quiet=0
    fi
    before=$after
  done
  echo $((SECONDS - start))
}

# run_wrk NAME WRK_ARGS...: runs wrk with the common options and WRK_ARGS (URL, headers, script,
# `-- script args`), keeps its output in $work/wrk-NAME.txt and sets rps, p99_ms and bad
# (non-2xx/3xx responses plus socket errors) from it.
run_wrk() {
  local name=$1
  shift
  local out="$work/wrk-$name.txt"
  log "wrk $name: $*"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" >"$out"
  cat "$out" >&2
  wrk_figures "$out"
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) { printf "%.2f", a / b } else { print "n/a" } }'
}

# ---------------------------------------------------------------- tenantd
start_tenantd data
tenantd_pid=$started_pid base=$started_base
sleep 1
rss_start=$(rss_kib "$tenantd_pid")

token=$("$bin" token --email bench@example.com --groups platform-admins --data-dir "$work/data")
auth="Authorization: Bearer $token"
export TOKEN=$token

tenant_id=$(curl -sf -X POST -H "$auth" -H 'Content-Type: application/json' \
  -d '{"organizationName":"Acme Widgets (Europe) Ltd.","contactEmail":"ops@acme-widgets.example","environment":"prod","division":"Retail","group":"Online Stores","team":"Checkout","metadata":{"costCentre":"CC-1042","plan":"business","seats":25,"trial":false,"region":"eu-west-1"}}' \
  "$base/v1.0/tenants" | jq -r .tenantId)
curl -sf -H "$auth" "$base/v1.0/tenants/$tenant_id" -o "$work/body.json"
body_bytes=$(stat -c %s "$work/body.json")
log "tenant $tenant_id, GET body $body_bytes bytes"

run_wrk get -H "$auth" "$base/v1.0/tenants/$tenant_id"
get_rps=$rps get_p99=$p99_ms get_bad=$bad

# ---------------------------------------------------------------- nginx, same body
# nginx_same_body NAME FILE: serves FILE's bytes from nginx, runs wrk on it and sets nginx_rps and
# nginx_p99.
nginx_same_body() {
  local name=$1 file=$2 port
  port=$(free_port)
  bench/load/nginx.sh "$work/nginx-$name" "$file" "$port" >"$work/nginx-$name.log" 2>&1 &
  nginx_pid=$!
  for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$port/body" -o "$work/nginx-$name-body"; then
      break
    fi
    sleep 0.1
  done
  cmp -s "$file" "$work/nginx-$name-body" || {
    cat "$work/nginx-$name.log" >&2
    log "nginx does not serve the same body"
    exit 1
  }
  run_wrk "nginx-$name" -H "$auth" "http://127.0.0.1:$port/body"
  nginx_rps=$rps nginx_p99=$p99_ms
  kill "$nginx_pid"
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=""
}
nginx_same_body get "$work/body.json"
nginx_get_rps=$nginx_rps nginx_get_p99=$nginx_p99

# ---------------------------------------------------------------- a member's token
# A tenant member's GET reads the membership as well as the tenant (authorisation): issue 17 wants
# it at most 15% slower than a platform admin's. The two alternate, BENCH_MEMBER_ROUNDS times on
# the same tenant, and the medians are compared.
curl -sf -X POST -H "$auth" -H 'Content-Type: application/json' \
  -d '{"email":"viewer@example.com","role":"Viewer"}' "$base/v1.0/tenants/$tenant_id/users" >/dev/null
member_auth="Authorization: Bearer $("$bin" token --email viewer@example.com --data-dir "$work/data")"
curl -sf -H "$member_auth" "$base/v1.0/tenants/$tenant_id" -o /dev/null
admin_runs=() member_runs=() member_bad=0
for round in $(seq 1 "$member_rounds"); do
  run_wrk "get-admin-$round" -H "$auth" "$base/v1.0/tenants/$tenant_id"
  admin_runs+=("$rps") member_bad=$((member_bad + bad))
  run_wrk "get-member-$round" -H "$member_auth" "$base/v1.0/tenants/$tenant_id"
  member_runs+=("$rps") member_bad=$((member_bad + bad))
done
admin_rps=$(median "${admin_runs[@]}") member_rps=$(median "${member_runs[@]}")

# run_list NAME [BASE AUTH PID]: wrk on the first page of 20 (of this server, or of BASE with AUTH,
# served by PID) and sets list_rps, list_p99, list_bad, list_count (the page really has 20 items,
# not an error body that is cheap to serve) and list_cpu_us, the server's CPU per request in
# microseconds: unlike requests/s, it does not depend on how the two cores were shared with wrk.
run_list() {
  local url=${2:-$base} authorization=${3:-$auth} pid=${4:-$tenantd_pid} ticks
  ticks=$(cpu_ticks "$pid")
  run_wrk "$1" -H "$authorization" "$url/v1.0/tenants?limit=20"
  ticks=$(($(cpu_ticks "$pid") - ticks))
  list_cpu_us=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
  list_rps=$rps list_p99=$p99_ms list_bad=$((list_bad + bad))
  curl -sf -H "$authorization" "$url/v1.0/tenants?limit=20" -o "$work/list-$1.json"
  list_count=$(jq '.items | length' "$work/list-$1.json")
}

# ---------------------------------------------------------------- a page of a small table
list_bad=0
if [[ $list_small_target -gt 1 ]]; then
  log "seeding to $list_small_target tenants"
  bench/load/seed_tenants.py "$base" $((list_small_target - 1)) "small$(date +%s)"
fi
small_tenants=$(( list_small_target > 1 ? list_small_target : 1 ))
run_list list-small
small_rps=$list_rps small_p99=$list_p99 small_count=$list_count
list_bytes=$(stat -c %s "$work/list-list-small.json")
nginx_same_body list "$work/list-list-small.json"
nginx_list_rps=$nginx_rps

# ---------------------------------------------------------------- writes and a big table
run_wrk post -s bench/load/post_tenants.lua "$base/v1.0/tenants" -- "p$(date +%s)"
post_rps=$rps post_p99=$p99_ms
created=$(awk '/tenants created \(201\):/ {print $NF}' "$work/wrk-post.txt")
post_bad=$bad
tenants=$((small_tenants + created))

# seed_to N: POSTs unique tenants until the table holds at least N.
seed_to() {
  local target=$1 round=0 n
  log "seeding to $target tenants"
  while [[ $tenants -lt $target ]]; do
    round=$((round + 1))
    wrk -t"$threads" -c"$connections" -d5s -s bench/load/post_tenants.lua "$base/v1.0/tenants" \
      -- "s$(date +%s)t${target}r$round" >"$work/seed.txt"
    n=$(awk '/tenants created \(201\):/ {print $NF}' "$work/seed.txt")
    if [[ ${n:-0} -eq 0 ]]; then
      cat "$work/seed.txt" >&2
      log "seeding created nothing"
      exit 1
    fi
    tenants=$((tenants + n))
    log "  $tenants tenants"
  done
}

seed_start=$SECONDS
seed_to "$tenants_target"
seed_seconds=$((SECONDS - seed_start))
run_list list-unsettled
unsettled_rps=$list_rps
unsettled_cost_ratio=$(ratio "$small_rps" "$unsettled_rps")
# The seeding leaves the checkpointer and the outbox a backlog that competes with the list for
# the two cores; the page's cost by the table's size is measured once the server is quiet again,
# alternating with a second server that holds the small table (idle while the other is measured).
settle_seconds=$(wait_until_idle "$tenantd_pid")
start_tenantd small-data
small_pid=$started_pid small_base=$started_base
small_auth="Authorization: Bearer $("$bin" token --email bench@example.com --groups platform-admins \
  --data-dir "$work/small-data")"
TOKEN=${small_auth#Authorization: Bearer } \
  bench/load/seed_tenants.py "$small_base" "$small_tenants" "alt$(date +%s)"
big_runs=() small_runs=() big_cpu_runs=() small_cpu_runs=()
for round in $(seq 1 "$page_rounds"); do
  run_list "list-big-$round"
  big_runs+=("$list_rps") big_cpu_runs+=("$list_cpu_us")
  big_p99=$list_p99 big_count=$list_count
  run_list "list-small-$round" "$small_base" "$small_auth" "$small_pid"
  small_runs+=("$list_rps") small_cpu_runs+=("$list_cpu_us")
done
stop "$small_pid"
small_pid=""
list_rps=$(median "${big_runs[@]}") small_median_rps=$(median "${small_runs[@]}")
# The cost of a page (1/requests per second) at the large size over the small one.
list_cost_ratio=$(ratio "$small_median_rps" "$list_rps")
big_cpu_us=$(median "${big_cpu_runs[@]}") small_cpu_us=$(median "${small_cpu_runs[@]}")

sleep 2
rss_after=$(rss_kib "$tenantd_pid")
# Anonymous memory (heap, SQLite's page caches) and file pages (the mmap'd database) apart.
log "  after the load: $(grep -E '^Rss(Anon|File)' "/proc/$tenantd_pid/status" | tr -s ' \t\n' ' ')"
kill "$tenantd_pid"
wait "$tenantd_pid" 2>/dev/null || true
tenantd_pid=""

# ---------------------------------------------------------------- start-up
log "start-up time, empty data dir"
startup_fresh=$(bench/load/startup_time.py "$bin" --runs "$startup_runs")
log "start-up time, data dir with $tenants tenants"
startup_full=$(bench/load/startup_time.py "$bin" --runs "$startup_runs" --data-dir "$work/data")

# ---------------------------------------------------------------- report
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
report=$(
  cat <<MD
Machine: $(nproc) cores, $cpu, $(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
Date: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD); load average at start: $load_at_start
Command: bench/run.sh (wrk -t$threads -c$connections -d$duration --latency; BENCH_TENANTS=$tenants_target)

| measurement | tenantd | nginx (same body size) | ratio tenantd/nginx |
|---|---|---|---|
| GET /v1.0/tenants/{id} requests/s ($body_bytes-byte body) | $get_rps | $nginx_get_rps | $(ratio "$get_rps" "$nginx_get_rps") |
| GET /v1.0/tenants/{id} p99 ms | $get_p99 | $nginx_get_p99 | $(ratio "$get_p99" "$nginx_get_p99") |
| GET /v1.0/tenants/{id}, Viewer member's token / platform admin's, requests/s (medians of $member_rounds alternating runs) | $member_rps / $admin_rps | | member/admin $(ratio "$member_rps" "$admin_rps") |
| POST /v1.0/tenants requests/s (201s: $created) | $post_rps | | |
| POST /v1.0/tenants p99 ms | $post_p99 | | |
| GET /v1.0/tenants?limit=20 with $small_tenants tenants, requests/s ($small_count items, $list_bytes bytes) | $small_rps | $nginx_list_rps | $(ratio "$small_rps" "$nginx_list_rps") |
| GET /v1.0/tenants?limit=20 with $small_tenants tenants, p99 ms | $small_p99 | | |
| GET /v1.0/tenants?limit=20 with $tenants tenants, requests/s ($big_count items/page; after ${settle_seconds} s for the server to settle; median of $page_rounds: ${big_runs[*]}) | $list_rps | | |
| GET /v1.0/tenants?limit=20 with $tenants tenants, p99 ms (the last run) | $big_p99 | | |
| the same page of a second server holding $small_tenants tenants, alternating with the runs above (median of $page_rounds: ${small_runs[*]}) | $small_median_rps | | |
| cost of a page at $tenants tenants / at $small_tenants (the alternating medians) | $list_cost_ratio | | |
| the server's CPU per page at $tenants tenants / at $small_tenants, µs (medians of the same runs: ${big_cpu_runs[*]} / ${small_cpu_runs[*]}) | $(ratio "$big_cpu_us" "$small_cpu_us") ($big_cpu_us / $small_cpu_us) | | |
| the same, the big table measured right after the seeding against the first small-table run (the checkpoint and outbox backlog still running) | $unsettled_cost_ratio ($unsettled_rps requests/s) | | |
| start-up, exec to first 200 from /health, empty data dir (best of $startup_runs) | $startup_fresh | | |
| start-up, data dir with $tenants tenants (best of $startup_runs) | $startup_full | | |
| idle RSS after start | $((rss_start / 1024)) MiB ($rss_start KiB) | | |
| idle RSS after the load | $((rss_after / 1024)) MiB ($rss_after KiB) | | |

Errors (non-2xx responses + socket errors): GET $get_bad, member/admin GET $member_bad, POST $post_bad, list $list_bad. Seeding took ${seed_seconds}s.
MD
)
mkdir -p bench/results
result_file="bench/results/load-$(date -u +%Y%m%dT%H%M%SZ).md"
printf '%s\n' "$report" >"$result_file"
printf '%s\n' "$report"
log "written to $result_file"
if [[ $((get_bad + member_bad + post_bad + list_bad)) -ne 0 ]]; then
  log "some requests failed: the figures above are not of working requests"
  exit 1
fi
