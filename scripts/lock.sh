#!/usr/bin/env bash
# Regenerate requirements/lock.txt: resolve `pip install -e ".[dev]"` in a fresh throwaway venv
# with Python 3.12 and record every installed version (pip included) as a constraints file.
# Usage: bash scripts/lock.sh   (PYTHON=/path/to/python3.12 to choose the interpreter)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-$HOME/.pyenv/versions/3.12.1/bin/python3}
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 12), sys.version' \
  || { echo "lock.sh: needs Python 3.12 (set PYTHON=/path/to/python3.12)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$PY" -m venv "$TMP/venv"
# (the grep drops some machines' harmless "Location 'file:///opt/pypi...' is ignored" lines)
pipq() { "$TMP/venv/bin/python" -m pip "$@" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2; }
pipq install -q --upgrade pip
pipq install -q -e "${ROOT}[dev]"
{
  echo "# Constraints: exact versions of everything \`pip install -e \".[dev]\"\` installs (transitively)"
  echo "# into a fresh venv, resolved with $("$PY" -V) on $(date -u +%Y-%m-%d) by scripts/lock.sh."
  echo "# Used as: pip install -c requirements/lock.txt -e \".[dev]\"   (scripts/env.sh does this)."
  echo "# Regenerate after changing dependencies in pyproject.toml: bash scripts/lock.sh"
  "$TMP/venv/bin/python" -m pip freeze --all --exclude-editable \
    | grep -v -i -e '^-e ' -e '^retention-lab'
} > "$ROOT/requirements/lock.txt"
echo "lock.sh: wrote requirements/lock.txt ($(grep -c '==' "$ROOT/requirements/lock.txt") pins)"
