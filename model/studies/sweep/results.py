"""A sweep store's results, read back: every finished run's summary, and its monthly series.

Both warn when the store holds fewer runs than the sweep has (unfinished, or a file lost, which
``retention sweep --status`` names), rather than answer with part of the sweep in silence.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from model.studies.sweep.spec import SweepError
from model.studies.sweep.store import BATCH_RE, batch_name, done_batches, read_manifest, read_stored

__all__ = ["load", "load_series", "read_batches"]


def load(store: str | Path) -> pd.DataFrame:
    """All finished runs as one DataFrame: ``point``, the design columns, ``replicate``, ``seed``
    and the summary metrics, sorted by (point, replicate). Warns if the sweep is unfinished.

    A run's ``seed`` is a 63-bit integer: read it from the column (``frame["seed"].iloc[i]``,
    ``itertuples()``) or rerun it with :func:`~model.studies.sweep.replicate`, not from a
    row of the mixed table (``frame.iloc[i]["seed"]``), which pandas makes a float that has
    lost the seed's last digits (``simulate`` refuses such a seed above 2**53; ``int()`` of it
    runs another world)."""
    m = read_manifest(store)
    frame = read_batches(Path(store) / "batches")
    if frame is None:
        design = read_stored(Path(store) / "design.parquet", "use --fresh to start it again")
        frame = design.iloc[:0].assign(replicate=pd.Series(dtype="int64"))
        frame = frame.assign(seed=pd.Series(dtype="int64"))
    frame = frame.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)
    return _told_if_short(store, frame, m["runs"])


def _told_if_short(store: str | Path, frame: pd.DataFrame, runs: int) -> pd.DataFrame:
    """``frame``, with a warning if it holds fewer runs than the sweep's (unfinished, or a file
    lost: ``retention sweep --status`` names it)."""
    done = len(frame[["point", "replicate"]].drop_duplicates()) if len(frame) else 0
    if done < runs:
        warnings.warn(f"{store}: sweep unfinished, {done:,} of {runs:,} runs done", stacklevel=3)
    return frame


def load_series(store: str | Path) -> pd.DataFrame:
    """Per-month series of every finished run (``point``, ``replicate``, ``month``, metrics).
    Warns if the sweep is unfinished or a series file is missing."""
    m = read_manifest(store)
    if not m["series"]:
        raise SweepError(
            f"{str(store)!r}: this sweep kept no per-month series; set [output] series = [...] "
            "in the spec"
        )
    # Only finished tasks' series: a task counts as done by its summary file, and a stop
    # between writing its series and its summary left a series the sweep will write again.
    done = {batch_name(b) for b in done_batches(store)}
    frame = read_batches(Path(store) / "series", only=done)
    if frame is None:
        frame = pd.DataFrame(columns=["point", "replicate", "month", *m["series"]])
    frame = frame.sort_values(["point", "replicate", "month"], kind="stable")
    return _told_if_short(store, frame.reset_index(drop=True), m["runs"])


def read_batches(folder: Path, only: set[str] | None = None) -> pd.DataFrame | None:
    """The task files in ``folder`` (``batches`` or ``series``; those in ``only`` where given) as
    one frame, or None. A damaged one is removed with its task's other file: the task runs again."""
    names = (
        sorted(p.name for p in folder.iterdir() if BATCH_RE.match(p.name))
        if folder.is_dir()
        else []
    )
    if not (names := [n for n in names if only is None or n in only]):
        return None
    redo = "removed: run the same 'retention sweep' command again, it redoes that task"
    store = folder.parent
    pair = [(store / "batches" / n, store / "series" / n) for n in names]
    return pd.concat(
        [read_stored(folder / n, redo, p) for n, p in zip(names, pair, strict=True)],
        ignore_index=True,
    )
