#!/usr/bin/env bash
# Runs the Lambda door's black-box tests (tests/functional/test_lambda_runtime.py: a local
# Runtime API driving `bootstrap`, and `invoke`) against the bootstrap inside each packaged zip:
# x86_64 natively, arm64 under qemu-user.
#   scripts/test-lambda-package.sh [x86_64|arm64|all]     (default: all; run package-lambda.sh first)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)

archs=${1:-all}
if [[ $archs == all ]]; then
  archs="x86_64 arm64"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
for arch in $archs; do
  dir=$work/$arch
  mkdir -p "$dir"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "dist/tenantd-lambda-$arch.zip" "$dir"
  chmod +x "$dir/bootstrap"  # extractall drops the mode; Lambda does not
  bin=$dir/bootstrap
  if [[ $arch == arm64 && $(uname -m) != aarch64 ]]; then
    # Started as `bootstrap` (a symlink to this wrapper), it must still see that name.
    bin=$dir/tenantd-arm64
    # shellcheck disable=SC2016 # $0 and $@ belong to the wrapper, not to this script
    printf '#!/bin/sh\nexec qemu-aarch64 -0 "$0" %q "$@"\n' "$dir/bootstrap" >"$bin"
    chmod +x "$bin"
  fi
  echo "== $arch: $(file -b "$dir/bootstrap" | cut -d, -f1-2)"
  (cd tests/functional &&
    TENANTD_BIN=$bin TENANTD_SOURCE_DIR=$repo python3 -m unittest -q test_lambda_runtime) ||
    status=1
done
exit $status
