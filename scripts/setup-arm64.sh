#!/usr/bin/env bash
# Installs what the arm64 Lambda build needs (as root, Debian packages only): the aarch64 cross
# toolchain, the arm64 multiarch -dev packages it links statically, and qemu-user to run the
# result in tests. Idempotent.
set -euo pipefail

if command -v aarch64-linux-gnu-g++ >/dev/null && command -v qemu-aarch64 >/dev/null &&
  [[ -f /usr/lib/aarch64-linux-gnu/libcrypto.a && -f /usr/lib/aarch64-linux-gnu/libsqlite3.a ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "setup-arm64: needs root to install packages" >&2
  exit 1
fi
dpkg --add-architecture arm64
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  g++-aarch64-linux-gnu libssl-dev:arm64 libsqlite3-dev:arm64 qemu-user >/dev/null
