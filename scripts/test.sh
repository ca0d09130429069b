#!/usr/bin/env bash
# The test command (README): installs what is missing, builds and runs every check CI runs.
#   0. the pinned npm tools (scripts/npm-tools.sh): the contract tests' Prism needs them
#   1. release build + all ctest tests (unit, conformance, functional)
#   2. ASan+UBSan build + its ctest tests (functional ones too unless TENANTD_ASAN_FUNCTIONAL=0);
#      any sanitizer report, also from servers the functional tests start, fails the stage
#   3. clang-tidy over src/ (findings are errors); clang's -Werror build is the tsan stage's
#   4. clang-format --dry-run --Werror over src/ tests/ bench/, OpenAPI lint (Redocly, Spectral)
#   5. shellcheck of the scripts; libFuzzer targets (docs/hardening.md); ThreadSanitizer build and
#      tests; the chaos soak (tests/soak); smoke runs of the micro and load benchmarks
#   6. the Lambda zips (x86_64, arm64 cross-built): built, checked static, driven by the tests
# Every stage runs even when an earlier one failed. The summary gives each stage's seconds; its last
# line is `N passed, N failed`: the sum of the ctest counts, with one more failure for each non-ctest
# stage that failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=$(nproc)
# ccache keys on paths relative to the checkout, so that a fresh clone in another folder (CI)
# reuses what earlier builds of the same sources compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
passed=0
failed=0
stage_report=()

log() { printf '\n=== %s ===\n' "$*"; }

# Seconds since the previous stage was recorded: each stage's own time in the summary.
stage_mark=$SECONDS
stage_seconds() {
  stage_took=$((SECONDS - stage_mark))
  stage_mark=$SECONDS
}

# Records a non-ctest stage: ok adds nothing to the counts, a failure adds one failed.
record_stage() {
  local name=$1 status=$2
  stage_seconds
  name="$name (${stage_took}s)"
  if [[ $status -eq 0 ]]; then
    stage_report+=("ok      $name")
  else
    stage_report+=("FAILED  $name")
    failed=$((failed + 1))
  fi
}

# Runs ctest with the given arguments and adds its counts to the totals.
run_ctest() {
  local name=$1
  shift
  local out status=0
  out=$(mktemp)
  ctest "$@" 2>&1 | tee "$out" || status=$?
  local summary total fails
  summary=$(grep -E '[0-9]+ tests? failed out of [0-9]+' "$out" | tail -n 1 || true)
  if [[ -n $summary ]]; then
    fails=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
    total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
    passed=$((passed + total - fails))
    failed=$((failed + fails))
    if [[ $fails -eq 0 && $status -eq 0 ]]; then
      stage_report+=("ok      $name: $total tests")
    else
      stage_report+=("FAILED  $name: $fails of $total tests failed")
      if [[ $fails -eq 0 ]]; then
        failed=$((failed + 1))
      fi
    fi
  else
    # No summary line: ctest found no tests or could not run at all.
    stage_report+=("FAILED  $name: ctest printed no summary (exit $status)")
    failed=$((failed + 1))
  fi
  stage_seconds
  stage_report[-1]+=" (${stage_took}s)"
  rm -f "$out"
}

# Configures and builds one preset; returns non-zero on failure without stopping the script.
build_preset() {
  local preset=$1
  cmake --preset "$preset" -DPython3_EXECUTABLE="$python_bin" >/dev/null &&
    cmake --build --preset "$preset" -j "$jobs"
}

log "setup"
if ! python_bin=$(scripts/setup.sh --print-python | tail -n 1) || [[ -z $python_bin ]]; then
  echo "setup failed: cannot build or test"
  echo "0 passed, 1 failed"
  exit 1
fi

