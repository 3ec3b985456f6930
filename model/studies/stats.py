"""Small statistics shared by paired comparisons, experiments and validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Interval", "mean_interval"]


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval (Student t over replications)."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.high - self.low) / 2.0

    def excludes(self, value: float) -> bool:
        """True when ``value`` lies outside the interval."""
        return value < self.low or value > self.high


def mean_interval(
    values: np.ndarray, level: float = 0.95, within: tuple[float, float] = (-np.inf, np.inf)
) -> Interval:
    """Mean of ``values`` with a two-sided t interval; for paired runs pass the differences.

    Non-finite values are dropped (``n`` says how many were used). With fewer than two values
    the interval is unknown (NaN bounds) — never a zero-width "certainty". ``within``: the
    range the values can take (a share's 0-1, for example); the interval is cut to it, since
    their mean lies there too (with few runs a t interval would reach past it, and cutting
    only removes values the mean cannot have, so the coverage is kept).
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    m = float(x.mean())
    if n == 1:
        return Interval(m, float("nan"), float("nan"), 1)
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1) * x.std(ddof=1) / np.sqrt(n))
    low, high = within
    return Interval(m, max(m - half, low), min(m + half, high), n)
