"""P(holds) along a deciding uncertainty: where in its range a reading's verdict turns.

A strategist asks "would this hold in *my* world?" knowing roughly where one or two of the
uncertainties lie for the firm — its spend growth, its churn. PAWN names the uncertainties that
decide a reading's effect (:func:`experiments.discovery.sensitivity`); this module splits the kept
worlds where the reading is defined into equal-count bins of one such uncertainty (its fifths: the
same number of worlds in each, so each bin's interval is about as wide) — or one group per
alternative for a yes-no or named one — and judges the reading in each bin by the study's own rule
(:func:`experiments.framework.words` over the exact interval). A χ² test of homogeneity (bins ×
holds / fails) says whether P(holds) moves along it at all.

This is a *conditional*, not a control: the other uncertainties stay as drawn within each bin, and
the stylised facts keep worlds by all of them together, so a bin can differ from another through
what the facts let its worlds' other values be. Holding one uncertainty and changing nothing else
is what a control study does (``retention experiment --pin``, :mod:`experiments.pin_check`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from experiments.framework import interval_text, proportion_interval, words

__all__ = ["MIN_PER_BIN", "N_BINS", "TOP", "Bin", "Profile", "profile", "profiles"]

#: Bins along a numeric uncertainty (fifths of the worlds where the reading is defined).
N_BINS = 5
#: Fewest worlds a bin may hold: fewer bins where the worlds are few, none below two bins.
MIN_PER_BIN = 20
#: Deciding uncertainties profiled per reading: PAWN's first ones above its noise floor.
TOP = 2


@dataclass(frozen=True)
class Bin:
    """The reading over the worlds whose uncertainty lies in one bin.

    ``low`` and ``high`` are the smallest and largest value among the bin's worlds (numeric), or
    ``value`` the alternative (else None); ``worlds`` counts the worlds where the reading is
    defined, ``holds`` those in its band and ``above`` those above it.
    """

    low: float
    high: float
    value: object
    worlds: int
    holds: int
    above: int
    p: float
    ci_low: float
    ci_high: float
    words: str

    def values_text(self) -> str:
        """The bin's values: ``0.0123 to 0.0456``, or the alternative."""
        if self.value is not None:
            return str(self.value).lower() if isinstance(self.value, bool) else str(self.value)
        return f"{self.low:.3g} to {self.high:.3g}"

    def p_text(self) -> str:
        """``0.62 [0.57, 0.66]`` (:func:`experiments.framework.interval_text`)."""
        return interval_text(self.p, self.ci_low, self.ci_high)


@dataclass(frozen=True)
class Profile:
    """One reading along one uncertainty: its bins in order and the homogeneity test's p.

    ``unit`` and ``default`` are the uncertainty's declared unit and default value, and
    ``default_bin`` the bin holding that value (the first whose largest value reaches it, else
    the last; an alternative's own bin), or None where none does.
    """

    uncertainty: str
    bins: tuple[Bin, ...]
    p_homogeneity: float
    unit: str = "-"
    default: object = None
    default_bin: int | None = None

    @property
    def turns(self) -> bool:
        """Whether the verdict's words differ between two bins."""
        return len({b.words for b in self.bins}) > 1


