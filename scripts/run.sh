#!/usr/bin/env bash
# The main job: run the baseline scenario; tables and figures go to out/baseline.
# Extra arguments are passed to `retention run` (e.g. --set levers.service_level=wow, written to
# out/baseline--service_level=wow; --out DIR to choose the folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/env.sh
exec .venv/bin/retention run baseline "$@"
