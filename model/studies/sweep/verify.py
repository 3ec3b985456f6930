"""Checking a store's finished tasks on resume: a damaged result file is redone, never counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.studies.files import parquet_rows
from model.studies.sweep.layers import layers_of, task_ids, task_runs
from model.studies.sweep.store import batch_name, done_batches

__all__ = ["damaged_batches", "verify_batches"]


def damaged_batches(store: str | Path, manifest: dict[str, Any]) -> list[int]:
    """The finished tasks whose files are damaged (read only; :func:`verify_batches` removes
    them).

    A summary file counts as done only if Parquet can read its footer, it holds the task's
    number of rows and those rows are the task's runs, by point and replicate (a file copied
    over another task's was counted done, and the store then held one run twice and lacked
    another); when the sweep keeps series, the series file must be readable too.
    """
    store = Path(store)
    layers = layers_of(manifest)
    points = _design_points(store)
    damaged = []
    for b in sorted(done_batches(store)):
        name = batch_name(b)
        ok = parquet_rows(store / "batches" / name) == task_runs(layers, b)
        if ok and points is not None:
            ok = _runs_in(store / "batches" / name) == sorted(task_ids(layers, b, points))
        if ok and manifest.get("series"):
            ok = (parquet_rows(store / "series" / name) or 0) > 0
        if not ok:
            damaged.append(b)
    return damaged


def verify_batches(store: str | Path, manifest: dict[str, Any]) -> list[int]:
    """Remove the files of finished tasks that are damaged (:func:`damaged_batches`: truncated,
    emptied, overwritten), so that their tasks run again; returns their task numbers."""
    damaged = damaged_batches(store, manifest)
    for b in damaged:
        for sub in ("batches", "series"):
            (Path(store) / sub / batch_name(b)).unlink(missing_ok=True)
    return damaged


def _design_points(store: Path) -> list[int] | None:
    """The design's point ids by row (``design.parquet``), or None where there is no design to
    read (a store's checks then stop at the row counts)."""
    import pandas as pd

    try:
        return [
            int(p) for p in pd.read_parquet(store / "design.parquet", columns=["point"])["point"]
        ]
    except (OSError, ValueError, KeyError):
        return None


def _runs_in(path: Path) -> list[tuple[int, int]] | None:
    """The (point, replicate) of each row of a task's summary file, sorted; None if unreadable."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=["point", "replicate"]).to_pydict()
    except (OSError, ValueError, KeyError):
        return None
    return sorted(zip(map(int, table["point"]), map(int, table["replicate"]), strict=True))
