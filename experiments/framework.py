"""The shape every claim experiment shares: a declared claim, paired runs across its assumptions,
and a verdict computed by code.

An experiment declares, before it runs, the claim's magnitude and band (the range of effects the
claim asserts), an equivalence margin, and the two or three assumptions that drive the answer with
their plausible ranges. :func:`run_claim` runs the paired effect at every point of the assumption
grid; each point's 95% interval is *inside* the band (widened by the margin), *outside* it, or
*undecided*. The verdict is the share of the grid on each side:

* **supported** — inside at ≥ 75% of the points;
* **supported only when …** — inside at fewer, but at ≥ half the points of some levels of one
  assumption, naming those levels;
* **not supported** — otherwise (inside nowhere, or only in scattered corners of the grid);
* **inconclusive** — nothing inside and nothing outside: every interval straddles the band.

So a claim is never judged by a bare sign test at one point: more replications narrow the
intervals but cannot turn a small effect into the claimed one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.studies.stats import Interval, mean_interval

__all__ = [
    "SUPPORTED_SHARE",
    "Assumption",
    "Claim",
    "ExperimentResult",
    "Verdict",
    "assumption_grid",
    "claim_seeds",
    "classify",
    "decide",
    "recording",
    "run_claim",
    "run_recorded",
]

#: Share of the assumption grid that must lie inside the band for "supported".
SUPPORTED_SHARE = 0.75


@dataclass(frozen=True)
class Assumption:
    """A driver of the answer and its plausible range.

    Attributes
    ----------
    key : str
        A scenario parameter (``section.name``) — or, for experiment-specific knobs, any name the
        experiment's effect function understands.
    low, high : float
        The plausible range.
    label : str
        Words for reports ("satisfaction sensitivity of churn").
    source : str
        Why this range.
    """

    key: str
    low: float
    high: float
    label: str
    source: str


@dataclass(frozen=True)
class Claim:
    """A claim as its experiment declares it before running.

    Attributes
    ----------
    name : str
        Short identifier, also the report's file name.
    title : str
        The claim in the practitioner articles' words (docs/ODD.md §1.2).
    precise : str
        What exactly is measured, in precise terms.
    metric : str
        The effect's name and unit (e.g. "NPV gain, % of baseline").
    magnitude : float
        The claim's headline number, in the metric's unit.
    band : tuple of float
        The range of effects the claim asserts (``-inf``/``inf`` for one-sided claims).
    margin : float
        Equivalence margin added to each side of the band.
    assumptions : tuple of Assumption
        The two or three drivers, with ranges.
    """

    name: str
    title: str
    precise: str
    metric: str
    magnitude: float
    band: tuple[float, float]
    margin: float
    assumptions: tuple[Assumption, ...]

    @property
    def keys(self) -> list[str]:
        """The assumptions' keys, in declaration order (the grid's columns)."""
        return [a.key for a in self.assumptions]

    def widened(self) -> tuple[float, float]:
        """The band with the equivalence margin added on each side."""
        return self.band[0] - self.margin, self.band[1] + self.margin


def classify(interval: Interval, claim: Claim) -> str:
    """``"inside"``, ``"outside"`` or ``"undecided"``: where an interval lies against the band."""
    lo, hi = claim.widened()
    if not np.isfinite(interval.mean):
        return "undecided"
    if interval.low >= lo and interval.high <= hi:
        return "inside"
    if interval.high < lo or interval.low > hi:
        return "outside"
    return "undecided"


@dataclass(frozen=True)
class Verdict:
    """The computed verdict and the shares behind it."""

    label: str  # "supported" | "supported only when …" | "not supported"
    text: str
    inside: float
    outside: float
    undecided: float


def decide(points: pd.DataFrame, claim: Claim) -> Verdict:
    """The verdict from a table with one row per grid point and a ``status`` column."""
    n = len(points)
    share = {
        s: float((points["status"] == s).sum()) / n for s in ("inside", "outside", "undecided")
    }
    counts = (
        f"inside the claim's band at {share['inside']:.0%} of the assumption grid, outside at "
        f"{share['outside']:.0%}, undecided at {share['undecided']:.0%} ({n} points)"
    )
    text = f"The 95% interval lies {counts}."
    if share["inside"] >= SUPPORTED_SHARE:
        return Verdict("supported", text, **share)
    if share["inside"] == 0 and share["outside"] == 0:
        return Verdict("inconclusive", text + " More replications are needed.", **share)
    condition = _condition(points, claim) if share["inside"] > 0 else None
    if condition is None:
        return Verdict("not supported", text, **share)
    return Verdict("supported only when " + condition, text, **share)


def _condition(points: pd.DataFrame, claim: Claim) -> str | None:
    """Describe where the claim holds: the assumption whose levels best separate inside from not.

    For each assumption, the share of points inside the band at each of its levels; the driver is
    the assumption whose shares differ most between levels, and the condition names the levels
    where at least half of the points are inside, with the shares. None when no assumption has
    such levels (without holding alike at every level): the claim then holds only in scattered
    corners of the grid, which the verdict reports as not supported.
    """
    inside = points["status"] == "inside"
    best, best_spread, held, levels = None, -1.0, None, []
    for a in claim.assumptions:
        shares = inside.groupby(points[a.key].astype(float)).mean()
        chosen = shares[shares >= 0.5]
        if chosen.empty or len(chosen) == len(shares):
            continue  # holds (or fails) alike at every level: this assumption is not the condition
        spread = float(shares.max() - shares.min())
        if spread > best_spread:
            best, best_spread, held, levels = a, spread, chosen, list(shares.index)
    if best is None or held is None:
        return None  # no assumption level where the claim holds at half the points
    lo, hi = float(held.index.min()), float(held.index.max())
    contiguous = len(held) == levels.index(hi) - levels.index(lo) + 1
    if lo == hi:
        where = f"is {lo:g}"
    elif contiguous:
        where = f"is between {lo:g} and {hi:g}"
    else:
        where = "is one of " + ", ".join(f"{v:g}" for v in held.index)
    at = points[best.key].astype(float).isin(list(held.index))
    return (
        f"{best.label} {where} (inside at {inside[at].mean():.0%} of those points, "
        f"{inside[~at].mean() if (~at).any() else 0.0:.0%} elsewhere)"
    )


def assumption_grid(claim: Claim, levels: int = 3) -> list[dict[str, float]]:
    """Full-factorial grid over the claim's assumptions, ``levels`` evenly spaced values each."""
    axes = [np.linspace(a.low, a.high, levels) for a in claim.assumptions]
    return [
        dict(zip(claim.keys, map(float, combo), strict=True)) for combo in itertools.product(*axes)
    ]


