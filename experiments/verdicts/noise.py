"""Each world's Monte-Carlo noise: its own replications' variance, moderated by every world's.

A world's noise is not the typical world's. Over the 29 readings of the committed studies the
logs of the worlds' sample variances spread far more than sampling alone makes them (by a
standard deviation of 0.8 to 4.7 beyond it, measured on 2026-12-04): a percentage change of a
near-zero baseline is wild in one world and tame in the next. Giving every world one pooled
noise level then misjudges the noisy worlds near a band's edge, and P(holds)'s interval with
them (it covered the truth in 10% of 40 simulated studies whose per-world noise spread
lognormally with σ = 1, ``tests/test_holds.py``).

So each world gets a noise level of its own, by the empirical-Bayes moderation of Smyth (2004,
*Stat. Appl. Genet. Mol. Biol.* 3:3, "Linear models and empirical Bayes methods for assessing
differential expression"): the worlds' variances are taken as draws from a scaled inverse
χ²(d₀, s₀²) prior, fitted by the moments of their logs, and a world with ``d`` degrees of freedom
and sample variance ``s²`` gets the posterior ``(d₀·s₀² + d·s²) / (d₀ + d)``. Where the variances
spread no more than sampling makes them (``d₀`` infinite) every world gets ``s₀²``; where they
spread widely a world's own replications decide its noise.

The noise of a percentage change grows with the change, so the worlds' variances are not
exchangeable: a prior of one scale pulls the noisiest worlds — the large effects, often the ones
near a one-sided band's edge — towards the quiet ones' level, and P(holds)'s interval under-covered
(78–88% of simulated studies where the noise was proportional to the effect). With
:data:`MIN_TREND_WORLDS` or more replicated worlds the prior's scale follows the effect's size, as
in the intensity-based moderation of Sartor et al. (2006, *BMC Bioinformatics* 7:538): the log
variance is regressed on ``log(|mean| + c)`` (``c`` a twentieth of the median |mean| — of the
nonzero ones' where most are exactly 0 — so a zero effect has a finite size), ``d₀`` is fitted
from the spread left around that line, and each world's ``s₀²`` is the line at its own size, the
size held within the middle 90% of the fitted worlds' (a few extreme worlds do not set the scale
of the others; a quadratic, tried first, overshot tenfold at the ends of the committed studies'
sizes). A world with fewer than two
replications has nothing of its own: it gets the :data:`UNREPLICATED_QUANTILE` quantile of the
replicated worlds' posterior variances, each taken relative to its scale and put back at the
world's own (so at its size), and never less than that quantile of the posteriors themselves (its
size is its one draw: one landing near zero does not make it quiet). So a world measured once is
not taken as far from an edge only because the typical world's noise is small. (The prior's own
0.9 quantile is not used: the committed studies' ``d₀`` are small, 0.52–4.6 (median 2.1), and at
``d₀`` = 2 that quantile is 9.5 times the scale, at 1.1 44 times, at 0.52 some 2,700 times.)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import digamma, polygamma
from scipy.stats import chi2

__all__ = [
    "MIN_TREND_WORLDS",
    "UNREPLICATED_QUANTILE",
    "NoisePrior",
    "fit_prior",
    "reading_noise",
    "typical_noise",
    "world_noise",
]

#: The quantile of the replicated worlds' moderated variances (relative to their prior's scale)
#: given to a world with fewer than two replications. An assumption, checked by simulation
#: (``tests/test_holds.py``'s 20 regimes of per-world noise spread lognormally with σ = 0.5 and 1,
#: 40 studies each): at 0.9 P(holds)'s interval covered the truth in at least 90% of the studies
#: of every regime; at 0.75 (with a constant prior), in as few as 42%.
UNREPLICATED_QUANTILE = 0.9
#: Fewer worlds with a variance of their own than this: no prior is fitted (the pooled level).
MIN_WORLDS = 3
#: Fewer worlds with a variance of their own than this: the prior's scale is one constant (``d₀``
#: is read from the spread around the line, which a handful of worlds leaves to chance).
MIN_TREND_WORLDS = 30
#: The share of the fitted worlds' sizes within which a world's size is held for its scale (the
#: middle 90%): the line is not taken to, or past, its few most extreme worlds (an assumption).
SIZE_RANGE = (0.05, 0.95)
#: The offset of an effect's size, as a share of the median |mean|: ``log(|mean| + c)`` keeps a
#: zero effect finite without letting near-zero effects stretch the trend (an assumption).
SIZE_OFFSET = 0.05


class NoisePrior(NamedTuple):
    """The worlds' variances as a scaled inverse χ² distribution (Smyth 2004), whose scale may
    follow each world's effect size (Sartor et al. 2006)."""

    df: float  # d₀: its degrees of freedom (inf: no spread beyond sampling)
    variance: float | np.ndarray  # s₀²: its scale, the effect's unit squared (one a world: trend)

    def moderate(self, variance: np.ndarray, df: np.ndarray) -> np.ndarray:
        """Each world's posterior variance from its sample ``variance`` on ``df`` degrees of
        freedom (``df`` < 1: the :data:`UNREPLICATED_QUANTILE` quantile of the replicated worlds'
        posteriors, each relative to its scale, at the world's own scale, and at least that
        quantile of the posteriors themselves)."""
        d, v = np.asarray(df, float), np.asarray(variance, float)
        s2 = np.nan_to_num(v, nan=0.0, posinf=np.inf)
        own = (d >= 1) & ~np.isnan(v)  # (no variance known: as a world measured once)
        scale = np.broadcast_to(np.asarray(self.variance, float), d.shape)
        if np.isfinite(self.df):
            post = (self.df * scale + d * s2) / (self.df + np.where(own, d, 0.0))
        else:
            post = scale.copy()
        if not own.any():
            return np.full(d.shape, np.nan)
        # (Not the prior's own tail: with the small d₀ of real studies it lies far out.)
        q = UNREPLICATED_QUANTILE
        with np.errstate(divide="ignore", invalid="ignore"):  # (a scale of 0: exp underflowed)
            fill = np.maximum(
                float(np.nanquantile((post / scale)[own], q)) * scale,
                float(np.nanquantile(post[own], q)),
            )
        return np.where(own, post, fill)


