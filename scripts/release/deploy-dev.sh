#!/usr/bin/env bash
# Deploys a Lambda package to DEV (runbook section 4): update the code, check its CodeSha256,
# publish a version, move latest-dev, verify (health, smoke tests, error watch), roll back
# automatically when verification fails, record the deployment in bbws-deployments-dev.
set -euo pipefail
# shellcheck source=scripts/release/lib.sh disable=SC1091 # followed with -x
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
usage: scripts/release/deploy-dev.sh [--zip PATH | --build [ARCH]] [--reason TEXT]
  --zip PATH     the package to deploy (default dist/tenantd-lambda-arm64.zip)
  --build [ARCH] build it first with scripts/package-lambda.sh (ARCH default arm64)
  --reason TEXT  recorded with the deployment (default: the git commit)
Environment: see scripts/release/lib.sh (AWS_PROFILE_DEV, SMOKE_API_URL, COGNITO_TOKEN,
ERROR_WATCH_SECONDS, TENANTD_INVOKE_CMD). Prints the new version on stdout.
USAGE
}

zip=""
build=""
reason=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --zip) zip=${2:?--zip needs a path}; shift 2 ;;
    --build)
      build=arm64
      if [[ ${2:-} == x86_64 || ${2:-} == arm64 ]]; then build=$2; shift; fi
      shift
      ;;
    --reason) reason=${2:?--reason needs text}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

repo=$(cd "$RELEASE_DIR/../.." && pwd)
if [[ -n $build ]]; then
  "$repo/scripts/package-lambda.sh" "$build" >&2
  zip=${zip:-$repo/dist/tenantd-lambda-$build.zip}
fi
zip=${zip:-$repo/dist/tenantd-lambda-arm64.zip}
[[ -f $zip ]] || die "no package at $zip (build it with --build or scripts/package-lambda.sh)"
if [[ -z $reason ]]; then
  reason="commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
fi

expected=$(sha256_b64 "$zip")
log "deploying $zip (CodeSha256 $expected) to $(function_name dev)"
roll_out dev "$zip" "$expected" deploy "$reason"
