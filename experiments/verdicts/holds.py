"""P(holds) with each world's Monte-Carlo noise taken out, and its 95% interval.

A world's *measured* effect is its true effect (its expectation over seeds, in a market of the
study's size) plus Monte-Carlo noise of standard error ``se``. Counting the worlds whose measured
effect lies in a band estimates the share whose *measured* effect does, not the share whose true
effect does: noise moves worlds across the edges, more of them out of a band the effects crowd
against than into it, so the count is biased (about −0.03 in a simulated study with a 25–85 band,
a per-run sd of 20 and two-thirds of the worlds near an edge) and an exact binomial interval
around it, which knows only the sampling of worlds, covered the true share in 73% of such studies.

The correction is simulation–extrapolation (SIMEX: Cook & Stefanski 1994, *J. Am. Stat. Assoc.*
89:1314; Carroll et al. 2006, *Measurement error in nonlinear models*, ch. 5), in closed form.
The share in band with the noise's variance multiplied by ``1 + λ`` is, in expectation,

    s(λ) = mean over worlds of  Φ((high − m)/(√λ·se)) − Φ((low − m)/(√λ·se))

for λ > 0 (the measured effects ``m`` noised once more), and the plain count at λ = 0. A straight
line through λ = 0 and 1, taken to λ = −1 (no noise), gives ``2·s(0) − s(1)``: the mean over worlds
of one score a world, so its standard error is the scores' sd over √n and one normal interval
carries both the sampling of worlds and each world's noise. The extrapolation itself is a model:
the interval is widened on both sides by how far the quadratic through λ = 0, 1, 2 lands from the
line (the usual check of a SIMEX extrapolant), and hulled with the exact (Clopper–Pearson) interval
of the count moved by the correction, so that a few worlds all far inside a band keep its width
(moved no further than keeps it within [0, 1]: clipped there, a count's interval moved past an end
would come out narrower than the count's own, more certain with noise than without).

Where a world's noise is as wide as the band, no extrapolation from more noise recovers its truth:
with a two-sided band, a world near an edge whose standard error exceeds :data:`MAX_SE_SHARE` of
the band's width is *unresolved* — counted out at the interval's low end and in at its high end,
which assumes only that it lies somewhere — and so, with either band, is a world near an edge
whose standard error exceeds :data:`MAX_SE_RATIO` times the median of the worlds near an edge
(the line corrects each world to first order in its noise: the noisiest carry the error left);
the others are extrapolated as above. Where most of the worlds near an edge are unresolved the
interval is mostly these bounds, and :attr:`Holds.bounded` says so. Every world is judged with
its own noise (:func:`experiments.verdicts.noise.world_noise`: its replications' variance moderated by
every world's of its size), so the noisy worlds are the ones bounded. Simulated studies
(``tests/test_holds.py``: four shapes of effects, normal and t(3) noise, narrow bands measured with
small to band-wide noise, and per-world noise spread lognormally, with and without a link to the
effect, two-sided and one-sided bands) cover the true share at least 90% of the time at the
study's size, at a nominal 95%; the hardest, a one-sided band with most worlds near its edge and
noise proportional to the effect, 96–97% of 400 studies (``python -m experiments.analysis.coverage``;
78–88% while the noise prior had one scale for every world's size).
The point itself is still biased where the noise is uneven (by up to −0.047 at σ = 1 in those
regimes): the interval, not the point, carries the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import binomtest, norm

__all__ = [
    "MAX_SE_RATIO",
    "MAX_SE_SHARE",
    "Holds",
    "Measured",
    "holds",
    "near_median",
    "placing",
    "proportion_interval",
]

#: The largest standard error, as a share of a two-sided band's width, at which the extrapolation
#: is trusted for a world near an edge. An assumption: in simulated studies of a
#: 5.6–8.75 band the extrapolated interval covered the truth in 93–100% of them at a ratio of 0.48
#: and in as few as 22% at 0.95; past it ``tests/test_holds.py`` checks the bounds.
MAX_SE_SHARE = 0.4
#: The largest standard error, relative to the median of the worlds near an edge, at which a
#: world near an edge is extrapolated, either band. An assumption, checked by simulation: SIMEX's
#: line corrects a world to first order in its noise, so the worlds far noisier than the rest
#: carry the error left; with one-sided bands and per-world noise spread lognormally (σ = 1, and
#: linked to the effect, three shapes of effects, 30 studies each) the interval covered the truth
#: in 43–93% of them with no such rule, 63–100% at 3, 87–100% at 2 and 97–100% at 1.5
#: (``tests/test_holds.py`` asks ≥ 90% of such regimes).
MAX_SE_RATIO = 1.5
#: Two-sided 95% normal quantile.
_Z = 1.959963984540054


class Holds(NamedTuple):
    """P(holds) over a set of worlds, with its interval and how it was found."""

    p: float  # the noise-corrected share (bounded: kept inside its bounds), in [0, 1]
    low: float
    high: float
    in_band: int  # worlds whose measured effect is in band
    n: int  # worlds where the reading is defined
    bounded: bool  # most worlds near an edge are as noisy as the band: the interval is bounds
    near: int = 0  # worlds whose measured effect is within 1.96 standard errors of an edge
    unresolved: int = 0  # of those, the ones counted out at the low end and in at the high end


@dataclass(frozen=True, eq=False)
class Measured:
    """Each world's measured effect and its standard error (columns ``effect`` and ``se``,
    indexed by world: :func:`experiments.verdicts.framework.judge`'s table) and the reading's band: what
    P(holds) over any group of those worlds needs."""

    worlds: pd.DataFrame
    band: tuple[float, float]

    def holds(self, rows: pd.Index) -> Holds:
        """P(holds) over the worlds ``rows``, each placed as the reading's verdict places it.

        A world is too noisy to place against the median noise of *all* the reading's worlds
        near an edge, not of the group's alone: a group is a window on the study, and its
        worlds unresolved are the study's (which all had their third look,
        :mod:`experiments.running.looks`), not others that a quieter group's median would add.
        """
        w = self.worlds.reindex(rows)
        e, s = (w[c].to_numpy(float) for c in ("effect", "se"))
        return holds(e, s, self.band, reference=self.reference)

    @cached_property
    def reference(self) -> float | None:
        """The median standard error of all these worlds near an edge (:func:`near_median`;
        found once, whatever the number of groups judged)."""
        e, s = (self.worlds[c].to_numpy(float) for c in ("effect", "se"))
        return near_median(e, s, self.band)


def _in_band_chance(m: np.ndarray, se: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """The chance a world measured at ``m`` measures in band again with noise ``se`` (the plain
    indicator where ``se`` is 0 or unknown, or ``m`` infinite: a censored bound)."""
    lo, hi = band
    with np.errstate(invalid="ignore"):
        q = ((m >= lo) & (m <= hi)).astype(float)
        noisy = np.isfinite(se) & (se > 0) & np.isfinite(m)
        s = np.where(noisy, se, 1.0)
        q[noisy] = (norm.cdf((hi - m) / s) - norm.cdf((lo - m) / s))[noisy]
    return q


def _near(
    effect: np.ndarray, se: np.ndarray, band: tuple[float, float], z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Which effects lie within ``z`` of their known standard errors (0 where unbounded) of an
    edge, and those known standard errors."""
    m, s = np.asarray(effect, float), np.asarray(se, float)
    lo, hi = band
    known = np.where(np.isfinite(s), s, 0.0)
    with np.errstate(invalid="ignore"):  # (an infinite edge: inf − inf is no nearness)
        near = np.isfinite(m) & ((np.abs(m - lo) < z * known) | (np.abs(m - hi) < z * known))
    return near, known


