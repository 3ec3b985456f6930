"""Checking a store's finished tasks on resume: a damaged result file is redone, never counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.studies.files import parquet_rows
from model.studies.sweep.store import batch_name, done_batches

__all__ = ["verify_batches"]


def verify_batches(store: str | Path, manifest: dict[str, Any]) -> list[int]:
    """Remove the files of finished tasks that are damaged; returns their task numbers.

    A summary file counts as done only if Parquet can read its footer and it holds the task's
    number of rows (and, when the sweep keeps series, the series file is readable too); any
    other file (truncated, emptied, overwritten) is removed so that its task runs again.
    """
    store = Path(store)
    size, runs = int(manifest["batch_size"]), int(manifest["runs"])
    damaged = []
    for b in sorted(done_batches(store)):
        name = batch_name(b)
        ok = parquet_rows(store / "batches" / name) == min(size, runs - b * size)
        if ok and manifest.get("series"):
            ok = (parquet_rows(store / "series" / name) or 0) > 0
        if not ok:
            damaged.append(b)
            for sub in ("batches", "series"):
                (store / sub / name).unlink(missing_ok=True)
    return damaged
