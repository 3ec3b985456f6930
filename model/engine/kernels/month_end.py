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
from model.engine.kernels.metrics import month_pass
from model.engine.kernels.resolve import resolve_market

__all__ = ["ACQUISITION", "EARLY", "EQUAL", "REVENUE", "month_end", "python_sum"]

#: How a ledger line is charged, as :func:`month_end` takes it (``ways``), by code.
ACQUISITION, EQUAL, REVENUE = 1, 2, 3
#: The tallies of the phases before the month's end that the metrics read, in ``early``'s order.
EARLY = (
    "churned_bad_service", "poached", "winback_targeted", "kept_by_programme",
    "reached_positive", "reached_negative", "promoters", "newly_aware", "aware_by_ad",
    "quality", "incidents", "fixed_on_spot", "escalated", "unfixed", "staff_quits", "candidates",
)  # fmt: skip


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
    ledger_args: tuple,
    accounting: tuple,
    ledger: np.ndarray,
    resolve_args: tuple,
    metrics_args: tuple,
    early: np.ndarray,
    firm: tuple,
    staffing: tuple,
    row: np.ndarray,
) -> tuple[float, float, float, int, float, int, int, int, int, float]:  # pragma: no cover
    """Book the month, apply its stage changes and write its metrics row.

    Parameters
    ----------
    ledger_args : tuple
        :func:`~model.engine.kernels.account.ledger_pass`' arguments but the last, as
        :func:`model.engine.phases.account.ledger_arguments` gives them.
    accounting : tuple
        ``(ways, slots, service_per_client, per_client, discount_rate, overhead, discount,
        referrer, referral_share, unserved, revenue_total)``: each ledger line's charge code
        (int8: 0 direct, :data:`ACQUISITION`, :data:`EQUAL`, :data:`REVENUE`), the positions of
        the cost of goods, service, discounts and overhead lines (int64, 4), whether the cost to
        serve differs by client, the cost to serve one client (currency), the loyalty discount
        (share), the month's overhead (currency), the month's discount divisor
        ``(1 + i_m)^t``, and :func:`~model.engine.kernels.account.attribute`'s referrers,
        referral credit share, rows charged while not served and cumulative revenues.
    ledger : ndarray of float64
        The month's ledger, in ``LEDGER_LINES`` order; the account phase's lines are added.
    resolve_args : tuple
        :func:`~model.engine.kernels.resolve.resolve_market`' arguments.
    metrics_args : tuple
        :func:`~model.engine.kernels.metrics.month_pass`' arguments but ``revenue`` (the
        month's, from ``ledger_args``): its work arrays may be the ledger pass's work rows.
    early : ndarray of float64
        The earlier phases' tallies, in :data:`EARLY`'s order (their defaults where unset).
    firm : tuple of float
        ``(npv, quality, frontier, shipped_good, shipped_bad, shelved_good, shelved_bad)``.
    staffing : tuple of float
        ``(headcount, empowerment budget per head)``.
    row : ndarray of float64
        The month's metrics (``METRICS`` order), written; a top share numpy's partition must
        take is −inf.

    Returns
    -------
    tuple
        The account phase's tallies (revenue, profit, unattributed, paying, contribution),
        resolve's (churned, acquired, acquired by referral, won back) and the NPV.
    """
    ways, slots, service_per_client, per_client = (
        accounting[0],
        accounting[1],
        accounting[2],
        accounting[3],
    )
    discount_rate, overhead, discount = accounting[4], accounting[5], accounting[6]
    # The account phase (model.engine.phases.account.step).
    idx, revenue, contribution = ledger_args[0], ledger_args[16], ledger_args[17]
    cogs_share = ledger_args[11]
    sums = ledger_pass(*ledger_args, _lines(ledger, ways, ACQUISITION))
    paying, joiners, total_revenue, total_volume, service_sum, contribution_total, members = sums
    n = idx.size
    ledger[slots[0]] += cogs_share * total_volume
    ledger[slots[1]] += service_sum if service_per_client else per_client * n
    ledger[slots[2]] += discount_rate * members
    ledger[slots[3]] += overhead
    # cost_shares
    equal = python_sum(ledger, ways, EQUAL)
    acquisition = 0.0 if joiners else _lines(ledger, ways, ACQUISITION)
    by_revenue = python_sum(ledger, ways, REVENUE)
    if n == 0:
        per_head, per_revenue, unattributed = 0.0, 0.0, equal + acquisition + by_revenue
    elif total_revenue > 0:
        per_head, per_revenue, unattributed = (
            (equal + acquisition) / n,
            by_revenue / total_revenue,
            0.0,
        )
    else:
        per_head, per_revenue, unattributed = (equal + acquisition + by_revenue) / n, 0.0, 0.0
    attribute(
        idx, contribution, revenue, accounting[7], per_head, per_revenue, accounting[8],
        accounting[9], ledger_args[3], ledger_args[21], accounting[10],
    )  # fmt: skip
    profit = total_revenue - python_sum(ledger, ways, -1)
    npv = firm[0] + profit / discount
    # The resolve phase (model.engine.phases.resolve.step).
    churned, acquired, acquired_referral, won_back = resolve_market(*resolve_args)
    # The month's metrics (model.engine.metrics.compute_into).
    m = metrics_args
    results = m[14]
    month_pass(
        m[0],
        m[1],
        m[2],
        m[3],
        m[4],
        m[5],
        revenue,
        m[6],
        m[7],
        m[8],
        m[9],
        m[10],
        m[11],
        m[12],
        m[13],
        results,
    )
    n_prospects, n_active_only, n_loyal, n_lapsed = results[0], results[1], results[2], results[3]
    promoters, detractors, aware, n_ever, n_paying = (
        results[4],
        results[5],
        results[6],
        results[7],
        results[8],
    )
    n_active = n_active_only + n_loyal
    retention = 1.0 - _ratio(np.float64(churned), np.float64(n)) if n else np.nan
    headcount, budget = staffing[0], staffing[1]
    row[0], row[1], row[2], row[3] = n_prospects, n_active, n_loyal, n_lapsed
    row[4], row[5], row[6] = acquired, acquired_referral, churned
    row[7], row[8], row[9], row[10] = early[0], early[1], won_back, early[2]
    row[11] = retention
    row[12] = retention**12.0
    row[13] = total_revenue
    for j in range(ledger.size):  # each cost line (14-26)
        row[14 + j] = ledger[j]
    row[27] = profit
    row[28] = npv
    row[29] = _ratio(results[15], n_active)
    row[30] = 100.0 * _ratio(promoters - detractors, n_active)
    row[31] = _ratio(_lines(ledger, ways, ACQUISITION), np.float64(acquired))
    row[32] = _ratio(ledger[slots[2]], early[3])
    row[33] = _top(results[17], n_paying, results[12], results[13], results[14], revenue.size)
    row[34] = _top(results[16], n_ever, results[9], results[10], results[11], m[4].size)
    row[35] = _ratio(np.float64(acquired_referral), np.float64(acquired))
    row[36], row[37], row[38] = early[4], early[5], early[6]
    row[39] = _ratio(aware, n_prospects)
    row[40], row[41] = early[7], early[8]
    row[42] = headcount
    # float32_mean's numbers (the float32 sum over the count, rounded to float32)
    row[43] = np.float64(np.float32(results[18] / headcount)) if headcount else np.nan
    for j in range(9, 14):  # quality, incidents, fixed on the spot, escalated, unfixed
        row[35 + j] = early[j]
    row[49] = headcount * budget
    row[50] = early[14]
    row[51], row[52], row[53] = firm[1], firm[2], firm[2] - firm[1]
    row[54] = early[15]
    row[55], row[56], row[57], row[58] = firm[3], firm[4], firm[5], firm[6]
    row[59] = unattributed
    return (
        total_revenue, profit, unattributed, paying, contribution_total, churned, acquired,
        acquired_referral, won_back, npv,
    )  # fmt: skip
