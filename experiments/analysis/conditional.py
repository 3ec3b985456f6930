"""P(holds) along a deciding uncertainty: where in its range a reading's verdict turns.

A strategist asks "would this hold in *my* world?" knowing roughly where one or two of the
uncertainties lie for the firm — its spend growth, its churn. PAWN names the uncertainties that
decide a reading's effect (:func:`experiments.analysis.pawn.sensitivity`); this module splits the kept
worlds where the reading is defined into bins of one such uncertainty — about equal counts (its
fifths), tied values kept together — or one group per alternative for a yes-no or named one, and
judges the reading in each bin by the study's own rule (:func:`experiments.verdicts.framework.words` over
the noise-corrected P(holds) and its interval, :mod:`experiments.verdicts.holds`).

Whether holding shifts along the uncertainty is tested on the worlds themselves, not the bins:
Mann–Whitney's U between the values of the worlds where the reading holds and where it fails (a
shift along the range; a reading that holds only in the middle of it can go unnoticed), or, for
alternatives, whether holding differs between them: χ² of the groups × holds/fails table where
every expected count is at least 5 (Cochran's rule), else Fisher–Freeman–Halton's exact test (its
p by Monte Carlo, 99,999 tables, a fixed seed; no smaller than 1 / 100,000). PAWN picked the
uncertainty from every one that varies, on the same worlds, so a p is read against a level that
covers every uncertainty it could have picked (the union bound holds whatever was picked): 0.05 ÷
(readings × uncertainties), as the report and the index say.

This is a *conditional*, not a control: the other uncertainties stay as drawn within each bin, and
the stylised facts keep worlds by all of them together, so a bin can differ from another through
what the facts let its worlds' other values be. Holding one uncertainty and changing nothing else
is what a control study does (``retention experiment --pin``, :mod:`experiments.analysis.pin_check`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.shift_tests import RESAMPLES, between_groups, shift
from experiments.verdicts.framework import interval_text, proportion_interval, words
from experiments.verdicts.holds import Measured

__all__ = [
    "MIN_PER_BIN",
    "N_BINS",
    "RESAMPLES",
    "TOP",
    "Bin",
    "Profile",
    "between_groups",
    "judge_groups",
    "profile",
    "profiles",
    "show_value",
    "with_declared",
]

#: Bins along a numeric uncertainty (fifths of the worlds where the reading is defined).
N_BINS = 5
#: Fewest worlds a bin may hold: fewer bins where the worlds are few, none below two bins; an
#: alternative held by fewer worlds is left out (:attr:`Profile.left_out` counts them).
MIN_PER_BIN = 20
#: Deciding uncertainties profiled per reading: PAWN's first ones above its noise floor.
TOP = 2


def show_value(v: Any) -> str:
    """A value as short text: ``0.05``, ``true``, ``wow`` (numbers to three significant digits)."""
    if isinstance(v, bool | np.bool_):
        return str(bool(v)).lower()
    if isinstance(v, float | np.floating):
        return f"{v:.3g}"
    return str(v)


@dataclass(frozen=True)
class Bin:
    """The reading over the worlds whose uncertainty lies in one bin.

    Attributes
    ----------
    low, high : float
        The smallest and largest value among the bin's worlds, in the uncertainty's unit (NaN for
        an alternative).
    value : object
        The alternative (None for a numeric bin).
    worlds : int
        Worlds where the reading is defined.
    holds, above : int
        Of those, the worlds in its band and above it.
    p, ci_low, ci_high : float
        P(holds) and its 95% interval (noise-corrected where the worlds' effects are given).
    words : str
        The verdict by the study's rule.
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
    bounded: bool = False  # most worlds near an edge as noisy as the band: bounds

    def values_text(self) -> str:
        """The bin's values: ``0.0123 to 0.0456``, ``3`` (one value), or the alternative."""
        if self.value is not None:
            return show_value(self.value)
        if self.low == self.high:
            return show_value(self.low)
        return f"{self.low:.3g} to {self.high:.3g}"

    def p_text(self) -> str:
        """``0.62 [0.57, 0.66]`` (:func:`experiments.verdicts.framework.interval_text`), ``(bounds)``
        after it where the interval is the bounds."""
        return interval_text(self.p, self.ci_low, self.ci_high) + (
            " (bounds)" if self.bounded else ""
        )


@dataclass(frozen=True)
class Profile:
    """One reading along one uncertainty: its bins in order and the test of a shift.

    Attributes
    ----------
    uncertainty : str
        Its key (``section.name``).
    bins : tuple of Bin
        In the order of the values (alternatives by name).
    p_value : float
        The test's p that holding does not move with the uncertainty (1.0 where every world
        holds, or none).
    test : str
        Which test: ``"Mann–Whitney"``, ``"χ²"`` or ``"Fisher–Freeman–Halton"``.
    p_floor : bool
        Whether ``p_value`` is the Monte Carlo test's smallest possible p, 1 / (:data:`RESAMPLES`
        + 1): no resampled table was as extreme, so the p is at most that.
    left_out : int
        Worlds of alternatives held by fewer than :data:`MIN_PER_BIN` (in no bin, not tested).
    unit : str
        Its declared unit.
    default : object
        Its declared default value.
    default_bin : int or None
        The bin whose values hold the default (``low ≤ default ≤ high``, or the alternative);
        None where none does (the default in a gap between bins, or beyond the kept worlds).
    """

    uncertainty: str
    bins: tuple[Bin, ...]
    p_value: float
    test: str
    p_floor: bool = False
    left_out: int = 0
    unit: str = "-"
    default: object = None
    default_bin: int | None = None

    def values_texts(self) -> list[str]:
        """Each bin's values as text (:meth:`Bin.values_text`); where two neighbouring bins'
        bounds would read alike at three significant digits, those two bounds get the digits (up
        to 8) that tell them apart."""
        if self.bins[0].value is not None:
            return [b.values_text() for b in self.bins]
        digits = [[3, 3] for _ in self.bins]  # (low's, high's)
        for i, (a, b) in enumerate(itertools.pairwise(self.bins)):
            d = 3
            while d < 8 and f"{a.high:.{d}g}" == f"{b.low:.{d}g}":
                d += 1
            digits[i][1] = digits[i + 1][0] = d
        out = []
        for b, (dl, dh) in zip(self.bins, digits, strict=True):
            low, high = f"{b.low:.{dl}g}", f"{b.high:.{dh}g}"
            out.append(low if b.low == b.high else f"{low} to {high}")
        return out

    def p_text(self) -> str:
        """The test's p: ``3.1e-07``, ``≤ 1e-05`` at the Monte Carlo floor, ``—`` untested."""
        if np.isnan(self.p_value):
            return "—"
        return f"≤ {self.p_value:.2g}" if self.p_floor else f"{self.p_value:.2g}"

    @property
    def least(self) -> Bin:
        """The bin where it holds least (the first of equals)."""
        return min(self.bins, key=lambda b: b.p)

    @property
    def most(self) -> Bin:
        """The bin where it holds most (the first of equals)."""
        return max(self.bins, key=lambda b: b.p)

    @property
    def words_differ(self) -> bool:
        """Whether the verdict's words differ between :attr:`least` and :attr:`most`."""
        return self.least.words != self.most.words


def _is_alternative(v: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(v) or not pd.api.types.is_numeric_dtype(v)


def _numeric_groups(v: pd.Series, n_bins: int) -> list[pd.Index]:
    """The worlds of ``v`` in about equal-count bins by value, tied values in one bin; at most
    ``n_bins``, none under :data:`MIN_PER_BIN` worlds (a small one joins its neighbour)."""
    order = np.argsort(v.to_numpy(float), kind="stable")
    sorted_values = v.to_numpy(float)[order]
    n = len(order)
    k = max(2, min(n_bins, n // MIN_PER_BIN))
    cuts = []
    for j in range(1, k):
        c = round(j * n / k)
        while 0 < c < n and sorted_values[c - 1] == sorted_values[c]:  # (ties stay together)
            c += 1
        if c < n and (not cuts or c > cuts[-1]):
            cuts.append(c)
    edges = [0, *cuts, n]
    # A bin that ties left under the minimum joins the one after it (the last one, the one before).
    merged = [0]
    for e in edges[1:]:
        if e - merged[-1] >= MIN_PER_BIN or e == n:
            merged.append(e)
    if len(merged) > 2 and n - merged[-2] < MIN_PER_BIN:
        del merged[-2]
    return [v.index[order[a:b]] for a, b in itertools.pairwise(merged)]


def profile(
    values: pd.Series,
    status: pd.Series,
    two_sided: bool,
    n_bins: int = N_BINS,
    seed: int = 1,
    measured: Measured | None = None,
) -> Profile | None:
    """A reading's verdict in bins of one uncertainty's values, and the test of a shift.

    Parameters
    ----------
    values : pandas.Series
        The uncertainty's value in each kept world (indexed by world); a world without one is left
        out.
    status : pandas.Series
        The reading's status there (``in band``, ``above``, ``below`` or ``undefined``; same
        index): undefined worlds (and any without a status) are left out, as P(holds) leaves
        them out.
    two_sided : bool
        Whether the reading's band is two-sided (a bin failing on both sides is "dispersed around
        the claim", else one failing mostly above it "stronger than claimed" and one mostly below
        "weaker than claimed").
    n_bins : int
        Bins along a numeric uncertainty, at most; fewer where they would hold under
        :data:`MIN_PER_BIN` worlds each.
    seed : int
        The alternatives' Monte Carlo test's seed (the same seed, the same p).
    measured : experiments.verdicts.holds.Measured, optional
        Each world's effect and standard error (the judge's) and the band: each bin's P(holds)
        then has the noise taken out, as the reading's verdict has; without it, the count in
        band and its exact interval.

    Returns
    -------
    Profile or None
        None where fewer than two bins can be formed (too few defined worlds, or one value).
    """
    keep = status.isin(("in band", "above", "below")) & values.notna()
    v, s = values[keep], status[keep]
    if len(v) < 2 * MIN_PER_BIN or v.nunique() < 2:
        return None
    alternative = _is_alternative(v)
    if alternative:
        groups = [
            (key.item() if isinstance(key, np.generic) else key, v.index[v == key])
            for key in sorted(v.unique(), key=str)
        ]
        left_out = sum(len(rows) for _, rows in groups if len(rows) < MIN_PER_BIN)
        groups = [g for g in groups if len(g[1]) >= MIN_PER_BIN]
    else:
        left_out = 0
        groups = [(None, rows) for rows in _numeric_groups(v, n_bins)]
    if len(groups) < 2:
        return None
    bins = judge_groups(
        v, s, [rows for _, rows in groups], two_sided, numeric=not alternative, measured=measured
    )
    if alternative:
        bins = tuple(replace(b, value=value) for b, (value, _) in zip(bins, groups, strict=True))
        table = np.array([[b.holds, b.worlds - b.holds] for b in bins])
        p_value, test, floor = between_groups(table, seed)
    else:
        floor = False
        holds = (s == "in band").to_numpy()
        x = v.to_numpy(float)
        p_value, test = shift(x[holds], x[~holds]), "Mann–Whitney"
    return Profile(str(values.name), bins, p_value, test, floor, left_out)


def judge_groups(
    values: pd.Series,
    status: pd.Series,
    groups: list[pd.Index],
    two_sided: bool,
    numeric: bool,
    measured: Measured | None = None,
) -> tuple[Bin, ...]:
    """Each group of worlds judged by the study's rule (:func:`experiments.verdicts.framework.words`).

    Parameters
    ----------
    values, status : pandas.Series
        An uncertainty's value and the reading's status in each world, as :func:`profile` takes
        them, the worlds without a defined status already left out.
    groups : list of pandas.Index
        The worlds of each group (each non-empty).
    two_sided : bool
        Whether the reading's band is two-sided.
    numeric : bool
        Whether each bin records its smallest and largest value (else NaN, and ``value`` None
        for the caller to name the group).
    measured : experiments.verdicts.holds.Measured, optional
        Each world's effect and standard error (the judge's) and the band: a group's P(holds)
        and interval are then :func:`experiments.verdicts.holds.holds`' over its worlds, as the reading's
        verdict is; without it, the count in band and its exact interval.
    """
    bins = []
    for rows in groups:
        st = status[rows]
        n, k_in, k_above = len(st), int((st == "in band").sum()), int((st == "above").sum())
        bounded = False
        if measured is None:
            p, (lo, hi) = k_in / n, proportion_interval(k_in, n)
        else:
            p, lo, hi, _, _, bounded, *_ = measured.holds(rows)
        low, high = (
            (float(values[rows].min()), float(values[rows].max())) if numeric else (np.nan, np.nan)
        )
        below = int((st == "below").sum()) / n
        words_ = words(p, lo, hi, k_above / n, two_sided, below)
        bins.append(Bin(low, high, None, n, k_in, k_above, p, lo, hi, words_, bounded))
    return tuple(bins)


def profiles(
    x: pd.DataFrame,
    status: pd.Series,
    drivers: pd.DataFrame,
    two_sided: bool,
    declared: Mapping[str, Any],
    top: int = TOP,
    seed: int = 1,
    measured: Measured | None = None,
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
        :func:`experiments.analysis.pawn.sensitivity`'s ranking (``uncertainty``, ``above_noise``).
    two_sided : bool
        Whether the reading's band is two-sided.
    declared : mapping
        The declared uncertainties by key (:func:`model.studies.worlds.declared_uncertainties`):
        each profile's unit and default.
    top : int
        How many uncertainties, at most.
    seed : int
        The alternatives' Monte Carlo test's seed.
    measured : experiments.verdicts.holds.Measured, optional
        Each world's effect and standard error, and the band, as :func:`profile` takes them.
    """
    out: list[Profile] = []
    if drivers.empty:
        return ()
    for name, above in zip(drivers["uncertainty"], drivers["above_noise"], strict=True):
        if len(out) == top:
            break
        if not bool(above) or name not in x.columns:  # (the noise floor's row is not a column)
            continue
        found = profile(x[name], status, two_sided, seed=seed, measured=measured)
        if found is None:
            continue
        info = declared.get(name)
        out.append(found if info is None else with_declared(found, info))
    return tuple(out)


def with_declared(found: Profile, info: Any) -> Profile:
    """``found`` with its uncertainty's declared unit and default, and the bin that holds the
    default (``info``: :func:`model.studies.worlds.declared_uncertainties`' entry)."""
    return replace(
        found,
        unit=info.unit,
        default=info.default,
        default_bin=_default_bin(found.bins, info.default),
    )


def _default_bin(bins: tuple[Bin, ...], default: object) -> int | None:
    """The bin that holds ``default`` (see :class:`Profile`), or None."""
    if bins[0].value is not None:
        same = [i for i, b in enumerate(bins) if show_value(b.value) == show_value(default)]
        return same[0] if same else None
    if isinstance(default, str | bool):
        return None
    inside = [i for i, b in enumerate(bins) if b.low <= float(default) <= b.high]
    return inside[0] if inside else None