def near_median(
    effect: np.ndarray, se: np.ndarray, band: tuple[float, float], z: float = _Z
) -> float | None:
    """The median standard error of the worlds near an edge (None: no world is), against which
    :func:`placing` finds a world too noisy to place."""
    return _median_near(*_near(effect, se, band, z))


def _median_near(near: np.ndarray, known: np.ndarray) -> float | None:
    return float(np.median(known[near])) if near.any() else None


def placing(
    effect: np.ndarray,
    se: np.ndarray,
    band: tuple[float, float],
    z: float = _Z,
    reference: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Which worlds lie near an edge, and which of those are too noisy to place (boolean masks).

    *Near*: the measured effect within ``z`` standard errors of an edge. *Unresolved*: near, and
    noisier than :data:`MAX_SE_SHARE` of a two-sided band's width or than :data:`MAX_SE_RATIO`
    times ``reference`` (default: the median standard error of these worlds near an edge,
    :func:`near_median`; a group of a study's worlds passes the study's); or a finite effect
    with no bound on its noise (``se`` = +inf). NaN effects are neither.
    """
    m, s = np.asarray(effect, float), np.asarray(se, float)
    near, known = _near(m, s, band, z)
    width = band[1] - band[0]
    # Near an edge and as noisy as the band: where such a world truly lies is not known.
    unresolved = near & (known > MAX_SE_SHARE * width if np.isfinite(width) else False)
    if reference is None:
        reference = _median_near(near, known)
    if reference is not None:  # (and, either band, far noisier than the worlds near an edge)
        unresolved |= near & (known > MAX_SE_RATIO * reference)
    unresolved |= np.isposinf(s) & np.isfinite(m)
    return near, unresolved


def proportion_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) interval of a probability from ``k`` successes in ``n`` trials."""
    if n <= 0:
        return float("nan"), float("nan")
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def _moved(interval: tuple[float, float], by: float) -> tuple[float, float]:
    """``interval`` moved by ``by``, but no further than keeps it within [0, 1].

    A share lies in [0, 1], and the interval of a count moved past an end and clipped there
    comes out narrower than the count's own: five worlds all just inside a band, each noisy, were
    corrected by +0.4 and read [0.87, 1] where the same five without noise read [0.48, 1]. Noise
    cannot make the worlds' sampling better known, so the interval keeps its width.
    """
    low, high = interval
    by = min(max(by, -low), 1.0 - high)
    return low + by, high + by


def holds(
    effect: np.ndarray,
    se: np.ndarray,
    band: tuple[float, float],
    level: float = 0.95,
    reference: float | None = None,
) -> Holds:
    """P(holds): the share of worlds whose true effect lies in ``band``, and its interval.

    Parameters
    ----------
    effect : ndarray of float
        Each world's measured effect (±inf: a censored bound, out of a two-sided band; NaN:
        undefined, left out).
    se : ndarray of float
        Each world's Monte-Carlo standard error, the effect's unit (0 or NaN: no noise known,
        so no correction; +inf: it may lie on either side, counted as unresolved).
    band : tuple of float
        ``(low, high)``; an infinite edge for a one-sided band.
    level : float, default 0.95
        The interval's coverage.
    reference : float, optional
        The standard error (the effect's unit) against which :func:`placing` finds a world near
        an edge too noisy to place: by default the median of these worlds near an edge; a group
        of a study's worlds passes the whole study's (:meth:`Measured.holds`).

    Returns
    -------
    Holds
        NaN where no world is defined.

    >>> h = holds(np.full(50, 55.0), np.full(50, 1.0), (25.0, 85.0))
    >>> (h.p, round(h.low, 3), h.high, h.bounded)
    (1.0, 0.929, 1.0, False)
    >>> holds(np.array([24.0, 26.0, 50.0]), np.full(3, 30.0), (25.0, 85.0)).bounded
    True
    """
    m, s = np.asarray(effect, float), np.asarray(se, float)
    keep = ~np.isnan(m)
    m, s = m[keep], s[keep]
    n = len(m)
    if n == 0:
        return Holds(float("nan"), float("nan"), float("nan"), 0, 0, False)
    lo, hi = band
    inside = (m >= lo) & (m <= hi)
    k = int(inside.sum())
    z = _Z if level == 0.95 else float(norm.ppf(0.5 + level / 2))
    near, unresolved = placing(m, s, band, z, reference)
    q1 = _in_band_chance(m, s, band)
    linear = 2.0 * inside - q1  # each world's score: their mean is 2·s(0) − s(1)
    quadratic = 3.0 * inside - 3.0 * q1 + _in_band_chance(m, np.sqrt(2.0) * s, band)
    resolved = ~unresolved
    # How far the quadratic extrapolant lands from the line, over the resolved worlds.
    spread = abs(float((quadratic - linear)[resolved].sum())) / n
    # The unresolved worlds counted out (low end) and in (high end); each end is the normal
    # interval of its scores' mean widened by the spread, hulled with the exact interval of its
    # count moved by the correction (a few worlds all far inside a band keep its width).
    low_scores = np.where(unresolved, 0.0, linear)
    high_scores = np.where(unresolved, 1.0, linear)
    k_low = int((inside & resolved).sum())
    k_high = k_low + int(unresolved.sum())

    def half(scores: np.ndarray) -> float:
        return z * float(scores.std(ddof=1)) / np.sqrt(n) if n > 1 else 1.0

    exact_lo = _moved(proportion_interval(k_low, n, level), float(low_scores.mean()) - k_low / n)[0]
    exact_hi = _moved(
        proportion_interval(k_high, n, level), float(high_scores.mean()) - k_high / n
    )[1]
    low = min(float(low_scores.mean()) - half(low_scores) - spread, exact_lo)
    high = max(float(high_scores.mean()) + half(high_scores) + spread, exact_hi)

    def clip(v: float) -> float:
        return float(min(max(v, 0.0), 1.0))

    low, high = clip(low), clip(high)
    p = min(max(clip(float(linear.mean())), low), high)
    # Mostly bounds: more than half the worlds near an edge are unresolved.
    bounded = bool(2 * int(unresolved.sum()) > int(near.sum()))
    return Holds(p, low, high, k, n, bounded, int(near.sum()), int(unresolved.sum()))
