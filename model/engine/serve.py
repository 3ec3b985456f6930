"""The month's service in one compiled call: the work, satisfaction and retain phases.

Each of the three phases is one compiled pass wrapped in Python that gathers its arguments —
the client arrays, the scenario's constants, the month's draws and levers — and books its
results. At a few thousand clients that Python costs about half as much as the passes. A month
whose phases run the default ``work``, ``satisfaction`` and ``retain`` one after the other runs
them as :func:`step` (:func:`fuse`): the three passes in one call
(:func:`model.engine.kernels.serve.serve_month`), with the client arrays and the scenario's
constants bound once per market (``formed``) and only the month's own values gathered. The
passes are the phases' own, so the numbers are the same, bit for bit
(``tests/test_serve.py``); a scenario whose churn response is not the exponential one (retain
then computes its response in numpy from the satisfaction the month has just updated), and a
month with nobody served, run the three phases one by one.

A stretch of the compiled month (docs/performance.md, "What the targets need"), as
:mod:`model.engine.month_end` is: the phase list stays declared and replaceable.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from model.engine.context import Context
from model.engine.kernels import serve as kernel
from model.engine.kernels.numpy_loops import EXP32, EXP64
from model.engine.phases import retain, satisfaction, work
from model.engine.randomness import NORMAL_TABLE
from model.engine.schedule import poached_for_good_share, poached_share, service_drop
from model.engine.scratch import formed

__all__ = ["NAME", "fuse", "step"]

#: The name the fused step runs under in a model's month (timers and lockstep list it so).
NAME = "serve"

#: The default phases this step runs in one call, in their order.
_RUN = (work.step, satisfaction.step, retain.step)

# Empty arrays for what the retain pass does not read (no programme, no poaching, the exponential
# response): writable, as the unfused phase's are, so the passes are compiled once.
_NO_FLAGS = np.zeros(0, dtype=bool)
_NO_FLOATS = np.zeros(0, dtype=np.float32)


def fuse(phases: tuple) -> tuple:
    """``phases`` with each run of the default ``work``, ``satisfaction`` and ``retain`` phases
    (the functions themselves, one after the other) as one :func:`step` named :data:`NAME`;
    ``phases`` itself where there is none."""
    steps = tuple(s for _name, s in phases)
    for i in range(len(steps) - len(_RUN) + 1):
        if steps[i : i + len(_RUN)] == _RUN:
            rest = phases[i + len(_RUN) :]
            return (*phases[:i], (NAME, step), *fuse(rest))
    return phases


def step(ctx: Context) -> None:
    """The work, satisfaction and retain phases of this month, as one compiled call."""
    p = ctx.params
    idx = ctx.served_idx
    if idx.size == 0 or p.retain.churn_response != "exponential":
        # (One after the other, with no new phase between them: in lockstep another model may
        # still read this one's draws, which a new phase would let the next draws overwrite.)
        work.step(ctx)
        satisfaction.step(ctx)
        retain.step(ctx)
        return
    cl, st, lv, firm, r, month = ctx.clients, ctx.staff, ctx.levers, ctx.firm, p.retain, ctx.month
    # (Formed again for another scenario, or when a client or staff array is put in another's
    # place.)
    b = formed(cl, "serve", (p, cl.generation, st.generation), lambda: _bind(ctx))
    drop = service_drop(p, month) if p.shocks else 0.0
    discounted = retain.with_discount(ctx)
    poach = poached_share(p, month)
    # (The work rows and draws in the work phase's order, then the retain phase's.)
    q = ctx.work32()[: idx.size]
    x = ctx.work32()[: idx.size]
    monthly = (
        idx, ctx.served, ctx.dense, ctx.uniform("work.quality"), ctx.uniform("work.incident"),
        float(max(0.0, lv.service_level - drop)), float(firm.novelty_dip),
        ctx.streams.key("work.fix_cost", month), q, x,
        ctx.targeted["empowerment"], float(lv.empowerment_cap), lv.empowerment_budget > 0,
        ctx.streams.key("work.escalation", month),
        satisfaction.market_term(ctx),
        ctx.targeted["loyalty"] if discounted else _NO_FLAGS,
        retain.exponent_terms(r, lv, True, discounted), lv.loyalty_discount > 0,
        retain.gap_factor(firm.gap, r), ctx.uniform("retain.churn"),
        ctx.uniform("retain.poach") if poach > 0 else _NO_FLOATS, poach,
        poached_for_good_share(p, month) if poach > 0 else 0.0, np.getbufsize(),
    )  # fmt: skip
    worked, kept = kernel.serve_month(b.market, b.fixed, monthly, EXP64.address, EXP32.address)
    work.record(ctx, *worked)
    retain.record(ctx, discounted, *kept)


class _Bound(NamedTuple):
    """What :func:`step` hands its kernel that a market and scenario fix (:func:`_bind`)."""

    market: tuple  # the client and staff arrays, as the kernel takes them
    fixed: tuple  # the scenario's constants


def _bind(ctx: Context) -> _Bound:
    """:class:`_Bound` for the context's market and scenario (kept: ``formed``)."""
    cl, st, p = ctx.clients, ctx.staff, ctx.params
    c = work.constants(ctx)
    market = (
        cl.staff, st.clients, st.engagement, st.skill, cl.fit, NORMAL_TABLE, cl.incident,
        cl.direct_cost, cl.paradox_bonus, cl.experience, st.budget_used, st.budget_left,
        cl.expectation, cl.satisfaction, cl.tenure, cl.propensity, cl.leaves, cl.left_reason,
    )  # fmt: skip
    fixed = (
        c.staff_terms, c.fit_effect, c.noise_scale, c.rate_max, c.mu, c.sigma, c.settle,
        satisfaction.constants(ctx), p.service.recovery_paradox_behavioural,
        p.retain.bad_service_threshold, _NO_FLOATS,
    )  # fmt: skip
    return _Bound(market, fixed)
