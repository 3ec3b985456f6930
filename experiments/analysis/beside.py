"""What a claim measures beside its readings, over the kept worlds: not judged, only shown.

A reading's verdict can hang on a value the claim's arms produce but do not judge — how much of
the money an arm moved into service it spent (``client_centric``), the retention rise a gain is
scaled by (``retention_profit``). A claim declares them (:attr:`experiments.verdicts.claim.
Claim.beside`); the report gives each one's spread over the kept worlds and its value at the
defaults, so that a reader can weigh the verdict by them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.verdicts.claim import Claim

__all__ = ["beside_rows", "finite_values"]


def beside_rows(claim: Claim, values: pd.DataFrame, defaults: pd.DataFrame) -> list[dict]:
    """One row per :attr:`~experiments.verdicts.claim.Claim.beside` value: its median and 10th
    and 90th percentiles over the kept worlds' first replication (the one every kept world
    runs; NaN and ±inf left out: ``worlds`` counts the rest), and its mean over the defaults'
    finite replications.

    Parameters
    ----------
    claim : Claim
        The claim, whose ``beside`` names the values.
    values : DataFrame
        One row per (kept world, replication): ``world``, ``rep`` and what ``measure`` returned.
    defaults : DataFrame
        One row per replication at the declared defaults.

    Returns
    -------
    list of dict
        ``measure``, ``unit``, ``meaning``, ``worlds`` (with a finite value), ``median``,
        ``p10``, ``p90`` and ``at_defaults`` (None where there is none: JSON has no NaN).
    """
    first = values[values["rep"] == 0] if "rep" in values else values
    rows = []
    for key, unit, meaning in claim.beside:
        x = finite_values(first, key)
        at = finite_values(defaults, key)
        p10, median, p90 = np.percentile(x, [10, 50, 90]).tolist() if x.size else (None,) * 3
        rows.append(
            {
                "measure": key,
                "unit": unit,
                "meaning": meaning,
                "worlds": int(x.size),
                "median": median,
                "p10": p10,
                "p90": p90,
                "at_defaults": float(at.mean()) if at.size else None,
            }
        )
    return rows


def finite_values(table: pd.DataFrame, key: str) -> np.ndarray:
    """``table[key]``'s finite values as floats (none where the column is missing): what a
    report and a ``--world`` answer summarise of a value measured beside the readings."""
    if key not in table:
        return np.zeros(0)
    x = pd.to_numeric(table[key], errors="coerce").to_numpy(float)
    return x[np.isfinite(x)]
