"""Word of mouth: promoters recommend, detractors warn (docs/ODD.md §7.5).

Each promoter passes a positive message along each of its edges with probability q⁺/k̄ a month,
and each detractor a warning with probability q⁻/k̄, where k̄ is the network's average degree — so
Bass's *q* keeps its meaning on any network (fully mixed, a prospect with F·N adopters around it
hears with probability 1 − (1 − q/k̄)^(F·N) ≈ 1 − e^(−qF)). Computed receiver-side: a client with
``a`` promoter neighbours is reached with probability 1 − (1 − q⁺/k̄)^a, one uniform per client.

Each kind can be switched off alone (``word_of_mouth.positive`` / ``negative``: a silenced kind
sends nothing, the other still spreads); ``enabled`` false switches both off.

Detractors: served clients below the NPS detractor threshold, and clients who left over bad service
for ``lapsed_warning_months``. Effects: prospects become aware (attract) or are put off (conversion
× ``negative_conversion_factor``); lapsed clients' return odds rise; current clients' satisfaction
moves a little.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from model.engine.context import Context
from model.engine.kernels import word_of_mouth as kernels
from model.engine.phases.satisfaction import (
    behavioural,
    satisfaction_cutoffs,
    satisfaction_cutoffs32,
)
from model.engine.scratch import formed, scratch
from model.engine.state import Reason, Stage
from model.scenario import WordOfMouth

__all__ = [
    "flag_packing",
    "reach_numpy",
    "reach_probability",
    "reach_table",
    "speaking_rates",
    "step",
    "step_numpy",
]


#: Stage and reason codes as the kernel takes them (plain ints).
_LAPSED, _BAD_SERVICE = int(Stage.LAPSED), int(Reason.BAD_SERVICE)


@lru_cache(maxsize=64)
def reach_table(q: float, mean_degree: float, size: int) -> np.ndarray:
    """``1 − (1 − q/k̄)^a`` for ``a = 0 … size − 1`` sending neighbours, in float32 (read only).

    float32: it is compared with float32 uniforms, so no more precision than they carry is needed.
    Kept for the next month (the rates and the network stay put).
    """
    per_edge = min(q / max(mean_degree, 1e-12), 1.0)
    a = np.arange(int(size))
    table = -np.expm1(a * np.log1p(-per_edge)) if per_edge < 1 else (a > 0).astype(np.float64)
    table = table.astype(np.float32)
    table.flags.writeable = False
    return table


def reach_probability(senders_around: np.ndarray, q: float, mean_degree: float) -> np.ndarray:
    """Chance a client with ``senders_around`` sending neighbours hears at least one message."""
    # Counts are small integers: one table (:func:`reach_table`), then a gather.
    senders_around = np.asarray(senders_around)  # the reference engine passes one int
    table = reach_table(q, mean_degree, int(senders_around.max(initial=0)) + 1)
    return np.take(table, senders_around.astype(np.intp, copy=False))


def speaking_rates(w: WordOfMouth) -> tuple[float, float]:
    """The monthly rates ``(q⁺, q⁻)`` in force: 0 for a kind switched off (or both, if disabled)."""
    if not w.enabled:
        return 0.0, 0.0
    return (w.q_positive if w.positive else 0.0), (w.q_negative if w.negative else 0.0)


@dataclass(frozen=True)
class _Setup:
    """What a market's compiled word of mouth needs every month that its scenario and network
    fix, formed once (a few microseconds of Python and numpy calls a month otherwise)."""

    shift: int
    #: Each in float32: numpy compares a float32 array with a Python float in float32.
    promoter_s: np.float32
    detractor_s: np.float32
    effect: np.float32
    table_pos: np.ndarray
    table_neg: np.ndarray
    do_pos: bool
    do_neg: bool
    #: The kernel's work arrays (speakers' packed flags, and counts around each client).
    flags: np.ndarray
    counts: np.ndarray


def _setup(ctx: Context) -> _Setup | None:
    """The market's :class:`_Setup`, formed again if its scenario or network is another; None
    when the month runs in numpy (fully mixed: no stored edges; or hubs past the packing)."""
    net = ctx.network

    def form() -> _Setup | None:
        size = net.max_degree() + 1 if net.kind != "full" else 0
        return None if net.kind == "full" or size > 1 << 16 else _new_setup(ctx, size)

    return formed(ctx.clients, "wom", (ctx.params, net), form)


def _new_setup(ctx: Context, size: int) -> _Setup:
    """:func:`_setup`'s setup for counts below ``size``."""
    cl, p, net = ctx.clients, ctx.params, ctx.network
    w = p.word_of_mouth
    shift, dtype = flag_packing(size)
    promoter_s, detractor_s = satisfaction_cutoffs32(p.satisfaction)
    q_pos, q_neg = speaking_rates(w)
    return _Setup(
        shift=shift,
        promoter_s=promoter_s,
        detractor_s=detractor_s,
        effect=np.float32(w.satisfaction_effect),
        table_pos=reach_table(q_pos, net.mean_degree, size),
        table_neg=reach_table(q_neg, net.mean_degree, size),
        do_pos=q_pos > 0,
        do_neg=q_neg > 0,
        flags=scratch(cl, "wom.flags", (cl.n,), dtype),
        counts=scratch(cl, "wom.counts", (cl.n,), dtype),
    )


