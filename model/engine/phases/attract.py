"""Attract: prospects become aware and convert (docs/ODD.md §7.6).

Awareness comes from advertising (Bass *p* with diminishing returns to spend) and from positive word
of mouth (drawn in :mod:`~model.engine.phases.word_of_mouth`). **Attribution rule**: a prospect reached by
both in the same month is credited to each channel in proportion to its share of the awareness
hazard, ``p_ad / (p_ad + p_wom)`` — so neither channel wins every tie. A referral is credited to one
promoter neighbour, drawn uniformly. Aware prospects convert with a chance set by fit, the quality
gap and warnings heard; the acquisition keeps the source of the awareness. CAC is an output.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from model.engine.context import Context
from model.engine.kernels import attract as kernels
from model.engine.phases.staff import saturating
from model.engine.scratch import formed
from model.engine.state import Source, Stage
from model.scenario import Attract

__all__ = [
    "ad_awareness_probability",
    "conversion_fit_term",
    "conversion_gap_term",
    "conversion_probability",
    "step",
    "step_numpy",
]


def ad_awareness_probability(ad_budget: float, cost_factor: float, p: Attract) -> float:
    """Monthly chance an unaware prospect notices the advertising (diminishing returns)."""
    return _ad_probability(ad_budget, cost_factor, p.ad_p_max, p.ad_scale)


@lru_cache(maxsize=64)
def _ad_probability(ad_budget: float, cost_factor: float, p_max: float, scale: float) -> float:
    """:func:`ad_awareness_probability` of plain numbers, kept: the budget and the cost factor
    rarely change from month to month, and a numpy call on one number costs a microsecond.

    (A budget of −0.0 may be given +0.0's chance, or the reverse: a zero chance's sign changes
    no draw, as every uniform is at least 0 and the tie share is only read for an ad reach.)
    """
    return float(p_max * saturating(ad_budget / cost_factor, scale))


def conversion_probability(
    fit: np.ndarray,
    gap: float,
    warned: np.ndarray,
    gap_scale: float,
    p: Attract,
    warn_factor: float,
) -> np.ndarray:
    """Monthly chance an aware prospect becomes a client."""
    c = conversion_fit_term(fit, p) * conversion_gap_term(gap, gap_scale, p)
    return np.clip(np.where(warned, c * warn_factor, c), 0.0, 1.0)


def conversion_fit_term(fit: np.ndarray, p: Attract) -> np.ndarray:
    """The client's part of the chance to convert, ``c_max · fit^a`` (float32, as ``fit``)."""
    term = np.power(fit, p.fit_exponent)
    term *= p.conversion_max  # (in place for an array: one array of fit's length, not two)
    return term


def conversion_gap_term(gap: float, gap_scale: float, p: Attract) -> np.float64:
    """The firm's part of the chance to convert, ``e^(−g·tanh(gap/scale))`` (one float64)."""
    return np.exp(-p.gap_conversion_effect * np.tanh(gap / gap_scale))


def step(ctx: Context) -> None:
    """Mark newly aware prospects and the ones who join (``clients.joins``).

    Two compiled passes (:mod:`model.engine.kernels.attract`) that draw the keyed uniforms
    themselves, the referrers picked in numpy between them, and every client's fit term formed
    once per market (:func:`_constants`). The same numbers as :func:`step_numpy`, its readable
    reference.
    """
    cl, p, lv = ctx.clients, ctx.params, ctx.levers
    streams, month = ctx.streams, ctx.month
    p_ad = ad_awareness_probability(lv.ad_budget, ctx.ad_cost_factor, p.attract)
    rows, u_work = ctx.work32(2, np.int32), ctx.work32()  # work rows of the context's block
    n_aware, n_referred, newly_aware, aware_by_ad = kernels.attract_aware(
        cl.stage,
        cl.aware,
        cl.aware_source,
        cl.heard_positive,
        ctx.wom_probability,
        ctx.uniform("attract.ad"),
        np.float32(p_ad),  # float32, as numpy casts it against the float32 uniforms
        streams.key("attract.credit", month),
        streams.key("attract.referrer", month),
        _PROSPECT,
        _AD,
        _REFERRAL,
        rows,
        u_work,
    )
    if n_referred:
        referred = rows[1, :n_referred]
        cl.referrer[referred] = ctx.network.pick_flagged(
            referred, ctx.promoters, u_work[:n_referred]
        )

    warn_factor, forget_probability, fit_term = _constants(ctx)
    joined = kernels.attract_convert(
        rows[0, :n_aware],
        fit_term,
        # A float64 scalar: numpy multiplies the float32 fit term by it in float64.
        np.float64(conversion_gap_term(ctx.firm.gap, p.retain.gap_scale, p.attract)),
        cl.heard_negative,
        warn_factor,
        streams.key("attract.convert", month),
        streams.key("attract.forget", month),
        forget_probability,
        _NONE,
        cl.joins,
        cl.aware,
        cl.aware_source,
        cl.referrer,
    )

    ctx.ledger["marketing"] += lv.ad_budget * cl.n / 1000.0
    ctx.ledger["onboarding"] += float(joined) * p.attract.onboarding_cost
    # Item by item: dict.update with keywords costs a microsecond more.
    ctx.tally["newly_aware"] = newly_aware
    ctx.tally["aware_by_ad"] = aware_by_ad


