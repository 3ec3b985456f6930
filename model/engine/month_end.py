"""The month's end in one compiled call: the account and resolve phases and the month's metrics.

A month of the default phases ends with ``account`` (the ledger, attribution, NPV), then
``resolve`` (the stage changes), then the month's metrics, written into the model's results
table when the month closes. At a few thousand clients the Python between their compiled passes
— the cost lines booked, the shared costs split, the tallies, the metrics row composed from
them — costs about as much as the passes themselves. :func:`fuse` runs a phase list that ends with
those two phases (the functions themselves, whatever else comes before) with :func:`step` in
their place: one compiled call (:func:`model.engine.kernels.month_end.month_end`) that runs the
same passes and bookkeeping and writes the metrics row, so the month's close computes none. The
numbers are the same, bit for bit, as the phases one by one and
:func:`model.engine.metrics.compute_into` (``tests/test_month_end.py``).

This is the first stretch of a compiled month (docs/performance.md, "What the targets need"):
the phase list stays declared and replaceable, and any list that does not end with the default
two runs as declared.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from model.engine import ledger_pass
from model.engine.context import Context
from model.engine.kernels import month_end as kernel
from model.engine.kernels.metrics import EVER, PAYING
from model.engine.ledger import CHARGED, LEDGER_LINES
from model.engine.metric_names import METRICS
from model.engine.metrics import pass_constants, top_share_of
from model.engine.phases import PHASES, account, resolve
from model.engine.scratch import formed

__all__ = ["NAME", "fuse", "step"]

#: The name the fused step runs under in a model's month (timers and lockstep list it so).
NAME = "month_end"

#: The default phases the month's end runs in one call, in their order.
_ENDING = (account.step, resolve.step)


def fuse(phases: tuple) -> tuple:
    """The steps a month of ``phases`` runs: ``phases`` itself, or, when it ends with the default
    ``account`` and ``resolve`` phases, those two as one :func:`step` (named :data:`NAME`)."""
    if phases is PHASES:
        return _FUSED_PHASES
    if len(phases) >= 2 and tuple(step for _name, step in phases[-2:]) == _ENDING:
        return (*phases[:-2], (NAME, step))
    return phases


def step(ctx: Context) -> None:
    """The account phase, the resolve phase and the month's metrics row, in one compiled call.

    The row is ``ctx.metrics_row`` (the model's results table's, set when the month opens), and
    ``ctx.metrics_row`` is None afterwards (written). Without a row to write (a context stepped
    by hand), the two phases run one by one.
    """
    row = ctx.metrics_row
    if row is None:
        account.step(ctx)
        resolve.step(ctx)
        return
    cl, st, firm, led, t, lv = ctx.clients, ctx.staff, ctx.firm, ctx.ledger, ctx.tally, ctx.levers
    # (Formed again for another scenario, or when a client array is put in another's place.)
    b = formed(cl, "month_end", (ctx.params, cl.generation), lambda: _bind(ctx))
    revenue = ledger_pass.fresh_revenue(ctx)
    work = ctx.work64(b.account.rows)
    ctx.begin_phase()  # (the metrics pass's rows may be the ledger's: it is done with them)
    monthly = (
        ctx.served_idx, ctx.served, ledger_pass.members(ctx, b.account), lv.loyalty_discount,
        b.account.per_client(lv),
        *ledger_pass.tenure_tables(ctx, b.account.rates), work, ctx.work32(3), revenue, ctx.month,
        b.growth_of_money**ctx.month, ctx.charged_unserved, st.engagement[: st.employed],
        float(st.employed), float(lv.empowerment_budget),
    )  # fmt: skip
    firm_now = (
        firm.npv, firm.quality, firm.frontier, float(firm.shipped_good), float(firm.shipped_bad),
        float(firm.shelved_good), float(firm.shelved_bad),
    )  # fmt: skip
    # (Every ledger line is a Python float: sum() compensates only those, and so does the kernel.)
    ledger = np.fromiter(map(led.__getitem__, LEDGER_LINES), np.float64, len(LEDGER_LINES))
    early = np.array((t["churned_bad_service"], *map(t.get, kernel.EARLY[1:], _DEFAULTS)))
    # The table's rows are strided, but a one-month table's only row is contiguous, which numba
    # would compile the kernel for again: that row goes through a strided buffer.
    out = b.strided_row if row.flags.c_contiguous else row
    (
        total_revenue, profit, unattributed, paying, contribution, churned, acquired,
        acquired_referral, won_back, firm.npv,
    ) = kernel.month_end(
        b.market, b.fixed, monthly, firm_now, ledger, early, out, _COLUMNS, _COPIED
    )  # fmt: skip
    if out is not row:
        row[:] = out
    lines = ledger.tolist()
    for j in _BOOKED:  # the lines the account phase books
        led[LEDGER_LINES[j]] = lines[j]
    ctx.client_revenue = revenue
    account.record_month(ctx, total_revenue, profit, unattributed, paying, contribution)
    resolve.record(ctx, churned, acquired, acquired_referral, won_back)
    # A top share the compiled selection could not prove numpy's: numpy's partition, here.
    results = b.fixed[-1]
    for column, of_revenue, members in _TOP_SHARES:
        if row[column] == -math.inf:
            row[column] = top_share_of(ctx, of_revenue, results[members])
    ctx.metrics_row = None


class _Bound(NamedTuple):
    """What the month's end hands its kernel that a market and scenario fix (:func:`_bind`)."""

    market: tuple  # the client arrays, as the kernel takes them
    fixed: tuple  # the scenario's scalars and the metrics pass's carried arrays
    account: ledger_pass.Constants  # the ledger pass's (its work rows, rates, cost to serve)
    growth_of_money: float  # 1 + the monthly discount rate
    strided_row: np.ndarray  # a strided row of the table's length (see step)


