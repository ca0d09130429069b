#!/usr/bin/env bash
# The run command (README): installs what is missing, builds the release preset and serves the API
# on the embedded defaults (SQLite + local auth in ./var, simulated provisioner, port 8080).
# Extra arguments go to `tenantd serve` (e.g. scripts/run.sh --port 9090).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

python_bin=$(scripts/setup.sh --print-python | tail -n 1)
cmake --preset release -DPython3_EXECUTABLE="$python_bin" >/dev/null
cmake --build --preset release -j "$(nproc)" --target tenantd

bin=build/release/tenantd
data_dir=./var
mkdir -p "$data_dir"
token=$("$bin" token --email admin@example.com --groups platform-admins --data-dir "$data_dir")

# The port the curl example should name: --port N / --port=N, else PORT, else the default.
port=${PORT:-8080}
args=("$@")
for i in "${!args[@]}"; do
  case ${args[$i]} in
    --port=*) port=${args[$i]#--port=} ;;
    --port) port=${args[$((i + 1))]:-$port} ;;
  esac
done

# The console and the invitation links live under PUBLIC_URL (docs/console.md).
export PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:$port}
# A one-time link that signs the browser in as the same admin (the code is exchanged once for a
# token; the token itself never appears in a URL).
console_link=$("$bin" console-link --email admin@example.com --groups platform-admins \
  --data-dir "$data_dir")

cat <<MSG

The admin console (this link signs you in once, within 15 minutes; for another, run
$bin console-link --email admin@example.com --groups platform-admins --data-dir $data_dir):

  $console_link

A platform-admin token for this data dir (valid for an hour; mint another with
$bin token --email admin@example.com --groups platform-admins --data-dir $data_dir):

  export TOKEN='$token'

Try it from another shell once the server says it is listening (with --port 0, use the port it
prints):

  curl -H "Authorization: Bearer \$TOKEN" http://127.0.0.1:$port/v1.0/tenants

Settings: $bin serve --help    Stop: Ctrl-C

MSG

exec "$bin" serve --data-dir "$data_dir" "$@"
