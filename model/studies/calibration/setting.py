"""Contractual or non-contractual: which kind of relationship a transaction log comes from.

Contractual (Schmittlein, Morrison & Colombo 1987's distinction; Fader & Hardie 2009, "Probability
models for customer-base analysis"): the firm sees a client leave — a subscription, a contract, a
membership; payments recur at a fixed interval and a missed one is a departure (sBG on lifetimes).
Non-contractual: only purchases are seen — a retailer, a publisher, a restaurant; a client who
stopped buying cannot be told from one who is between purchases (BG/NBD, Pareto/NBD).

Inferred from the log when not given: regular gaps between a client's purchases (median
coefficient of variation below 0.25, median gap near a week, a month, a quarter or a year) read as
recurring payments — contractual; anything else as non-contractual. The rule and the measured
numbers are returned, so the choice is said out loud and can be overridden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.studies.calibration.errors import CalibrationError

__all__ = ["SETTINGS", "Setting", "infer_setting"]

SETTINGS = ("contractual", "non-contractual")
_BILLING = {"week": 7.0, "month": 30.44, "quarter": 91.3, "year": 365.25}
_CV_MAX = 0.25


@dataclass(frozen=True)
class Setting:
    """The setting used and why (``reason`` is one sentence for the user)."""

    name: str
    reason: str
    inferred: bool


def infer_setting(log: pd.DataFrame, given: str | None = None) -> Setting:
    """The setting ``given`` (``"contractual"``/``"non-contractual"``), or inferred from the gaps."""
    if given not in (None, "auto"):
        if given not in SETTINGS:
            raise CalibrationError(
                f"setting (--setting): value {given!r} is not allowed; allowed: auto, "
                f"{', '.join(SETTINGS)}"
            )
        return Setting(given, f"{given}: as given", False)
    c = log["client"].to_numpy()
    day = log["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    same = c[1:] == c[:-1]
    gaps = pd.Series(np.diff(day)[same].astype(float), index=c[1:][same])
    g = gaps.groupby(level=0)
    stats = pd.DataFrame({"n": g.size(), "mean": g.mean(), "sd": g.std(ddof=0)})
    stats = stats[stats["n"] >= 2]
    if stats.empty:
        return Setting(
            "non-contractual",
            "non-contractual (inferred): no client bought three times, so no regular payment "
            "rhythm can be seen; give setting='contractual' (--setting contractual) if clients are seen to leave",
            True,
        )
    cv = float((stats["sd"] / stats["mean"]).median())
    gap = float(stats["mean"].median())
    period = min(_BILLING, key=lambda k: abs(np.log(gap / _BILLING[k])))
    near = abs(gap / _BILLING[period] - 1.0) < 0.15
    if cv < _CV_MAX and near:
        return Setting(
            "contractual",
            f"contractual (inferred): purchases recur every {period} (median gap {gap:.0f} days, "
            f"median coefficient of variation of a client's gaps {cv:.2f} < {_CV_MAX}): recurring "
            "payments, so a client who stops paying has left; give setting='non-contractual' (--setting non-contractual) if not",
            True,
        )
    return Setting(
        "non-contractual",
        f"non-contractual (inferred): gaps between a client's purchases are irregular (median "
        f"gap {gap:.0f} days, median coefficient of variation {cv:.2f}; a subscription's would "
        f"be < {_CV_MAX} at a fixed period), so only purchases are seen and departures are not; "
        "give setting='contractual' (--setting contractual) if clients are seen to leave",
        True,
    )
