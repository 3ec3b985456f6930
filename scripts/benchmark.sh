#!/usr/bin/env bash
# Run the throughput and memory benchmarks (the benchmarks/ package). Arguments go to it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/env.sh
exec .venv/bin/python -m benchmarks "$@"
