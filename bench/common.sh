#!/usr/bin/env bash
# Sourced by bench/run.sh and bench/postgres.sh: what both benchmarks share. Moves to the
# repository root, reads the common wrk settings (BENCH_DURATION [10s], BENCH_THREADS [2],
# BENCH_CONNECTIONS [64]) and defines the helpers below.
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
