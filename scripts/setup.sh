#!/usr/bin/env bash
# Installs what the build, the tests and the benchmarks need on Debian 12 (run as root).
# Idempotent: when every package is already installed it touches nothing, so repeated runs are fast.
# Prints the python3 to use for the functional tests on its last line of stdout when asked with
# --print-python (the test and run scripts pass it to CMake).
set -euo pipefail

packages=(
  build-essential g++ clang clang-14 cmake ninja-build ccache pkg-config
  libboost-dev libssl-dev libsqlite3-dev sqlite3 libgit2-dev git libpq-dev postgresql-15
  rapidjson-dev nlohmann-json3-dev libsimdjson-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang-format clang-tidy shellcheck
  wrk nginx-light curl jq openssl python3
  chromium chromium-driver python3-selenium
)
python_modules_check='import requests, jsonschema, yaml, moto, botocore'
python_packages=(python3-requests python3-jsonschema python3-yaml)

log() { echo "setup: $*" >&2; }

missing_packages() {
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$pkg"
    fi
  done
}

apt_updated=0
apt_install() {
  if [[ $# -eq 0 ]]; then
    return 0
  fi
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      log "need root to install: $*"
      return 1
    fi
  fi
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get update"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  log "installing: $*"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" >&2
}

mapfile -t missing < <(missing_packages "${packages[@]}")
if [[ ${#missing[@]} -gt 0 ]]; then
  apt_install "${missing[@]}"
else
  log "all system packages present"
fi

# The release scripts (scripts/release/) and their test need an AWS CLI, v1 or v2: any on PATH will do.
if ! command -v aws >/dev/null 2>&1; then
  apt_install awscli
fi

# The functional tests run on `python3` from PATH when it has their modules; otherwise on Debian's
# python3 with the modules from Debian's packages.
python_bin=""
if command -v python3 >/dev/null 2>&1 && python3 -c "$python_modules_check" 2>/dev/null; then
  python_bin=$(python3 -c 'import sys; print(sys.executable)')
else
  mapfile -t missing < <(missing_packages "${python_packages[@]}")
  apt_install "${missing[@]}"
  python_bin=/usr/bin/python3
  if ! "$python_bin" -c "$python_modules_check"; then
    log "$python_bin lacks one of: requests jsonschema yaml moto botocore"
    exit 1
  fi
fi
log "python for the functional tests: $python_bin"

if [[ ${1:-} == "--print-python" ]]; then
  echo "$python_bin"
fi
