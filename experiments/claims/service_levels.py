"""Wow service (more than the client expected) makes clients come back, so it pays.

Three service levels, as the practitioner articles name them (``levers.SERVICE_LEVELS``): low 0.35,
standard 0.6 (the baseline), wow 0.9, each with its cost (``service.cost_per_client``). Each reading
is one link of the claim.
"""

from __future__ import annotations

from experiments.running.arms import (
    RETENTION_MONTHS,
    annual_retention,
    arms,
    npv_gain_of_revenue,
)
from experiments.running.study import Baseline
from experiments.verdicts.framework import Claim, Reading
from model.scenario.sections.levers import SERVICE_LEVELS

__all__ = ["CLAIM", "measure"]

_QUOTE = (
    "“exceed the customer's expectations — wow service — and they come back; low service drives "
    "them away” (delight: satisfaction beyond expectation raises repurchase)"
)

CLAIM = Claim(
    name="service_levels",
    arm_keys=("levers.service_level",),
    title="Wow service (more than the client expected) makes clients come back, so it pays",
    readings=(
        Reading(
            "wow_retention",
            "Annual retention at wow service minus at standard (points)",
            _QUOTE + " — read as: wow service keeps noticeably more clients",
            "Oliver, Rust & Varki 1997, J. Retailing 73(3) (customer delight); threshold 1 "
            "point: assumption",
            "points",
            (1.0, float("inf")),
            assumed_margin="difference",
            min_months=RETENTION_MONTHS,
        ),
        Reading(
            "wow_pays",
            "The firm's NPV at wow service minus its NPV at standard, in % of standard's "
            "revenue (both discounted)",
            _QUOTE + " — read as: wow service pays for what it costs",
            "Rust & Oliver 2000, J. Academy of Marketing Science 28(1) ('should we delight?', "
            "which argues delight may not pay: it raises the next expectation)",
            "% of revenue",
            (0.0, float("inf")),
        ),
        Reading(
            "low_loses",
            "The firm's NPV at standard service minus its NPV at low service, in % of "
            "standard's revenue (both discounted)",
            _QUOTE + " — read as: cutting service to low loses money",
            "Anderson & Mittal 2000, J. Service Research 3(2) (the asymmetric link)",
            "% of revenue",
            (0.0, float("inf")),
        ),
    ),
    design="Three arms per world on the same seed: standard (the baseline), low and wow.",
    notes=(
        "What can fail here is a size, not a sign: satisfaction rises with the service delivered "
        "in every plausible world (satisfaction.absolute_weight is drawn from 0.5 to 1.5) and "
        "churn falls with satisfaction (retain.satisfaction_sensitivity, 0.5 to 6), so wow "
        "service keeps more clients in every world; wow_retention fails only where the gain is "
        "under its 1-point threshold (an assumption). The raised expectation Rust & Oliver warn "
        "of (satisfaction.expectation_rate) slows the gain but cannot reverse it. wow_pays and "
        "low_loses weigh that gain against what the service costs and can fail either way.",
    ),
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """All three readings in one world."""
    runs = arms(
        base.run,
        {
            "low": {"levers.service_level": SERVICE_LEVELS["low"]},
            "wow": {"levers.service_level": SERVICE_LEVELS["wow"]},
        },
    )
    std = base.run
    return {
        "wow_retention": 100.0 * (annual_retention(runs["wow"]) - annual_retention(std)),
        "wow_pays": npv_gain_of_revenue(runs["wow"], std, std),
        "low_loses": npv_gain_of_revenue(std, runs["low"], std),
    }
