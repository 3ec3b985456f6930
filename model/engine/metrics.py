"""Monthly reporters: every metric of :data:`~model.engine.metric_names.METRICS`, computed as array reductions.

The model keeps the results as preallocated (months × metrics) float64 arrays, stocks and flows side
by side; Mesa's DataCollector reads them through one named reporter per metric.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from model.engine.context import LEDGER_LINES, Context
from model.engine.kernels import metrics as kernels
from model.engine.ledger import acquisition_spend
from model.engine.metric_names import METRICS
from model.engine.phases.satisfaction import satisfaction_cutoffs, satisfaction_cutoffs32
from model.engine.phases.work import float32_mean
from model.engine.scratch import formed
from model.engine.state import ClientState, Stage
from model.scenario import Satisfaction

__all__ = [
    "METRICS",
    "compute",
    "compute_into",
    "compute_numpy",
    "compute_numpy_into",
    "nps",
    "pass_constants",
    "top_share",
    "top_share_of",
]


def top_share(values: np.ndarray, share: float = 0.2, members: np.ndarray | None = None) -> float:
    """Share of the total held by the top ``share`` of ``values`` (NaN if total is not positive).

    ``members``: a mask of the values counted, when every other value is exactly zero (clients
    the metric is not about). The members are then only selected if their top ``share`` reaches
    down to values ≤ 0, where they could tie with the zeros of non-members.
    """
    n = values.size if members is None else int(np.count_nonzero(members))
    return _top_share(values, share, members, n)


def _top_share(
    values: np.ndarray,
    share: float,
    members: np.ndarray | None,
    n: int,
    work: np.ndarray | None = None,
) -> float:
    """:func:`top_share` with the ``n`` members already counted.

    Given a float32 ``work`` array as long as ``values``, the top values' sum is first tried
    compiled (:func:`model.engine.kernels.metrics.top_sum`: a histogram instead of a partition,
    used where its sum is provably numpy's); numpy's partition otherwise.
    """
    total = float(np.add.reduce(values))  # ndarray.sum, without its Python wrapper
    if n == 0 or total <= 0:
        return float("nan")
    k = max(round(share * n), 1)
    if work is not None:
        chosen = _EVERYONE if members is None else members
        exact, top_sum, lowest = kernels.top_sum(values, chosen, k, work)
        # Where the members' top reaches down to values ≤ 0, numpy's way divides by the members'
        # own total (summed apart from the others' zeros, so perhaps in the last bit otherwise).
        if exact and not (members is not None and n < values.size and lowest <= 0):
            return top_sum / total
    # Selected in float32 (half the memory traffic of a float64 partition; a share needs no more).
    top = np.partition(values.astype(np.float32), values.size - k)[values.size - k :]
    if members is not None and n < values.size and top.min() <= 0:
        return top_share(values[members], share)
    return float(top.sum(dtype=np.float64)) / total


_EVERYONE = np.zeros(0, np.bool_)  # top_sum's "no mask"


def nps(satisfaction: np.ndarray, p: Satisfaction) -> float:
    """Net promoter score: % promoters − % detractors, from satisfaction in [0, 1]."""
    if satisfaction.size == 0:
        return float("nan")
    promoter, detractor = satisfaction_cutoffs(p)  # the NPS bands as satisfaction cut-offs
    return 100.0 * (np.mean(satisfaction >= promoter) - np.mean(satisfaction < detractor))


def _mean32(a: np.ndarray) -> float:
    """``float(a.mean())`` of a float32 array (:func:`model.engine.phases.work.float32_mean`);
    NaN when empty (without numpy's warning)."""
    return float(float32_mean(a)) if a.size else float("nan")


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def _ever(cl: ClientState) -> np.ndarray:
    """Every client with money attributed (whose value the top share ranks)."""
    return (cl.value != 0) | (cl.revenue_total > 0)


def compute_numpy_into(ctx: Context, out: np.ndarray) -> None:
    """:func:`compute_numpy`'s row written as :func:`compute_into` writes it (``METRICS`` order):
    what the tests put in the model's place to run it on the numpy reference."""
    row = compute_numpy(ctx)
    out[:] = [row[name] for name in METRICS]


def compute_numpy(ctx: Context) -> dict[str, float]:
    """All metrics for the month just resolved (the numpy reference of :func:`compute`)."""
    cl, p = ctx.clients, ctx.params
    stage = cl.stage
    # Four cheap compares beat bincount on int8 (which converts to intp); an index array beats a
    # scattered boolean mask for gathers (both measured at 10⁶ clients).
    counts = [np.count_nonzero(stage == code) for code in range(4)]
    # Over the whole market with a mask (contiguous passes beat gathering the active clients).
    active = (stage == Stage.ACTIVE) | (stage == Stage.LOYAL)
    n_active = counts[Stage.ACTIVE] + counts[Stage.LOYAL]
    measured = np.add(cl.satisfaction, cl.paradox_bonus)
    np.clip(measured, 0.0, 1.0, out=measured)
    measured *= active  # zero for everyone else (the NPS counts mask them out too)
    promoter, detractor = satisfaction_cutoffs(p.satisfaction)
    promoters = float(np.count_nonzero(active & (measured >= promoter)))
    detractors = float(np.count_nonzero(active & (measured < detractor)))
    prospects = stage == Stage.PROSPECT
    ever = (cl.value != 0) | (cl.revenue_total > 0)  # every client with money attributed
    revenue = ctx.client_revenue  # ≥ 0; zero for leavers, who do not pay their last month
    return _row(
        ctx,
        (counts[Stage.PROSPECT], n_active, counts[Stage.LOYAL], counts[Stage.LAPSED]),
        float(measured.sum()),
        promoters - detractors,
        float(np.count_nonzero(cl.aware & prospects)),
        top_share(revenue, members=revenue > 0),
        top_share(cl.value, members=ever),
        _mean32(ctx.staff.engagement[: ctx.staff.employed]),
    )


def compute(ctx: Context) -> dict[str, float]:
    """All metrics for the month just resolved (compiled): :func:`compute_into`, by name."""
    row = np.empty(len(METRICS))
    compute_into(ctx, row)
    return dict(zip(METRICS, row.tolist(), strict=True))


class _Work(NamedTuple):
    """What :func:`compute_into` keeps per market and scenario."""

    promoter: np.float32  # the NPS cut-offs in float32, as numpy compares them with satisfaction
    detractor: np.float32
    results: np.ndarray
    # Where each top share's top fifth began last month, lowered (the pass gathers only the
    # members above it: speed only, any floors give the same numbers); −inf before month 1.
    floors: np.ndarray


def _work(ctx: Context) -> _Work:
    """:class:`_Work` for the context's market and scenario."""
    cutoffs = satisfaction_cutoffs32(ctx.params.satisfaction)
    return _Work(*cutoffs, np.empty(kernels.N_RESULTS), np.full(2, -np.inf))


_SHARE = 0.2  # the top shares' fraction of their members


def compute_into(ctx: Context, out: np.ndarray) -> None:
    """Write the month's metrics (:data:`METRICS`, in order) into ``out`` (compiled).

    :func:`compute_numpy`'s numbers, bit for bit: one compiled pass counts over the market,
    sums the measured satisfaction (as numpy does: :mod:`model.engine.kernels.reduce`) and
    takes both top shares' sums where they are provably numpy's (numpy's partition otherwise).

    Parameters
    ----------
    ctx : Context
        The month just resolved.
    out : ndarray of float64, (len(METRICS),)
        Written; may be strided (a row of the model's column-major results table).
    """
    cl, staff = ctx.clients, ctx.staff
    promoter, detractor, share, floors, results = pass_constants(ctx)
    revenue = ctx.client_revenue  # ≥ 0; zero for leavers, who do not pay their last month
    # The pass's three market-long work arrays come from the pool the phases draw into, free
    # once the month's phases are done (Context.work32).
    ctx.begin_phase()
    kernels.month_pass(
        cl.stage, cl.aware, cl.satisfaction, cl.paradox_bonus, cl.value, cl.revenue_total,
        revenue, staff.engagement[: staff.employed], promoter, detractor, share, ctx.work32(),
        ctx.work32(), ctx.work32(), floors, results,
    )  # fmt: skip
    (
        n_prospects, n_active_only, n_loyal, n_lapsed, promoters, detractors, aware, n_ever,
        n_paying, value_exact, value_top, value_lowest, revenue_exact, revenue_top,
        revenue_lowest, measured, value_total, revenue_total, engagement_total,
    ) = results.tolist()  # fmt: skip
    n_active = n_active_only + n_loyal  # the counts are whole floats: float(count), exactly
    top_revenue = _top(
        revenue.size, revenue_total, n_paying, revenue_exact, revenue_top, revenue_lowest,
        lambda: top_share_of(ctx, True, n_paying),
    )  # fmt: skip
    top_value = _top(
        cl.n, value_total, n_ever, value_exact, value_top, value_lowest,
        lambda: top_share_of(ctx, False, n_ever),
    )  # fmt: skip
    # float32_mean's numbers (the float32 sum over the count, rounded to float32)
    employed = staff.employed
    engagement = float(np.float32(engagement_total / employed)) if employed else float("nan")
    row = _row(
        ctx, (n_prospects, n_active, n_loyal, n_lapsed), measured, promoters - detractors, aware,
        top_revenue, top_value, engagement,
    )  # fmt: skip
    out[:] = [row[name] for name in METRICS]


def pass_constants(ctx: Context) -> tuple:
    """:func:`~model.engine.kernels.metrics.month_pass`' arguments that the market and scenario
    fix: ``(promoter, detractor, share, floors, results)`` — the NPS cut-offs in float32, the top
    shares' fraction, and the floors it carries from month to month and its results array (kept
    per market and scenario)."""
    w = formed(ctx.clients, "metrics", ctx.params, lambda: _work(ctx))
    return w.promoter, w.detractor, _SHARE, w.floors, w.results


def top_share_of(ctx: Context, revenue: bool, n: float) -> float:
    """:func:`top_share` of this month's revenue (``revenue``) or of the clients' attributed
    value, with its ``n`` members counted (numpy's partition: where the compiled selection could
    not prove its sum numpy's)."""
    if revenue:
        values = ctx.client_revenue
        return _top_share(values, _SHARE, values > 0, int(n))
    return _top_share(ctx.clients.value, _SHARE, _ever(ctx.clients), int(n))


def _top(
    size: int,
    total: float,
    n: float,
    exact: float,
    top: float,
    lowest: float,
    numpy_way: Callable[[], float],
) -> float:
    """:func:`top_share` of the top fifth of ``size`` values from
    :func:`model.engine.kernels.metrics.month_pass`'s answer (the values' total as
    ``np.add.reduce`` sums it, ``n`` members, whether ``top`` is exact, the lowest value
    selected); ``numpy_way()`` where it is not (:func:`top_share_of`)."""
    if n == 0 or total <= 0:
        return float("nan")
    # Where the members' top reaches down to values ≤ 0, numpy's way divides by the members'
    # own total (see _top_share).
    if exact and not (n < size and lowest <= 0):
        return top / total
    return numpy_way()


def _row(
    ctx: Context,
    stages: tuple[int, int, int, int],
    satisfaction_sum: float,
    net_promoters: float,
    aware: float,
    top_revenue: float,
    top_value: float,
    engagement: float,
) -> dict[str, float]:
    """The month's metrics from the tallies, the ledger, the firm and what was counted over the
    market: ``stages`` = (prospects, active incl. loyal, loyal, lapsed), the measured
    satisfaction summed over the active, promoters minus detractors, aware prospects, the two
    top-fifth shares and the staff's mean engagement (each caller's own way to the same
    numbers: :func:`compute_numpy`'s and :func:`compute_into`'s rows are this one)."""
    t, led, firm, staff = ctx.tally, ctx.ledger, ctx.firm, ctx.staff
    n_prospects, n_active, n_loyal, n_lapsed = stages
    served = int(ctx.served_idx.size)
    retention = 1.0 - _ratio(t["churned"], served) if served else float("nan")
    row = {
        "prospects": n_prospects,
        "active": n_active,
        "loyal": n_loyal,
        "lapsed": n_lapsed,
        "acquired": t["acquired"],
        "acquired_referral": t["acquired_referral"],
        "churned": t["churned"],
        "churned_bad_service": t["churned_bad_service"],
        "poached": t.get("poached", 0),
        "won_back": t["won_back"],
        "winback_targeted": t.get("winback_targeted", 0),
        "retention_monthly": retention,
        "retention_annual": retention**12,
        "revenue": ctx.revenue,
        **{line: led[line] for line in LEDGER_LINES},
        "profit": t["profit"],
        "npv": firm.npv,
        "satisfaction": _ratio(satisfaction_sum, n_active),
        "nps": 100.0 * _ratio(net_promoters, n_active),
        "cac": _ratio(acquisition_spend(led), t["acquired"]),
        "cost_per_retained": _ratio(led["discounts"], t.get("kept_by_programme", 0.0)),
        "top20_revenue_share": top_revenue,
        "top20_value_share": top_value,
        "referral_share": _ratio(t["acquired_referral"], t["acquired"]),
        "reached_positive": t.get("reached_positive", 0),
        "reached_negative": t.get("reached_negative", 0),
        "promoters": t.get("promoters", 0),
        "aware_share": _ratio(aware, float(n_prospects)),
        "newly_aware": t.get("newly_aware", 0),
        "aware_by_ad": t.get("aware_by_ad", 0),
        "headcount": staff.employed,
        "engagement": engagement,
        "quality": t.get("quality", float("nan")),
        "incidents": t.get("incidents", 0),
        "fixed_on_spot": t.get("fixed_on_spot", 0),
        "escalated": t.get("escalated", 0),
        "unfixed": t.get("unfixed", 0),
        "empowerment_budgeted": staff.employed * ctx.levers.empowerment_budget,
        "staff_quits": t.get("staff_quits", 0),
        "firm_quality": firm.quality,
        "frontier": firm.frontier,
        "gap": firm.gap,
        "candidates": t.get("candidates", 0),
        "shipped_good": firm.shipped_good,
        "shipped_bad": firm.shipped_bad,
        "shelved_good": firm.shelved_good,
        "shelved_bad": firm.shelved_bad,
        "unattributed": t.get("unattributed", 0.0),
    }
    return {k: float(v) for k, v in row.items()}
