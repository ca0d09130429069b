#!/usr/bin/env bash
# Builds the Lambda zips: dist/tenantd-lambda-<arch>.zip holding one executable, `bootstrap`,
# for the provided.al2023 runtime.
#   scripts/package-lambda.sh [x86_64|arm64|all]     (default: all)
# The bootstrap is linked fully static (preset lambda-<arch>); the check below refuses a binary
# that would need any shared library, or glibc symbols newer than 2.34 (al2023's glibc).
# arm64 is cross-built with Debian's cross toolchain: scripts/setup-arm64.sh installs it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

archs=${1:-all}
if [[ $archs == all ]]; then
  archs="x86_64 arm64"
fi

# Exits non-zero unless $1 needs nothing from the image but (at most) glibc <= 2.34.
check_bootstrap() {
  local bin=$1 newest
  if file "$bin" | grep -q 'statically linked'; then
    echo "check: $bin is statically linked"
    return 0
  fi
  # A dynamic binary: only glibc's own libraries, and no symbol version newer than 2.34.
  if objdump -p "$bin" | awk '/NEEDED/ {print $2}' |
    grep -v -E '^(libc|libm|libpthread|libdl|librt|ld-linux[-a-z0-9_]*)\.so' | grep -q .; then
    echo "check: $bin needs libraries the Lambda image may lack:" >&2
    objdump -p "$bin" | awk '/NEEDED/ {print "  " $2}' >&2
    return 1
  fi
  newest=$(objdump -T "$bin" | grep -o 'GLIBC_2\.[0-9]*' | sort -t. -k2,2n -u | tail -n 1)
  if [[ -n $newest && ${newest#GLIBC_2.} -gt 34 ]]; then
    echo "check: $bin needs $newest; provided.al2023 has glibc 2.34" >&2
    return 1
  fi
  echo "check: $bin needs glibc ${newest:-(none)} at most"
}

mkdir -p dist
for arch in $archs; do
  case $arch in
    x86_64 | arm64) ;;
    *)
      echo "unknown architecture '$arch' (x86_64, arm64 or all)" >&2
      exit 2
      ;;
  esac
  cmake --preset "lambda-$arch" >/dev/null
  cmake --build --preset "lambda-$arch" -j "$(nproc)"
  bin=build/lambda-$arch/tenantd
  check_bootstrap "$bin"
  zip_path=dist/tenantd-lambda-$arch.zip
  python3 - "$bin" "$zip_path" <<'PY'
import sys, zipfile
src, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    info = zipfile.ZipInfo("bootstrap", date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = 0o100755 << 16  # a regular file, executable: Lambda runs it as is
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(src, "rb") as f:
        z.writestr(info, f.read())
PY
  echo "packaged $zip_path ($(stat -c %s "$zip_path") bytes)"
done
