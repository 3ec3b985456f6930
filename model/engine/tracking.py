"""The followed sample: a few clients' state recorded at the end of every month (``run.track_clients``).

A model draws the sample once, from a stream of its own (following clients changes no other draw),
records :data:`TRACKED` for it as each month closes (:func:`record`) and hands it out in long form
(:func:`followed_frame`, what :meth:`~model.engine.retention_model.RetentionModel.tracked` returns).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from model.engine.randomness import Streams
from model.engine.state import CODES, ClientState, decode
from model.scenario import Scenario

__all__ = ["TRACKED", "followed_frame", "followed_sample", "record"]

#: Client arrays recorded each month for the followed sample (``run.track_clients``).
TRACKED: tuple[str, ...] = (
    "stage",
    "tenure",
    "months_lapsed",
    "left_reason",
    "staff",
    "satisfaction",
    "expectation",
    "experience",
    "incident",
    "heard_positive",
    "heard_negative",
    "value",
    "revenue_total",
)


def followed_sample(
    params: Scenario, streams: Streams, clients: ClientState
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The followed clients' rows (sorted) and an empty (months × clients) trace per array of
    :data:`TRACKED`."""
    n, months = params.market.clients, params.run.months
    k = min(params.run.track_clients, n)
    if params.run.track_clients > n:  # (said, not refused: a sample of all is still a sample)
        warnings.warn(
            f"run.track_clients {params.run.track_clients:,} is more than the market's {n:,} "
            "clients: all are followed",
            stacklevel=3,  # (the model's maker)
        )
    rows = np.zeros(0, np.int64)
    if k:
        rows = np.sort(streams.generator("track", 0).choice(n, k, replace=False)).astype(np.int64)
    trace = {name: np.zeros((months, k), dtype=getattr(clients, name).dtype) for name in TRACKED}
    return rows, trace


def record(
    trace: dict[str, np.ndarray], clients: ClientState, rows: np.ndarray, month: int
) -> None:
    """Write the followed clients' state at the end of ``month`` (1-based) into ``trace``."""
    for name, values in trace.items():
        np.take(getattr(clients, name), rows, out=values[month - 1])


def followed_frame(rows: np.ndarray, trace: dict[str, np.ndarray], months: int) -> pd.DataFrame:
    """The trace of the first ``months`` months in long form: one row per (month, client).

    Warns
    -----
    UserWarning
        No client is followed: the frame is empty.
    """
    k = rows.size
    if k == 0:
        warnings.warn(
            "tracked(): no client is followed (run.track_clients = 0), so the frame is "
            "empty; set run.track_clients (e.g. 50) to follow a sample month by month",
            stacklevel=3,
        )
    columns: dict[str, object] = {
        "month": np.repeat(np.arange(1, months + 1), k),
        "client": np.tile(rows, months),
    }
    for name, values in trace.items():
        flat = values[:months].ravel()
        columns[name] = decode(flat, CODES[name]) if name in CODES else flat
    return pd.DataFrame(columns)