#: Stage and source codes as the kernels take them (plain ints).
_PROSPECT, _AD, _REFERRAL, _NONE = (
    int(Stage.PROSPECT),
    int(Source.AD),
    int(Source.REFERRAL),
    int(Source.NONE),
)


def _constants(ctx: Context) -> tuple[float, np.float32, np.ndarray]:
    """``(warning factor, chance to forget, fit term)`` as
    :func:`~model.engine.kernels.attract.attract_convert` takes them, formed once per market and
    scenario: the chance in float32, as numpy compares it with float32 uniforms, and every
    client's :func:`conversion_fit_term` by row (read-only). A client's fit is a trait drawn at
    the start and never changed (the model's ``clients.fit`` is read-only), so its term is a
    constant too: formed once over the market (4 bytes a client) instead of gathered and raised
    to a power for the aware prospects each month (numpy's float32 ``power`` gives an element
    the same bits wherever it lies, ``tests/test_numpy_exp_lanes.py``).
    """

    def form() -> tuple[float, np.float32, np.ndarray]:
        w = ctx.params.word_of_mouth
        warn_factor = float(w.negative_conversion_factor if w.enabled else 1.0)
        fit_term = conversion_fit_term(ctx.clients.fit, ctx.params.attract)
        fit_term.flags.writeable = False
        return warn_factor, np.float32(ctx.params.attract.awareness_decay), fit_term

    # (Formed again for another scenario or another fit array; the model's is read-only.)
    return formed(ctx.clients, "attract", (ctx.params, ctx.clients.fit), form)


def step_numpy(ctx: Context) -> None:
    """:func:`step` in numpy: the readable reference of the compiled passes."""
    cl, p, lv = ctx.clients, ctx.params, ctx.levers
    prospects = np.flatnonzero(cl.stage == Stage.PROSPECT)
    p_ad = ad_awareness_probability(lv.ad_budget, ctx.ad_cost_factor, p.attract)

    unaware = prospects[~cl.aware[prospects]]
    by_ad = ctx.uniform("attract.ad")[unaware] < p_ad
    by_wom = cl.heard_positive[unaware]
    new = by_ad | by_wom
    # A tie (reached by both) goes to the ad with probability p_ad / (p_ad + p_wom).
    ad_credit = by_ad.copy()
    tie = np.flatnonzero(by_ad & by_wom)
    share_ad = p_ad / np.maximum(p_ad + ctx.wom_probability[unaware[tie]], 1e-12)
    ad_credit[tie] = ctx.uniform_at("attract.credit", unaware[tie]) < share_ad
    fresh = unaware[new]
    cl.aware[fresh] = True
    cl.aware_source[fresh] = np.where(ad_credit[new], Source.AD, Source.REFERRAL)
    referred = fresh[cl.aware_source[fresh] == Source.REFERRAL]
    cl.referrer[referred] = ctx.network.pick_flagged(
        referred, ctx.promoters, ctx.uniform_at("attract.referrer", referred)
    )

    aware = prospects[cl.aware[prospects]]
    conv = conversion_probability(
        cl.fit[aware],
        ctx.firm.gap,
        cl.heard_negative[aware],
        p.retain.gap_scale,
        p.attract,
        p.word_of_mouth.negative_conversion_factor if p.word_of_mouth.enabled else 1.0,
    )
    joins = ctx.uniform_at("attract.convert", aware) < conv
    cl.joins[aware[joins]] = True
    # Those who neither join nor remember lose awareness (and its credit).
    forget = ~joins & (ctx.uniform_at("attract.forget", aware) < p.attract.awareness_decay)
    lost = aware[forget]
    cl.aware[lost] = False
    cl.aware_source[lost] = Source.NONE
    cl.referrer[lost] = -1

    ctx.ledger["marketing"] += lv.ad_budget * cl.n / 1000.0
    ctx.ledger["onboarding"] += float(joins.sum()) * p.attract.onboarding_cost
    ctx.tally.update(newly_aware=int(fresh.size), aware_by_ad=int(ad_credit[new].sum()))
