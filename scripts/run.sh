#!/usr/bin/env bash
# The main job: run the baseline scenario; tables and figures go to out/baseline.
# Extra arguments are passed to `retention run` (e.g. --clients 20000 or --set levers.service_level=wow --out out/wow).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/env.sh
exec .venv/bin/retention run baseline --out out/baseline "$@"
