"""What the account phase's compiled ledger pass is handed: its arguments, month by month.

The ledger pass (:func:`model.engine.kernels.account.ledger_pass`) prices each served client's
month. Its arguments are built here once for both the callers that run it — the account phase
(:func:`model.engine.phases.account.step`) and the compiled month's end
(:mod:`model.engine.month_end`) — from what the scenario fixes (:func:`constants`, kept per
market and scenario), the tenure trends' tables (:func:`tenure_tables`, kept by length) and the
month's own values (:func:`ledger_arguments`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from model.engine.context import Context
from model.engine.kernels import account as kernels
from model.engine.ledger import monthly_overhead
from model.engine.scratch import formed
from model.scenario import Levers, Scenario

__all__ = [
    "Constants",
    "LedgerArguments",
    "constants",
    "fresh_revenue",
    "ledger_arguments",
    "members",
    "tenure_power",
    "tenure_tables",
]


def tenure_power(tenure_months: np.ndarray, rate: float, horizon_years: float) -> np.ndarray:
    """``(1 + rate)^min(tenure / 12, horizon)`` element by element (numpy's power)."""
    years = np.minimum(tenure_months / 12.0, horizon_years)
    return np.power(1.0 + rate, years)


_NO_FLOATS = np.zeros(0, np.float64)  # an array a pass does not read or write
_NO_FLAGS = np.zeros(0, np.bool_)
# A zero rate's tenure table: read-only, as the kept tables are, so a kernel that takes the
# three tables is compiled once whichever trends are on (numba types a read-only array apart).
_NO_TABLE = np.zeros(0, np.float64)
_NO_TABLE.flags.writeable = False


def tenure_tables(ctx: Context, rates: tuple[float, float, float]) -> tuple[np.ndarray, ...]:
    """The multipliers of each tenure trend in ``rates``, as :func:`model.engine.phases.account.tenure_multiplier` computes them.

    One float64 table by month of tenure per rate (unused for a zero rate), kept: it serves any
    number of clients served, as a power's value does not depend on the array it is taken over
    (``tests/test_glue_phases2.py`` checks the tables against :func:`~model.engine.phases.account.tenure_multiplier` of a few
    clients, which takes one power per client), and a few powers every month cost a small
    market more than its ledger pass.
    """
    if not any(rates):
        return (_NO_TABLE,) * 3
    months = kernels.served_max(ctx.clients.tenure, ctx.served_idx) + 1
    horizon = ctx.params.loyalty_economics.horizon_years
    return _tables(rates, horizon, _table_length(months))


def _tenure_table(rate: float, horizon_years: float, months: int) -> np.ndarray:
    """:func:`tenure_power` at tenures 0, 1, … of at least ``months`` entries (read-only, shared).

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
    table = tenure_power(np.arange(length), rate, horizon_years)
    table.flags.writeable = False
    return table


@lru_cache(maxsize=64)
def _tables(
    rates: tuple[float, float, float], horizon_years: float, months: int
) -> tuple[np.ndarray, ...]:
    """:func:`_tenure_table` of each rate (``_NO_TABLE`` for a zero one), kept as one tuple.

    Call it with ``months`` a kept length (:func:`_table_length`), so that a month's lookup hits.
    """
    return tuple(
        _tenure_table(rate, horizon_years, months) if rate else _NO_TABLE for rate in rates
    )


@lru_cache(maxsize=64)
def _flags(*flags: bool) -> np.ndarray:
    """:func:`~model.engine.kernels.account.ledger_pass`' flags as its array (kept: read-only)."""
    array = np.array(flags, np.bool_)
    array.flags.writeable = False
    return array


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

    def per_client(self, levers: Levers) -> float:
        """The month's cost to serve one client before its form and trend (currency):
        :func:`service_cost`'s ``cost_per_client · level²``."""
        return self.cost_per_client * levers.service_level**2


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

    @property
    def idx(self) -> np.ndarray:
        """The served rows."""
        return self.ledger[0]

    @property
    def revenue(self) -> np.ndarray:
        """This month's revenue per served client (written by the pass)."""
        return self.ledger[16]

    @property
    def contribution(self) -> np.ndarray:
        """This month's contribution per served client (written by the pass)."""
        return self.ledger[17]


def ledger_arguments(ctx: Context) -> LedgerArguments:
    """The ledger pass's arguments for this month (its work rows taken from the context's block)."""
    cl, lv = ctx.clients, ctx.levers
    c = formed(cl, "account", ctx.params, lambda: constants(ctx.params))
    idx = ctx.served_idx
    n = idx.size
    growth, premium_table, trend = tenure_tables(ctx, c.rates)
    rate = lv.loyalty_discount
    per_client = c.per_client(lv)
    revenue = fresh_revenue(ctx)
    # The rest lives only in this phase: work rows of the context's block (no fresh arrays), one
    # for each of contribution, volume, service and the programme members' revenue that the
    # scenario needs (the first always; at 10⁶ clients a row is 8 MB).
    contribution, volume, service, members_revenue = _work_rows(ctx.work64(c.rows), c.needed, n)
    ledger = (
        idx, cl.spend, cl.leaves, cl.direct_cost, cl.tenure, growth, premium_table, trend,
        members(ctx, c), 1.0 - rate, rate, c.cogs_share,
        per_client, c.spend_mean, c.flags, volume, revenue, contribution, service,
        members_revenue, cl.joins, cl.value,
    )  # fmt: skip
    return LedgerArguments(ledger, rate, per_client, c.service_per_client, c.overhead)


def fresh_revenue(ctx: Context) -> np.ndarray:
    """An array for this month's revenue per served client (currency), kept past the month as
    ``ctx.client_revenue``: fresh, of the market's length whatever the count served, made once
    last month's is let go (the allocator then reuses its block)."""
    ctx.client_revenue = _NO_FLOATS
    return np.empty(ctx.clients.n)[: ctx.served_idx.size]


def members(ctx: Context, c: Constants) -> np.ndarray:
    """The loyalty programme's members this month as the ledger pass takes them: a mask over the
    market, or an empty one when every client served is a member."""
    return _NO_FLAGS if c.everyone else ctx.targeted["loyalty"]
