"""Delivered quality, incidents and their recovery (``service``; docs/ODD.md §7.2)."""

from __future__ import annotations

from typing import Literal

from model.scenario.declare import Section, param

__all__ = ["CostForm", "Service"]

#: How the cost to serve a client depends on what it spends (docs/ODD.md §7.9).
CostForm = Literal["flat", "share_of_spend"]


class Service(Section):
    """Delivered quality, incidents and their recovery (docs/ODD.md §7.2)."""

    quality_noise: float = param(
        0.1,
        unit="quality sd",
        ge=0.0,
        le=1.0,
        source="assumption: month-to-month variation",
        plausible=(0.03, 0.2),
        plausible_source="assumption: wide",
    )
    fit_experience_effect: float = param(
        0.3,
        unit="quality per unit fit",
        ge=-1.0,
        le=1.0,
        source="assumption: 'the client is always right if it is your client'",
        plausible=(0.0, 0.5),
        plausible_source="assumption: wide; 0 = fit does not matter",
    )
    cost_per_client: float = param(
        10.0,
        unit="currency/client/month at level 1",
        ge=0.0,
        le=1e6,
        source="assumption: service cost convex in level (cost x level^2)",
        plausible=(3.0, 30.0),
        scale="log",
        plausible_source="assumption: wide: 3%-30% of mean spend at level 1",
    )
    cost_form: CostForm = param(
        "flat",
        unit="form",
        source="assumption: the same cost for every client served ('flat'); 'share_of_spend' "
        "scales it by the client's base spend / market.spend_mean (same mean)",
        plausible=("flat", "share_of_spend"),
        plausible_source="Reinartz & Kumar 2000/2002: costs to serve differ across clients; "
        "whether they grow with spend is not settled",
    )
    incident_rate_max: float = param(
        0.1,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: incident prob = max x (1 - q)",
        plausible=(0.03, 0.3),
        scale="log",
        plausible_source="assumption: wide",
    )
    incident_severity: float = param(
        0.3,
        unit="quality",
        ge=0.0,
        le=1.0,
        source="assumption: experience lost to an incident",
        plausible=(0.1, 0.5),
        plausible_source="assumption: wide",
    )
    fix_cost_mean: float = param(
        60.0,
        unit="currency/incident",
        ge=0.0,
        le=1e6,
        source="assumption",
        plausible=(20.0, 1000.0),
        scale="log",
        plausible_source="assumption: wide: at 1,000 (sigma 1-2) 9%-12% of fixes cost more than a 2,000 cap",
    )
    fix_cost_sigma: float = param(
        1.0,
        unit="-",
        ge=0.0,
        le=3.0,
        source="assumption: lognormal spread of fix costs",
        plausible=(0.5, 2.0),
        plausible_source="assumption: wide",
    )
    recovery_on_spot: float = param(
        1.0,
        unit="share of severity",
        ge=0.0,
        le=2.0,
        source="assumption: an on-the-spot fix undoes the incident",
        plausible=(0.6, 1.2),
        plausible_source="assumption: wide; above 1 the fix leaves the client better off",
    )
    recovery_escalated: float = param(
        0.5,
        unit="share of severity",
        ge=0.0,
        le=2.0,
        source="assumption: a later fix is weaker",
        plausible=(0.2, 0.8),
        plausible_source="assumption: wide",
    )
    escalation_fix_prob: float = param(
        0.6,
        unit="probability",
        ge=0.0,
        le=1.0,
        source="assumption: escalations fixed at all",
        plausible=(0.3, 0.9),
        plausible_source="assumption: wide",
    )
    manager_cost_multiplier: float = param(
        2.0,
        unit="x fix cost",
        ge=0.0,
        le=100.0,
        source="assumption: manager time and delay",
        plausible=(1.0, 5.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    recovery_paradox_bonus: float = param(
        0.05,
        unit="satisfaction",
        ge=0.0,
        le=0.5,
        source="de Matos et al. 2007: paradox on satisfaction only",
        plausible=(0.0, 0.1),
        plausible_source="de Matos et al. 2007: a positive effect on satisfaction; its size assumption: wide",
    )
    recovery_paradox_behavioural: bool = param(
        False,
        unit="flag",
        source="de Matos et al. 2007 found no effect on repurchase; true lets the bonus act",
        plausible=(False, True),
        plausible_source="de Matos et al. 2007: no significant effect on repurchase (false) in the meta-analysis, though some studies find one (true)",
    )
