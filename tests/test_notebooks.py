"""The notebooks run top to bottom without an error, and git holds them without outputs.

Each notebook is executed with nbclient in a kernel that runs *this* interpreter (a kernelspec
written to a temporary folder points at ``sys.executable``), with the working directory set to
``notebooks/`` as when a user opens them in Jupyter. Timings are not asserted (never
wall-clock asserts in tests); each notebook is written to run in well under two minutes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {
    "01_quickstart",
    "02_claims",
    "03_teaching_scenarios",
    "04_sweeps",
    "05_calibration",
    "06_transactions",
    "07_ema_workbench",
}
KERNEL = "retention-lab-test"


def test_the_seven_notebooks_are_there() -> None:
    assert {p.stem for p in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_have_no_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; "
        "run .venv/bin/python scripts/strip_notebooks.py"
    )


@pytest.fixture(scope="module")
def kernel_dirs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A kernelspec that starts an IPython kernel with the interpreter running the tests."""
    root = tmp_path_factory.mktemp("kernels")
    spec = root / KERNEL
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "retention-lab tests", "language": "python"}),
        encoding="utf-8",
    )
    return [str(root)]


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, kernel_dirs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel's own inline backend must draw the figures, whatever the CI environment sets.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(path, as_version=4)
    before = _snapshot(NOTEBOOK_DIR)
    km = KernelManager(
        kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=kernel_dirs)
    )
    client = NotebookClient(
        nb, km=km, timeout=300, resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first error

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name}: no figure was displayed"
    # Notebooks write only into temporary folders, never next to themselves.
    assert _snapshot(NOTEBOOK_DIR) == before
