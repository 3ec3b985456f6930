"""Keeping 5% more clients raises profit by 25% to 95% (Reichheld & Sasser 1990; Reichheld 1996).

In each world the treated arm scales every client's churn hazard (``retain.base_churn``) so the
base's annual retention rises by five points over the baseline's, ``ln(r + 0.05) / ln(r)``; the gain
is rescaled to exactly five points by the rise the base achieved over the study's horizon (a
first-order correction: the hazard scale lands within a point or so of the target). Every
reading is per five points of *that* rise — the firm keeping five points more of its clients,
the claim's premise — including ``customer_lifetime``: the long lifetime runs' whole base, and
the cohort they follow, can rise by more or less under the same hazard scale (where churn falls
with tenure, a base of long-tenure clients retains more and rises less), and dividing by their
rise instead would read a different premise (by as much as twice the gain where churn falls
steeply with tenure). The cohort's own rise is kept beside (``cohort_retention_rise``).

The source's estimand is a customer's lifetime NPV, acquisition subtracted: ``customer_lifetime``
follows the clients each arm acquires in its first three years over twenty more years
(:mod:`experiments.running.lifetime`). ``customer_npv`` is the same money within the study's horizon per
client served (a window: the starting base, whose acquisition was never paid, is half of it, and
the horizon cuts the longer lives the treatment brings), kept beside it to show what the window
does to the answer.
"""

from __future__ import annotations

import numpy as np

from experiments.running.arms import (
    ACQUISITION,
    RETENTION_MONTHS,
    annual_retention,
    arms,
    contribution,
    profit_change,
)
from experiments.running.lifetime import COHORT_MONTHS, FOLLOW_MONTHS, lifetime_runs
from experiments.running.study import Baseline
from experiments.verdicts.framework import Claim, Reading

__all__ = ["CLAIM", "measure"]

#: Reichheld & Sasser's estimand and its citation: both customer readings measure it (one over a
#: lifetime, one within the study's horizon).
_ESTIMAND = (
    "“reducing defections by 5% boosts profits by 25% to 85%” — profit being the net present "
    "value of the profit streams a customer generates over its life, the acquisition cost "
    "subtracted (Exhibit: 'customer profit', 'acquisition cost')"
)
_SOURCE = (
    "Reichheld & Sasser 1990, HBR 68(5):105-111 (a calculation per industry, not an observed "
    "effect)"
)

