#!/usr/bin/env bash
# Run the test suite (pytest; its settings live in pyproject.toml). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/env.sh
# Tell the browser tests which headless Chromium to drive (Debian's packages; .ci/run installs one).
# If none is here the tests still run; the browser tests decide for themselves what to do.
if [ -z "${RETENTION_CHROMIUM:-}" ]; then
  for b in /usr/bin/chromium-headless-shell /usr/bin/chromium; do
    if [ -x "$b" ]; then export RETENTION_CHROMIUM="$b"; break; fi
  done
fi
exec .venv/bin/python -m pytest "$@"