# The pinned npm tools (scripts/npm-tools.sh installs them into a cache folder once): the contract
# tests' Prism, so before the first test stage, and the contract lint's Redocly and Spectral.
log "npm tools"
npm_ok=0
npm_bin=$(scripts/npm-tools.sh | tail -n 1) || npm_ok=$?
if [[ $npm_ok -eq 0 ]]; then
  export TENANTD_NPM_BIN=$npm_bin
else
  echo "npm tools unavailable (scripts/npm-tools.sh failed)"
fi
record_stage "npm tools (scripts/npm-tools.sh)" "$npm_ok"

log "release build"
release_ok=0
build_preset release || release_ok=$?
record_stage "release build" "$release_ok"
if [[ $release_ok -eq 0 ]]; then
  log "release tests"
  run_ctest "release tests" --preset release -j "$jobs"
fi
echo "(elapsed ${SECONDS}s)"

log "asan build"
asan_ok=0
build_preset asan || asan_ok=$?
record_stage "asan build" "$asan_ok"
if [[ $asan_ok -eq 0 ]]; then
  log "asan tests"
  asan_args=(--preset asan -j "$jobs")
  # Run once, in the release stage: the console's browser tests (the browser, not tenantd's
  # memory, is what they exercise), the functional suite on DynamoDB and on PostgreSQL and the
  # replicas test (the same API code as the SQLite functional suite, which runs here, while the
  # stores' own tests (conformance against moto and PostgreSQL, schema, restart) run here too),
  # and the release scripts' test (~160 s of shell scripts against moto; the tenantd commands it
  # runs, `invoke` and `serve`, are the ones the other functional tests run here).
  asan_exclude='^browser\.|^functional_(dynamodb|postgres)\.|^functional\.test_(postgres_replicas|release_scripts)$'
  if [[ ${TENANTD_ASAN_FUNCTIONAL:-1} == 0 ]]; then
    asan_exclude="^functional\.|$asan_exclude"
  fi
  asan_args+=(-E "$asan_exclude")
  # Reports go to files as well as failing the process, so that a sanitizer error inside a server
  # started by a functional test is seen even when the test only looks at HTTP responses.
  sanitizer_logs=$(mktemp -d)
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:log_path=$sanitizer_logs/asan} \
    LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:log_path=$sanitizer_logs/ubsan} \
    run_ctest "asan tests" "${asan_args[@]}"
  reports=$(find "$sanitizer_logs" -type f | sort)
  if [[ -n $reports ]]; then
    # shellcheck disable=SC2086 # one path per line, no spaces (mktemp)
    cat $reports
  fi
  record_stage "sanitizer reports ($(wc -w <<<"$reports") files)" "$([[ -z $reports ]] && echo 0 || echo 1)"
  rm -rf "$sanitizer_logs"
fi
echo "(elapsed ${SECONDS}s)"

log "clang-tidy"
if [[ $release_ok -eq 0 ]]; then
  tidy_ok=0
  # .clang-tidy makes every finding an error; the release build's compile_commands.json drives it.
  git ls-files -- 'src/*.cpp' | xargs -P "$jobs" -n 4 clang-tidy -p build/release --quiet || tidy_ok=$?
  record_stage "clang-tidy" "$tidy_ok"
else
  record_stage "clang-tidy (no release build)" 1
fi
echo "(elapsed ${SECONDS}s)"

log "clang-format"
format_ok=0
# Tracked files only (a work tree may hold scratch files); plain find outside a git checkout.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t sources < <(git ls-files -- 'src/*.cpp' 'src/*.hpp' 'src/*.h' 'tests/*.cpp' \
    'tests/*.hpp' 'tests/*.h' 'bench/*.cpp' 'bench/*.hpp' 'bench/*.h')
else
  mapfile -t sources < <(find src tests bench -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) | sort)
