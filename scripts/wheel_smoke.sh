#!/usr/bin/env bash
# The package as a pip user gets it: build the sdist and wheel (python -m build), install the
# wheel (not editable) into a clean virtual environment, and use it from an empty folder with no
# repository on the path. Fails if a command fails, a preset or README name is missing, or any
# command writes inside the installed package. .ci/run runs it; so can you: bash scripts/wheel_smoke.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/env.sh"
PY="$ROOT/.venv/bin/python"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
T0=$SECONDS
step() { printf -- '--- [%3ss] %s\n' "$((SECONDS - T0))" "$*"; }
# pip's harmless "Location 'file:///…' is ignored" lines on some machines
quiet_pip() { "$@" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }; }

step "python -m build (sdist + wheel)"
if ! "$PY" -m build --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log"; exit 1
fi
ls "$WORK/dist"
wheel=$(ls "$WORK"/dist/*.whl)

step "clean venv + pip install the wheel (constraints: requirements/lock.txt)"
"$("$PY" -c 'import sys; print(sys._base_executable)')" -m venv "$WORK/venv"
BIN="$WORK/venv/bin"
quiet_pip "$BIN/python" -m pip install -q --no-compile -c "$ROOT/requirements/lock.txt" "$wheel"

# From here on: an empty folder, no repository on the path, nothing from the repo's .venv.
mkdir "$WORK/user"
cd "$WORK/user"
unset PYTHONPATH VIRTUAL_ENV
export PATH="$BIN:$PATH" MPLBACKEND=Agg
site=$(python -c 'import model, pathlib; print(pathlib.Path(model.__file__).parent.parent)')
case "$site" in "$WORK/venv/"*) ;; *) echo "model imported from $site, not the wheel" >&2; exit 1 ;; esac
touch "$WORK/before"

step "retention --version"
retention --version
version=$(python -c 'import model; print(model.__version__)')

step "retention presets"
retention presets >"$WORK/presets.txt"
sed -n 1,4p "$WORK/presets.txt"
grep -q "teaching/delighter" "$WORK/presets.txt"

step "retention run delighter --months 12"
retention run delighter --months 12 --quiet
python - "$version" <<'EOF'
import json, sys
import glob
path = glob.glob("out/delighter*/summary.json")[0]  # out/<name>, or out/<name>--<overrides>
meta = json.load(open(path))
assert meta["version"] == sys.argv[1], (meta["version"], sys.argv[1])
assert meta["scenario"]["name"].startswith("delighter")  # labelled with the overrides
assert meta["scenario"]["run"]["months"] == 12
print(f"{path}: version {meta['version']}, {meta['results']['active_end']:.0f} active")
EOF

step "retention presets --copy, then run the copy as a file"
retention presets --copy industries/software mine
retention run mine/software.toml --months 6 --clients 500 --no-figures --quiet --out out/mine
test -f out/mine/summary.json

step "retention experiment --list"
retention experiment --list

step "a quick experiment (reports under ./experiments-reports)"
retention experiment lost_client --size quick | tail -1
grep -q "$version" experiments-reports/lost_client.md

step "python -c: every name of the README's Python API"
python -c "$("$PY" "$ROOT/scripts/readme_api.py" "$ROOT/README.md")"
python -c 'from model import Scenario; print("Scenario.preset:", Scenario.preset("delighter").name)'

step "nothing written inside the installed package"
# Files only, outside __pycache__: a cache folder (Python's bytecode, numba's compiled kernels,
# both standard beside an installed module) changes its parent folder's time, not its contents.
written=$(find "$site/model" "$site/experiments" -type f -newer "$WORK/before" -not -path '*/__pycache__*' -print)
if [ -n "$written" ]; then
  echo "commands wrote inside the installed package:" >&2; echo "$written" >&2; exit 1
fi
find . -type f | sort | sed 's/^/  /'
step "wheel smoke test passed"
