"""Satisfaction and expectation (docs/ODD.md §7.3).

S moves toward ``a·x + b·(x − E)``: an absolute term (so better service keeps a lasting edge when
a > 0) plus expectation–disconfirmation (Oliver 1980). E adapts toward a blend of the client's own
experience and the market's standard, so yesterday's "wow" becomes today's standard without making
every service level equal in the long run.
"""

from __future__ import annotations

import numpy as np

from model.engine.context import Context
from model.engine.kernels import satisfaction as kernels
from model.engine.scratch import formed
from model.scenario import Satisfaction

__all__ = [
    "behavioural",
    "expectation_update",
    "from_likelihood",
    "satisfaction_cutoffs",
    "satisfaction_cutoffs32",
    "satisfaction_target",
    "step",
    "step_numpy",
    "to_likelihood",
]


def satisfaction_target(x: np.ndarray, e: np.ndarray, p: Satisfaction) -> np.ndarray:
    """Where satisfaction heads given experience ``x`` and expectation ``e``, clipped to [0, 1]."""
    return np.clip(p.absolute_weight * x + p.disconfirmation_weight * (x - e), 0.0, 1.0)


def expectation_update(
    e: np.ndarray, x: np.ndarray, standard: float, p: Satisfaction
) -> np.ndarray:
    """Expectation after one month: toward ``w·x + (1 − w)·standard``."""
    anchor = p.expectation_own_weight * x + (1.0 - p.expectation_own_weight) * standard
    return e + p.expectation_rate * (anchor - e)


def to_likelihood(s: np.ndarray, p: Satisfaction) -> np.ndarray:
    """NPS's 0–10 likelihood to recommend from satisfaction in [0, 1].

    ``p.likelihood_map`` picks the form: ``"power"`` ``10·S^k`` (k = ``likelihood_exponent``, the
    default), ``"linear"`` ``10·S``, or ``"logistic"``, an S-shaped map through (0, 0), (½, 5) and
    (1, 10) with slope set by ``likelihood_steepness`` a:
    ``10·(σ(a(S − ½)) − σ(−a/2)) / (σ(a/2) − σ(−a/2))``.
    """
    s = np.asarray(s)
    if p.likelihood_map == "power":
        return 10.0 * np.power(s, p.likelihood_exponent)
    if p.likelihood_map == "linear":
        return 10.0 * s
    lo, hi = _sigmoid_ends(p.likelihood_steepness)
    return 10.0 * (_sigmoid(p.likelihood_steepness * (s - 0.5)) - lo) / (hi - lo)


def from_likelihood(likelihood: float, p: Satisfaction) -> float:
    """The satisfaction at which :func:`to_likelihood` reaches ``likelihood`` (its inverse)."""
    x = likelihood / 10.0
    if p.likelihood_map == "power":
        return x ** (1.0 / p.likelihood_exponent)
    if p.likelihood_map == "linear":
        return x
    a = p.likelihood_steepness
    lo, hi = _sigmoid_ends(a)
    y = min(max(lo + x * (hi - lo), 1e-300), 1.0 - 1e-16)
    return float(0.5 + np.log(y / (1.0 - y)) / a)


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def _sigmoid_ends(a: float) -> tuple[float, float]:
    """σ at S = 0 and S = 1 of the logistic map with steepness ``a``."""
    return float(_sigmoid(-a / 2.0)), float(_sigmoid(a / 2.0))


def satisfaction_cutoffs(p: Satisfaction) -> tuple[float, float]:
    """Satisfaction at which a client becomes a promoter, and below which a detractor.

    The inverse of :func:`to_likelihood` at the NPS thresholds (``(threshold / 10)^(1/k)`` for
    the power map).
    """
    return from_likelihood(p.promoter_threshold, p), from_likelihood(p.detractor_threshold, p)


def satisfaction_cutoffs32(p: Satisfaction) -> tuple[np.float32, np.float32]:
    """:func:`satisfaction_cutoffs` in float32, as numpy compares them with float32 satisfaction
    (for compiled kernels, which must compare in the same precision)."""
    promoter, detractor = satisfaction_cutoffs(p)
    return np.float32(promoter), np.float32(detractor)


def market_standard(ctx: Context) -> float:
    """The service clients expect elsewhere: competitors' service plus their product's progress.

    Competitors' pace and leaps raise it (docs/ODD.md §7.3: expectations drift toward "the
    market's standard (the frontier)"); with a frozen frontier it is ``market.competitor_service``.
    """
    m = ctx.params.market
    return m.competitor_service + (ctx.firm.frontier - m.frontier_start)


def behavioural(satisfaction: np.ndarray, bonus: np.ndarray, paradox_acts: bool) -> np.ndarray:
    """Satisfaction that drives churn and word of mouth; includes the recovery bonus only if asked."""
    return np.clip(satisfaction + bonus, 0.0, 1.0) if paradox_acts else satisfaction


def step(ctx: Context) -> None:
    """Update S and E of served clients from this month's experience (compiled).

    :func:`step_numpy`'s numbers, bit for bit, in one compiled pass
    (:mod:`model.engine.kernels.satisfaction`) that writes only the served clients: over every
    row with the served mask when most are served (contiguous), over the served rows otherwise;
    no gathered copies, nothing to put back.
    """
    cl = ctx.clients
    a, b, rate, own, e_rate, keep = _float32_constants(ctx)
    kernels.update_served(
        ctx.served_idx,
        ctx.served,
        cl.experience,
        cl.expectation,
        cl.satisfaction,
        cl.paradox_bonus,
        a,
        b,
        rate,
        own,
        # The anchor's market term is a Python product (it moves with the frontier), cast once.
        np.float32((1.0 - ctx.params.satisfaction.expectation_own_weight) * market_standard(ctx)),
        e_rate,
        keep,
    )


def _float32_constants(ctx: Context) -> tuple[np.float32, ...]:
    """The rule's scalars as numpy meets them beside float32 arrays (NEP 50: cast to float32),
    formed once per market and scenario (seven conversions were a third of the phase's cost).

    ``(a, b, rate, own, expectation rate, 1 − rate)``.
    """

    def form() -> tuple[np.float32, ...]:
        p = ctx.params.satisfaction
        values = (
            p.absolute_weight,
            p.disconfirmation_weight,
            p.adjustment_rate,
            p.expectation_own_weight,
            p.expectation_rate,
            1.0 - p.adjustment_rate,
        )
        return tuple(np.float32(v) for v in values)

    return formed(ctx.clients, "satisfaction", ctx.params, form)


def step_numpy(ctx: Context) -> None:
    """Update S and E of served clients from this month's experience (the numpy reference)."""
    p = ctx.params.satisfaction
    standard = market_standard(ctx)

    def rule(x, e, s, bonus):  # type: ignore[no-untyped-def]
        target = satisfaction_target(x, e, p)
        return (
            s + np.float32(p.adjustment_rate) * (target - s),
            expectation_update(e, x, standard, p),
            # The measured-only recovery bonus fades at the same pace satisfaction adjusts.
            bonus * np.float32(1.0 - p.adjustment_rate),
        )

    ctx.update_served(
        rule,
        reads=("experience", "expectation", "satisfaction", "paradox_bonus"),
        writes=("satisfaction", "expectation", "paradox_bonus"),
    )