@dataclass
class ExperimentResult:
    """Everything a report needs."""

    claim: Claim
    points: pd.DataFrame
    verdict: Verdict
    design: str
    replications: int
    size: int
    seed: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


EffectFn = Callable[[dict[str, float], Sequence[int]], np.ndarray]


def recording(
    measure: Callable[[dict[str, float], int], dict[str, float]], key: str
) -> tuple[EffectFn, list[dict[str, float]]]:
    """An effect function for :func:`run_claim` that keeps every replicate's details.

    ``measure(values, seed)`` runs one paired replicate and returns a dict of numbers, of which
    ``key`` is the effect; each replicate's row (assumption values, seed, details) is appended to
    the returned list, for the report's extra tables.
    """
    records: list[dict[str, float]] = []

    def effect(values: dict[str, float], seeds: Sequence[int]) -> np.ndarray:
        rows = [{**values, "seed": s, **measure(values, s)} for s in seeds]
        records.extend(rows)
        return np.array([r[key] for r in rows], dtype=float)

    return effect, records


def claim_seeds(seed: int, replications: int) -> list[int]:
    """The seeds of every grid point's replicates (:func:`run_claim` runs these, paired)."""
    return list(range(seed, seed + replications))


def run_recorded(
    claim: Claim,
    measure: Callable[[dict[str, float], int], dict[str, float]],
    key: str,
    *,
    replications: int,
    seed: int = 1,
    levels: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`run_claim` with ``measure``'s ``key`` as the effect (see :func:`recording`).

    Returns the points and every replicate's details as a frame (assumption values, seed, and
    whatever ``measure`` returned), for the report's extra tables.
    """
    effect, records = recording(measure, key)
    points = run_claim(claim, effect, replications=replications, seed=seed, levels=levels)
    return points, pd.DataFrame(records)


def run_claim(
    claim: Claim,
    effect: EffectFn,
    *,
    replications: int,
    seed: int = 1,
    levels: int = 3,
    progress: bool = False,
) -> pd.DataFrame:
    """Evaluate the paired effect at every grid point; one row per point with its interval.

    Parameters
    ----------
    effect : callable
        ``effect(assumption_values, seeds) -> per-seed effects`` — each element one paired
        comparison (intervention minus control on the same seed).
    """
    seeds = claim_seeds(seed, replications)
    grid = assumption_grid(claim, levels)
    if progress:
        from tqdm.auto import tqdm

        grid = tqdm(grid, desc=claim.name, unit="point", leave=False)
    rows = []
    for values in grid:
        iv = mean_interval(effect(values, seeds))
        rows.append({**values, "effect": iv.mean, "low": iv.low, "high": iv.high, "n": iv.n})
    table = pd.DataFrame(rows)
    table["status"] = [
        classify(Interval(r.effect, r.low, r.high, int(r.n)), claim) for r in table.itertuples()
    ]
    return table
