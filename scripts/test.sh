#!/usr/bin/env bash
# Run the test suite (pytest; its settings live in pyproject.toml). Arguments go to pytest.
# With none (the README's command, and CI's), the whole suite runs on up to four processes, one
# test file to a process at a time (pytest-xdist's loadfile: a file's module fixtures are built
# once): 12 minutes instead of 20 on a 2-core machine. Any argument runs pytest as given, in one
# process unless it says otherwise (e.g. `bash scripts/test.sh tests/ -n 2`).
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
if [ "$#" -eq 0 ]; then
  # The cores this process may use (its affinity), at most four: each process holds the whole
  # stack (numpy, numba's kernels, pandas, Mesa) and some tests start pools of their own.
  cores=$(nproc 2>/dev/null || echo 1)
  if (( cores > 1 )); then set -- -n "$(( cores < 4 ? cores : 4 ))" --dist loadfile; fi
fi
exec .venv/bin/python -m pytest "$@"