def _bind(ctx: Context) -> _Bound:
    """:class:`_Bound` for the context's market and scenario (kept: ``formed``)."""
    cl, p = ctx.clients, ctx.params
    c = ledger_pass.constants(p)
    market = (
        cl.spend, cl.leaves, cl.direct_cost, cl.tenure, cl.joins, cl.value, cl.referrer,
        cl.revenue_total, cl.returns, cl.aware_source, cl.stage, cl.months_lapsed,
        cl.satisfaction, cl.expectation, cl.paradox_bonus, cl.left_reason, cl.aware,
        cl.acquired_month,
    )  # fmt: skip
    fixed = (
        _WAYS, np.array(_BOOKED, np.int64), c.cogs_share, c.spend_mean, c.flags,
        c.service_per_client, c.overhead, p.word_of_mouth.referral_credit_share,
        *resolve.fixed_arguments(ctx), *pass_constants(ctx),
    )  # fmt: skip
    strided_row = np.full((len(METRICS), 2), np.nan)[:, 0]
    return _Bound(
        market, fixed, c, 1.0 + account.monthly_rate(p.economics.discount_rate), strided_row
    )


#: Each earlier tally's value when its phase did not set it (the metrics' ``t.get`` defaults),
#: for :data:`~model.engine.kernels.month_end.EARLY` after its first (which every month sets).
_DEFAULTS = tuple(math.nan if name == "quality" else 0.0 for name in kernel.EARLY[1:])


def _columns() -> tuple[np.ndarray, np.ndarray]:
    """Where the kernel writes what it computes (its ``WRITES``, by name) and which earlier
    tallies it copies where (``EARLY``'s metrics): each a ``METRICS`` column, read-only."""
    at = {name: column for column, name in enumerate(METRICS)}
    first = at[LEDGER_LINES[0]]
    if tuple(METRICS)[first : first + len(LEDGER_LINES)] != LEDGER_LINES:
        raise RuntimeError(  # (the kernel writes the cost lines one after another)
            "model/engine/metric_names.py: METRICS must hold the ledger's lines together, in "
            "LEDGER_LINES' order (model/engine/ledger.py)"
        )
    at["cost lines"] = first
    missing = [name for name in kernel.WRITES if name not in at]
    early = [(i, name) for i, name in enumerate(kernel.EARLY) if i != kernel.KEPT_BY_PROGRAMME]
    missing += [name for _, name in early if name not in at]
    if missing:
        raise RuntimeError(
            f"model/engine/kernels/month_end.py writes {', '.join(missing)}, not in METRICS "
            "(model/engine/metric_names.py)"
        )
    columns = np.array([at[name] for name in kernel.WRITES], np.int64)
    copied = np.array([(i, at[name]) for i, name in early], np.int64)
    cost = kernel.WRITES.index("cost lines")
    written = {c for k, c in enumerate(columns.tolist()) if k != cost} | set(copied[:, 1].tolist())
    written |= set(range(first, first + len(LEDGER_LINES)))
    if len(written) != len(METRICS):
        unwritten = [name for column, name in enumerate(METRICS) if column not in written]
        raise RuntimeError(
            f"model/engine/kernels/month_end.py does not write {', '.join(unwritten)} "
            "(METRICS, model/engine/metric_names.py): write it there"
        )
    columns.flags.writeable = copied.flags.writeable = False
    return columns, copied


#: Each of the kernel's ``WRITES``' column in the metrics row, and the earlier tallies it copies.
_COLUMNS, _COPIED = _columns()
#: Each top share's metrics column, whether it is revenue's (else the attributed value's), and
#: where :func:`~model.engine.kernels.metrics.month_pass`' results count its members.
_TOP_SHARES = (
    (int(_COLUMNS[kernel.WRITES.index("top20_revenue_share")]), True, PAYING),
    (int(_COLUMNS[kernel.WRITES.index("top20_value_share")]), False, EVER),
)


def _ways() -> np.ndarray:
    """Each ledger line's charge code, as the kernel takes them (read-only)."""
    codes = {"direct": 0, "acquisition": kernel.ACQUISITION, "equal": kernel.EQUAL}
    codes["revenue"] = kernel.REVENUE
    ways = np.array([codes[CHARGED[line]] for line in LEDGER_LINES], np.int8)
    ways.flags.writeable = False
    return ways


_WAYS = _ways()
#: The positions of the lines the account phase books: cost of goods, service, discounts, overhead.
_BOOKED = [LEDGER_LINES.index(line) for line in ("cogs", "service", "discounts", "overhead")]

_FUSED_PHASES = (*PHASES[:-2], (NAME, step))
assert tuple(s for _name, s in PHASES[-2:]) == _ENDING  # the default month ends with them
