"""The month's end in one compiled call: the ledger, the stage changes and the month's metrics.

The default month ends with the account phase, the resolve phase and the month's metrics
(:mod:`model.engine.month_end`). Each is a few compiled passes with Python between them — the
cost lines booked, the shared costs split, profit and NPV, the tallies, the metrics row composed
from them — which at a few thousand clients costs about as much as the passes. :func:`month_end`
runs the same passes (:func:`~model.engine.kernels.account.ledger_pass`,
:func:`~model.engine.kernels.account.attribute`,
:func:`~model.engine.kernels.resolve.resolve_market`,
:func:`~model.engine.kernels.metrics.month_pass`) and that bookkeeping, in the same order, on
float64 scalars with the same operations as the Python it replaces (:func:`model.engine.phases.account.step`,
:func:`model.engine.phases.resolve.step`, :func:`model.engine.metrics.compute_into`), so the
numbers are the same, bit for bit (``tests/test_month_end.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.account import attribute, ledger_pass
from model.engine.kernels.metrics import (
    AWARE_PROSPECTS,
    DETRACTORS,
    ENGAGEMENT_SUM,
    EVER,
    MEASURED,
    PAYING,
    PROMOTERS,
    REVENUE_SUM,
    REVENUE_TOP,
    VALUE_SUM,
    VALUE_TOP,
    month_pass,
)
from model.engine.kernels.resolve import resolve_market

__all__ = [
    "ACQUISITION",
    "EARLY",
    "EQUAL",
    "REVENUE",
    "WRITES",
    "month_end",
    "python_sum",
]

#: How a ledger line is charged, as :func:`month_end` takes it (``ways``), by code.
ACQUISITION, EQUAL, REVENUE = 1, 2, 3
#: What :func:`month_end` computes for the metrics row, each a metric's name (``"cost lines"``:
#: the first of the ledger's lines, which follow it in the ledger's order). Where each goes is
#: the caller's (``columns``: :mod:`model.engine.month_end` maps the names to ``METRICS``), so
#: the compiled code does not depend on the metrics' order.
WRITES = (
    "prospects", "active", "loyal", "lapsed", "acquired", "acquired_referral", "churned",
    "won_back", "retention_monthly", "retention_annual", "revenue", "profit", "npv",
    "satisfaction", "nps", "cac", "cost_per_retained", "referral_share", "aware_share",
    "headcount", "engagement", "empowerment_budgeted", "firm_quality", "frontier", "gap",
    "shipped_good", "shipped_bad", "shelved_good", "shelved_bad", "unattributed",
    "top20_revenue_share", "top20_value_share", "cost lines",
)  # fmt: skip
(
    _PROSPECTS,
    _ACTIVE,
    _LOYAL,
    _LAPSED,
    _ACQUIRED,
    _ACQUIRED_REFERRAL,
    _CHURNED,
    _WON_BACK,
    _RETENTION_MONTHLY,
    _RETENTION_ANNUAL,
    _REVENUE,
    _PROFIT,
    _NPV,
    _SATISFACTION,
    _NPS,
    _CAC,
    _COST_PER_RETAINED,
    _REFERRAL_SHARE,
    _AWARE_SHARE,
    _HEADCOUNT,
    _ENGAGEMENT,
    _EMPOWERMENT_BUDGETED,
    _FIRM_QUALITY,
    _FRONTIER,
    _GAP,
    _SHIPPED_GOOD,
    _SHIPPED_BAD,
    _SHELVED_GOOD,
    _SHELVED_BAD,
    _UNATTRIBUTED,
    _TOP_REVENUE,
    _TOP_VALUE,
    _COST_LINES,
) = range(len(WRITES))
#: The tallies of the phases before the month's end that the metrics read, in ``early``'s order.
EARLY = (
    "churned_bad_service", "poached", "winback_targeted", "kept_by_programme",
    "reached_positive", "reached_negative", "promoters", "newly_aware", "aware_by_ad",
    "quality", "incidents", "fixed_on_spot", "escalated", "unfixed", "staff_quits", "candidates",
)  # fmt: skip
#: The one earlier tally that is not a metric of its own name (the others go into the row as they
#: are: the caller's ``copied``).
KEPT_BY_PROGRAMME = EARLY.index("kept_by_programme")


@njit(cache=True, nogil=True)
def _lines(ledger: np.ndarray, ways: np.ndarray, way: int) -> float:  # pragma: no cover
    """The ledger lines charged ``way`` added one by one in the ledger's order from 0.0
    (:func:`model.engine.ledger.acquisition_spend`'s loop)."""
    total = 0.0
    for j in range(ledger.size):
        if ways[j] == way:
            total += ledger[j]
    return total


@njit(cache=True, nogil=True)
def python_sum(values: np.ndarray, ways: np.ndarray, way: int) -> float:  # pragma: no cover
    """Python's ``sum()`` of the ``values`` whose ``ways`` entry is ``way`` (every one for a
    negative ``way``), in order: what ``sum(map(ledger.__getitem__, lines))`` gives.

    Since Python 3.12 ``sum()`` of floats compensates its rounding (Neumaier's improved
    Kahan–Babuška sum, CPython's ``builtin_sum_impl``): the first value is added to the start,
    the integer 0, then each next one with its rounding error kept apart, and the kept error is
    added at the end if it is non-zero and finite. 0.0 when nothing is summed.
    ``tests/test_month_end.py`` compares it with the interpreter's own ``sum``.
    """
    total, compensation, first = 0.0, 0.0, True
    for j in range(values.size):
        if way >= 0 and ways[j] != way:
            continue
        x = values[j]
        if first:
            total, first = 0.0 + x, False
            continue
        t = total + x
        if abs(total) >= abs(x):
            compensation += (total - t) + x
        else:
            compensation += (x - t) + total
        total = t
    if compensation != 0.0 and np.isfinite(compensation):
        total += compensation
    return total


@njit(cache=True, nogil=True)
def _ratio(num: float, den: float) -> float:  # pragma: no cover - compiled
    """``model.engine.metrics._ratio``: NaN unless the denominator is positive."""
    return num / den if den > 0 else np.nan


@njit(cache=True, nogil=True)
def _top(
    total: float, n: float, exact: float, top: float, lowest: float, size: int
) -> float:  # pragma: no cover - compiled
    """``model.engine.metrics._top`` where the compiled selection decides it; −inf where numpy's
    partition must (the caller's Python then takes it)."""
    if n == 0 or total <= 0:
        return np.nan
    if exact and not (n < size and lowest <= 0):
        return top / total
    return -np.inf


@njit(cache=True, nogil=True)
def month_end(
    market: tuple,
    fixed: tuple,
    monthly: tuple,
    firm: tuple,
    ledger: np.ndarray,
    early: np.ndarray,
    row: np.ndarray,
    columns: np.ndarray,
    copied: np.ndarray,
) -> tuple[float, float, float, int, float, int, int, int, int, float]:  # pragma: no cover
    """Book the month, apply its stage changes and write its metrics row.

    Parameters
    ----------
    market : tuple of ndarray
        The client arrays, by row: ``(spend, leaves, direct_cost, tenure, joins, value,
        referrer, revenue_total, returns, aware_source, stage, months_lapsed, satisfaction,
        expectation, paradox_bonus, left_reason, aware, acquired_month)``.
    fixed : tuple
        What the scenario fixes: ``(ways, slots, cogs_share, spend_mean, flags,
        service_per_client, overhead, referral_share, initial_satisfaction, loyal_tenure,
        loyal_satisfaction, active, lapsed, referral, promoter, detractor, share, floors,
        results)`` — each ledger line's charge code (int8: 0 direct, :data:`ACQUISITION`,
        :data:`EQUAL`, :data:`REVENUE`), the positions of the cost of goods, service, discounts
        and overhead lines (int64), then the ledger pass's scalars and flags
        (:func:`~model.engine.kernels.account.ledger_pass`), the month's overhead (currency) and
        the referral credit share, resolve's constants
        (:func:`~model.engine.kernels.resolve.resolve_market`) and the metrics pass's
        (:func:`~model.engine.kernels.metrics.month_pass`: its floors carried month to month,
        its results array).
    monthly : tuple
        This month's: ``(idx, served, enrolled, discount_rate, per_client, growth, premium,
        trend, work, metrics_work, revenue, month, discount, unserved, engagement, headcount,
        budget)`` — the served rows and mask, the loyalty programme's members (empty when
        everyone is one), the loyalty discount (share), the cost to serve one client before its
        form and trend (currency), the tenure tables, the ledger pass's float64 work rows (as
        many as its flags need: contribution, then volume, service and members' revenue) and
        the metrics pass's three float32 ones (which may share their memory: the ledger's are
        done with by then), the month's revenue per served client (written), the month, the
        discount divisor ``(1 + i_m)^t``, the rows charged while not served, the employed
        staff's engagement, the headcount and the empowerment budget per head.
    firm : tuple of float
        ``(npv, quality, frontier, shipped_good, shipped_bad, shelved_good, shelved_bad)``.
    ledger : ndarray of float64
        The month's ledger, in ``LEDGER_LINES`` order; the account phase's lines are added.
    early : ndarray of float64
        The earlier phases' tallies, in :data:`EARLY`'s order (their defaults where unset).
    row : ndarray of float64
        The month's metrics, written; a top share numpy's partition must take is −inf.
    columns : ndarray of int64
        Where in ``row`` each of :data:`WRITES` goes (for ``"cost lines"``, the first line's).
    copied : ndarray of int64, (k, 2)
        The earlier tallies the row takes as they are: (position in ``early``, column).

    Returns
    -------
    tuple
        The account phase's tallies (revenue, profit, unattributed, paying, contribution),
        resolve's (churned, acquired, acquired by referral, won back) and the NPV.
    """
    spend, leaves, direct_cost, tenure, joins, value = (
        market[0], market[1], market[2], market[3], market[4], market[5],
    )  # fmt: skip
    ways, slots, cogs_share, spend_mean, flags = fixed[0], fixed[1], fixed[2], fixed[3], fixed[4]
    service_per_client, overhead = fixed[5], fixed[6]
    idx, enrolled, discount_rate, per_client = monthly[0], monthly[2], monthly[3], monthly[4]
    work, revenue = monthly[8], monthly[10]
    # The account phase (model.engine.phases.account.step), its work rows as it takes them.
    n = idx.size
    contribution, k = work[0, :n], 1
    volume = work[k, :n] if flags[1] else work[0, :0]
    k += flags[1]
    service = work[k, :n] if service_per_client else work[0, :0]
    k += service_per_client
    members_revenue = work[k, :n] if not flags[2] else work[0, :0]
    sums = ledger_pass(
        idx, spend, leaves, direct_cost, tenure, monthly[5], monthly[6], monthly[7], enrolled,
        1.0 - discount_rate, discount_rate, cogs_share, per_client, spend_mean, flags, volume,
        revenue, contribution, service, members_revenue, joins, value,
        _lines(ledger, ways, ACQUISITION),
    )  # fmt: skip
    paying, joiners, total_revenue, total_volume, service_sum, contribution_total, members = sums
    ledger[slots[0]] += cogs_share * total_volume
    ledger[slots[1]] += service_sum if service_per_client else per_client * n
    ledger[slots[2]] += discount_rate * members
    ledger[slots[3]] += overhead
    # cost_shares
    equal = python_sum(ledger, ways, EQUAL)
    acquisition = 0.0 if joiners else _lines(ledger, ways, ACQUISITION)
    by_revenue = python_sum(ledger, ways, REVENUE)
    per_revenue, unattributed = 0.0, 0.0
    if n == 0:
        per_head, unattributed = 0.0, equal + acquisition + by_revenue
    elif total_revenue > 0:
        per_head, per_revenue = (equal + acquisition) / n, by_revenue / total_revenue
    else:
        per_head = (equal + acquisition + by_revenue) / n
    attribute(
        idx, contribution, revenue, market[6], per_head, per_revenue, fixed[7], monthly[13],
        direct_cost, value, market[7],
    )  # fmt: skip
    profit = total_revenue - python_sum(ledger, ways, -1)
    npv = firm[0] + profit / monthly[12]
    # The resolve phase (model.engine.phases.resolve.step).
    churned, acquired, acquired_referral, won_back = resolve_market(
        monthly[1], leaves, joins, market[8], market[9], market[10], tenure, market[11],
        market[12], market[13], market[14], market[15], market[16], market[17], monthly[11],
        fixed[8], fixed[9], fixed[10], fixed[11], fixed[12], fixed[13],
    )  # fmt: skip
    # The month's metrics (model.engine.metrics.compute_into).
    results, metrics_work = fixed[18], monthly[9]
    month_pass(
        market[10], market[16], market[12], market[14], value, market[7], revenue, monthly[14],
        fixed[14], fixed[15], fixed[16], metrics_work[0], metrics_work[1], metrics_work[2],
        fixed[17], results,
    )  # fmt: skip
    n_prospects, n_active_only, n_loyal, n_lapsed = results[0], results[1], results[2], results[3]
    promoters, detractors, aware = results[PROMOTERS], results[DETRACTORS], results[AWARE_PROSPECTS]
    n_ever, n_paying = results[EVER], results[PAYING]
    n_active = n_active_only + n_loyal
    retention = 1.0 - _ratio(np.float64(churned), np.float64(n)) if n else np.nan
    headcount, budget = monthly[15], monthly[16]
    at = columns  # (each of WRITES' column in the row)
    for k in range(copied.shape[0]):
        row[copied[k, 1]] = early[copied[k, 0]]
    row[at[_PROSPECTS]], row[at[_ACTIVE]] = n_prospects, n_active
    row[at[_LOYAL]], row[at[_LAPSED]] = n_loyal, n_lapsed
    row[at[_ACQUIRED]], row[at[_ACQUIRED_REFERRAL]] = acquired, acquired_referral
    row[at[_CHURNED]], row[at[_WON_BACK]] = churned, won_back
    row[at[_RETENTION_MONTHLY]] = retention
    row[at[_RETENTION_ANNUAL]] = retention**12.0
    row[at[_REVENUE]] = total_revenue
    for j in range(ledger.size):  # each cost line, in the ledger's order
        row[at[_COST_LINES] + j] = ledger[j]
    row[at[_PROFIT]] = profit
    row[at[_NPV]] = npv
    row[at[_SATISFACTION]] = _ratio(results[MEASURED], n_active)
    row[at[_NPS]] = 100.0 * _ratio(promoters - detractors, n_active)
    row[at[_CAC]] = _ratio(_lines(ledger, ways, ACQUISITION), np.float64(acquired))
    row[at[_COST_PER_RETAINED]] = _ratio(ledger[slots[2]], early[KEPT_BY_PROGRAMME])
    r, v = REVENUE_TOP, VALUE_TOP  # (each: exact, top sum, lowest selected)
    row[at[_TOP_REVENUE]] = _top(
        results[REVENUE_SUM], n_paying, results[r], results[r + 1], results[r + 2], revenue.size
    )
    row[at[_TOP_VALUE]] = _top(
        results[VALUE_SUM], n_ever, results[v], results[v + 1], results[v + 2], value.size
    )
    row[at[_REFERRAL_SHARE]] = _ratio(np.float64(acquired_referral), np.float64(acquired))
    row[at[_AWARE_SHARE]] = _ratio(aware, n_prospects)
    row[at[_HEADCOUNT]] = headcount
    # float32_mean's numbers (the float32 sum over the count, rounded to float32)
    row[at[_ENGAGEMENT]] = (
        np.float64(np.float32(results[ENGAGEMENT_SUM] / headcount)) if headcount else np.nan
    )
    row[at[_EMPOWERMENT_BUDGETED]] = headcount * budget
    row[at[_FIRM_QUALITY]], row[at[_FRONTIER]] = firm[1], firm[2]
    row[at[_GAP]] = firm[2] - firm[1]
    row[at[_SHIPPED_GOOD]], row[at[_SHIPPED_BAD]] = firm[3], firm[4]
    row[at[_SHELVED_GOOD]], row[at[_SHELVED_BAD]] = firm[5], firm[6]
    row[at[_UNATTRIBUTED]] = unattributed
    return (
        total_revenue, profit, unattributed, paying, contribution_total, churned, acquired,
        acquired_referral, won_back, npv,
    )  # fmt: skip
