"""Account: the month's ledger, per-client attribution and NPV (docs/ODD.md §7.9).

**Timing convention.** Clients served this month who stay pay their month's spend at its end
(a churner is served its last month and does not renew). Service and fixes are paid for everyone
served. Cash flows of month t are discounted by (1 + i_m)^−t, i_m the monthly rate equivalent to
the annual discount rate. A cohort with constant retention r and margin m is then worth
m·r/(1 + i − r) at time 0 — the margin multiple with margin at period end (see
:func:`model.studies.closed_forms.margin_multiple`).

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

from model.engine.context import LEDGER_LINES, Context
from model.engine.kernels import account as kernels
from model.engine.ledger import EQUAL_LINES, REVENUE_LINES, acquisition_spend, monthly_overhead
from model.engine.ledger_pass import ledger_arguments, tenure_power
from model.scenario import LoyaltyEconomics, Service

__all__ = [
    "cost_shares",
    "monthly_overhead",
    "monthly_rate",
    "record_month",
    "service_cost",
    "step",
    "step_numpy",
    "tenure_multiplier",
]


def monthly_rate(annual: float) -> float:
    """The monthly discount rate equivalent to an annual one."""
    return (1.0 + annual) ** (1.0 / 12.0) - 1.0


def tenure_multiplier(
    tenure_months: np.ndarray, rate: float, p: LoyaltyEconomics
) -> np.ndarray | float:
    """(1 + rate)^years of tenure, with years capped at the loyalty horizon (1.0 when rate = 0)."""
    if rate == 0:
        return 1.0  # the default: skip a power over every served client
    tenure_months = np.asarray(tenure_months)
    if tenure_months.dtype.kind in "iu" and tenure_months.size > 64:
        # Tenure is whole months: one power per month of tenure, then a gather.
        months = np.arange(int(tenure_months.max(initial=0)) + 1)
        # np.take with a native-width index: numpy converts an int16 index far more slowly.
        return np.take(
            tenure_power(months, rate, p.horizon_years), tenure_months.astype(np.intp, copy=False)
        )
    return tenure_power(tenure_months, rate, p.horizon_years)


def service_cost(
    level: float, base_spend: np.ndarray | float, svc: Service, spend_mean: float
) -> np.ndarray | float:
    """A month's cost to serve a client at service ``level``, before the tenure trend (currency).

    ``svc.cost_form`` picks the form: ``"flat"`` — ``cost_per_client · level²`` for every client
    (a scalar; the default); ``"share_of_spend"`` — that times the client's base spend over
    ``market.spend_mean``, so the mean is the same but big spenders cost more to serve.
    """
    per_client = svc.cost_per_client * level**2
    if svc.cost_form == "flat":
        return per_client
    return per_client * (np.asarray(base_spend, dtype=np.float64) / spend_mean)


def _shared_charges(ctx: Context, n: int, total_revenue: float) -> tuple[float, float, float]:
    """How the month's shared costs fall on the clients served, and what is left unattributed.

    Acquisition costs go to this month's joiners (charged here, directly); R&D in proportion to
    revenue; the rest equally. Returns ``(per_client, per_revenue, unattributed)``: each served
    client is charged ``per_client + per_revenue × its revenue``.
    """
    cl, led = ctx.clients, ctx.ledger
    joiners = np.flatnonzero(cl.joins)
    if joiners.size:
        cl.value[joiners] -= acquisition_spend(led) / joiners.size
    return cost_shares(led, n, total_revenue, joiners.size)


def cost_shares(
    led: dict[str, float], n: int, total_revenue: float, joiners: int
) -> tuple[float, float, float]:
    """:func:`_shared_charges`' split once the ``joiners`` (a count) have paid for acquisition
    (also read after a month, to take a client's share of the shared costs back out of its
    attributed profit and leave its contribution).

    Returns ``(per_client, per_revenue, unattributed)`` in currency, share and currency.
    """
    equal = sum(map(led.__getitem__, EQUAL_LINES))  # (map: a generator's sum, cheaper)
    acquisition = 0.0 if joiners else acquisition_spend(led)
    by_revenue = sum(map(led.__getitem__, REVENUE_LINES))
    if n == 0:
        return 0.0, 0.0, equal + acquisition + by_revenue
    if total_revenue > 0:
        return (equal + acquisition) / n, by_revenue / total_revenue, 0.0
    return (equal + acquisition + by_revenue) / n, 0.0, 0.0


def step(ctx: Context) -> None:
    """Book revenue and every cost line; attribute them to clients; update NPV (compiled).

    :func:`step_numpy`'s numbers, bit for bit: one compiled pass prices the served clients'
    month and sums it as numpy does, and a second pass books it into the clients' cumulative
    values.
    """
    cl, p, led = ctx.clients, ctx.params, ctx.ledger
    args = ledger_arguments(ctx)
    # (The joiners pay for acquisition in the same call: see _shared_charges. The kernel's sums
    # are np.add.reduce's: kernels.reduce.)
    sums = kernels.ledger_pass(*args.ledger, acquisition_spend(led))
    paying, joiners, total_revenue, total_volume, service_sum, contribution_total, members = sums
    rate, per_client, n = args.discount_rate, args.per_client, args.idx.size
    led["cogs"] += p.economics.cogs_share * total_volume
    led["service"] += service_sum if args.service_per_client else per_client * n
    led["discounts"] += rate * members  # (members: total_revenue when everyone is a member)
    led["overhead"] += args.overhead

    per_client_charge, per_revenue, unattributed = cost_shares(led, n, total_revenue, joiners)
    kernels.attribute(
        args.idx, args.contribution, args.revenue, cl.referrer, per_client_charge, per_revenue,
        p.word_of_mouth.referral_credit_share, ctx.charged_unserved, cl.direct_cost, cl.value,
        cl.revenue_total,
    )  # fmt: skip
    _close_month(ctx, total_revenue, unattributed, paying, contribution_total)
    ctx.client_revenue = args.revenue


def record_month(
    ctx: Context,
    total_revenue: float,
    profit: float,
    unattributed: float,
    paying: int,
    contribution: float,
) -> None:
    """The month's revenue and profit where the model keeps them (``ctx.revenue``, the firm's
    last revenue, which R&D spends a share of next month) and the account phase's tallies."""
    ctx.revenue = total_revenue
    ctx.firm.ledger["last_revenue"] = total_revenue
    ctx.tally.update(
        revenue=total_revenue,
        profit=profit,
        unattributed=unattributed,
        paying=paying,
        contribution=contribution,
    )


