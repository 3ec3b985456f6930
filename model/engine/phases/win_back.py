"""Win back: lapsed clients return (docs/ODD.md §7.7).

Chance = natural return + (targeted) r_max·(1 − e^(−spend/scale))·e^(−months lapsed/decay)
× (bad-service factor if they left over service), × (1 + boost) if a friend spoke well this month,
× the warning factor if someone warned them.
"""

from __future__ import annotations

import numpy as np

from model.engine.context import Context
from model.engine.phases.staff import saturating
from model.engine.state import Reason, Stage
from model.scenario import WinBack

__all__ = ["return_probability", "step"]


def return_probability(
    months_lapsed: np.ndarray,
    bad_service: np.ndarray,
    spend: np.ndarray,
    heard_positive: np.ndarray,
    warned_factor: np.ndarray,
    boost: float,
    p: WinBack,
) -> np.ndarray:
    """Monthly chance a lapsed client comes back."""
    prompted = (
        p.return_max
        * saturating(spend, p.spend_scale)
        * np.exp(-months_lapsed / p.decay_months)
        * np.where(bad_service, p.bad_service_factor, 1.0)
    )
    base = (p.natural_return + prompted) * (1.0 + boost * heard_positive) * warned_factor
    return np.clip(base, 0.0, 1.0)


def step(ctx: Context) -> None:
    """Spend on targeted lapsed clients; mark those who return (``clients.returns``)."""
    cl, p, lv = ctx.clients, ctx.params, ctx.levers
    idx = np.flatnonzero(cl.stage == Stage.LAPSED)
    spend = np.where(ctx.targeted["winback"][idx], lv.winback_spend, 0.0)
    w = p.word_of_mouth
    warned = np.where(cl.heard_negative[idx], w.negative_conversion_factor, 1.0)
    prob = return_probability(
        cl.months_lapsed[idx],
        cl.left_reason[idx] == Reason.BAD_SERVICE,
        spend,
        cl.heard_positive[idx],
        warned,
        w.return_boost if w.enabled else 0.0,
        p.win_back,
    )
    back = ctx.uniform("winback.return")[idx] < prob
    cl.returns[idx[back]] = True
    cl.direct_cost[idx] += spend
    ctx.charged_unserved = idx[spend > 0]  # lapsed, so not served: account charges them apart
    ctx.ledger["winback"] += float(spend.sum())
    ctx.tally["winback_targeted"] = int(np.count_nonzero(spend))
