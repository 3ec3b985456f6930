"""Small statistics shared by paired comparisons, experiments and validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from model.scenario.arguments import is_number, shown

__all__ = ["FEW_RUNS", "Interval", "few_runs_note", "mean_interval", "one_run_spread"]


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
    if not (is_number(level) and 0 < level < 1):  # (a level of 2 gave NaN bounds, no error)
        raise ValueError(f"level: value {level!r} is not allowed; allowed: 0 < level < 1")
    try:
        x = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):  # (numpy's "could not convert string to float: 'abc'")
        raise ValueError(
            f"values: value {shown(values)} is not allowed; allowed: numbers (an array of them)"
        ) from None
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


#: Fewer runs than this get :func:`few_runs_note`: t's 97.5% quantile is above 2.8 below five
#: runs (12.7 with two, 4.3 with three), so the intervals are mostly t, not the runs' spread.
FEW_RUNS = 5


def few_runs_note(runs: int, spread: str = "the replications'") -> str | None:
    """Why a 95% t interval over ``runs`` runs is wide, or None for one run or enough of them.

    With n runs the interval is the mean ± t(n − 1) × s / √n: with 2 runs t(1) is 12.7, so the
    interval reaches ± 9.0 s, where 10 runs make it ± 0.72 s.

    Parameters
    ----------
    runs : int
        How many runs (pairs, for a paired difference) an interval is over: where intervals are
        over different counts (a value some runs leave undefined), the smallest of two or more.
    spread : str
        Whose standard deviation ``s`` is, in the note: the replications' (a mean of runs) or
        the paired differences' (a paired comparison).
    """
    if runs >= FEW_RUNS or runs < 2:
        return None
    t = float(stats.t.ppf(0.975, runs - 1))
    ten = float(stats.t.ppf(0.975, 9)) / np.sqrt(10)
    return (
        f"with {runs} replications behind a 95% interval, it is the mean ± {t:.1f} s / √{runs}, s "
        f"{spread} standard deviation: ± {t / np.sqrt(runs):.1f} s, wide because {runs} "
        f"replications say little about their spread (10 replications: ± {ten:.2f} s)"
    )


def one_run_spread(sd: float, runs: int, level: float = 0.95) -> tuple[float, str]:
    """How far one more run lands from the mean of ``runs`` runs whose standard deviation is
    ``sd``: the half-width of a ``level`` prediction interval, t(n − 1) · sd · √(1 + 1/n), and a
    caveat where the runs are too few for their sd to be trusted ("" otherwise).

    Twice the sd understated it: with two runs whose values happened to agree, a fitted
    scenario's note said ± 0.001 where runs on twenty other seeds spread ± 0.07. A t quantile
    widens it (12.7 with two runs), but no interval recovers a spread the runs did not show.
    """
    if runs < 2 or not np.isfinite(sd):
        return float("nan"), ""
    half = float(stats.t.ppf(0.5 + level / 2.0, runs - 1) * sd * np.sqrt(1.0 + 1.0 / runs))
    two = " (the sd of two runs is under a tenth of the true one one time in twelve)"
    few = (
        f"; {runs} runs say little about their own spread{two * (runs == 2)}: use {FEW_RUNS} or "
        "more"
        if runs < FEW_RUNS
        else ""
    )
    return half, few
