#!/usr/bin/env bash
# Runs the console's browser tests (ctest browser.console). axe-core comes from the pinned npm
# tools (scripts/npm-tools.sh) unless TENANTD_AXE_JS names an axe.min.js already.
# Without Chromium, its driver or python3-selenium the tests are skipped (exit 77, which ctest
# reports as skipped), except with CI=true, where that is a failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
python_bin=${TENANTD_BROWSER_PYTHON:-/usr/bin/python3}

problems=()
command -v chromium >/dev/null 2>&1 || problems+=(chromium)
command -v chromedriver >/dev/null 2>&1 || problems+=(chromium-driver)
"$python_bin" -c 'import selenium' 2>/dev/null || problems+=("python3-selenium for $python_bin")
if [[ -z ${TENANTD_AXE_JS:-} ]]; then
  if bin=$(../../scripts/npm-tools.sh | tail -n 1); then
    TENANTD_AXE_JS=$bin/../axe-core/axe.min.js
  fi
fi
[[ -f ${TENANTD_AXE_JS:-} ]] || problems+=("axe-core (scripts/npm-tools.sh)")
if [[ ${#problems[@]} -gt 0 ]]; then
  if [[ ${CI:-} == true ]]; then
    echo "browser tests: missing ${problems[*]} (CI=true: a failure, not a skip)" >&2
    exit 1
  fi
  echo "browser tests skipped: missing ${problems[*]} (scripts/setup.sh installs them)"
  exit 77
fi
export TENANTD_AXE_JS
exec "$python_bin" -m unittest -v test_console
