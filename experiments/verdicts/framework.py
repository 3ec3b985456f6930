"""A claim as evidence: its readings, each world's effect against the claim's band, and the verdict.

A claim (:class:`~experiments.verdicts.claim.Claim`, declared in :mod:`experiments.verdicts.claim` and re-exported
here) has one or more *readings* (:class:`~experiments.verdicts.claim.Reading`): each says how the source
means the claim — the source's own estimand, quoted — and the band of effects that reading asserts.
A claim's experiment measures every reading in each plausible world (paired arms on the world's
seeds, :mod:`experiments.running.study`), and :func:`judge` turns those values into

* each world's status: where its measured effect lies — *in band*, *above* / *below* (for a
  two-sided band: stronger / weaker than claimed; for a one-sided band only the sides of the
  threshold), or *undefined* (nothing to measure, e.g. a link whose cause did not move);
  and whether it lies *near an edge*: within the world's 95% Monte-Carlo margin of a band edge
  (the typical within-world noise of a finite market, a median over the worlds with two or
  more replications), so another seed could move it across;
* the verdict: P(the reading holds) = the share of the plausible worlds where the effect is
  defined whose true effect (its expectation over seeds) lies *in band* — the measured count with
  each world's Monte-Carlo noise taken out (:mod:`experiments.verdicts.holds`; the share undefined is
  reported beside it, never counted as a failure) — with a 95% interval that carries both the
  sampling of worlds and each world's noise, in words by the declared cut-offs :data:`CUTOFFS`: the
  whole interval ≥ 0.8 *supported*, ≤ 0.2 *not supported*, between *depends on the world*,
  across a cut-off *undetermined*; a reading with a two-sided band whose worlds miss it on both
  sides, at least a quarter above and a quarter below (:data:`DISPERSED`: the band inside the
  middle half of the measured effects), says *dispersed around the claim*, else one mostly
  above it *stronger than claimed* and one mostly below it *weaker than claimed*. The shares *in
  band*, *above* and *below* are of the *measured* effects (a finite market, a few replications).

The worlds are not independent draws: each wave is a Latin hypercube. The interval assumes
independent worlds; for a Latin hypercube the variance of a sample mean is never more than that of
n − 1 independent draws (Owen 1997, SIAM J. Numer. Anal. 34:1884; Owen, *Monte Carlo theory,
methods and examples*, Prop. 10.4), so the interval is, up to that one
draw, conservative. The plausible worlds are the hypercube's rows that pass the facts, which keeps
the argument approximate; the interval is stated as if independent, and no narrower.

>>> r = Reading("x", "a gain", "“a gain of 25 to 85%”", "a paper", "%", (25.0, 85.0))
>>> classify(90.0, 1.0, r.band), classify(50.0, 1.0, r.band), classify(84.0, 2.0, r.band)
('above', 'in band', 'undecided')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from experiments.verdicts.claim import Claim, Reading
from experiments.verdicts.holds import holds, proportion_interval
from experiments.verdicts.noise import reading_noise, typical_noise
from experiments.verdicts.verdict_words import CUTOFFS, DISPERSED, interval_text, words

__all__ = [
    "CUTOFFS",
    "DISPERSED",
    "STATUSES",
    "Claim",
    "DefaultsStatus",
    "Reading",
    "ReadingVerdict",
    "classify",
    "defaults_status",
    "effect_text",
    "interval_text",
    "judge",
    "proportion_interval",
    "typical_noise",
    "words",
]

#: A world's status against a reading's band.
STATUSES = ("in band", "above", "below", "undefined")
#: Two-sided 95% normal quantile: a world is undecided when its band edge is within z·SE.
Z = 1.959963984540054


def classify(mean: float, se: float, band: tuple[float, float], z: float = Z) -> str:
    """A world's status: ``"in band"``, ``"above"``, ``"below"`` or ``"undecided"``.

    ``mean`` is the world's effect (mean over its replications) and ``se`` its Monte-Carlo standard
    error; the world is undecided when a band edge lies within ``z·se`` of the mean. An infinite
    mean (a censored ratio: nothing in its denominator) is above or below; NaN is undecided.
    """
    lo, hi = band
    if np.isnan(mean):
        return "undecided"
    margin = z * (se if np.isfinite(se) else 0.0)
    if mean - margin > hi:
        return "above"
    if mean + margin < lo:
        return "below"
    if mean - margin >= lo and mean + margin <= hi:
        return "in band"
    return "undecided"


@dataclass(frozen=True)
class ReadingVerdict:
    """One reading's verdict over the plausible worlds."""

    reading: Reading
    worlds: int
    p: float
    low: float
    high: float
    shares: dict[str, float]
    defined: int
    words: str
    se: float
    censored: int
    quantiles: tuple[float, float, float]
    #: Most worlds near an edge are as noisy as the band: the interval is mostly bounds
    #: (:mod:`experiments.verdicts.holds`).
    bounded: bool = False
    near: int = 0  #: worlds within their 95% Monte-Carlo margin of an edge
    unresolved: int = 0  #: of those, the ones too noisy to place (:attr:`Holds.unresolved`)

    def p_text(self) -> str:
        """``0.62 [0.57, 0.66]``; three decimals where a bound would round onto a cut-off (so
        ``[0.124, 0.199]``, *not supported*, does not read as ``[0.12, 0.20]`` beside an
        *undetermined* ``[0.13, 0.20]``); "—" where nothing was measured."""
        return interval_text(self.p, self.low, self.high)


