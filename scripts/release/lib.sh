#!/usr/bin/env bash
# Shared helpers of the release scripts (sourced, not run). Every AWS call goes through the aws
# CLI, which honours AWS_ENDPOINT_URL (a local AWS double such as moto) and AWS_PROFILE.
#
# Settings (environment):
#   AWS_PROFILE_DEV / _SIT / _PROD   profile used for that environment's account (optional)
#   AWS_REGION_DEV / _SIT / _PROD    region override (defaults: the runbook's section 10)
#   TENANTD_INVOKE_CMD               health-check invoker: `CMD FUNCTION QUALIFIER EVENT_JSON`
#                                    prints the Lambda response document (default: aws lambda invoke)
#   LAMBDA_CODE_URL_BASE             local doubles only: fetch Code.Location from this base URL
#                                    (same path) because the double's S3 host is not reachable
#   DEPLOY_ACTOR                     who acts (default: GITHUB_ACTOR, else USER)
set -euo pipefail

RELEASE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HEALTH_EVENT='{"httpMethod":"GET","path":"/health","headers":{}}'

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# Exits 2 with a message unless $1 is dev, sit or prod.
check_env() {
  case ${1:-} in
    dev | sit | prod) ;;
    *)
      echo "unknown environment '${1:-}' (dev, sit or prod)" >&2
      exit 2
      ;;
  esac
}

upper() { tr '[:lower:]' '[:upper:]' <<<"$1"; }

function_name() { echo "bbws-tenant-instance-management-$1"; }
deployments_table() { echo "bbws-deployments-$1"; }

region_of() {
  local var
  var="AWS_REGION_$(upper "$1")"
  if [[ -n ${!var:-} ]]; then
    echo "${!var}"
  elif [[ $1 == prod ]]; then
    echo af-south-1
  else
    echo eu-west-1
  fi
}

# aws_in ENV ARGS...: the aws CLI against ENV's account (profile) and region, JSON output.
aws_in() {
  local env=$1 var
  shift
  var="AWS_PROFILE_$(upper "$env")"
  local extra=(--region "$(region_of "$env")" --output json)
  if [[ -n ${!var:-} ]]; then
    extra+=(--profile "${!var}")
  fi
  aws "${extra[@]}" "$@"
}

actor() { echo "${DEPLOY_ACTOR:-${GITHUB_ACTOR:-${USER:-unknown}}}"; }
now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# alias_version ENV ALIAS: the version the alias points to (empty when the alias does not exist).
alias_version() {
  aws_in "$1" lambda get-alias --function-name "$(function_name "$1")" --name "$2" 2>/dev/null |
    jq -r '.FunctionVersion' || true
}

# code_sha ENV QUALIFIER: CodeSha256 of a version (or $LATEST).
code_sha() {
  aws_in "$1" lambda get-function-configuration --function-name "$(function_name "$1")" \
    --qualifier "$2" | jq -r '.CodeSha256'
}

# newest_version ENV: the highest published version number (empty when none).
newest_version() {
  aws_in "$1" lambda list-versions-by-function --function-name "$(function_name "$1")" |
    jq -r '[.Versions[].Version | select(. != "$LATEST") | tonumber] | max // empty'
}

# set_alias ENV ALIAS VERSION: moves the alias, creating it when missing.
set_alias() {
  local fn
  fn=$(function_name "$1")
  aws_in "$1" lambda update-alias --function-name "$fn" --name "$2" --function-version "$3" \
    >/dev/null 2>&1 ||
    aws_in "$1" lambda create-alias --function-name "$fn" --name "$2" --function-version "$3" \
      >/dev/null
  log "alias $2 of $fn -> version $3"
}

# backup_alias ENV VERSION: creates backup-YYYYMMDD-HHMMSS on VERSION, prints its name.
backup_alias() {
  local name
  name="backup-$(date -u +%Y%m%d-%H%M%S)"
  aws_in "$1" lambda create-alias --function-name "$(function_name "$1")" --name "$name" \
    --function-version "$2" --description "before a release, for rollback" >/dev/null
  log "backup alias $name -> version $2"
  echo "$name"
}

# newest_backup ENV: "NAME VERSION" of the newest backup-* alias (names sort by time).
newest_backup() {
  aws_in "$1" lambda list-aliases --function-name "$(function_name "$1")" |
    jq -r '[.Aliases[] | select(.Name | startswith("backup-"))] | sort_by(.Name) | last
           | select(. != null) | "\(.Name) \(.FunctionVersion)"'
}

# upload_code ENV ZIP: updates $LATEST's code, waits for the update, prints the new CodeSha256.
upload_code() {
  local fn sha
  fn=$(function_name "$1")
  sha=$(aws_in "$1" lambda update-function-code --function-name "$fn" \
    --zip-file "fileb://$2" | jq -r '.CodeSha256')
  aws_in "$1" lambda wait function-updated --function-name "$fn"
  echo "$sha"
}

