"""Innovate: R&D candidates filtered by client focus; competitors move the frontier (docs/ODD.md §7.8).

R&D money (a share of last month's revenue) buys candidates at ``candidate_cost`` (a share of revenue)
each, a Poisson number with that mean. A candidate's true effect on quality is Normal(mean, sd) and may be
negative. Clients' feedback = effect − novelty bias + noise; the internal estimate = effect + noise.
The firm ships when ``φ·feedback + (1 − φ)·estimate > 0``. Shipping moves quality by the true effect
and dips clients' experience for a while. So client focus can filter out duds or kill good
novelties: the trade-off is found, not assumed (March 1991).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

from model.engine.context import Context
from model.engine.randomness import NORMAL_CELLS, NORMAL_TABLE
from model.scenario import Innovation

__all__ = ["move_frontier", "normal_of", "poisson_quantile", "ship_decision", "step"]


def poisson_quantile(u: float, mu: float) -> int:
    """``scipy.stats.poisson.ppf(u, mu)`` as an int, for one uniform, without the frozen-
    distribution machinery (a twentieth of the cost; the same special functions, so the same
    numbers: the smallest k with CDF(k) ≥ u, and −1 at u = 0 as scipy has it).
    """
    if not (0.0 < u < 1.0 and 0.0 < mu < math.inf):
        # Imported here: scipy.stats costs a second of every process's start-up, for edge cases.
        from scipy.stats import poisson

        return int(poisson.ppf(u, mu))
    if u <= _cdf(0, mu):  # most months at the default rate: 0, without the inverse
        return 0
    if _cdf_past_zero(mu) <= u <= _cdf(1, mu):  # most of the rest: 1, without the inverse
        return 1
    k = math.ceil(special.pdtrik(u, mu))
    below = max(k - 1, 0)
    return below if _cdf(below, mu) >= u else k


@lru_cache(maxsize=256)
def _cdf(k: int, mu: float) -> float:
    """``special.pdtr(k, mu)``, the CDF at ``k`` of Poisson(``mu``), kept (the rate rarely changes).

    At or below CDF(0) the full path of :func:`poisson_quantile` answers 0 too (``pdtrik`` would
    have to miss its root by more than one count to say otherwise; ``tests/test_glue_retain_innovate_account.py``
    checks that the two agree).
    """
    return float(special.pdtr(k, mu))


@lru_cache(maxsize=256)
def _cdf_past_zero(mu: float) -> float:
    """The ``u`` at which ``special.pdtrik(u, mu)`` has its root a hundredth of a count above 0:
    ``gammaincc(1.01, mu)``, the continuous CDF ``pdtrik`` inverts (kept, as :func:`_cdf`).

    From there up to CDF(1) the root lies in [0.01, 1], where the full path of
    :func:`poisson_quantile` answers 1 (``pdtrik`` would have to miss the root by a hundredth of
    a count to say otherwise; ``tests/test_glue_phases2.py`` checks that the two agree).
    """
    return float(special.gammaincc(1.01, mu))


def ship_decision(
    effect: np.ndarray | float,
    feedback_noise: np.ndarray | float,
    internal_noise: np.ndarray | float,
    focus: float,
    p: Innovation,
) -> np.ndarray | bool:
    """Which candidates ship, given standard-normal noise draws (arrays, or one candidate's)."""
    feedback = effect - p.novelty_bias + p.feedback_noise * feedback_noise
    estimate = effect + p.internal_noise * internal_noise
    return focus * feedback + (1.0 - focus) * estimate > 0.0


def move_frontier(frontier: float, step: float) -> float:
    """The competitors' frontier after moving by ``step``, kept on the 0–1 quality scale."""
    return float(min(max(frontier + step, 0.0), 1.0))


def step(ctx: Context) -> None:
    """Run this month's candidates, move product quality and the competitors' frontier."""
    firm, p, lv = ctx.firm, ctx.params.innovation, ctx.levers
    firm.novelty_dip *= 1.0 - p.novelty_dip_decay
    budget = lv.rd_share * firm.ledger.get("last_revenue", 0.0)
    count = 0
    if budget > 0:  # (no draw otherwise: the month's count is 0 whatever it would be)
        # A Python float: scipy's functions and the comparisons cost less on it (the same value).
        u = ctx.streams.uniform64_one("innovate.count", ctx.month)
        # A candidate costs a share of revenue, so R&D productivity does not depend on firm size.
        count = poisson_quantile(u, lv.rd_share / p.candidate_cost)
    if count:
        _run_candidates(ctx, count)
    ctx.tally["candidates"] = count
    # Competitors move on for next month (a scheduled leap lands at the start of its month),
    # within the 0-1 quality scale; a market held still (a closed cohort) does not move.
    market = ctx.params.market
    if not market.hold_still:
        firm.frontier = move_frontier(firm.frontier, market.competitor_pace)
    ctx.ledger["rd"] += budget


def normal_of(u: float) -> float:
    """:func:`~model.engine.randomness.normal_from_uniform` of one float32 uniform ``u`` (given
    as a Python float), as a Python float: its table's cell, found without an array.

    Its cell is ``u · 2¹⁶`` truncated (exact in float64 as in float32: a power-of-two scaling of a
    24-bit fraction), at most the last cell.
    """
    return NORMAL_TABLE.item(min(int(u * NORMAL_CELLS), NORMAL_CELLS - 1))


#: A candidate's three draws, one stream each: effect, clients' feedback noise, internal noise.
_DRAWS = ("innovate.effect", "innovate.feedback_noise", "innovate.internal_noise")


def _run_candidates(ctx: Context, count: int) -> None:
    """Draw ``count`` candidates; ship or shelve each, moving quality and the novelty dip."""
    firm, p, lv = ctx.firm, ctx.params.innovation, ctx.levers
    # One stream per quantity, indexed by candidate: candidate k's effect and noises do not
    # depend on how many candidates there are (arms with different R&D stay paired).
    rows = np.arange(count)
    # Candidate by candidate on Python floats: a month has one or two, and a numpy call on
    # arrays that short costs more than its arithmetic (the same float64 operations in the same
    # order: the same numbers).
    z_effect, z_feedback, z_internal = (
        [normal_of(u) for u in ctx.streams.uniform_at(name, ctx.month, rows).tolist()]
        for name in _DRAWS
    )
    shipped_effects: list[float] = []
    n_good = good_shipped = 0
    for k in range(count):
        effect = p.effect_mean + p.effect_sd * z_effect[k]
        good = effect > 0
        n_good += good
        if ship_decision(effect, z_feedback[k], z_internal[k], lv.client_focus, p):
            shipped_effects.append(effect)
            good_shipped += good
    # Quality is on a 0-1 scale: a firm at the top cannot ship past it (np.clip's numbers, on a
    # Python float, NaN and -0.0 included). The shipped effects are summed by numpy, in its order.
    total = float(np.add.reduce(np.array(shipped_effects))) if shipped_effects else 0.0
    firm.quality = move_frontier(firm.quality, total)
    shipped = len(shipped_effects)
    firm.novelty_dip += p.novelty_dip * shipped
    firm.shipped_good += good_shipped
    firm.shipped_bad += shipped - good_shipped
    firm.shelved_good += n_good - good_shipped
    firm.shelved_bad += count - shipped - n_good + good_shipped
