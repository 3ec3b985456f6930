"""Checking a store's finished tasks on resume: a damaged result file is redone, never counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.studies.files import parquet_rows
from model.studies.sweep.layers import layers_of, task_runs
from model.studies.sweep.store import batch_name, done_batches

__all__ = ["damaged_batches", "verify_batches"]


def damaged_batches(store: str | Path, manifest: dict[str, Any]) -> list[int]:
    """The finished tasks whose files are damaged (read only; :func:`verify_batches` removes
    them).

    A summary file counts as done only if Parquet can read its footer and it holds the task's
    number of rows (and, when the sweep keeps series, the series file is readable too).
    """
    store = Path(store)
    layers = layers_of(manifest)
    damaged = []
    for b in sorted(done_batches(store)):
        name = batch_name(b)
        ok = parquet_rows(store / "batches" / name) == task_runs(layers, b)
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