# publish ENV SHA DESCRIPTION: publishes $LATEST (only if its code still has CodeSha256 SHA),
# prints the version number.
publish() {
  aws_in "$1" lambda publish-version --function-name "$(function_name "$1")" \
    --code-sha256 "$2" --description "$3" | jq -r '.Version'
}

# fetch_code ENV QUALIFIER DEST: downloads the exact package of a version (Code.Location, a
# presigned URL on AWS) and prints its CodeSha256 as Lambda reports it.
fetch_code() {
  local doc location
  doc=$(aws_in "$1" lambda get-function --function-name "$(function_name "$1")" --qualifier "$2")
  location=$(jq -r '.Code.Location' <<<"$doc")
  if [[ -n ${LAMBDA_CODE_URL_BASE:-} ]]; then
    location="${LAMBDA_CODE_URL_BASE%/}/${location#https://*/}"
  fi
  curl -fsS --retry 3 -o "$3" "$location" || die "cannot download the package of $2 from $1"
  jq -r '.Configuration.CodeSha256' <<<"$doc"
}

# sha256_b64 FILE: the file's SHA-256 as Lambda's CodeSha256 spells it (base64).
sha256_b64() { openssl dgst -sha256 -binary "$1" | base64; }

# invoke ENV QUALIFIER EVENT_JSON: the Lambda response document on stdout.
invoke() {
  local fn
  fn=$(function_name "$1")
  if [[ -n ${TENANTD_INVOKE_CMD:-} ]]; then
    local cmd
    read -ra cmd <<<"$TENANTD_INVOKE_CMD"
    AWS_REGION=$(region_of "$1") AWS_DEFAULT_REGION=$(region_of "$1") "${cmd[@]}" "$fn" "$2" "$3"
    return
  fi
  local dir status=0
  dir=$(mktemp -d)
  printf '%s' "$3" >"$dir/event.json"
  aws_in "$1" lambda invoke --function-name "$fn" --qualifier "$2" \
    --payload "fileb://$dir/event.json" "$dir/response.json" >"$dir/meta.json" || status=$?
  if [[ $status -eq 0 ]] && jq -e 'has("FunctionError") | not' "$dir/meta.json" >/dev/null; then
    cat "$dir/response.json"
  else
    status=1
    cat "$dir/response.json" "$dir/meta.json" >&2 2>/dev/null || true
  fi
  rm -rf "$dir"
  return "$status"
}

# health_check ENV QUALIFIER: the runbook's direct-invoke /health; fails unless 200 and healthy.
health_check() {
  local out
  if ! out=$(invoke "$1" "$2" "$HEALTH_EVENT"); then
    log "health check of $1:$2: the invocation failed"
    return 1
  fi
  if jq -e '.statusCode == 200 and ((.body // "{}") | fromjson | .status == "healthy")' \
    >/dev/null 2>&1 <<<"$out"; then
    log "health check of $1:$2: healthy"
    return 0
  fi
  log "health check of $1:$2 failed: $out"
  return 1
}

# metric_sums ENV SECONDS: "ERRORS THROTTLES", the sums of AWS/Lambda Errors and Throttles for the
# function over the last SECONDS (one GetMetricData call).
metric_sums() {
  local start end queries
  start=$(date -u -d "@$(($(date +%s) - $2))" +%Y-%m-%dT%H:%M:%SZ)
  end=$(now_iso)
  queries=$(jq -nc --arg fn "$(function_name "$1")" --argjson period "$2" '
    [["errors", "Errors"], ["throttles", "Throttles"]] | map({Id: .[0], ReturnData: true,
      MetricStat: {Stat: "Sum", Period: $period, Metric: {Namespace: "AWS/Lambda",
        MetricName: .[1], Dimensions: [{Name: "FunctionName", Value: $fn}]}}})')
  aws_in "$1" cloudwatch get-metric-data --metric-data-queries "$queries" \
    --start-time "$start" --end-time "$end" |
    jq -r '.MetricDataResults | map({(.Id): (.Values | add // 0 | floor)}) | add
           | "\(.errors // 0) \(.throttles // 0)"'
}

# record ENV ACTION RESULT FROM TO SHA REASON [DETAIL]: one item in bbws-deployments-ENV
# (docs/operations.md#deployment-pipeline's fields); prints the deploymentId.
record() {
  local id item
  id="dep-$(date -u +%Y%m%dT%H%M%SZ)-$(openssl rand -hex 4)"
  item=$(jq -n --arg id "$id" --arg env "$1" --arg action "$2" --arg result "$3" \
    --arg from "$4" --arg to "$5" --arg sha "$6" --arg reason "$7" --arg detail "${8:-}" \
    --arg actor "$(actor)" --arg ts "$(now_iso)" '
      {deploymentId: {S: $id}, environment: {S: $env}, action: {S: $action},
       result: {S: $result}, fromVersion: {S: $from}, toVersion: {S: $to},
       codeSha256: {S: $sha}, actor: {S: $actor}, reason: {S: $reason}, timestamp: {S: $ts}}
      + (if $detail == "" then {} else {detail: {S: $detail}} end)')
  aws_in "$1" dynamodb put-item --table-name "$(deployments_table "$1")" --item "$item" >/dev/null
  log "recorded $id: $2 $3 in $1 (${4:-none} -> ${5:-none})"
  echo "$id"
}

# smoke ENV: the runbook's smoke tests against SMOKE_API_URL (default: the environment's URL from
# the runbook's section 10) with COGNITO_TOKEN when set; SMOKE_API_URL=skip skips them.
smoke() {
  local url=${SMOKE_API_URL:-}
  if [[ -z $url ]]; then
    case $1 in
      dev) url=https://o158f3j653.execute-api.eu-west-1.amazonaws.com ;;
      sit) url=https://api-sit.bbws.example.com ;;
      prod) url=https://api.wp.kimmyai.io ;;
    esac
  fi
  if [[ $url == skip ]]; then
    log "smoke tests skipped (SMOKE_API_URL=skip)"
    return 0
  fi
  "$RELEASE_DIR/smoke-test.sh" --env "$1" --url "$url" >&2
}

