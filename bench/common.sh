#!/usr/bin/env bash
# Sourced by bench/run.sh, bench/ab.sh, bench/crash.sh and bench/postgres.sh: what the benchmarks
# share. Moves to the repository root, reads the common wrk settings (BENCH_DURATION [10s],
# BENCH_THREADS [2], BENCH_CONNECTIONS [64]) and defines the helpers below.
# shellcheck disable=SC2034 # the variables set here are the sourcing scripts'
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
repo=$(pwd)

duration=${BENCH_DURATION:-10s}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-64}

log() { echo "bench: $*" >&2; }

# build_tenantd: builds the release preset's tenantd; sets bin and load_at_start (the machine may
# be shared: the load average at the start goes into the report).
build_tenantd() {
  local python_bin
  python_bin=$(scripts/setup.sh --print-python | tail -n 1)
  cmake --preset release -DPython3_EXECUTABLE="$python_bin" >/dev/null
  cmake --build --preset release -j "$(nproc)" --target tenantd >&2
  bin=$repo/build/release/tenantd
  load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
}

# median VALUES...: the middle one (the lower middle of an even count).
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# cpu_ticks PID: the user and system CPU the process has used so far, in clock ticks.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# start_tenantd NAME [BIN]: BIN (default $bin) serves $work/NAME on a free port, without rate
# limits unless RATE_LIMIT_* say otherwise; sets started_pid and started_base.
# shellcheck disable=SC2154 # work, the scratch dir, is the sourcing script's
start_tenantd() {
  local name=$1 server=${2:-$bin}
  mkdir -p "$work/$name"
  log "starting tenantd on $work/$name"
  RATE_LIMIT_RPS=${RATE_LIMIT_RPS:-100000000} RATE_LIMIT_BURST=${RATE_LIMIT_BURST:-100000000} \
    "$server" serve --host 127.0.0.1 --port 0 --data-dir "$work/$name" >"$work/$name.log" 2>&1 &
  started_pid=$!
  started_base=""
  for _ in $(seq 1 300); do
    started_base=$(grep -s -m1 -o 'tenantd listening on http://[0-9.:]*' "$work/$name.log" |
      sed 's/.* on //' || true)
    if [[ -n $started_base ]]; then
      log "tenantd at $started_base (pid $started_pid)"
      return
    fi
    if ! kill -0 "$started_pid" 2>/dev/null; then
      cat "$work/$name.log" >&2
      log "tenantd exited before listening"
      exit 1
    fi
    sleep 0.1
  done
  log "tenantd did not start listening within 30 s"
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Converts wrk's latency figure (e.g. 812.00us, 1.53ms, 1.02s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) { n = n / 1000 } else if (v ~ /ms$/) { n = n } else if (v ~ /s$/) { n = n * 1000 }
    printf "%.2f", n
  }'
}

# wrk_figures FILE: sets rps, requests, p99_ms and bad (non-2xx/3xx responses plus socket errors)
# from the output of `wrk --latency` in FILE.
wrk_figures() {
  local non2xx socket_errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$1")
  requests=$(awk '/ requests in / {print $1}' "$1")
  p99_ms=$(to_ms "$(awk '$1 == "99%" {print $2}' "$1")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$1")
  socket_errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$1")
  bad=$((${non2xx:-0} + ${socket_errors:-0}))
}