def profile(
    values: pd.Series, status: pd.Series, two_sided: bool, n_bins: int = N_BINS
) -> Profile | None:
    """A reading's verdict in bins of one uncertainty's values.

    Parameters
    ----------
    values : pandas.Series
        The uncertainty's value in each kept world (indexed by world).
    status : pandas.Series
        The reading's status there (``in band``, ``above``, ``below`` or ``undefined``; same
        index): undefined worlds (and any without a status) are left out, as P(holds) leaves
        them out.
    two_sided : bool
        Whether the reading's band is two-sided (a bin failing mostly above it is "stronger than
        claimed").
    n_bins : int
        Bins along a numeric uncertainty, at most; fewer where they would hold under
        :data:`MIN_PER_BIN` worlds each.

    Returns
    -------
    Profile or None
        None where fewer than two bins can be formed (too few defined worlds, or one value).
    """
    defined = status.isin(("in band", "above", "below"))
    v, s = values[defined], status[defined]
    if len(v) < 2 * MIN_PER_BIN or v.nunique() < 2:
        return None
    if pd.api.types.is_bool_dtype(v) or not pd.api.types.is_numeric_dtype(v):
        groups = [
            (None, None, key.item() if isinstance(key, np.generic) else key, v.index[v == key])
            for key in sorted(v.unique(), key=str)
        ]
        groups = [g for g in groups if len(g[3]) >= MIN_PER_BIN]
    else:
        k = max(2, min(n_bins, len(v) // MIN_PER_BIN))
        # Equal counts by rank (ties broken by world order), not by value: a value repeated
        # across many worlds cannot leave a bin empty.
        order = np.argsort(v.to_numpy(float), kind="stable")
        groups = []
        for part in np.array_split(order, k):
            rows = v.index[part]
            groups.append((float(v[rows].min()), float(v[rows].max()), None, rows))
    if len(groups) < 2:
        return None
    bins = []
    table = []
    for low, high, value, rows in groups:
        st = s[rows]
        n, k_in, k_above = len(st), int((st == "in band").sum()), int((st == "above").sum())
        lo, hi = proportion_interval(k_in, n)
        p = k_in / n
        low_, high_ = (np.nan, np.nan) if low is None else (low, high)
        bins.append(
            Bin(
                low_,
                high_,
                value,
                n,
                k_in,
                k_above,
                p,
                lo,
                hi,
                words(p, lo, hi, k_above / n, two_sided),
            )
        )
        table.append([k_in, n - k_in])
    return Profile(str(values.name), tuple(bins), _homogeneity(np.array(table)))


def _homogeneity(table: np.ndarray) -> float:
    """χ² test that every bin holds as often: its p (1.0 where nothing varies: all hold, or
    none)."""
    if (table.sum(axis=0) == 0).any():
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (few worlds: scipy warns; the p is still χ²'s)
        return float(chi2_contingency(table, correction=False).pvalue)


def profiles(
    x: pd.DataFrame, status: pd.Series, drivers: pd.DataFrame, two_sided: bool, top: int = TOP
) -> tuple[Profile, ...]:
    """A reading along each of its ``top`` deciding uncertainties (PAWN's ranking, above its
    noise floor; a pinned or otherwise constant one skipped).

    Parameters
    ----------
    x : pandas.DataFrame
        The kept worlds' uncertainties (indexed by world).
    status : pandas.Series
        The reading's status in each kept world (same index).
    drivers : pandas.DataFrame
        :func:`experiments.discovery.sensitivity`'s ranking (``uncertainty``, ``above_noise``).
    two_sided : bool
        Whether the reading's band is two-sided.
    """
    from model.studies.worlds import declared_uncertainties

    out = []
    if drivers.empty:
        return ()
    declared = declared_uncertainties()
    for name, above in zip(drivers["uncertainty"], drivers["above_noise"], strict=True):
        if len(out) == top:
            break
        if not bool(above) or name not in x.columns:  # (the noise floor's row is not a column)
            continue
        found = profile(x[name], status, two_sided)
        if found is not None:
            info = declared.get(name)
            if info is not None:
                found = replace(
                    found,
                    unit=info.unit,
                    default=info.default,
                    default_bin=_default_bin(found.bins, info.default),
                )
            out.append(found)
    return tuple(out)


def _default_bin(bins: tuple[Bin, ...], default: object) -> int | None:
    """The bin that holds ``default`` (see :class:`Profile`)."""
    if bins[0].value is not None or isinstance(default, str | bool):
        same = [i for i, b in enumerate(bins) if str(b.value).lower() == str(default).lower()]
        return same[0] if same else None
    for i, b in enumerate(bins):
        if float(default) <= b.high:
            return i
    return len(bins) - 1
