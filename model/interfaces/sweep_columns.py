"""A sweep store's ``columns.csv``: every column of its tables with its unit and meaning.

A run's folder has had a ``columns.csv`` beside its ``timeseries.csv``; a sweep store's Parquet
batches carried only pandas' own metadata, so an analyst reading them without the package could
not tell a currency from a share. The table names each column of the summary rows
(:func:`model.studies.sweep.load`: the run's identity, each swept parameter, each headline of
:data:`model.engine.summary.SUMMARY`) and of the monthly series (:func:`model.studies.sweep.
load_series`: :data:`model.engine.metric_names.METRICS`), and which table it is in.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from model.studies.files import write_atomic

__all__ = ["sweep_columns", "write_sweep_columns"]

#: The columns that say which run a row is.
_IDENTITY = {
    "point": ("-", "the design point (0 = the first row of design.parquet)"),
    "replicate": ("-", "the replicate at that point (0 = the first)"),
    "seed": ("-", "the run's seed"),
    "month": ("month", "the simulated month (1 = the first)"),
}


def sweep_columns(summary: Iterable[str], series: Iterable[str] = ()) -> pd.DataFrame:
    """``table``, ``column``, ``unit``, ``meaning`` for each column of a store's summary rows
    (``summary``) and monthly series (``series``, the metrics kept by month; none where the
    sweep kept none)."""
    from model.engine.metric_names import METRICS
    from model.engine.summary import SUMMARY
    from model.scenario import PARAMS

    rows = []
    for column in summary:
        if column in _IDENTITY:
            unit, meaning = _IDENTITY[column]
        elif column in PARAMS:
            info = PARAMS[column]
            unit, meaning = info.unit, f"swept {info.role} (retention params: its range, source)"
        elif column in SUMMARY:
            unit, meaning = SUMMARY[column].unit, SUMMARY[column].meaning
        else:  # (a column of a store this code did not write: said, not guessed)
            unit, meaning = "?", "not declared by this code"
        rows.append(("summary", column, unit, meaning))
    series = list(series)
    for column in ("point", "replicate", "month", *series) if series else ():  # (none kept)
        unit, meaning = _IDENTITY.get(column) or METRICS.get(column, ("?", "not declared"))
        rows.append(("series", column, unit, meaning))
    return pd.DataFrame(rows, columns=["table", "column", "unit", "meaning"])


def write_sweep_columns(store: Path, summary: Iterable[str], series: Iterable[str]) -> Path:
    """Write ``STORE/columns.csv`` (:func:`sweep_columns`) whole or not at all."""
    path = Path(store) / "columns.csv"
    write_atomic(path, sweep_columns(summary, series).to_csv(index=False))
    return path
