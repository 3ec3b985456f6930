"""Compiled passes of the account phase (:mod:`model.engine.phases.account`).

Two passes over the served clients replace the phase's two dozen numpy calls: :func:`ledger_pass`
prices each served client's month (revenue, contribution, cost to serve) into arrays and sums
them as numpy does (:func:`~model.engine.kernels.reduce.add_reduce`: the same pairwise sums),
and :func:`attribute` books each client's share of the month into the cumulative arrays. Powers
of tenure stay in numpy: they arrive as tables.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.reduce import add_reduce

__all__ = ["attribute", "charge_joiners", "ledger_pass", "served_max"]


@njit(cache=True, nogil=True)
def served_max(values: np.ndarray, idx: np.ndarray) -> int:  # pragma: no cover - compiled
    """The largest of ``values[idx]`` (0 if ``idx`` is empty): ``values[idx].max(initial=0)``."""
    top = 0
    for k in range(idx.size):
        v = values[np.uint64(idx[k])]
        if v > top:
            top = v
    return top


@njit(cache=True, nogil=True)
def charge_joiners(
    joins: np.ndarray, value: np.ndarray, acquisition: float
) -> int:  # pragma: no cover - compiled
    """Charge the month's joiners an equal share of ``acquisition``; returns how many joined.

    Reference: ``cl.value[np.flatnonzero(cl.joins)] -= acquisition / joiners.size`` in
    :func:`model.engine.phases.account._shared_charges`.

    Joiners are few (about one in a thousand a month at 10⁶ clients): the flags are looked
    through eight at a time as 64-bit words and only a word with a joiner in it is opened. A
    plain ``if joins[i]`` loop is compiled into masked loads and stores of all of ``value``
    (8 MB read and written at 10⁶ clients: 2.7 ms against 0.3 here, the same numbers).
    """
    n = 0
    for i in range(joins.size):
        n += joins[i]
    if n == 0:
        return n
    each = acquisition / n
    whole = 0
    # Whole words only over a contiguous array of one-byte flags (the client state's); anything
    # else, flag by flag.
    if joins.itemsize == 1 and joins.strides[0] == 1:
        whole = joins.size - joins.size % 8
        words = joins[:whole].view(np.uint64)
        for w in range(words.size):
            if words[w]:  # (rare: a branch the processor predicts)
                for i in range(8 * w, 8 * w + 8):
                    if joins[i]:
                        value[i] -= each
    for i in range(whole, joins.size):
        if joins[i]:
            value[i] -= each
    return n


@njit(cache=True, nogil=True)
def ledger_pass(
    idx: np.ndarray,
    spend: np.ndarray,
    leaves: np.ndarray,
    direct_cost: np.ndarray,
    tenure: np.ndarray,
    growth: np.ndarray,
    premium: np.ndarray,
    serve_trend: np.ndarray,
    enrolled_mask: np.ndarray,
    keep_all: float,
    discount_rate: float,
    cogs_share: float,
    cost_per_client: float,
    spend_mean: float,
    flags: np.ndarray,
    volume: np.ndarray,
    revenue: np.ndarray,
    contribution: np.ndarray,
    service: np.ndarray,
    members_revenue: np.ndarray,
    joins: np.ndarray,
    value: np.ndarray,
    acquisition: float,
) -> tuple[int, int, float, float, float, float, float]:  # pragma: no cover - compiled
    """One served client's month, per served client, and the joiners' acquisition cost.

    Returns how many pay (do not leave), how many joined (:func:`charge_joiners`, run here to
    spare its own call), and the sums of ``revenue``, ``volume`` (``revenue``'s without a
    premium), ``service`` (0.0 unless per client), ``contribution`` and ``members_revenue``
    (``revenue``'s when everyone is a member), each as ``np.add.reduce`` sums it.

    Reference: the ledger half of :func:`model.engine.phases.account.step_numpy`, operation by
    operation in float64: ``volume = spend·pays (·growth)``, ``revenue = volume (·premium)``,
    ``contribution = revenue·keep − cogs·volume`` (or ``revenue·(keep − cogs)`` without a premium),
    less the cost to serve and the direct costs.

    Parameters
    ----------
    idx : ndarray of int64
        Served rows.
    spend, leaves, direct_cost : ndarray
        Client arrays (float32 currency/month, bool, float64 currency), indexed by row.
    tenure : ndarray of int
        Tenure (months) by row.
    growth, premium, serve_trend : ndarray of float64
        Multipliers by month of tenure; read only when their flag is set.
    enrolled_mask : ndarray of bool
        The loyalty programme's members by row; read unless everyone is a member.
    keep_all : float
        ``1 − discount_rate``: what a member keeps of its revenue when everyone is a member.
    discount_rate, cogs_share, cost_per_client, spend_mean : float
        The loyalty discount (share), cost of goods (share of volume), the month's cost to serve
        one client before trends (currency) and the market's mean spend (currency/month).
    flags : ndarray of bool, (6,)
        Spend growth on, price premium on, everyone a member, cost to serve as a share of spend,
        cost to serve trend on, cost to serve per client (an array).
    volume, revenue, contribution, service, members_revenue : ndarray
        Written per position: volume only with a premium (else ``revenue`` holds it), service only
        when per client, the programme members' revenue (``revenue · member``, 0.0 for the others)
        only unless everyone is a member.
    joins, value, acquisition
        :func:`charge_joiners`' arguments.
    """
    use_growth, use_premium, everyone = flags[0], flags[1], flags[2]
    share_of_spend, use_trend, service_per_client = flags[3], flags[4], flags[5]
    paying = 0
    for k in range(idx.size):
        r = np.uint64(idx[k])
        t = np.uint64(tenure[r])
        pays = not leaves[r]
        paying += pays
        vol = np.float64(spend[r]) * (1.0 if pays else 0.0)
        if use_growth:
            vol = vol * growth[t]
        if use_premium:
            rev = vol * premium[t]
            volume[k] = vol
        else:
            rev = vol
        revenue[k] = rev
        if everyone:
            keep = keep_all
        else:
            member = enrolled_mask[r]
            members_revenue[k] = rev * (1.0 if member else 0.0)
            keep = 1.0 - discount_rate * (1.0 if member else 0.0)
        if use_premium:
            c = rev * keep
            c = c - cogs_share * vol
        else:
            c = rev * (keep - cogs_share)
        if service_per_client:
            s = cost_per_client
            if share_of_spend:
                s = s * (np.float64(spend[r]) / spend_mean)
            if use_trend:
                s = s * serve_trend[t]
            service[k] = s
        else:
            s = cost_per_client
        c = c - s
        c = c - direct_cost[r]
        contribution[k] = c
    joiners = charge_joiners(joins, value, acquisition)
    n = idx.size
    total_revenue = add_reduce(revenue[:n])
    total_volume = add_reduce(volume[:n]) if use_premium else total_revenue
    total_service = add_reduce(service[:n]) if service_per_client else 0.0
    total_members = total_revenue if everyone else add_reduce(members_revenue[:n])
    total_contribution = add_reduce(contribution[:n])
    return (
        paying,
        joiners,
        total_revenue,
        total_volume,
        total_service,
        total_contribution,
        total_members,
    )


@njit(cache=True, nogil=True)
def attribute(
    idx: np.ndarray,
    contribution: np.ndarray,
    revenue: np.ndarray,
    referrer: np.ndarray,
    per_client_charge: float,
    per_revenue: float,
    referral_share: float,
    unserved: np.ndarray,
    direct_cost: np.ndarray,
    value: np.ndarray,
    revenue_total: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Book the month into each client's cumulative value and revenue.

    Reference: the attribution half of :func:`model.engine.phases.account.step_numpy`, in its
    order: first every referral credit into the referrer's value (``np.add.at``: one addition at
    a time, in served order), then each served client's own share (and revenue), then the direct
    costs of the clients charged while not served.

    Parameters
    ----------
    idx : ndarray of int64
        Served rows.
    contribution, revenue : ndarray of float64
        Per served position (currency).
    referrer : ndarray of int32
        Referrer by row (−1: none).
    per_client_charge, per_revenue : float
        Shared costs charged per client (currency) and per unit of revenue (share; 0: none).
    referral_share : float
        Share of a referred client's contribution credited to its referrer (0: no credit).
    unserved : ndarray of int64
        Rows charged a direct cost while not served.
    direct_cost : ndarray of float64
        Direct costs by row (currency).
    value, revenue_total : ndarray of float64
        Cumulative attributed profit and revenue by row (currency), updated in place.
    """
    credit_on = referral_share > 0
    if credit_on:
        for k in range(idx.size):
            ref = referrer[np.uint64(idx[k])]
            if ref >= 0:
                value[np.uint64(ref)] += referral_share * contribution[k]
    for k in range(idx.size):
        r = np.uint64(idx[k])
        own = contribution[k] - per_client_charge
        if per_revenue:
            own = own - per_revenue * revenue[k]
        if credit_on and referrer[r] >= 0:
            own = own - referral_share * contribution[k]
        value[r] += own
        revenue_total[r] += revenue[k]  # (numpy adds it last; it reads no value, so here)
    for j in range(unserved.size):
        u = np.uint64(unserved[j])
        value[u] -= direct_cost[u]
