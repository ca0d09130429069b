#!/usr/bin/env bash
# Installs the pinned npm test tools (OpenAPI proxy and linters, the accessibility engine) into a
# cache folder, once, and prints that folder's node_modules/.bin on its last line of stdout.
#   TENANTD_NPM_TOOLS  the cache folder (default: ~/.cache/tenantd-npm-tools, kept between clones)
# Nothing is installed globally; a run with every pinned version present touches nothing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=${TENANTD_NPM_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantd-npm-tools}

# Pinned versions: change them here only.
tools=(
  @stoplight/prism-cli@5.16.0
  @redocly/cli@2.77.0
  @stoplight/spectral-cli@6.16.3
  axe-core@4.14.1
)

installed_version() {
  local manifest=$dir/node_modules/$1/package.json
  [[ -f $manifest ]] && node -p "require('$manifest').version" 2>/dev/null
}

missing=()
for spec in "${tools[@]}"; do
  name=${spec%@*}
  version=${spec##*@}
  if [[ $(installed_version "$name" || true) != "$version" ]]; then
    missing+=("$spec")
  fi
done

if [[ ${#missing[@]} -gt 0 ]]; then
  mkdir -p "$dir"
  echo "npm-tools: installing ${missing[*]}" >&2
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${missing[@]}" >&2
fi
echo "$dir/node_modules/.bin"