#: The stream of a channel that cannot carry anything is not drawn: it gets this instead.
_NONE = np.zeros(0, dtype=np.float32)
_NONE.flags.writeable = False


def step(ctx: Context) -> None:
    """Decide who hears positive and negative messages this month; record promoters.

    One compiled call (:func:`model.engine.kernels.word_of_mouth.speak_and_hear`): who speaks,
    counted into their neighbours over the speakers' edges only, then who hears and how that
    moves the served clients' satisfaction — with the same numbers as :func:`step_numpy`, which
    also serves the fully mixed market (no stored edges) and hubs past the packing.
    """
    cl, p = ctx.clients, ctx.params
    if not p.word_of_mouth.enabled:
        _silent(ctx)
        return
    s = _setup(ctx)
    if s is None:
        step_numpy(ctx)
        return
    n = cl.n
    # Last month's let go first: unless something else holds them, their blocks are reused.
    ctx.promoters = ctx.wom_probability = _NONE
    promoters = np.empty(n, dtype=bool)
    # Every element is written when the positive channel carries (else it stays 0).
    pos = np.empty(n, dtype=np.float32) if s.do_pos else np.zeros(n, dtype=np.float32)
    n_pro, n_det, n_heard_pos, n_heard_neg = kernels.speak_and_hear(
        ctx.network.indptr,
        ctx.network.indices,
        cl.satisfaction,
        cl.paradox_bonus,
        p.service.recovery_paradox_behavioural,
        ctx.served,
        cl.stage,
        cl.left_reason,
        cl.months_lapsed,
        _LAPSED,
        _BAD_SERVICE,
        p.word_of_mouth.lapsed_warning_months,
        s.promoter_s,
        s.detractor_s,
        s.shift,
        s.table_pos,
        s.table_neg,
        ctx.uniform("wom.positive") if s.do_pos else _NONE,
        ctx.uniform("wom.negative") if s.do_neg else _NONE,
        s.do_pos,
        s.do_neg,
        s.effect,
        s.flags,
        s.counts,
        ctx.work32(dtype=np.int32),  # the speakers' rows (a work row of the context's block)
        promoters,
        pos,
        cl.heard_positive,
        cl.heard_negative,
    )
    ctx.promoters = promoters
    ctx.wom_probability = pos
    # Item by item: dict.update with keywords costs a microsecond more.
    tally = ctx.tally
    tally["promoters"] = n_pro
    tally["detractors"] = n_det
    tally["reached_positive"] = n_heard_pos
    tally["reached_negative"] = n_heard_neg


