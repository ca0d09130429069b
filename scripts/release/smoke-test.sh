#!/usr/bin/env bash
# The runbook's smoke tests (section 5.4), read-only so that they are safe in PROD:
#   GET /health                  200 with status "healthy"
#   GET /tenants                 200 (with a token)
#   GET /tenants/<unknown id>    404 (with a token): routing and authorisation reach the store
# Exits non-zero when any test fails.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: scripts/release/smoke-test.sh --url API_URL [--token TOKEN] [--env ENV]
  --url     the API base URL (env API_URL), e.g. https://o158f3j653.execute-api.eu-west-1.amazonaws.com
  --token   a Cognito (or, for tenantd serve, a local) JWT (env COGNITO_TOKEN); without it only
            /health is tested
  --env     a label for the output (default dev)
USAGE
}

url=${API_URL:-}
token=${COGNITO_TOKEN:-}
label=dev
while [[ $# -gt 0 ]]; do
  case $1 in
    --url) url=${2:?--url needs a URL}; shift 2 ;;
    --token) token=${2:?--token needs a JWT}; shift 2 ;;
    --env) label=${2:?--env needs a name}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [[ -z $url ]]; then
  usage >&2
  exit 2
fi
url=${url%/}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# check NAME EXPECTED_STATUS PATH [JQ_FILTER]: one GET; PASS when the status (and filter) hold.
check() {
  local name=$1 expected=$2 path=$3 filter=${4:-} status
  local args=(-s -o "$work/body" -w '%{http_code}' --max-time 15)
  if [[ -n $token && $path != /health ]]; then
    args+=(-H "Authorization: Bearer $token")
  fi
  printf '%s... ' "$name"
  status=$(curl "${args[@]}" "$url$path" || true)
  if [[ $status != "$expected" ]]; then
    echo "FAIL (HTTP $status, expected $expected)"
    failures=$((failures + 1))
  elif [[ -n $filter ]] && ! jq -e "$filter" "$work/body" >/dev/null 2>&1; then
    echo "FAIL (HTTP $status, body: $(head -c 300 "$work/body"))"
    failures=$((failures + 1))
  else
    echo "PASS"
  fi
}

echo "=== Tenant Lambda Smoke Tests ($label: $url) ==="
check "Health check" 200 /health '.status == "healthy"'
if [[ -n $token ]]; then
  check "List tenants" 200 /tenants '.items | type == "array"'
  check "Unknown tenant" 404 /tenants/tenant-00000000-0000-4000-8000-000000000000 \
    '.error.code | endswith("NOT_FOUND")'
else
  echo "List tenants... SKIPPED (no token: set COGNITO_TOKEN or --token)"
fi
echo "=== Smoke Tests Complete: $failures failed ==="
[[ $failures -eq 0 ]]
