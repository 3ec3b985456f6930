"""Resolve: apply the month's requested stage changes in one place, and age everyone a month.

Leavers become LAPSED (remembering why), joiners and returners ACTIVE with fresh satisfaction;
LOYAL is relabelled from tenure and satisfaction. The flows are counted here, so stocks change
only by recorded flows.
"""

from __future__ import annotations

import numpy as np

from model.context import Context
from model.state import Source, Stage

__all__ = ["step"]


def step(ctx: Context) -> None:
    """Apply leaves, joins and returns; advance tenure and months lapsed; relabel LOYAL."""
    cl, p = ctx.clients, ctx.params
    leaves, joins, returns = cl.leaves, cl.joins, cl.returns
    lapsed_before = cl.stage == Stage.LAPSED

    ctx.tally.update(
        churned=int(np.count_nonzero(leaves)),
        acquired=int(np.count_nonzero(joins)),
        acquired_referral=int(np.count_nonzero(joins & (cl.aware_source == Source.REFERRAL))),
        won_back=int(np.count_nonzero(returns)),
    )
    stayed = ctx.served & ~leaves
    cl.tenure[stayed] += 1
    cl.months_lapsed[lapsed_before & ~returns] += 1

    cl.stage[leaves] = Stage.LAPSED
    cl.months_lapsed[leaves] = 0

    arriving = joins | returns
    cl.stage[arriving] = Stage.ACTIVE
    cl.tenure[arriving] = 0
    cl.satisfaction[arriving] = p.satisfaction.initial
    cl.expectation[arriving] = p.satisfaction.initial
    cl.paradox_bonus[arriving] = 0.0
    cl.left_reason[arriving] = 0
    cl.aware[joins] = False
    cl.acquired_month[joins] = ctx.month  # a prospect joins once: its first acquisition

    active = stayed | arriving
    loyal = (cl.tenure >= p.retain.loyal_tenure_months) & (
        cl.satisfaction >= p.retain.loyal_satisfaction
    )
    cl.stage[active] = np.where(loyal[active], Stage.LOYAL, Stage.ACTIVE)