CLAIM = Claim(
    name="retention_profit",
    arm_keys=("run.months",),  # (its lifetime runs' horizon)
    relative_keys=("retain.base_churn",),  # (the treated arm scales the world's churn)
    title="Keeping 5% more clients raises profit by 25% to 95%",
    readings=(
        Reading(
            "customer_lifetime",
            f"Lifetime NPV of a client acquired in the first {COHORT_MONTHS // 12} years, acquisition "
            f"subtracted, followed "
            f"{FOLLOW_MONTHS // 12} more years, with annual retention five points higher: % gain "
            "over the baseline",
            _ESTIMAND,
            _SOURCE,
            "% gain",
            (25.0, 85.0),
            min_months=RETENTION_MONTHS,
        ),
        Reading(
            "customer_npv",
            "Customer NPV net of acquisition cost within the study's horizon, per client served "
            "(a window, not a lifetime), with annual retention five points higher: % gain over "
            "the baseline",
            _ESTIMAND,
            _SOURCE,
            "% gain",
            (25.0, 85.0),
            min_months=RETENTION_MONTHS,
            diagnostic="the source's money counted within the study's horizon per client served, "
            "not over a client's life (about half of those served are the starting base, whose "
            "acquisition was never paid; the horizon cuts the longer lives the treatment brings): "
            "what a window does to `customer_lifetime`'s answer",
        ),
        Reading(
            "firm_profit",
            "The firm's NPV over the horizon (every cost line, shared costs included) with annual "
            "retention five points higher: % gain over the baseline",
            "“a 5% increase in customer retention increases profits by 25% to 95%”",
            "Reichheld 1996, The Loyalty Effect (95%: an advertising agency's per-customer NPV); "
            "repeated as 25-95% by Reichheld & Schefter 2000, HBR 78(4) — a per-customer figure, "
            "read here as the firm's profit",
            "% gain",
            (25.0, 95.0),
            min_months=RETENTION_MONTHS,
        ),
        Reading(
            "firm_profit_up_to",
            "The firm's NPV over the horizon, as ``firm_profit``: % gain over the baseline, read as "
            "the practitioner article says it — any rise up to 95%",
            "“сохранение 5% клиентов может увеличить прибыль до 95%” (keeping 5% of clients can "
            "raise profit by up to 95%)",
            "Practitioner articles (docs/ODD.md §1.2), citing Invesp; the figure is Reichheld's "
            "(above), stated as a ceiling",
            "% gain",
            (0.0, 95.0),
            min_months=RETENTION_MONTHS,
        ),
    ),
    design="Two arms per world on the same seed: the baseline, and every churn hazard scaled "
    "by ln(r + 0.05)/ln(r) (r the baseline's annual retention after year 1). The gain is divided by "
    "the retention rise the base achieved over the study's horizon and multiplied by 5 points, "
    "for every reading (undefined when the rise is < 1 point, "
    "and where the baseline's NPV — the customer's or the firm's — is not a profit, ≤ 0: a loss "
    "that shrinks is no percentage rise of profit).",
    beside=(
        (
            "retention_rise",
            "share a year",
            "the treated firm's annual retention less the baseline's (each reading's gain is "
            "scaled to five points of it)",
        ),
        ("retention_base", "share a year", "the baseline's annual retention after year 1"),
        (
            "cohort_retention_rise",
            "share a year",
            "the same rise for the clients `customer_lifetime` follows (the first years' "
            "acquisitions), whose gain is scaled by the firm's rise",
        ),
    ),
    notes=(
        f"Lifetime NPV: each client first acquired in months 1-{COHORT_MONTHS} of a run of "
        f"{COHORT_MONTHS + FOLLOW_MONTHS} months, its contribution (its attributed profit with its share of "
        "the shared costs added back; its month's acquisition charge and its referral credits "
        "kept; ODD §7.9) discounted at the world's rate to its month of joining, averaged over the "
        "cohort, less those years' acquisition spend in months nobody joined, in equal parts; both "
        "arms are run again for it on the world's seed.",
        "Customer NPV (window) counts revenue minus the costs clients cause (cost of goods, "
        "service, fixes, win-back, discounts) minus acquisition (marketing and onboarding), "
        "discounted at the world's rate, per client served in the horizon; the firm's NPV also "
        "subtracts staff, training, hiring, overhead and R&D.",
        "`firm_profit_up_to` reads the figure as the articles state it, a ceiling: any rise "
        "from 0 to 95% holds; a rise above 95% is more than the ceiling the articles give and "
        "lies above its band (the report's *above* share: stronger than claimed, not a profit "
        "that failed to rise).",
    ),
)


def _customer_npv(run, rate: float) -> float:
    ts = run.timeseries
    money = contribution(run) - ts[list(ACQUISITION)].sum(axis=1)
    months = np.arange(1, len(ts) + 1)
    pv = float(np.sum(money.to_numpy() / (1.0 + rate) ** (months / 12.0)))
    served = float(ts["active"].iloc[0] + ts["acquired"].sum())
    return pv / max(served, 1.0)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """Every reading in one world: % gains per five points of annual retention."""
    r0 = annual_retention(base.run)
    target = min(r0 + 0.05, 0.995)
    scale = float(np.log(target) / np.log(r0)) if 0 < r0 < 1 else 1.0
    churn = base.run.scenario.retain.base_churn
    t = arms(base.run, {"t": {"retain.base_churn": min(churn * scale, 0.999)}})["t"]
    rise = annual_retention(t) - r0
    per5 = 0.05 / rise if rise >= 0.01 else float("nan")
    rate = base.run.scenario.economics.discount_rate
    c_gain = profit_change(_customer_npv(t, rate), _customer_npv(base.run, rate))
    f_gain = profit_change(
        float(t.timeseries["npv"].iloc[-1]), float(base.run.timeseries["npv"].iloc[-1])
    )
    b_life, t_life = lifetime_runs(
        [base.run.scenario, t.scenario], base.run.scenario.economics.discount_rate
    )
    # Per five points of the base's retention, as every reading: the treatment is the hazard
    # scale that raises the firm's retention five points, and its lifetime runs' whole base, or
    # the cohort itself, rise by more or less under it (the cohort's rise is kept beside).
    return {
        "customer_lifetime": profit_change(t_life.npv, b_life.npv) * per5,
        "customer_npv": c_gain * per5,
        "firm_profit": f_gain * per5,
        "firm_profit_up_to": f_gain * per5,  # (the same effect, the seed's band)
        "retention_rise": rise,
        "retention_base": r0,
        "cohort_retention_rise": t_life.retention - b_life.retention,
    }