class DefaultsStatus(NamedTuple):
    """The declared defaults against a band (:func:`defaults_status`)."""

    effect: float
    status: str
    sd: float
    margin: float  # the interval's half-width (the effect's unit; NaN for a bound)

    def words(self, band: tuple[float, float] | None = None) -> str:
        """The status; near an edge, on which side of ``band`` the effect lies (``near an
        edge, below``)."""
        if self.status != "near an edge" or band is None:
            return self.status
        lo, hi = band
        side = "below" if self.effect < lo else "above" if self.effect > hi else "in band"
        return f"{self.status}, {side}"

    def text(self, fmt, band: tuple[float, float] | None = None) -> str:
        """``effect [low, high] (status)`` with ``fmt`` formatting each number; near an edge,
        on which side of ``band`` the effect lies (:meth:`words`)."""
        return f"{effect_text(self.effect, self.margin, fmt)} ({self.words(band)})"


def effect_text(effect: float, margin: float, fmt: Callable[[float], str]) -> str:
    """``effect [effect − margin, effect + margin]`` with ``fmt`` formatting each number; the
    effect alone where the margin is not a positive finite number (one replication, a bound).

    >>> effect_text(5.0, 0.5, "{:g}".format), effect_text(5.0, float("nan"), "{:g}".format)
    ('5 [4.5, 5.5]', '5')
    """
    if np.isfinite(effect) and np.isfinite(margin) and margin > 0:
        return f"{fmt(effect)} [{fmt(effect - margin)}, {fmt(effect + margin)}]"
    return fmt(effect)


