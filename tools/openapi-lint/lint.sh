#!/usr/bin/env bash
# Lints an OpenAPI document with Spectral (spectral:oas + OWASP). Fails on any error-severity finding.
# Usage: tools/openapi-lint/lint.sh [document]   (default: openapi/v1.json at the repo root; works from any cwd)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"

doc="${1:-$repo_root/openapi/v1.json}"
shift || true
# Resolve a relative document argument against the caller's cwd before we change directory.
case "$doc" in
  /*) ;;
  *) doc="$(pwd)/$doc" ;;
esac
if [[ ! -f "$doc" ]]; then
  echo "lint.sh: no OpenAPI document at $doc" >&2
  exit 2
fi

cd "$script_dir"
if [[ ! -d node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

exec npx --no-install spectral lint "$doc" --ruleset "$script_dir/.spectral.yaml" --fail-severity error "$@"
