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
spread widely a world's own replications decide its noise. A world with fewer than two
replications has nothing of its own: it gets the :data:`UNREPLICATED_QUANTILE` quantile of the
replicated worlds' posterior variances, a noise level as large as nine worlds in ten have, so
that a world measured once is not taken as far from an edge only because the typical world's
noise is small.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import digamma, polygamma
from scipy.stats import chi2

__all__ = [
    "UNREPLICATED_QUANTILE",
    "NoisePrior",
    "fit_prior",
    "reading_noise",
    "typical_noise",
    "world_noise",
]

#: The quantile of the replicated worlds' moderated variances given to a world with fewer than
#: two. An assumption, checked by simulation (``tests/test_holds.py``'s 20 regimes of per-world
#: noise spread lognormally with σ = 0.5 and 1, 40 studies each): at 0.9 P(holds)'s interval
#: covered the truth in 90–100% of the studies of every regime; at 0.75, in as few as 42%.
UNREPLICATED_QUANTILE = 0.9
#: Fewer worlds with a variance of their own than this: no prior is fitted (the pooled level).
MIN_WORLDS = 3


class NoisePrior(NamedTuple):
    """The worlds' variances as a scaled inverse χ² distribution (Smyth 2004)."""

    df: float  # d₀: its degrees of freedom (inf: no spread beyond sampling)
    variance: float  # s₀²: its scale, the effect's unit squared

    def moderate(self, variance: np.ndarray, df: np.ndarray) -> np.ndarray:
        """Each world's posterior variance from its sample ``variance`` on ``df`` degrees of
        freedom (``df`` < 1: the :data:`UNREPLICATED_QUANTILE` quantile of the others')."""
        d = np.asarray(df, float)
        s2 = np.nan_to_num(np.asarray(variance, float), nan=0.0, posinf=np.inf)
        own = d >= 1
        if not np.isfinite(self.df):
            return np.full(d.shape, self.variance)
        post = (self.df * self.variance + d * s2) / (self.df + np.where(own, d, 0.0))
        # A world with nothing of its own: the level the replicated worlds' posteriors reach at
        # the quantile (not the prior's own tail, whose shape a few near-zero variances set).
        fill = float(np.quantile(post[own], UNREPLICATED_QUANTILE)) if own.any() else np.nan
        return np.where(own, post, fill)


def fit_prior(variance: np.ndarray, df: np.ndarray) -> NoisePrior | None:
    """The prior of Smyth (2004, §6.2) fitted to sample variances by the moments of their logs.

    For a world with ``d`` degrees of freedom, ``e = log s² − ψ(d/2) + log(d/2)`` has mean
    ``log s₀² − ψ(d₀/2) + log(d₀/2)`` and variance ``ψ′(d/2) + ψ′(d₀/2)`` (ψ the digamma
    function): ``d₀`` solves ``ψ′(d₀/2)`` = the variance of the ``e`` less their mean sampling
    part (infinite where that is ≤ 0), and ``s₀²`` follows from their mean. Worlds with a zero
    variance (replications that agree exactly) or fewer than one degree of freedom are left out
    of the fit. None where fewer than :data:`MIN_WORLDS` worlds remain.

    >>> rng = np.random.default_rng(0)
    >>> s2 = 4.0 * rng.chisquare(3, 400) / 3  # one noise level, sampling spread only
    >>> prior = fit_prior(s2, np.full(400, 3.0))
    >>> bool(prior.df > 50), bool(abs(prior.variance - 4.0) < 0.2)
    (True, True)
    """
    s2, d = np.asarray(variance, float), np.asarray(df, float)
    ok = np.isfinite(s2) & (s2 > 0) & (d >= 1)
    s2, d = s2[ok], d[ok]
    if s2.size < MIN_WORLDS:
        return None
    e = np.log(s2) - digamma(d / 2) + np.log(d / 2)
    excess = float(e.var(ddof=1) - np.mean(polygamma(1, d / 2)))
    # (ψ′ at the bracket's far end, 1e8: an excess below it is none, as a d₀ past 2e8 is)
    if excess <= float(polygamma(1, 1e8)):
        return NoisePrior(float("inf"), float(np.exp(e.mean())))
    # ψ′ falls from +inf to 0: one root (d₀/2 between 1e-8 and 1e8 covers any excess met).
    half = brentq(lambda x: float(polygamma(1, x)) - excess, 1e-8, 1e8)
    d0 = 2.0 * half
    return NoisePrior(d0, float(np.exp(e.mean() + digamma(half) - np.log(half))))


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
        The square root of :meth:`NoisePrior.moderate`, one per world of ``worlds``.
    """
    g = values.groupby("world")["y"]
    var = g.var(ddof=1).reindex(worlds)
    df = (g.size() - 1).reindex(worlds).fillna(0).astype(float)
    prior = fit_prior(var.to_numpy(), df.to_numpy())
    if prior is None:
        return np.full(len(worlds), float(pooled_sd))
    return np.sqrt(prior.moderate(var.to_numpy(), df.to_numpy()))


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
    :func:`experiments.framework.judge` takes as ``noise`` to judge a subset of a study's worlds
    or replications with the whole study's noise."""
    v = values[["world", column]].rename(columns={column: "y"})
    finite = v[np.isfinite(v["y"])]
    worlds = pd.Index(sorted(v["world"].unique()), name="world")
    return pd.Series(world_noise(finite, typical_noise(finite), worlds), index=worlds)
