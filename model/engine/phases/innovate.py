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
from model.engine.randomness import normal_from_uniform
from model.scenario import Innovation

__all__ = ["move_frontier", "poisson_quantile", "ship_decision", "step"]


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
    k = math.ceil(special.pdtrik(u, mu))
    below = max(k - 1, 0)
    return below if _cdf(below, mu) >= u else k


@lru_cache(maxsize=256)
def _cdf(k: int, mu: float) -> float:
    """``special.pdtr(k, mu)``, the CDF at ``k`` of Poisson(``mu``), kept (the rate rarely changes).

    At or below CDF(0) the full path of :func:`poisson_quantile` answers 0 too (``pdtrik`` would
    have to miss its root by more than one count to say otherwise; ``tests/test_glue_k2.py``
    checks that the two agree).
    """
    return float(special.pdtr(k, mu))


def ship_decision(
    effect: np.ndarray,
    feedback_noise: np.ndarray,
    internal_noise: np.ndarray,
    focus: float,
    p: Innovation,
) -> np.ndarray:
    """Which candidates ship, given standard-normal noise draws."""
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
        u = float(ctx.streams.uniform64("innovate.count", ctx.month, 1)[0])
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


#: A candidate's three draws, one stream each: effect, clients' feedback noise, internal noise.
_DRAWS = ("innovate.effect", "innovate.feedback_noise", "innovate.internal_noise")


def _run_candidates(ctx: Context, count: int) -> None:
    """Draw ``count`` candidates; ship or shelve each, moving quality and the novelty dip."""
    firm, p, lv = ctx.firm, ctx.params.innovation, ctx.levers
    # One stream per quantity, indexed by candidate: candidate k's effect and noises do not
    # depend on how many candidates there are (arms with different R&D stay paired).
    rows = np.arange(count)
    u = [ctx.streams.uniform_at(name, ctx.month, rows) for name in _DRAWS]
    # One inverse CDF over the three draws (element by element, so each its own numbers).
    z = normal_from_uniform(np.concatenate(u)).astype(np.float64)
    effect = p.effect_mean + p.effect_sd * z[:count]
    ships = ship_decision(effect, z[count : 2 * count], z[2 * count :], lv.client_focus, p)
    good = effect > 0
    # Quality is on a 0-1 scale: a firm at the top cannot ship past it (np.clip's numbers, on a
    # Python float, NaN and -0.0 included).
    firm.quality = move_frontier(firm.quality, float(np.add.reduce(effect[ships])))
    # The four outcomes' counts from three (integers: exact).
    shipped, good_shipped = int(np.count_nonzero(ships)), int(np.count_nonzero(ships & good))
    n_good = int(np.count_nonzero(good))
    firm.novelty_dip += p.novelty_dip * shipped
    firm.shipped_good += good_shipped
    firm.shipped_bad += shipped - good_shipped
    firm.shelved_good += n_good - good_shipped
    firm.shelved_bad += count - shipped - n_good + good_shipped
