#!/usr/bin/env bash
# Prints where latest-ENV points, its CodeSha256, the backup aliases and the last deployment
# records (markdown, for a workflow summary or a terminal).
set -euo pipefail
# shellcheck source=scripts/release/lib.sh disable=SC1091 # followed with -x
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help || $# -lt 1 ]]; then
  echo "usage: scripts/release/status.sh ENV [RECORDS]   (ENV dev|sit|prod; RECORDS default 5)"
  [[ $# -ge 1 ]] && exit 0 || exit 2
fi
env=$1
count=${2:-5}
check_env "$env"
fn=$(function_name "$env")
version=$(alias_version "$env" "latest-$env")
echo "### $fn"
echo
echo "- latest-$env -> version ${version:-none}${version:+ (CodeSha256 $(code_sha "$env" "$version"))}"
aws_in "$env" lambda list-aliases --function-name "$fn" |
  jq -r '.Aliases[] | select(.Name | startswith("backup-")) | "- \(.Name) -> version \(.FunctionVersion)"' |
  sort -r | head -n 3
echo
echo "| timestamp | action | result | from | to | actor | reason |"
echo "|---|---|---|---|---|---|---|"
aws_in "$env" dynamodb scan --table-name "$(deployments_table "$env")" |
  jq -r --argjson n "$count" '[.Items[] | map_values(.S)] | sort_by(.deploymentId) | reverse
    | .[:$n][] | "| \(.timestamp) | \(.action) | \(.result) | \(.fromVersion) | \(.toVersion) | \(.actor) | \(.reason) |"'
