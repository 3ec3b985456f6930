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

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from model.engine.context import LEDGER_LINES, Context
from model.engine.kernels import account as kernels
from model.engine.ledger import EQUAL_LINES, REVENUE_LINES, acquisition_spend
from model.engine.scratch import formed
from model.scenario import LoyaltyEconomics, Scenario, Service

__all__ = [
    "Constants",
    "LedgerArguments",
    "constants",
    "cost_shares",
    "ledger_arguments",
    "monthly_overhead",
    "monthly_rate",
    "service_cost",
    "step",
    "step_numpy",
    "tenure_multiplier",
    "tenure_tables",
]


def monthly_overhead(p: Scenario) -> float:
    """The general overhead booked each month (currency): ``economics.fixed_overhead`` plus
    ``economics.overhead_share`` of the revenue the initial clients bring in a month
    (``market.clients · initial_active_share · spend_mean``).

    A fixed cost: it scales with the market, not with how many clients the firm keeps, so a
    claim's arms on the same market book the same overhead (docs/ODD.md §7.9).
    """
    e, m = p.economics, p.market
    return e.fixed_overhead + e.overhead_share * (m.clients * m.initial_active_share * m.spend_mean)


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
            _multiplier(months, rate, p.horizon_years), tenure_months.astype(np.intp, copy=False)
        )
    return _multiplier(tenure_months, rate, p.horizon_years)


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


def _multiplier(tenure_months: np.ndarray, rate: float, horizon_years: float) -> np.ndarray:
    years = np.minimum(tenure_months / 12.0, horizon_years)
    return np.power(1.0 + rate, years)


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


_NO_FLOATS = np.zeros(0, np.float64)  # an array a pass does not read or write
_NO_FLAGS = np.zeros(0, np.bool_)


def tenure_tables(ctx: Context, rates: tuple[float, float, float]) -> tuple[np.ndarray, ...]:
    """The multipliers of each tenure trend in ``rates``, as :func:`tenure_multiplier` computes them.

    One float64 table by month of tenure per rate (unused for a zero rate), kept: it serves any
    number of clients served, as a power's value does not depend on the array it is taken over
    (``tests/test_glue_phases2.py`` checks the tables against :func:`tenure_multiplier` of a few
    clients, which takes one power per client), and a few powers every month cost a small
    market more than its ledger pass.
    """
    if not any(rates):
        return (_NO_FLOATS,) * 3
    months = kernels.served_max(ctx.clients.tenure, ctx.served_idx) + 1
    horizon = ctx.params.loyalty_economics.horizon_years
    return _tables(rates, horizon, _table_length(months))


def _tenure_table(rate: float, horizon_years: float, months: int) -> np.ndarray:
    """:func:`_multiplier` at tenures 0, 1, … of at least ``months`` entries (read-only, shared).

    Kept by rate, horizon and a power-of-two length: a month's table is the same every month
    but one entry longer, and recomputing its powers cost more than the month's ledger pass.
    Element *i* is ``(1 + rate)^min(i / 12, horizon)`` whatever the table's length (numpy's power
    is element-wise; ``tests/test_kernels_account_metrics.py`` checks the prefixes).
    """
    return _tenure_table_of_length(rate, horizon_years, _table_length(months))


def _table_length(months: int) -> int:
    """The kept length of a table of at least ``months`` entries: a power of two, at least 256."""
    return max(256, 1 << (months - 1).bit_length())


@lru_cache(maxsize=64)
def _tenure_table_of_length(rate: float, horizon_years: float, length: int) -> np.ndarray:
    table = _multiplier(np.arange(length), rate, horizon_years)
    table.flags.writeable = False
    return table


@lru_cache(maxsize=64)
def _tables(
    rates: tuple[float, float, float], horizon_years: float, months: int
) -> tuple[np.ndarray, ...]:
    """:func:`_tenure_table` of each rate (``_NO_FLOATS`` for a zero one), kept as one tuple.

    Call it with ``months`` a kept length (:func:`_table_length`), so that a month's lookup hits.
    """
    return tuple(
        _tenure_table(rate, horizon_years, months) if rate else _NO_FLOATS for rate in rates
    )


@lru_cache(maxsize=64)
def _flags(*flags: bool) -> np.ndarray:
    """:func:`~model.engine.kernels.account.ledger_pass`' flags as its array (kept: read-only)."""
    array = np.array(flags, np.bool_)
    array.flags.writeable = False
    return array


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
    rate, per_client, n = args.discount_rate, args.per_client, args.ledger[0].size
    led["cogs"] += p.economics.cogs_share * total_volume
    led["service"] += service_sum if args.service_per_client else per_client * n
    led["discounts"] += rate * members  # (members: total_revenue when everyone is a member)
    led["overhead"] += args.overhead

    per_client_charge, per_revenue, unattributed = cost_shares(led, n, total_revenue, joiners)
    kernels.attribute(
        args.ledger[0], args.ledger[17], args.ledger[16], cl.referrer, per_client_charge,
        per_revenue, p.word_of_mouth.referral_credit_share, ctx.charged_unserved,
        cl.direct_cost, cl.value, cl.revenue_total,
    )  # fmt: skip
    _close_month(ctx, total_revenue, unattributed, paying, contribution_total)
    ctx.client_revenue = args.ledger[16]


