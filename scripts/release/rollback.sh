#!/usr/bin/env bash
# Moves latest-ENV back (runbook section 9): to --target-version, else to the newest backup-*
# alias that points elsewhere; checks the target's health and records the rollback with its
# reason in bbws-deployments-ENV.
set -euo pipefail
# shellcheck source=scripts/release/lib.sh disable=SC1091 # followed with -x
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
usage: scripts/release/rollback.sh --env dev|sit|prod --reason TEXT [--target-version N]
  --env ENV            the environment to roll back
  --reason TEXT        why (required; recorded)
  --target-version N   the version to return to (default: the newest backup alias's version)
Environment: see scripts/release/lib.sh. Prints the version latest-ENV now points to.
USAGE
}

env=""
reason=""
target=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --env) env=${2:?--env needs dev, sit or prod}; shift 2 ;;
    --reason) reason=${2:?--reason needs text}; shift 2 ;;
    --target-version) target=${2-}; shift 2 ;; # empty: the default
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
check_env "$env"
if [[ -z $reason ]]; then
  echo "--reason is required" >&2
  exit 2
fi
if [[ -n $target && ! $target =~ ^[0-9]+$ ]]; then
  echo "--target-version must be a version number, got '$target'" >&2
  exit 2
fi

alias="latest-$env"
current=$(alias_version "$env" "$alias")
[[ -n $current ]] || die "$alias does not exist in $env"
if [[ -z $target ]]; then
  # The newest backup that points somewhere else than the current version.
  target=$(aws_in "$env" lambda list-aliases --function-name "$(function_name "$env")" |
    jq -r --arg cur "$current" '[.Aliases[] | select((.Name | startswith("backup-"))
      and .FunctionVersion != $cur)] | sort_by(.Name) | last | .FunctionVersion // empty')
  [[ -n $target ]] || die "no backup alias in $env points to a version other than $current"
fi
if [[ $target == "$current" ]]; then
  die "$alias already points to version $target"
fi
sha=$(code_sha "$env" "$target" 2>/dev/null) || die "$env has no version $target"

set_alias "$env" "$alias" "$target"
result=succeeded
detail=""
if ! health_check "$env" "$target"; then
  result=unhealthy
  detail="version $target failed its health check after the rollback"
fi
record "$env" rollback "$result" "$current" "$target" "$sha" "$reason" "$detail" >/dev/null
echo "$target"
[[ $result == succeeded ]] || die "$detail"
