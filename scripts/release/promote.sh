#!/usr/bin/env bash
# Promotes the exact package of a DEV version to SIT, or of a SIT version to PROD (runbook
# sections 6 and 7): pre-flight (maintenance window for PROD, source health, CloudWatch errors and
# throttles over the runbook's window), download the source package, then roll_out (backup
# alias, upload, CodeSha256 integrity check, publish, move latest-ENV, health check, smoke tests,
# error watch, automatic rollback). Every outcome, refusals included, is recorded in
# bbws-deployments-<target>.
set -euo pipefail
# shellcheck source=scripts/release/lib.sh disable=SC1091 # followed with -x
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
usage: scripts/release/promote.sh --to sit|prod [--version N] [--maintenance-window true]
                                  [--reason TEXT]
  --to ENV                 sit (source dev) or prod (source sit)
  --version N              source version (default: the one latest-<source> points to)
  --maintenance-window V   PROD only, required: true confirms an approved maintenance window
  --reason TEXT            recorded with the deployment
Pre-flight limits: to SIT, DEV errors < 10 in the last hour; to PROD, SIT errors < 5 and no
throttles in the last 24 hours. Environment: see scripts/release/lib.sh. Prints the new version.
USAGE
}

target=""
version=""
window=""
reason=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --to) target=${2:?--to needs sit or prod}; shift 2 ;;
    --version) version=${2-}; shift 2 ;; # empty: the default
    --maintenance-window) window=${2:?--maintenance-window needs true or false}; shift 2 ;;
    --reason) reason=${2:?--reason needs text}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
case $target in
  sit) source_env=dev; lookback=3600; max_errors=9; max_throttles=-1 ;;
  prod) source_env=sit; lookback=86400; max_errors=4; max_throttles=0 ;;
  *) usage >&2; exit 2 ;;
esac
if [[ -n $version && ! $version =~ ^[0-9]+$ ]]; then
  echo "--version must be a version number, got '$version'" >&2
  exit 2
fi

# refuse WHY: records the refusal in the target's table and stops.
refuse() {
  record "$target" promote refused "$(alias_version "$target" "latest-$target")" "" "" \
    "${reason:-promotion from $source_env}" "$1" >/dev/null
  die "promotion to $target refused: $1"
}

if [[ $target == prod && $window != true ]]; then
  refuse "PROD needs --maintenance-window true (an approved maintenance window)"
fi
if [[ -z $version ]]; then
  version=$(alias_version "$source_env" "latest-$source_env")
  [[ -n $version ]] || refuse "latest-$source_env does not exist"
fi
reason=${reason:-"promotion of $source_env version $version"}

log "pre-flight: $source_env version $version"
source_sha=$(code_sha "$source_env" "$version" 2>/dev/null) ||
  refuse "$source_env has no version $version"
health_check "$source_env" "$version" || refuse "$source_env version $version is not healthy"
read -r errors throttles < <(metric_sums "$source_env" "$lookback") || true
if [[ ! $errors =~ ^[0-9]+$ || ! $throttles =~ ^[0-9]+$ ]]; then
  refuse "cannot read the CloudWatch metrics of $source_env"
fi
log "pre-flight: $source_env had $errors errors and $throttles throttles in the last $((lookback / 3600))h"
if [[ $errors -gt $max_errors ]]; then
  refuse "$source_env had $errors errors in the last $((lookback / 3600))h (limit $max_errors)"
fi
if [[ $max_throttles -ge 0 && $throttles -gt $max_throttles ]]; then
  refuse "$source_env had $throttles throttles in the last $((lookback / 3600))h (limit $max_throttles)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch_code "$source_env" "$version" "$work/package.zip" >/dev/null
log "downloaded $source_env version $version (CodeSha256 $source_sha, local $(sha256_b64 "$work/package.zip"))"
roll_out "$target" "$work/package.zip" "$source_sha" promote "$reason"