def step_numpy(ctx: Context) -> None:
    """:func:`step` in numpy: the readable reference its compiled kernels are tested against."""
    cl, p = ctx.clients, ctx.params
    w, sat = p.word_of_mouth, p.satisfaction
    if not w.enabled:
        _silent(ctx)
        return
    # Over the whole market, masked to the served: contiguous passes instead of gathers.
    s = behavioural(cl.satisfaction, cl.paradox_bonus, p.service.recovery_paradox_behavioural)
    # NPS bands on the 0-10 scale, turned into satisfaction cut-offs (no power over every client).
    promoter_s, detractor_s = satisfaction_cutoffs(sat)
    promoters = ctx.served & (s >= promoter_s)
    detractors = (cl.stage == Stage.LAPSED) & (cl.left_reason == Reason.BAD_SERVICE)
    detractors &= cl.months_lapsed < w.lapsed_warning_months
    detractors |= ctx.served & (s < detractor_s)
    q_pos, q_neg = speaking_rates(w)
    pos = reach_numpy(ctx, promoters, detractors, q_pos, q_neg, ctx.network.mean_degree)
    ctx.promoters = promoters
    ctx.wom_probability = pos

    # A little of current clients' satisfaction (applied for next month; this month is decided).
    heard = np.flatnonzero((cl.heard_positive | cl.heard_negative) & ctx.served)  # only they move
    delta = w.satisfaction_effect * (
        cl.heard_positive[heard].astype(np.float32) - cl.heard_negative[heard]
    )
    cl.satisfaction[heard] = np.clip(cl.satisfaction[heard] + delta, 0.0, 1.0)
    ctx.tally.update(
        promoters=int(np.count_nonzero(promoters)),  # count_nonzero: ~10x faster than sum
        detractors=int(np.count_nonzero(detractors)),
        reached_positive=int(np.count_nonzero(cl.heard_positive)),
        reached_negative=int(np.count_nonzero(cl.heard_negative)),
    )


def _silent(ctx: Context) -> None:
    """Word of mouth switched off: nobody speaks, nobody hears."""
    n = ctx.clients.n
    ctx.promoters = np.zeros(n, dtype=bool)
    ctx.wom_probability = np.zeros(n, dtype=np.float32)
    ctx.tally.update(promoters=0, detractors=0, reached_positive=0, reached_negative=0)


def flag_packing(size: int) -> tuple[int, type]:
    """``(shift, dtype)`` that pack a promoter and a detractor flag into one integer per client,
    ``promoter + detractor · 2^shift``, for counts below ``size``: a count below ``2^shift``
    cannot carry into the other's bits."""
    return (8, np.uint16) if size <= 1 << 8 else (16, np.uint32)


def reach_numpy(
    ctx: Context,
    promoters: np.ndarray,
    detractors: np.ndarray,
    q_pos: float,
    q_neg: float,
    k: float,
) -> np.ndarray:
    """Who hears what, in numpy (the fully mixed market, and the reference of the compiled pass).

    Writes ``heard_positive`` and ``heard_negative``; returns each client's chance of hearing a
    positive message. A channel that cannot carry anything is skipped (its stream is not drawn).
    """
    cl, net, n = ctx.clients, ctx.network, ctx.clients.n
    if q_pos > 0 and q_neg > 0:
        around_pos, around_neg = net.count_flagged_both(promoters, detractors)
    else:
        around_pos = net.count_flagged(promoters) if q_pos > 0 else None
        around_neg = net.count_flagged(detractors) if q_neg > 0 else None
    pos = np.zeros(n, dtype=np.float32)
    if around_pos is not None:
        pos = reach_probability(around_pos, q_pos, k)
        np.less(ctx.uniform("wom.positive"), pos, out=cl.heard_positive)
    if around_neg is not None:
        neg = reach_probability(around_neg, q_neg, k)
        np.less(ctx.uniform("wom.negative"), neg, out=cl.heard_negative)
    return pos
