"""What a calibration targets file may hold (:data:`TARGETS`) and how its numbers are checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from model.studies.calibration.errors import CalibrationError

__all__ = ["TARGETS", "target_number"]

#: Target name -> meaning (unit). Any subset may be given.
TARGETS: dict[str, str] = {
    "survival": "clients of one cohort alive at t = 0, 1, 2, … (counts; period: period_months)",
    "retention_by_tenure": "annual retention in tenure years 1, 2, … (shares; needs cohort_size)",
    "cohort_size": "clients the retention_by_tenure rates were measured on",
    "period_months": "length of a survival period in months (default 12)",
    "annual_retention": "annual retention of the whole client base (share)",
    "top20_share": "share of spend from the top 20% of clients",
    "mean_spend": "mean spend per client (currency/month)",
    "cac": "(advertising + onboarding) / acquisitions (currency/acquisition)",
    "acquisition_rate": "acquisitions per month / active clients (1/month)",
    "referral_share": "share of acquisitions credited to referrals",
    "nps": "net promoter score of current clients (points, -100..100)",
}


def target_number(
    targets: Mapping[str, Any],
    key: str,
    lo: float,
    hi: float,
    *,
    open_lo: bool = True,
    open_hi: bool = False,
) -> float:
    """``targets[key]`` as a finite number within ``lo``–``hi`` (each end open or closed), or a
    :class:`CalibrationError` naming the target, the value and the range."""
    v, signs = targets[key], ("<" if open_lo else "≤", "<" if open_hi else "≤")
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
    ok = ok and (lo < v if open_lo else lo <= v) and (v < hi if open_hi else v <= hi)
    if not ok:
        raise CalibrationError(
            f"{key}: value {v!r} is not allowed; allowed: {lo:g} {signs[0]} x {signs[1]} {hi:g} "
            f"({TARGETS[key]})"
        )
    return float(v)