fi
if [[ ${#sources[@]} -gt 0 ]]; then
  clang-format --dry-run --Werror "${sources[@]}" || format_ok=$?
fi
record_stage "clang-format (${#sources[@]} files)" "$format_ok"

log "contract lint"
# docs/openapi.yaml through Redocly's and Spectral's (spectral:oas) linters: 0 errors (warnings
# are printed, not counted). The pinned tools come from scripts/npm-tools.sh's cache folder.
lint_ok=0
if [[ $npm_ok -eq 0 && -x $npm_bin/redocly && -x $npm_bin/spectral ]]; then
  "$npm_bin/redocly" lint --format=stylish docs/openapi.yaml || lint_ok=$?
  spectral_rules=$(mktemp --suffix=.yaml)
  echo 'extends: ["spectral:oas"]' >"$spectral_rules"
  "$npm_bin/spectral" lint --ruleset "$spectral_rules" --fail-severity=error docs/openapi.yaml || lint_ok=$?
  rm -f "$spectral_rules"
else
  lint_ok=1 # the npm tools stage says why
fi
record_stage "contract lint (redocly, spectral:oas)" "$lint_ok"
echo "(elapsed ${SECONDS}s)"

log "shellcheck"
shell_ok=0
mapfile -t shell_scripts < <(find scripts bench .ci -type f \( -name '*.sh' -o -name run \) | sort)
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck "${shell_scripts[@]}" || shell_ok=$?
  record_stage "shellcheck (${#shell_scripts[@]} scripts)" "$shell_ok"
fi

# --- issue 16: fuzz, tsan, chaos soak (docs/hardening.md) ---
log "fuzz"
# Every libFuzzer target of tests/fuzz from its committed seeds, under ASan+UBSan; any crash,
# sanitizer report, hang or finding fails the stage. TENANTD_FUZZ_SECONDS: seconds per target.
fuzz_ok=0
fuzz_seconds=${TENANTD_FUZZ_SECONDS:-10}
if build_preset fuzz; then
  scripts/fuzz.sh "$fuzz_seconds" || fuzz_ok=$?
else
  fuzz_ok=1
fi
record_stage "fuzz (build + every target ${fuzz_seconds}s)" "$fuzz_ok"
echo "(elapsed ${SECONDS}s)"

log "tsan"
# ThreadSanitizer: the unit tests, then the functional tests that race requests against one
# server (its reports go to files, like the asan stage's). tests/sanitizers/tsan.supp holds
# third-party false positives only.
tsan_ok=0
# The tsan build is also the clang build: every target, warning-free under -Werror.
build_preset tsan || tsan_ok=$?
record_stage "tsan build (clang, -Werror)" "$tsan_ok"
if [[ $tsan_ok -eq 0 ]]; then
  tsan_logs=$(mktemp -d)
  export TSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/tsan.supp:halt_on_error=1:second_deadlock_stack=1:log_path=$tsan_logs/tsan"
  run_ctest "tsan unit tests" --preset tsan -j "$jobs" \
    -E '^(functional|functional_dynamodb|functional_postgres|moto|postgres|aws|browser)\.|^(DynamoDb|EcsProvisionerMoto|Postgres)|_NOT_BUILT$'
  run_ctest "tsan concurrency functional tests" --preset tsan -j "$jobs" \
    -R '^functional\.test_(tenants|members|invitations|instances|crash)$'
  unset TSAN_OPTIONS
  reports=$(find "$tsan_logs" -type f | sort)
  if [[ -n $reports ]]; then
    # shellcheck disable=SC2086 # one path per line, no spaces (mktemp)
    cat $reports
  fi
  record_stage "tsan reports ($(wc -w <<<"$reports") files)" "$([[ -z $reports ]] && echo 0 || echo 1)"
  rm -rf "$tsan_logs"
fi
echo "(elapsed ${SECONDS}s)"

log "chaos soak"
# tests/soak/chaos_soak.py against the release binary: faults for TENANTD_SOAK_SECONDS, then
# the invariant checker (its figures are printed).
soak_ok=0
if [[ $release_ok -eq 0 ]]; then
  TENANTD_BIN=$PWD/build/release/tenantd "$python_bin" tests/soak/chaos_soak.py \
    --duration "${TENANTD_SOAK_SECONDS:-180}" || soak_ok=$?
  record_stage "chaos soak" "$soak_ok"
else
  record_stage "chaos soak (no release build)" 1
fi
echo "(elapsed ${SECONDS}s)"
# --- end issue 16 ---

log "benchmark smoke run"
bench_ok=0
if [[ $release_ok -eq 0 && -x build/release/bench/micro_bench ]]; then
  build/release/bench/micro_bench --benchmark_min_time=0.01 >/dev/null || bench_ok=$?
  record_stage "micro_bench smoke run" "$bench_ok"
else
  record_stage "micro_bench smoke run (not built)" 1
fi

log "load benchmark smoke run"
load_ok=0
if [[ $release_ok -eq 0 ]]; then
  # Tiny settings: only proves that the harness (tenantd, nginx, wrk scripts, timers) works.
  smoke_log=$(mktemp)
  BENCH_DURATION=1s BENCH_CONNECTIONS=8 BENCH_TENANTS=0 BENCH_LIST_SMALL=30 BENCH_STARTUP_RUNS=2 BENCH_MEMBER_ROUNDS=1 BENCH_PAGE_ROUNDS=1 \
    bench/run.sh >/dev/null 2>"$smoke_log" || load_ok=$?
  if [[ $load_ok -eq 0 ]]; then # the A/B harness too, one build against itself
    BENCH_DURATION=1s BENCH_CONNECTIONS=8 BENCH_ROUNDS=1 BENCH_AB_TENANTS=30 \
      bench/ab.sh build/release/tenantd build/release/tenantd list >/dev/null 2>>"$smoke_log" ||
      load_ok=$?
  fi
  if [[ $load_ok -eq 0 ]]; then # kill -9 under the create load: no acknowledged create lost
    BENCH_DURATION=2s BENCH_CONNECTIONS=8 bench/crash.sh >>"$smoke_log" 2>&1 || load_ok=$?
  fi
  if [[ $load_ok -ne 0 ]]; then
    cat "$smoke_log"
  fi
  rm -f "$smoke_log"
  record_stage "load benchmark smoke run (bench/run.sh, bench/ab.sh, bench/crash.sh)" "$load_ok"
else
  record_stage "load benchmark smoke run (not built)" 1
fi
echo "(elapsed ${SECONDS}s)"

log "lambda packages"
# Both zips of the runbook's Lambda, each bootstrap driven through a local Runtime API (arm64
# under qemu-user). The cross toolchain is installed here when missing (root, Debian packages).
package_ok=0
if [[ $(id -u) -eq 0 || -x /usr/bin/aarch64-linux-gnu-g++ ]]; then
  scripts/setup-arm64.sh && scripts/package-lambda.sh all && scripts/test-lambda-package.sh all ||
    package_ok=$?
else
  scripts/package-lambda.sh x86_64 && scripts/test-lambda-package.sh x86_64 || package_ok=$?
fi
record_stage "lambda packages (build, static check, runtime tests)" "$package_ok"
if [[ $package_ok -eq 0 ]]; then
  # Tiny settings: only proves that the Lambda benchmark still drives the static bootstrap.
  lambda_bench_ok=0
  python3 bench/load/lambda_bench.py build/lambda-x86_64/tenantd --runs 2 --warm 20 \
    --floor-client build/release/bench/runtime_floor_client \
    --api-double build/release/bench/runtime_api_double ||
    lambda_bench_ok=$?
  record_stage "lambda benchmark smoke run" "$lambda_bench_ok"
fi
echo "(elapsed ${SECONDS}s)"

log "summary (${SECONDS}s)"
printf '%s\n' "${stage_report[@]}"
echo "$passed passed, $failed failed"
if [[ $failed -ne 0 ]]; then
  exit 1
fi