# error_watch ENV: waits ERROR_WATCH_SECONDS (runbook: 30 s, 5 minutes for prod) and fails when
# the function reported any error or throttle in that window.
error_watch() {
  local seconds=${ERROR_WATCH_SECONDS:-}
  if [[ -z $seconds ]]; then
    seconds=30
    [[ $1 == prod ]] && seconds=300
  fi
  log "watching errors for ${seconds}s"
  sleep "$seconds"
  local window=$((seconds > 60 ? seconds : 60)) errors throttles
  read -r errors throttles < <(metric_sums "$1" "$window") || true
  if [[ ! $errors =~ ^[0-9]+$ || ! $throttles =~ ^[0-9]+$ ]]; then
    log "error watch: cannot read the metrics"
    return 1
  fi
  if [[ $errors -gt 0 || $throttles -gt 0 ]]; then
    log "error watch: $errors errors, $throttles throttles"
    return 1
  fi
  log "error watch: no errors, no throttles"
}

# roll_out ENV ZIP EXPECTED_SHA ACTION REASON: the shared second half of a deploy and a
# promotion: backup alias, upload, integrity check, publish, move latest-ENV, verify (health,
# smoke, error watch) and roll back automatically when verification fails. Records the outcome.
roll_out() {
  local env=$1 zip=$2 expected=$3 action=$4 reason=$5
  local alias="latest-$env" previous sha version why
  previous=$(alias_version "$env" "$alias")
  if [[ -n $previous ]]; then
    backup_alias "$env" "$previous" >/dev/null
  fi
  if ! sha=$(upload_code "$env" "$zip"); then
    record "$env" "$action" failed "$previous" "" "$expected" "$reason" \
      "the code update failed" >/dev/null
    die "the code update of $(function_name "$env") failed; $alias unchanged"
  fi
  if [[ $sha != "$expected" ]]; then
    log "integrity check failed: uploaded CodeSha256 $sha, expected $expected"
    restore_latest "$env" "$previous"
    record "$env" "$action" refused "$previous" "" "$sha" "$reason" \
      "integrity check failed: CodeSha256 $sha != $expected" >/dev/null
    die "refused: the uploaded package is not the expected one; $alias unchanged"
  fi
  log "integrity check: CodeSha256 $sha matches"
  version=$(publish "$env" "$sha" "$action: $reason")
  set_alias "$env" "$alias" "$version"
  why=""
  if ! health_check "$env" "$version"; then
    why="health check failed"
  elif ! smoke "$env"; then
    why="smoke tests failed"
  elif ! error_watch "$env"; then
    why="errors during the watch window"
  fi
  if [[ -z $why ]]; then
    record "$env" "$action" succeeded "$previous" "$version" "$sha" "$reason" >/dev/null
    log "$action to $env succeeded: version $version"
    echo "$version"
    return 0
  fi
  if [[ -z $previous ]]; then
    record "$env" "$action" failed "" "$version" "$sha" "$reason" "$why; nothing to roll back to" >/dev/null
    die "$why; no previous version to roll back to"
  fi
  set_alias "$env" "$alias" "$previous"
  record "$env" "$action" rolled-back "$previous" "$version" "$sha" "$reason" "$why" >/dev/null
  record "$env" rollback succeeded "$version" "$previous" "$(code_sha "$env" "$previous")" \
    "automatic rollback: $why" >/dev/null
  die "$why: $alias rolled back to version $previous"
}

# restore_latest ENV VERSION: puts VERSION's code back on $LATEST after a refused upload, so
# that $LATEST never holds a package nobody meant to release.
restore_latest() {
  [[ -n $2 ]] || return 0
  local tmp
  tmp=$(mktemp)
  if fetch_code "$1" "$2" "$tmp" >/dev/null && upload_code "$1" "$tmp" >/dev/null; then
    log "\$LATEST restored to the code of version $2"
  else
    log "WARNING: could not restore \$LATEST to version $2's code"
  fi
  rm -f "$tmp"
}
