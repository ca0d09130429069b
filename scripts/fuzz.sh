#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (docs/hardening.md) for a bounded time each.
#   scripts/fuzz.sh SECONDS [TARGET...]     every target when none is named
# Build them first: cmake --preset fuzz && cmake --build --preset fuzz
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>/, read only) and
# writes what it learns to a scratch corpus; FUZZ_GROW=1 merges the new inputs worth keeping
# back into the committed corpus (-merge=1, so only inputs that add coverage). Targets run
# FUZZ_JOBS at a time (default: nproc). A crash, leak, timeout or finding fails the run and
# prints the input that caused it (also kept in FUZZ_ARTIFACTS, default a temporary dir).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
  sed -n '2,10p' "$0"
  exit 2
fi
seconds=$1
shift
build_dir=build/fuzz/tests/fuzz
if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  mapfile -t targets < <(find tests/fuzz -maxdepth 1 -name 'fuzz_*.cpp' -printf '%f\n' | sed 's/\.cpp$//' | sort)
fi
jobs=${FUZZ_JOBS:-$(nproc)}
artifacts=${FUZZ_ARTIFACTS:-$(mktemp -d)}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# One target: prints a one-line summary; on failure its log tail and the input that failed.
run_one() {
  local target=$1 bin="$build_dir/$1" seeds="tests/fuzz/corpus/$1" work="$scratch/$1"
  mkdir -p "$work" "$artifacts/$target"
  if [[ ! -x $bin ]]; then
    echo "FAILED  $target: $bin not built"
    return 1
  fi
  local log="$scratch/$target.log" status=0
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: memory growth is a finding too.
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target/" "$work" "$seeds" \
    >"$log" 2>&1 || status=$?
  local execs rate corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  corpus=$(($(find "$work" -type f | wc -l) + $(find "$seeds" -type f | wc -l)))
  if [[ $status -ne 0 ]]; then
    echo "FAILED  $target (exit $status) after ${execs:-?} runs"
    tail -n 60 "$log"
    local crash
    for crash in "$artifacts/$target"/*; do
      [[ -f $crash ]] || continue
      echo "--- failing input $crash ($(wc -c <"$crash") bytes), hex:"
      od -A x -t x1z -v "$crash" | head -n 40
    done
    return 1
  fi
  echo "ok      $target: ${execs:-?} runs, ${rate:-?} exec/s, corpus $corpus inputs"
  if [[ ${FUZZ_GROW:-0} == 1 ]]; then
    "$bin" -merge=1 -max_len=8192 "$seeds" "$work" >>"$log" 2>&1
  fi
}
export -f run_one
export seconds build_dir artifacts scratch

status=0
# Each target's output is buffered and printed whole, in order, once all have run.
# shellcheck disable=SC2016 # expanded by the inner bash, which has run_one and scratch
printf '%s\n' "${targets[@]}" |
  xargs -P "$jobs" -I{} bash -c 'run_one "$1" >"$scratch/$1.summary" 2>&1' _ {} || status=$?
for target in "${targets[@]}"; do
  cat "$scratch/$target.summary"
done
if [[ $status -ne 0 ]]; then
  echo "fuzzing failed; failing inputs are kept in $artifacts"
  exit 1
fi
