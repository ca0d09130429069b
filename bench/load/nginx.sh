#!/usr/bin/env bash
# Runs nginx (Debian's nginx-light) in the foreground as the load benchmark's reference server:
# GET /body answers 200 with the bytes of BODY_FILE as application/json.
#   bench/load/nginx.sh PREFIX_DIR BODY_FILE PORT
# PREFIX_DIR is a scratch directory owned by the caller (config, pid, logs, temp files); the caller
# stops nginx by sending SIGTERM (or SIGQUIT for a graceful stop) to this script's pid.
set -euo pipefail
# bash 5.2 would treat & in ${var//pat/rep} replacements as the match; the body needs it literal.
shopt -u patsub_replacement 2>/dev/null || true

if [[ $# -ne 3 ]]; then
  echo "usage: $0 PREFIX_DIR BODY_FILE PORT" >&2
  exit 2
fi
prefix=$(realpath "$1")
body_file=$2
port=$3
here=$(dirname "${BASH_SOURCE[0]}")

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if [[ ! -x $nginx_bin ]]; then
  echo "nginx not found (apt-get install nginx-light)" >&2
  exit 1
fi

mkdir -p "$prefix"
body=$(<"$body_file")
if [[ ${#body} -le 3000 ]]; then
  # nginx would expand $variables inside the return text; refuse rather than serve other bytes.
  if [[ $body == *'$'* ]]; then
    echo "body contains '\$', which nginx would interpolate" >&2
    exit 1
  fi
  # Inside a single-quoted nginx string only backslash and the quote need escaping.
  body=${body//\\/\\\\}
  body=${body//\'/\\\'}
  answer="return 200 '$body';"
else
  # nginx refuses a parameter over 4 KiB: longer bodies (a page of a list) come from a file.
  cp "$body_file" "$prefix/body"
  answer="alias $prefix/body;"
fi
config="$prefix/nginx.conf"
template=$(<"$here/nginx.conf.in")
template=${template//@PREFIX@/$prefix}
template=${template//@PORT@/$port}
template=${template//@USER@/$(id -un)}
template=${template//@ANSWER@/$answer}
printf '%s\n' "$template" >"$config"

exec "$nginx_bin" -p "$prefix" -e "$prefix/error.log" -c "$config"
