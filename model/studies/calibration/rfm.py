"""From purchases to each client's history at a split date, and what happened after it.

The customer-base models (BG/NBD, Pareto/NBD) need, per client first seen by the split date: x,
the repeat purchases (purchase days after the first) up to the split; t_x, the time from the first
purchase to the last; T, the time from the first purchase to the split — all in weeks by default,
as in Fader, Hardie & Lee (2005). The holdout adds x*, the purchases after the split, and the
repeat purchases of the calibration cohort week by week (the tracking plot).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.studies.calibration.errors import CalibrationError

__all__ = ["History", "default_split", "history"]


@dataclass(frozen=True)
class History:
    """Clients' purchase histories split at a date.

    Attributes
    ----------
    x, t_x, T : ndarray
        Repeat purchases, time of the last and time observed, by the split (``unit_days`` units).
    x_holdout : ndarray
        Purchases in the holdout (after the split, up to ``end``).
    value : ndarray
        Mean value of each client's repeat purchases by the split (currency per purchase; NaN for
        x = 0 or a log without amounts).
    first_value : ndarray
        Value of each client's first purchase (currency per purchase).
    first : ndarray of datetime64
        Each client's first purchase.
    start, split, end : Timestamp
        First date in the log, the split (last day of the calibration period), last date.
    unit_days : float
        Days in a time unit (7: weeks).
    weekly : DataFrame
        Repeat purchases of these clients per unit from the start to the end (``repeat``), with
        ``t`` the unit's end (units from ``start``).
    later_clients : int
        Clients first seen after the split (in no comparison: the models forecast the cohort
        known at the split).
    """

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    x_holdout: np.ndarray
    value: np.ndarray
    first_value: np.ndarray
    first: np.ndarray
    start: pd.Timestamp
    split: pd.Timestamp
    end: pd.Timestamp
    unit_days: float
    weekly: pd.DataFrame
    later_clients: int

    @property
    def clients(self) -> int:
        """Clients first seen by the split."""
        return int(self.x.size)

    @property
    def holdout_units(self) -> float:
        """Length of the holdout in units (split, end]."""
        return (self.end - self.split).days / self.unit_days

    @property
    def offset(self) -> np.ndarray:
        """Each client's first purchase in units after ``start``."""
        return (
            (self.first - np.datetime64(self.start, "ns")) / np.timedelta64(1, "D") / self.unit_days
        )


