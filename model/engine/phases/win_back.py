"""Win back: lapsed clients return (docs/ODD.md §7.7).

Chance = natural return + (targeted) r_max·(1 − e^(−spend/scale))·e^(−months lapsed/decay)
× (bad-service factor if they left over service), × (1 + boost) if a friend spoke well this month,
× the warning factor if someone warned them. Clients a permanent poaching raid took (reason
GONE_FOR_GOOD) never return, though a win-back campaign that cannot tell them apart may still
spend on them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from model.engine.context import Context
from model.engine.kernels import win_back as kernels
from model.engine.phases.staff import saturating
from model.engine.state import Reason, Stage
from model.scenario import WinBack

__all__ = [
    "lapse_decay_table",
    "return_probability",
    "spend_saturation",
    "step",
    "step_numpy",
]

#: ``months_lapsed`` is int16: the decay table covers every value, from this offset.
_LAPSE_OFFSET = 1 << 15


def return_probability(
    months_lapsed: np.ndarray,
    bad_service: np.ndarray,
    spend: np.ndarray,
    heard_positive: np.ndarray,
    warned_factor: np.ndarray,
    boost: float,
    p: WinBack,
) -> np.ndarray:
    """Monthly chance a lapsed client comes back."""
    prompted = (
        p.return_max
        * saturating(spend, p.spend_scale)
        * np.exp(-months_lapsed / p.decay_months)
        * np.where(bad_service, p.bad_service_factor, 1.0)
    )
    base = (p.natural_return + prompted) * (1.0 + boost * heard_positive) * warned_factor
    return np.clip(base, 0.0, 1.0)


@lru_cache(maxsize=16)
def lapse_decay_table(decay_months: float) -> np.ndarray:
    """``e^(−ml/decay)`` for every int16 months lapsed ``ml``, at ``ml + 2^15`` (read-only).

    Formed as :func:`return_probability` forms it (negated int16, divided in float64), so a
    gather by ``ml`` gives its numbers; built once per decay (512 KiB).
    """
    lapsed = np.arange(-_LAPSE_OFFSET, _LAPSE_OFFSET).astype(np.int16)
    with np.errstate(over="ignore"):  # negative months never occur; their entries may be inf
        table = np.exp(-lapsed / decay_months)
    table.flags.writeable = False
    return table


@lru_cache(maxsize=64)
def spend_saturation(spend_if_targeted: float, spend_scale: float) -> np.ndarray:
    """:func:`~model.engine.phases.staff.saturating` of a spend of 0 and of ``spend_if_targeted``
    (read-only): a lapsed client's spend is one or the other, so two numbers serve the month.

    Formed as the reference forms them (an array of spends through the same ufuncs); kept, as
    the spend lever rarely changes from one month to the next. (A spend of −0.0 may be given
    +0.0's pair, or the reverse: only the sign of a zero saturation differs, which no chance
    compared with a uniform can show; the spend itself is not taken from here.)
    """
    saturation = saturating(np.array([0.0, spend_if_targeted]), spend_scale)
    saturation.flags.writeable = False
    return saturation


def step(ctx: Context) -> None:
    """Spend on targeted lapsed clients; mark those who return (``clients.returns``).

    One compiled pass over the market (:func:`model.engine.kernels.win_back.win_back_lapsed`);
    the exponentials come from numpy, as small tables. The same numbers as :func:`step_numpy`,
    its readable reference.
    """
    cl, p, lv = ctx.clients, ctx.params, ctx.levers
    w, wb = p.word_of_mouth, p.win_back
    spend_if_targeted = float(lv.winback_spend)
    saturation = spend_saturation(spend_if_targeted, float(wb.spend_scale))
    # The lapsed (then the charged, listed first) and their spends: work rows of the context's
    # block (no fresh arrays).
    rows = ctx.work32(dtype=np.int32)
    spent, n_charged, targeted = kernels.win_back_lapsed(
        cl.stage,
        ctx.targeted["winback"],
        cl.heard_negative,
        cl.heard_positive,
        cl.left_reason,
        cl.months_lapsed,
        ctx.uniform("winback.return"),
        int(Stage.LAPSED),
        int(Reason.BAD_SERVICE),
        int(Reason.GONE_FOR_GOOD),
        spend_if_targeted,
        saturation,
        lapse_decay_table(float(wb.decay_months)),
        _LAPSE_OFFSET,
        float(wb.return_max),
        float(wb.natural_return),
        float(wb.bad_service_factor),
        float(w.return_boost) if w.enabled else 0.0,
        float(w.negative_conversion_factor),
        cl.returns,
        cl.direct_cost,
        rows,
        ctx.work64(),
    )
    # Lapsed, so not served: account charges them apart. (A copy of the few rows, not a view of
    # the work row: the next phase, account itself, takes the same rows of the block.)
    ctx.charged_unserved = rows[:n_charged].astype(np.int64)
    ctx.ledger["winback"] += spent  # the reference's spend.sum(), summed as numpy does
    ctx.tally["winback_targeted"] = targeted


def step_numpy(ctx: Context) -> None:
    """:func:`step` in numpy: the readable reference of the compiled pass."""
    cl, p, lv = ctx.clients, ctx.params, ctx.levers
    idx = np.flatnonzero(cl.stage == Stage.LAPSED)
    spend = np.where(ctx.targeted["winback"][idx], lv.winback_spend, 0.0)
    w = p.word_of_mouth
    warned = np.where(cl.heard_negative[idx], w.negative_conversion_factor, 1.0)
    prob = return_probability(
        cl.months_lapsed[idx],
        cl.left_reason[idx] == Reason.BAD_SERVICE,
        spend,
        cl.heard_positive[idx],
        warned,
        w.return_boost if w.enabled else 0.0,
        p.win_back,
    )
    back = ctx.uniform("winback.return")[idx] < prob
    back &= cl.left_reason[idx] != Reason.GONE_FOR_GOOD  # a permanent raid's: never back
    cl.returns[idx[back]] = True
    cl.direct_cost[idx] += spend
    ctx.charged_unserved = idx[spend > 0]  # lapsed, so not served: account charges them apart
    ctx.ledger["winback"] += float(spend.sum())
    ctx.tally["winback_targeted"] = int(np.count_nonzero(spend))
