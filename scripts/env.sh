#!/usr/bin/env bash
# Ensure the project's virtual environment: <repo>/.venv with Python >= 3.12 and the project
# installed as `pip install -c requirements/lock.txt -e ".[dev]"`.
# Run it (`bash scripts/env.sh`); the other scripts call it first. Repeated runs are fast: the
# install is skipped while a stamp in .venv matches the hash of pyproject.toml + the lock.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
STAMP="$VENV/.install-stamp"
LOCK="$ROOT/requirements/lock.txt"

# Print the real interpreter path if the command "$@" is a working Python >= 3.12.
py_ok() { "$@" -c 'import sys; assert sys.version_info >= (3, 12); print(sys.executable)' 2>/dev/null; }

# Find a Python >= 3.12: $PYTHON if set (and then only it), else the usual names on PATH, else
# pyenv's installs by absolute path (pyenv shims for python3.12 fail unless PYENV_VERSION is set).
find_python() {
  if [ -n "${PYTHON:-}" ]; then
    py_ok "$PYTHON" || { echo "env.sh: PYTHON=$PYTHON is not a working Python >= 3.12" >&2; return 1; }
    return 0
  fi
  local c root
  for c in python3.13 python3.12 python3 python; do
    command -v "$c" >/dev/null 2>&1 && py_ok "$c" && return 0
  done
  for root in "${PYENV_ROOT:-$HOME/.pyenv}" "$(pyenv root 2>/dev/null || true)"; do
    [ -n "$root" ] || continue
    for c in "$root"/versions/3.1[2-9]*/bin/python3; do
      [ -x "$c" ] && py_ok "$c" && return 0
    done
  done
  echo "env.sh: needs Python >= 3.12 (tried \$PYTHON, python3.13, python3.12, python3, python," \
       "pyenv's versions/3.1x); install one or set PYTHON=/path/to/python3.12" >&2
  return 1
}

# (Re)create the venv when missing, broken or older than 3.12.
if ! py_ok "$VENV/bin/python" >/dev/null; then
  PY=$(find_python)
  echo "env.sh: creating .venv with $PY" >&2
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

# Install only when pyproject.toml or the lock changed since the last successful install.
hash=$("$VENV/bin/python" - "$ROOT/pyproject.toml" "$LOCK" <<'PYEOF'
import hashlib, sys
h = hashlib.sha256()
for p in sys.argv[1:]:
    with open(p, "rb") as f:
        h.update(f.read())
print(h.hexdigest())
PYEOF
)
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$hash" ]; then
  echo "env.sh: installing the project into .venv (pip -q) ..." >&2
  # Drop the harmless "Location 'file:///opt/pypi...' is ignored" lines of some machines' pip config;
  # everything else (warnings, errors) is shown, and pipefail keeps pip's exit status.
  pipq() { "$VENV/bin/python" -m pip "$@" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2; }
  (cd "$ROOT" && pipq install -q --upgrade -c "$LOCK" pip && pipq install -q -c "$LOCK" -e ".[dev]")
  echo "$hash" > "$STAMP"
  echo "env.sh: .venv ready" >&2
fi
