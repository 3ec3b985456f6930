"""Delivered quality, incidents and their recovery (``service``; docs/ODD.md §7.2)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["Service"]


class Service(Section):
    """Delivered quality, incidents and their recovery (docs/ODD.md §7.2)."""

    quality_noise: float = param(
        0.1, unit="quality sd", ge=0.0, le=1.0, source="assumption: month-to-month variation"
    )
    fit_experience_effect: float = param(
        0.3,
        unit="quality per unit fit",
        ge=-1.0,
        le=1.0,
        source="assumption: 'the client is always right if it is your client'",
    )
    cost_per_client: float = param(
        10.0,
        unit="currency/client/month at level 1",
        ge=0.0,
        le=1e6,
        source="assumption: service cost convex in level (cost x level^2)",
    )
    incident_rate_max: float = param(
        0.1, unit="1/month", ge=0.0, le=1.0, source="assumption: incident prob = max x (1 - q)"
    )
    incident_severity: float = param(
        0.3, unit="quality", ge=0.0, le=1.0, source="assumption: experience lost to an incident"
    )
    fix_cost_mean: float = param(
        60.0, unit="currency/incident", ge=0.0, le=1e6, source="assumption"
    )
    fix_cost_sigma: float = param(
        1.0, unit="-", ge=0.0, le=3.0, source="assumption: lognormal spread of fix costs"
    )
    recovery_on_spot: float = param(
        1.0,
        unit="share of severity",
        ge=0.0,
        le=2.0,
        source="assumption: an on-the-spot fix undoes the incident",
    )
    recovery_escalated: float = param(
        0.5, unit="share of severity", ge=0.0, le=2.0, source="assumption: a later fix is weaker"
    )
    escalation_fix_prob: float = param(
        0.6, unit="probability", ge=0.0, le=1.0, source="assumption: escalations fixed at all"
    )
    manager_cost_multiplier: float = param(
        2.0, unit="x fix cost", ge=0.0, le=100.0, source="assumption: manager time and delay"
    )
    recovery_paradox_bonus: float = param(
        0.05,
        unit="satisfaction",
        ge=0.0,
        le=0.5,
        source="de Matos et al. 2007: paradox on satisfaction only",
    )
    recovery_paradox_behavioural: bool = param(
        False,
        unit="flag",
        source="de Matos et al. 2007 found no effect on repurchase; true lets the bonus act",
    )