def default_split(log: pd.DataFrame) -> pd.Timestamp:
    """The middle day of the log: the first half (inclusive) is for fitting."""
    start, end = log["date"].min(), log["date"].max()
    return start + pd.Timedelta(days=(end - start).days // 2)


def _date(name: str, value: object) -> pd.Timestamp:
    """``value`` as a day of the log's calendar, or a :class:`CalibrationError` naming ``name``
    and the value.

    Text must be a date as the log reader reads one without options: ISO (``1997-09-30``,
    ``1997-9-30``, a time after it allowed) or ``19970930``: ``05/09/2022`` was read as 9 May
    whatever ``--dayfirst`` said, and "Sept 25 2022" was taken too. The day is kept, its time and
    UTC offset dropped (the log's dates are local days; a tz-aware split failed to compare, and
    a time cut a day off the holdout's length).
    """
    day = pd.NaT
    text = value.strip() if isinstance(value, str) else ""
    if not isinstance(value, str) or re.match(r"^(\d{4}-\d{1,2}-\d{1,2}([T ]|$)|\d{8}$)", text):
        try:
            day = pd.Timestamp(value.strip() if isinstance(value, str) else value)
        except (ValueError, TypeError):
            day = pd.NaT
    if pd.isna(day):
        raise CalibrationError(
            f"{name}: value {value!r} is not allowed; allowed: a date YYYY-MM-DD (e.g. 1997-09-30)"
        )
    return (day.tz_localize(None) if day.tzinfo is not None else day).normalize()


def history(log: pd.DataFrame, split=None, *, end=None, unit_days: float = 7.0) -> History:
    """Histories at ``split`` (a date; default :func:`default_split`) from one-row-per-purchase-day log."""
    if log.empty:  # ("the log covers one day (NaT)" said nothing of why)
        raise CalibrationError(
            "the log holds no purchases (with returns netted, none is left above zero); "
            "allowed: purchases on at least two days"
        )
    start = log["date"].min()
    end = log["date"].max() if end is None else _date("end", end)
    if not start < end:  # (one day of purchases: nothing to split into fit and holdout)
        raise CalibrationError(
            f"the log covers one day ({start.date()}); allowed: purchases on at least two days "
            "(a calibration period, then a holdout)"
        )
    split = default_split(log) if split is None else _date("split", split)
    if not start <= split < end:
        raise CalibrationError(
            f"split: value {split.date()} is not allowed; allowed: {start.date()} ≤ split < "
            f"{end.date()} (the log's first and last dates)"
        )
    c = log["client"].to_numpy()
    day = log["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    amount = log["amount"].to_numpy(dtype=np.float64)
    n = int(c.max()) + 1
    if c.size > 1 and not np.all((c[1:] > c[:-1]) | ((c[1:] == c[:-1]) & (day[1:] >= day[:-1]))):
        order = np.lexsort((day, c))
        c, day, amount = c[order], day[order], amount[order]
    first_idx = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    first_day = np.full(n, np.iinfo(np.int64).max)
    first_day[c[first_idx]] = day[first_idx]
    first_val = np.full(n, np.nan)
    first_val[c[first_idx]] = amount[first_idx]
    split_day = np.datetime64(split, "D").astype(np.int64)
    end_day = np.datetime64(end, "D").astype(np.int64)
    is_first = np.zeros(c.size, dtype=bool)
    is_first[first_idx] = True
    cal = day <= split_day
    rep = cal & ~is_first
    x = np.bincount(c[rep], minlength=n).astype(np.float64)
    last_day = first_day.copy()
    # Sorted by client then day: a client's last calibration purchase is its last row in c[cal].
    cc, dc = c[cal], day[cal]
    ends = np.flatnonzero(np.r_[cc[1:] != cc[:-1], True]) if cc.size else np.zeros(0, int)
    last_day[cc[ends]] = dc[ends]
    total = np.bincount(c[rep], weights=np.nan_to_num(amount[rep]), minlength=n)
    hold = (day > split_day) & (day <= end_day)
    x_star = np.bincount(c[hold], minlength=n).astype(np.float64)
    known = first_day <= split_day
    if known.sum() < 10:
        raise CalibrationError(
            f"split {split.date()}: only {int(known.sum())} clients bought by then; need at least 10"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(x > 0, total / x, np.nan)
    if not np.isfinite(amount).any():
        value[:] = np.nan
    # Repeat purchases of the cohort known at the split, per unit from the start.
    start_day = np.datetime64(start, "D").astype(np.int64)
    units = int(np.ceil((end_day - start_day + 1) / unit_days))
    cohort = known[c] & ~is_first & (day <= end_day)
    k = ((day[cohort] - start_day) // unit_days).astype(np.int64)
    weekly = pd.DataFrame(
        {"t": np.arange(1, units + 1), "repeat": np.bincount(k, minlength=units)[:units]}
    )
    fd = first_day[known]
    return History(
        x=x[known],
        t_x=(last_day[known] - fd) / unit_days,
        T=(split_day - fd) / unit_days,
        x_holdout=x_star[known],
        value=value[known],
        first_value=first_val[known],
        first=fd.astype("datetime64[D]").astype("datetime64[ns]"),
        start=pd.Timestamp(start),
        split=split,
        end=end,
        unit_days=float(unit_days),
        weekly=weekly,
        later_clients=int((~known & (first_day < np.iinfo(np.int64).max)).sum()),
    )
