"""Checking a store's finished tasks on resume: a damaged result file is redone, never counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.studies.files import parquet_footer
from model.studies.sweep.layers import layers_of, task_ids, task_runs
from model.studies.sweep.store import batch_name, done_batches

__all__ = ["damaged_batches", "verify_batches"]

#: The columns whose range in a task file's footer says which runs it holds.
_IDS = ("point", "replicate")


def damaged_batches(store: str | Path, manifest: dict[str, Any]) -> list[int]:
    """The finished tasks whose files are damaged (read only; :func:`verify_batches` removes
    them).

    A summary file counts as done only if Parquet can read its footer, it holds the task's
    number of rows and its points and replicates span the task's (a file copied over another
    task's was counted done, and the store then held one run twice and lacked another); when
    the sweep keeps series, the series file must be readable, not empty and span them too.
    Only footers are read (rows, each column's minimum and maximum), so a status of a store of
    many tasks costs what it did; a store without a readable design is checked by rows alone.
    """
    store = Path(store)
    layers = layers_of(manifest)
    points = _design_points(store, manifest)
    damaged = []
    for b in sorted(done_batches(store)):
        name = batch_name(b)
        footer = parquet_footer(store / "batches" / name)
        spans = None if points is None else _spans(task_ids(layers, b, points))
        ok = footer is not None and footer.num_rows == task_runs(layers, b)
        ok = ok and (spans is None or _footer_spans(footer) in (spans, None))
        if ok and manifest.get("series"):
            series = parquet_footer(store / "series" / name)
            ok = series is not None and series.num_rows > 0
            ok = ok and (spans is None or _footer_spans(series) in (spans, None))
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


def _design_points(store: Path, manifest: dict[str, Any]) -> list[int] | None:
    """The design's point ids by row (``design.parquet``), or None where there is no design of
    the manifest's size to read (a store's checks then stop at the row counts)."""
    import pandas as pd

    try:
        ids = pd.read_parquet(store / "design.parquet", columns=["point"])["point"]
    except (OSError, ValueError, KeyError):
        return None
    return [int(p) for p in ids] if len(ids) == manifest.get("points") else None


def _spans(ids: list[tuple[int, int]]) -> tuple[int, ...] | None:
    """The lowest and highest point and replicate of a task's runs (none for no run)."""
    if not ids:
        return None
    point, rep = zip(*ids, strict=True)
    return min(point), max(point), min(rep), max(rep)


def _footer_spans(footer: Any) -> tuple[int, ...] | None:
    """:func:`_spans` as a file's footer records them, or None where it records none (a
    writer that keeps no statistics: nothing to check)."""
    names = footer.schema.names
    out = []
    for column in _IDS:
        if column not in names:
            return None
        j = names.index(column)
        lows, highs = [], []
        for g in range(footer.num_row_groups):
            stats = footer.row_group(g).column(j).statistics
            if stats is None or not stats.has_min_max:
                return None
            lows.append(int(stats.min))
            highs.append(int(stats.max))
        if not lows:
            return None
        out += [min(lows), max(highs)]
    return out[0], out[1], out[2], out[3]