def _close_month(
    ctx: Context, total_revenue: float, unattributed: float, paying: int, contribution: float
) -> None:
    """Profit, NPV and the month's tally from the booked ledger (currency)."""
    p, led = ctx.params, ctx.ledger
    # (Python's sum() of floats compensates its rounding since 3.12: the kernel of the fused
    # month's end, model.engine.kernels.month_end.python_sum, does the same)
    costs = sum(map(led.__getitem__, LEDGER_LINES))
    profit = total_revenue - costs
    ctx.firm.npv += profit / (1.0 + monthly_rate(p.economics.discount_rate)) ** ctx.month
    record_month(ctx, total_revenue, profit, unattributed, paying, contribution)


def step_numpy(ctx: Context) -> None:
    """Book revenue and every cost line; attribute them to clients; update NPV (the numpy reference).

    :func:`step` computes the same numbers, bit for bit, in two compiled passes.
    """
    cl, p, lv, led = ctx.clients, ctx.params, ctx.levers, ctx.ledger
    le, cogs_share = p.loyalty_economics, p.economics.cogs_share
    idx = ctx.served_idx
    trends = le.spend_growth or le.price_premium or le.serve_cost_trend
    # Tenure as a native-width index for the per-month tables (read only if a trend is on).
    tenure = cl.tenure[idx].astype(np.intp) if trends else np.zeros(0, np.intp)
    pays = np.logical_not(cl.leaves[idx])
    volume = cl.spend[idx].astype(np.float64)  # money is float64
    volume *= pays  # a bool factor: cheaper than np.where over every served client
    if le.spend_growth:
        volume *= tenure_multiplier(tenure, le.spend_growth, le)
    # A price premium raises what the volume is sold for, and so is pure margin.
    premium = le.price_premium != 0
    revenue = volume * tenure_multiplier(tenure, le.price_premium, le) if premium else volume
    total_revenue = float(revenue.sum())
    total_volume = float(volume.sum()) if premium else total_revenue

    # Contribution = revenue - cost of goods - loyalty discount - service - direct costs.
    rate = lv.loyalty_discount
    everyone = p.targeting.loyalty == "all"  # the programme's members: all served, by default
    if everyone:
        keep = 1.0 - rate
        discount_total = rate * total_revenue
    else:
        enrolled = ctx.targeted["loyalty"][idx]
        keep = 1.0 - rate * enrolled
        # Summed pairwise as every sum here, not by a BLAS dot product: its order depends on the
        # machine and on how many threads BLAS runs, and so would the run's numbers.
        discount_total = rate * float(np.add.reduce(revenue * enrolled))
    if premium:
        contribution = revenue * keep
        contribution -= cogs_share * volume
    else:  # revenue is the volume: one pass
        contribution = revenue * (keep - cogs_share)
    # (the served clients' spend is gathered only if the cost form reads it)
    spend = cl.spend[idx] if p.service.cost_form != "flat" else 0.0
    per_client = service_cost(lv.service_level, spend, p.service, p.market.spend_mean)
    if le.serve_cost_trend or np.ndim(per_client):
        service = per_client * tenure_multiplier(tenure, le.serve_cost_trend, le)
        service_total = float(service.sum())
    else:  # one cost for everyone served: a scalar, no per-client pass
        service, service_total = per_client, per_client * idx.size
    contribution -= service
    contribution -= cl.direct_cost[idx]
    led["cogs"] += cogs_share * total_volume
    led["service"] += service_total
    led["discounts"] += discount_total
    led["overhead"] += monthly_overhead(p)

    # What each client is credited with: its contribution less its share of the shared costs,
    # less the share of it (rho) credited to the client who referred it.
    per_client_charge, per_revenue, unattributed = _shared_charges(ctx, idx.size, total_revenue)
    own = contribution - per_client_charge
    if per_revenue:
        own -= per_revenue * revenue
    rho = p.word_of_mouth.referral_credit_share
    if rho > 0:
        credited = np.flatnonzero(cl.referrer[idx] >= 0)
        credit = rho * contribution[credited]
        own[credited] -= credit
        np.add.at(cl.value, cl.referrer[idx[credited]], credit)
    cl.value[idx] += own
    # Direct costs on clients not served this month (lapsed ones won back at a cost).
    unserved = ctx.charged_unserved
    cl.value[unserved] -= cl.direct_cost[unserved]
    cl.revenue_total[idx] += revenue
    _close_month(
        ctx, total_revenue, unattributed, int(np.count_nonzero(pays)), float(contribution.sum())
    )
    ctx.client_revenue = revenue
