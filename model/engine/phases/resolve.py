"""Resolve: apply the month's requested stage changes in one place, and age everyone a month.

Leavers become LAPSED (remembering why), joiners and returners ACTIVE with fresh satisfaction;
LOYAL is relabelled from tenure and satisfaction. The flows are counted here, so stocks change
only by recorded flows.
"""

from __future__ import annotations

import numpy as np

from model.engine.context import Context
from model.engine.kernels import resolve as kernels
from model.engine.scratch import formed
from model.engine.state import Source, Stage

__all__ = ["arguments", "fixed_arguments", "record", "step", "step_numpy"]

assert Stage.LOYAL == Stage.ACTIVE + 1  # the relabelling below adds a 0/1 flag to ACTIVE


def step(ctx: Context) -> None:
    """Apply leaves, joins and returns; advance tenure and months lapsed; relabel LOYAL.

    One compiled pass over the market (:func:`model.engine.kernels.resolve.resolve_market`); the
    same numbers as :func:`step_numpy`, its readable reference.
    """
    record(ctx, *kernels.resolve_market(*arguments(ctx)))


def record(
    ctx: Context, churned: int, acquired: int, acquired_referral: int, won_back: int
) -> None:
    """The resolve phase's tallies: who churned, joined (by referral) and came back."""
    # Item by item: dict.update with keywords costs a microsecond more.
    tally = ctx.tally
    tally["churned"] = churned
    tally["acquired"] = acquired
    tally["acquired_referral"] = acquired_referral
    tally["won_back"] = won_back


def arguments(ctx: Context) -> tuple:
    """:func:`~model.engine.kernels.resolve.resolve_market`'s arguments for this month."""
    cl = ctx.clients
    return (
        ctx.served, cl.leaves, cl.joins, cl.returns, cl.aware_source, cl.stage, cl.tenure,
        cl.months_lapsed, cl.satisfaction, cl.expectation, cl.paradox_bonus, cl.left_reason,
        cl.aware, cl.acquired_month, ctx.month, *fixed_arguments(ctx),
    )  # fmt: skip


def fixed_arguments(ctx: Context) -> tuple:
    """The last six of :func:`arguments`, which the scenario fixes: the initial satisfaction,
    the loyal tenure and satisfaction, and the active, lapsed and referral codes."""
    return (*_constants(ctx), _ACTIVE, _LAPSED, _REFERRAL)


#: Stage and source codes as the kernel takes them (plain ints).
_ACTIVE, _LAPSED, _REFERRAL = int(Stage.ACTIVE), int(Stage.LAPSED), int(Source.REFERRAL)


def _constants(ctx: Context) -> tuple[np.float32, int, np.float32]:
    """``(initial satisfaction, loyal tenure, loyal satisfaction)`` as the kernel takes them,
    formed once per market and scenario: the two satisfactions in float32, as numpy casts a
    Python float against a float32 array."""

    def form() -> tuple[np.float32, int, np.float32]:
        p = ctx.params
        return (
            np.float32(p.satisfaction.initial),
            p.retain.loyal_tenure_months,
            np.float32(p.retain.loyal_satisfaction),
        )

    return formed(ctx.clients, "resolve", ctx.params, form)


def step_numpy(ctx: Context) -> None:
    """:func:`step` in numpy: the readable reference of the compiled pass."""
    cl, p = ctx.clients, ctx.params
    leaves, joins, returns = cl.leaves, cl.joins, cl.returns
    # Dense passes over the small-dtype arrays, and fancy indexing only on the few movers: a
    # boolean-mask update touching most of the market costs ~10x a dense add (measured at 10⁶).
    leaving, joining = np.flatnonzero(leaves), np.flatnonzero(joins)
    arriving = np.flatnonzero(joins | returns)

    ctx.tally.update(
        churned=int(leaving.size),
        acquired=int(joining.size),
        acquired_referral=int(np.count_nonzero(cl.aware_source[joining] == Source.REFERRAL)),
        won_back=int(np.count_nonzero(returns)),
    )
    stayed = ctx.served & ~leaves
    cl.tenure += stayed
    cl.months_lapsed += (cl.stage == Stage.LAPSED) & ~returns

    cl.stage[leaving] = Stage.LAPSED
    cl.months_lapsed[leaving] = 0

    cl.stage[arriving] = Stage.ACTIVE
    cl.tenure[arriving] = 0
    cl.satisfaction[arriving] = p.satisfaction.initial
    cl.expectation[arriving] = p.satisfaction.initial
    cl.paradox_bonus[arriving] = 0.0
    cl.left_reason[arriving] = 0
    cl.aware[joining] = False
    cl.acquired_month[joining] = ctx.month  # a prospect joins once: its first acquisition

    active = stayed
    active[arriving] = True
    loyal = cl.tenure >= p.retain.loyal_tenure_months
    loyal &= cl.satisfaction >= p.retain.loyal_satisfaction
    # stage ← LOYAL or ACTIVE where active, as int8 arithmetic (a select costs ~20x as much).
    relabel = loyal.view(np.int8) + np.int8(Stage.ACTIVE)  # LOYAL = ACTIVE + 1
    relabel -= cl.stage
    relabel *= active.view(np.int8)
    cl.stage += relabel
