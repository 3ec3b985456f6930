"""Account: the month's ledger, per-client attribution and NPV (DESIGN §2 step 9).

**Timing convention.** Clients served this month who stay pay their month's spend at its end
(a churner is served its last month and does not renew). Service and fixes are paid for everyone
served. Cash flows of month t are discounted by (1 + i_m)^−t, i_m the monthly rate equivalent to
the annual discount rate. A cohort with constant retention r and margin m is then worth
m·r/(1 + i − r) at time 0 — the margin multiple with margin at period end (see
:func:`model.economics.margin_multiple`).

**Loyalty economics.** Spend growth with tenure raises what a client buys (and its cost of goods);
a price premium raises the price of it, so it is pure margin; cost to serve follows its own trend.

**Attribution.** Each client's contribution (its revenue minus its cost of goods, service, discounts,
fixes and win-back) is its own, except a share ``referral_credit_share`` credited to the client that
referred it. Shared costs follow what causes them: marketing and onboarding are charged to the
month's new clients (acquisition cost belongs to the acquired), R&D in proportion to revenue (it is
a share of revenue), and staff, training, hiring and overhead equally to the clients served. So
per-client values sum to the firm's profit exactly and no margin is counted twice; what has nobody
to be charged to (no joiners, no revenue, nobody served) falls to the clients served, or, in a month
with nobody served, is booked as ``unattributed``.
"""

from __future__ import annotations

import numpy as np

from model.context import LEDGER_LINES, Context
from model.params import LoyaltyEconomics
from model.targeting import segment_mask

__all__ = ["monthly_rate", "step", "tenure_multiplier"]


def monthly_rate(annual: float) -> float:
    """The monthly discount rate equivalent to an annual one."""
    return (1.0 + annual) ** (1.0 / 12.0) - 1.0


def tenure_multiplier(
    tenure_months: np.ndarray, rate: float, p: LoyaltyEconomics
) -> np.ndarray | float:
    """(1 + rate)^years of tenure, with years capped at the loyalty horizon (1.0 when rate = 0)."""
    if rate == 0:
        return 1.0  # the default: skip a power over every served client
    years = np.minimum(tenure_months / 12.0, p.horizon_years)
    return np.power(1.0 + rate, years)


def _shared_charges(ctx: Context, idx: np.ndarray, revenue: np.ndarray) -> tuple[np.ndarray, float]:
    """Each served client's share of the month's shared costs, and what is left unattributed.

    Acquisition costs go to this month's joiners (charged directly); R&D by revenue; the rest
    equally. Returns the charge per served client (aligned with ``idx``).
    """
    cl, led = ctx.clients, ctx.ledger
    n = idx.size
    equal = sum(led[k] for k in ("staff", "training", "hiring", "overhead"))
    acquisition = led["marketing"] + led["onboarding"]
    joiners = np.flatnonzero(cl.joins)
    if joiners.size:
        cl.value[joiners] -= acquisition / joiners.size
        acquisition = 0.0
    if n == 0:
        return np.zeros(0), equal + acquisition + led["rd"]
    total = float(revenue.sum())
    rd = led["rd"] * revenue / total if total > 0 else led["rd"] / n
    return (equal + acquisition) / n + rd, 0.0


def step(ctx: Context) -> None:
    """Book revenue and every cost line; attribute them to clients; update NPV."""
    cl, p, lv, led = ctx.clients, ctx.params, ctx.levers, ctx.ledger
    le = p.loyalty_economics
    idx = ctx.served_idx
    tenure = cl.tenure[idx]
    pays = ~cl.leaves[idx]
    spend = cl.spend[idx].astype(np.float64)  # money is float64
    volume = np.where(pays, spend * tenure_multiplier(tenure, le.spend_growth, le), 0.0)
    revenue = volume * tenure_multiplier(tenure, le.price_premium, le)
    cogs = p.economics.cogs_share * volume  # a price premium carries no cost of goods
    enrolled = segment_mask(cl, ctx.served, p.targeting.loyalty, p.targeting.share)[idx]
    discount = np.where(enrolled, lv.loyalty_discount, 0.0) * revenue
    per_client = p.service.cost_per_client * lv.service_level**2
    service = np.broadcast_to(
        per_client * tenure_multiplier(tenure, le.serve_cost_trend, le), idx.shape
    )
    led["cogs"] += float(cogs.sum())
    led["service"] += float(service.sum())
    led["discounts"] += float(discount.sum())
    led["overhead"] += p.economics.fixed_overhead
    contribution = revenue - cogs - service - discount - cl.direct_cost[idx]

    # Referral credit: a share of a referred client's contribution goes to its referrer.
    rho = p.word_of_mouth.referral_credit_share
    ref = cl.referrer[idx]
    credited = (ref >= 0) & (rho > 0)
    own = np.where(credited, (1.0 - rho) * contribution, contribution)
    charge, unattributed = _shared_charges(ctx, idx, revenue)
    cl.value[idx] += own - charge
    np.add.at(cl.value, ref[credited], rho * contribution[credited])
    # Direct costs on clients not served this month (lapsed ones won back at a cost).
    unserved = np.flatnonzero((cl.direct_cost != 0) & ~ctx.served)
    cl.value[unserved] -= cl.direct_cost[unserved]
    cl.revenue_total[idx] += revenue

    total_revenue = float(revenue.sum())
    costs = sum(led[k] for k in LEDGER_LINES)
    profit = total_revenue - costs
    ctx.revenue = total_revenue
    ctx.client_revenue = revenue
    ctx.firm.ledger["last_revenue"] = total_revenue
    ctx.firm.npv += profit / (1.0 + monthly_rate(p.economics.discount_rate)) ** ctx.month
    ctx.tally.update(
        revenue=total_revenue,
        profit=profit,
        unattributed=unattributed,
        paying=int(pays.sum()),
        contribution=float(contribution.sum()),
    )