def _log_variances(s2: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``e = log s² − ψ(d/2) + log(d/2)``: an unbiased estimate of ``log σ²`` plus a constant of
    the prior's (Smyth 2004, §6.2)."""
    return np.log(s2) - digamma(d / 2) + np.log(d / 2)


def _prior_df(excess: float) -> float:
    """d₀ from the spread of the ``e`` beyond sampling's: ``ψ′(d₀/2)`` = ``excess``; infinite
    where there is none (ψ′ at the bracket's far end, 1e8: an excess below it is none, as a d₀
    past 2e8 is). ψ′ falls from +inf to 0: one root, d₀/2 between 1e-8 and 1e8."""
    if excess <= float(polygamma(1, 1e8)):
        return float("inf")
    return 2.0 * brentq(lambda x: float(polygamma(1, x)) - excess, 1e-8, 1e8)


def _scale(location: np.ndarray | float, d0: float) -> np.ndarray | float:
    """s₀² from the mean of the ``e`` (``log s₀² − ψ(d₀/2) + log(d₀/2)``)."""
    if not np.isfinite(d0):
        return np.exp(location)
    return np.exp(location + digamma(d0 / 2) - np.log(d0 / 2))


def fit_prior(
    variance: np.ndarray, df: np.ndarray, size: np.ndarray | None = None
) -> NoisePrior | None:
    """The prior of Smyth (2004, §6.2) fitted to sample variances by the moments of their logs.

    For a world with ``d`` degrees of freedom, ``e = log s² − ψ(d/2) + log(d/2)`` has mean
    ``log s₀² − ψ(d₀/2) + log(d₀/2)`` and variance ``ψ′(d/2) + ψ′(d₀/2)`` (ψ the digamma
    function): ``d₀`` solves ``ψ′(d₀/2)`` = the variance of the ``e`` less their mean sampling
    part (infinite where that is ≤ 0), and ``s₀²`` follows from their mean. Worlds with a zero
    variance (replications that agree exactly) or fewer than one degree of freedom are left out
    of the fit. None where fewer than :data:`MIN_WORLDS` worlds remain.

    Given ``size`` (each world's mean effect) and :data:`MIN_TREND_WORLDS` worlds or more, the
    mean of the ``e`` is a line in ``z = log(|size| + c)`` fitted by least squares (Sartor et
    al. 2006), ``d₀`` comes from the residuals' variance (on the fit's n − rank degrees of
    freedom) less sampling's, and ``s₀²`` is one a world: the line at its ``z``, held within the
    :data:`SIZE_RANGE` quantiles of the fitted worlds' ``z`` (a world of no finite size: at
    their median).

    >>> rng = np.random.default_rng(0)
    >>> s2 = 4.0 * rng.chisquare(3, 400) / 3  # one noise level, sampling spread only
    >>> prior = fit_prior(s2, np.full(400, 3.0))
    >>> bool(prior.df > 50), bool(abs(prior.variance - 4.0) < 0.2)
    (True, True)
    """
    s2_all, d_all = np.asarray(variance, float), np.asarray(df, float)
    ok = np.isfinite(s2_all) & (s2_all > 0) & (d_all >= 1)
    if size is not None:
        a = np.abs(np.asarray(size, float))
        trend = _fit_trend(s2_all, d_all, a, ok & np.isfinite(a))
        if trend is not None:
            return trend
    s2, d = s2_all[ok], d_all[ok]
    if s2.size < MIN_WORLDS:
        return None
    e = _log_variances(s2, d)
    d0 = _prior_df(float(e.var(ddof=1) - np.mean(polygamma(1, d / 2))))
    return NoisePrior(d0, float(_scale(float(e.mean()), d0)))


def _fit_trend(
    s2: np.ndarray, d: np.ndarray, size: np.ndarray, ok: np.ndarray
) -> NoisePrior | None:
    """:func:`fit_prior` with a scale following ``size`` (``ok``: the worlds fitted); None where
    fewer than :data:`MIN_TREND_WORLDS` worlds are fitted, or most fitted sizes are exactly zero
    and fewer than that many are not (then the prior's scale is one constant)."""
    fitted = size[ok]
    # Most fitted effects exactly zero: the nonzero ones' median sets the offset.
    sized = fitted if fitted.size and np.median(fitted) > 0 else fitted[fitted > 0]
    if sized.size < MIN_TREND_WORLDS:  # (too few to place a line along the sizes)
        return None
    typical = float(np.median(sized))
    offset = SIZE_OFFSET * typical
    z = np.log(size + offset)
    e = _log_variances(s2[ok], d[ok])
    design = np.vander(z[ok], 2, increasing=True)  # 1, z
    coef, _, rank, _ = np.linalg.lstsq(design, e, rcond=None)
    resid = e - design @ coef
    d0 = _prior_df(float(resid.var(ddof=rank) - np.mean(polygamma(1, d[ok] / 2))))
    # Every world's place on the line: within the fitted sizes' middle; no finite size, the median.
    low, high = np.quantile(z[ok], SIZE_RANGE)
    zw = np.clip(np.where(np.isfinite(z), z, np.median(z[ok])), low, high)
    return NoisePrior(d0, np.asarray(_scale(np.vander(zw, 2, increasing=True) @ coef, d0)))


def world_noise(values: pd.DataFrame, pooled_sd: float, worlds: pd.Index) -> np.ndarray:
    """Each world's noise: the standard deviation of one replication, the effect's unit.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per (world, replication) with columns ``world`` and ``y``, the finite values only.
    pooled_sd : float
        The typical within-world sd (:func:`typical_noise`), given to every world where no
        prior can be fitted.
    worlds : pandas.Index
        The worlds wanted, in order (one with no finite value: a world measured once).

    Returns
    -------
    ndarray of float
        The square root of :meth:`NoisePrior.moderate`, one per world of ``worlds``, the prior's
        scale following each world's mean effect (:func:`fit_prior`).
    """
    stats = values.groupby("world")["y"].agg(["var", "size", "mean"]).reindex(worlds)  # (one pass)
    var = stats["var"].to_numpy(float)
    df = (stats["size"] - 1).fillna(0).to_numpy(float)
    prior = fit_prior(var, df, size=stats["mean"].to_numpy(float))
    if prior is None:
        return np.full(len(worlds), float(pooled_sd))
    return np.sqrt(prior.moderate(var, df))


def typical_noise(values: pd.DataFrame) -> float:
    """The typical within-world standard deviation of ``y`` over worlds with ≥ 2 replications.

    The median over worlds of each world's sample variance, each divided by the median of its
    χ²(df)/df (so it estimates σ² for normal noise whatever its replications), then the square
    root: a few worlds whose ratio has a near-zero denominator (variances of 10⁹ beside a median
    of 60) would otherwise set every world's margin — a mean of variances did, and put every world
    "near an edge". 0 when no world has two replications.
    """
    g = values.groupby("world")["y"]
    var, df = g.var(ddof=1), g.size() - 1
    keep = df >= 1
    if not keep.any():
        return 0.0
    scaled = var[keep] / (chi2.median(df[keep]) / df[keep])
    return float(np.sqrt(np.median(scaled)))


def reading_noise(values: pd.DataFrame, column: str) -> pd.Series:
    """Each world's noise in ``column`` (one replication's sd, by world), fitted over all of
    ``values`` (columns ``world`` and ``column``; :func:`world_noise`): what
    :func:`experiments.verdicts.framework.judge` takes as ``noise`` to judge a subset of a study's worlds
    or replications with the whole study's noise."""
    v = values[["world", column]].rename(columns={column: "y"})
    finite = v[np.isfinite(v["y"])]
    worlds = pd.Index(sorted(v["world"].unique()), name="world")
    return pd.Series(world_noise(finite, typical_noise(finite), worlds), index=worlds)