class LedgerArguments(NamedTuple):
    """What the account phase hands its compiled passes (:func:`ledger_arguments`)."""

    #: :func:`~model.engine.kernels.account.ledger_pass`' arguments but the last (the month's
    #: acquisition spend): the served rows first, the month's ``revenue`` (a fresh array, kept
    #: as ``ctx.client_revenue``) at 16 and ``contribution`` at 17.
    ledger: tuple
    discount_rate: float  # the loyalty discount (share)
    per_client: float  # the month's cost to serve one client before its form and trend (currency)
    service_per_client: bool  # whether the cost to serve differs by client (an array is summed)
    overhead: float  # monthly_overhead (currency)


def ledger_arguments(ctx: Context) -> LedgerArguments:
    """The ledger pass's arguments for this month (its work rows taken from the context's block)."""
    cl, lv = ctx.clients, ctx.levers
    c = formed(cl, "account", ctx.params, lambda: constants(ctx.params))
    idx = ctx.served_idx
    n = idx.size
    growth, premium_table, trend = tenure_tables(ctx, c.rates)
    rate = lv.loyalty_discount
    per_client = c.cost_per_client * lv.service_level**2  # service_cost before its form
    # Kept past the month (ctx.client_revenue): a fresh array, of the market's length whatever
    # the count served, made once last month's is let go (the allocator then reuses its block).
    ctx.client_revenue = _NO_FLOATS
    revenue = np.empty(cl.n)[:n]
    # The rest lives only in this phase: work rows of the context's block (no fresh arrays), one
    # for each of contribution, volume, service and the programme members' revenue that the
    # scenario needs (the first always; at 10⁶ clients a row is 8 MB).
    contribution, volume, service, members_revenue = _work_rows(ctx.work64(c.rows), c.needed, n)
    ledger = (
        idx, cl.spend, cl.leaves, cl.direct_cost, cl.tenure, growth, premium_table, trend,
        _NO_FLAGS if c.everyone else ctx.targeted["loyalty"], 1.0 - rate, rate, c.cogs_share,
        per_client, c.spend_mean, c.flags, volume, revenue, contribution, service,
        members_revenue, cl.joins, cl.value,
    )  # fmt: skip
    return LedgerArguments(ledger, rate, per_client, c.service_per_client, c.overhead)


class Constants(NamedTuple):
    """The ledger pass's arguments that depend on the scenario only (:func:`constants`)."""

    rates: tuple[float, float, float]  # spend growth, price premium, cost to serve trend
    everyone: bool  # whether every client served is in the loyalty programme
    service_per_client: bool  # whether the cost to serve differs by client
    cost_per_client: float  # service.cost_per_client (currency/month)
    cogs_share: float
    spend_mean: float
    overhead: float  # monthly_overhead (currency)
    flags: np.ndarray  # the pass's flags (read-only)
    needed: tuple[bool, bool, bool, bool]  # which work rows the pass writes (_work_rows)
    rows: int  # how many


def constants(p: Scenario) -> Constants:
    """:class:`Constants` of a scenario (kept per market and scenario: ``formed``)."""
    le, svc = p.loyalty_economics, p.service
    premium = le.price_premium != 0
    everyone = p.targeting.loyalty == "all"
    share_of_spend = svc.cost_form != "flat"
    service_per_client = bool(le.serve_cost_trend) or share_of_spend
    needed = (True, premium, service_per_client, not everyone)
    flags = _flags(
        bool(le.spend_growth), premium, everyone, share_of_spend, bool(le.serve_cost_trend),
        service_per_client,
    )  # fmt: skip
    return Constants(
        (le.spend_growth, le.price_premium, le.serve_cost_trend), everyone, service_per_client,
        svc.cost_per_client, p.economics.cogs_share, p.market.spend_mean, monthly_overhead(p),
        flags, needed, sum(needed),
    )  # fmt: skip


def _work_rows(work: np.ndarray, needed: tuple[bool, ...], n: int) -> list[np.ndarray]:
    """The first ``n`` of each needed work row in turn (an empty array for the others)."""
    rows, k = [], 0
    for need in needed:
        rows.append(work[k, :n] if need else _NO_FLOATS)
        k += need
    return rows


def _close_month(
    ctx: Context, total_revenue: float, unattributed: float, paying: int, contribution: float
) -> None:
    """Profit, NPV and the month's tally from the booked ledger (currency)."""
    p, led = ctx.params, ctx.ledger
    costs = sum(map(led.__getitem__, LEDGER_LINES))
    profit = total_revenue - costs
    ctx.revenue = total_revenue
    ctx.firm.ledger["last_revenue"] = total_revenue
    ctx.firm.npv += profit / (1.0 + monthly_rate(p.economics.discount_rate)) ** ctx.month
    ctx.tally.update(
        revenue=total_revenue,
        profit=profit,
        unattributed=unattributed,
        paying=paying,
        contribution=contribution,
    )


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