def defaults_status(
    values: np.ndarray, band: tuple[float, float], fallback_sd: float, level: float = 0.95
) -> DefaultsStatus:
    """The declared defaults' effect, its status against ``band`` and the sd that decided it.

    The defaults have replications of their own, so their margin comes from them: a band edge
    within the two-sided ``level`` Student-t interval of their mean (``t(n − 1)·sd/√n`` over their
    ``n`` finite replications) makes them *near an edge*. The noise of one world is not the
    typical world's (a % change of a near-zero NPV is wild in one world and tame in the next), so
    the pooled :func:`typical_noise` is used only where fewer than two replications are finite
    (``fallback_sd``, with the normal quantile).

    Parameters
    ----------
    values : ndarray of float
        The reading at the defaults, one value per replication (±inf: a censored bound; NaN: not
        measured).
    band : tuple of float
        The reading's band.
    fallback_sd : float
        The typical within-world sd (the reading's unit).
    level : float, default 0.95
        The interval's coverage.

    Returns
    -------
    DefaultsStatus
        (effect, status, sd, margin): ``effect`` over the measured replications as a world's (the mean; the median when one is
        censored, ±inf, so one bound of four does not decide it), ``status`` one of ``"in band"``,
        ``"above"``, ``"below"``, ``"near an edge"`` or ``"undefined"`` (nothing measured, or
        bounds on both sides), ``sd`` the standard deviation used (the finite replications'
        own, or ``fallback_sd``) and ``margin`` the interval's half-width around the effect.

    >>> defaults_status(np.array([4.9, 5.1, 5.0, 5.0]), (4.0, 6.0), 9.0)[1]
    'in band'
    >>> defaults_status(np.array([3.0, 5.0, 4.0, 6.0]), (4.0, 6.0), 0.1)[1]
    'near an edge'
    >>> defaults_status(np.array([np.inf, 4.9, 5.0, 5.1]), (4.0, 6.0), 0.1)[:2]
    (5.05, 'in band')
    """
    from scipy.stats import norm, t

    v = np.asarray(values, float)
    measured = v[~np.isnan(v)]
    with np.errstate(invalid="ignore"):  # bounds on both sides: the median is NaN
        effect = _world_effect(pd.Series(measured)) if measured.size else float("nan")
    if np.isnan(effect):
        return DefaultsStatus(effect, "undefined", float("nan"), float("nan"))
    finite = measured[np.isfinite(measured)]
    if finite.size >= 2:
        sd = float(np.std(finite, ddof=1))
        z = float(t.ppf(0.5 + level / 2, finite.size - 1))
    else:
        sd, z = fallback_sd, float(norm.ppf(0.5 + level / 2))
    se = sd / np.sqrt(max(finite.size, 1))
    status = classify(effect, se, band, z=z).replace("undecided", "near an edge")
    return DefaultsStatus(effect, status, sd, z * se if np.isfinite(effect) else float("nan"))


def _world_effect(y: pd.Series | np.ndarray) -> float:
    """A world's effect over its measured replications: the mean, or the median when one is
    censored (±inf): a bound is an order statistic, so one censored replication of four does not
    decide the world, and +inf with -inf is not NaN."""
    return float(y.mean()) if np.isfinite(y).all() else float(np.median(y))


def _world_effects(v: pd.DataFrame) -> pd.Series:
    """:func:`_world_effect` of every world of ``v`` (columns ``world``, ``y``) with a measured
    replication: numpy per world (``Series.mean``'s sums, a fifth of ``groupby.agg``'s time)."""
    kept = v[v["y"].notna()].sort_values("world", kind="stable")
    worlds, starts = np.unique(kept["world"].to_numpy(), return_index=True)
    pieces = np.split(kept["y"].to_numpy(float), starts[1:]) if len(worlds) else []
    effects = [_world_effect(y) for y in pieces]
    return pd.Series(effects, index=pd.Index(worlds, name="world"), dtype=float)


