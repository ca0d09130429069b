#!/usr/bin/env bash
# Runs the console's browser tests (ctest browser.console). axe-core comes from the pinned npm
# tools (scripts/npm-tools.sh) unless TENANTD_AXE_JS names an axe.min.js already.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ -z ${TENANTD_AXE_JS:-} ]]; then
  if bin=$(../../scripts/npm-tools.sh | tail -n 1); then
    TENANTD_AXE_JS=$bin/../axe-core/axe.min.js
  fi
fi
export TENANTD_AXE_JS=${TENANTD_AXE_JS:-}
exec "${TENANTD_BROWSER_PYTHON:-/usr/bin/python3}" -m unittest -v test_console