def judge(
    reading: Reading,
    values: pd.DataFrame,
    own_noise: bool = True,
    noise: pd.Series | None = None,
    reference: float | None = None,
) -> tuple[pd.DataFrame, ReadingVerdict]:
    """Each world's status and the reading's verdict.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per (world, replication): columns ``world`` and ``reading.name``.
    own_noise : bool, default True
        Judge each world with its own noise (:func:`experiments.verdicts.noise.world_noise`); False: with
        the one typical level (:func:`typical_noise`), as the study's first pass picks the worlds
        to replicate, when most worlds have one replication and no noise of their own.
    noise : pandas.Series, optional
        Each world's noise fitted over a whole study (:func:`experiments.verdicts.noise.reading_noise`),
        for judging a subset of it as the study judges it (a subset's own fit has fewer worlds
        to learn from); a world it lacks has no noise known (no correction). Default: fitted
        over ``values``.
    reference : float, optional
        What a world near an edge is too noisy beside (:func:`experiments.verdicts.holds.placing`): a
        subset that places its worlds as the whole study does passes the study's.

    Returns
    -------
    (per-world table, verdict)
        The table has ``world``, ``effect`` (mean over the measured replications, the median when
        one is censored; NaN when fewer than half of the world's replications are measured),
        ``n`` (measured replications), ``se``, ``status`` and ``near_edge``.
        Its ``se`` is the world's own noise over √replications, its replications' variance
        moderated by every world's (:func:`experiments.verdicts.noise.world_noise`; measured once, a level
        nine worlds in ten stay below): the noisy worlds near an edge set P(holds)' width.
    """
    missing = [c for c in ("world", reading.name) if c not in getattr(values, "columns", ())]
    if missing:
        raise ValueError(
            f"values: a table without {', '.join(map(repr, missing))} is not allowed; allowed: "
            f"a DataFrame with columns 'world' and {reading.name!r}, a row per world and replication"
        )
    v = values[["world", reading.name]].rename(columns={reading.name: "y"})
    finite = v[np.isfinite(v["y"])]
    pooled_sd = typical_noise(finite)
    measured = v[v["y"].notna()].groupby("world")["y"]
    per = pd.DataFrame(
        {"effect": _world_effects(v), "n": measured.size()},
        index=pd.Index(sorted(v["world"].unique()), name="world"),
    )
    per["n"] = per["n"].fillna(0).astype(int)
    # Measured by at least half its replications or not at all (a profit in one of four is not).
    runs = v.groupby("world").size().reindex(per.index).fillna(0)
    per.loc[per["n"] < runs / 2, "effect"] = np.nan
    per = per.reset_index()
    if own_noise:
        noise = reading_noise(values, reading.name) if noise is None else noise
        sd = noise.reindex(per["world"]).to_numpy(float)
    else:
        sd = pooled_sd
    per["se"] = sd / np.sqrt(per["n"].clip(lower=1))
    per["status"] = [
        "undefined" if np.isnan(m) else classify(m, 0.0, reading.band) for m in per["effect"]
    ]
    per["near_edge"] = [
        not np.isnan(m) and classify(m, s, reading.band) == "undecided"
        for m, s in zip(per["effect"], per["se"], strict=True)
    ]
    counts = per["status"].value_counts()
    total = len(per)
    shares = {s: float(counts.get(s, 0)) / total if total else float("nan") for s in STATUSES}
    shares["near an edge"] = float(per["near_edge"].mean()) if total else float("nan")
    n = total - int(counts.get("undefined", 0))  # P(holds) is over the worlds where it is defined
    # Each world's noise taken out of the count (experiments.verdicts.holds), the interval carrying both.
    found = holds(per["effect"].to_numpy(), per["se"].to_numpy(), reading.band, 0.95, reference)
    fin = per["effect"][np.isfinite(per["effect"])]
    q = tuple(float(x) for x in np.quantile(fin, [0.1, 0.5, 0.9])) if len(fin) else (np.nan,) * 3
    verdict = ReadingVerdict(
        reading=reading,
        worlds=total,
        p=found.p,
        low=found.low,
        high=found.high,
        shares=shares,
        defined=n,
        # Over fewer than half the worlds, P(holds) is no verdict on the claim: which worlds
        # leave a reading undefined (a firm with no profit to raise) is seldom neutral.
        words="undefined in every plausible world"
        if total and not n
        else "undefined in most plausible worlds"
        if n < total / 2
        else words(
            found.p,
            found.low,
            found.high,
            counts.get("above", 0) / n if n else 0.0,
            reading.two_sided,
            counts.get("below", 0) / n if n else 0.0,
        ),
        se=pooled_sd,
        censored=int((~np.isfinite(per["effect"]) & per["effect"].notna()).sum()),
        quantiles=q,  # type: ignore[arg-type]
        bounded=found.bounded,
        near=found.near,
        unresolved=found.unresolved,
    )
    return per, verdict
