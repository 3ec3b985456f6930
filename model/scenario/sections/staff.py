"""The internal client: staff engagement, skill and capacity (``staff``; docs/ODD.md §7.1)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["Staff"]


class Staff(Section):
    """The internal client: staff engagement and skill (docs/ODD.md §7.1)."""

    capacity: float = param(
        300.0, unit="clients/staff", gt=0.0, le=1e6, source="assumption: clients served well"
    )
    salary: float = param(3000.0, unit="currency/staff/month", ge=0.0, le=1e6, source="assumption")
    engagement_rate: float = param(
        0.2, unit="1/month", ge=0.0, le=1.0, source="assumption: speed toward target"
    )
    engagement_base: float = param(0.5, unit="0-1", ge=0.0, le=1.0, source="assumption")
    training_engagement: float = param(
        0.2, unit="engagement", ge=-1.0, le=1.0, source="Heskett et al. 1994 link; may be 0"
    )
    autonomy_engagement: float = param(
        0.1, unit="engagement", ge=-1.0, le=1.0, source="Heskett et al. 1994 link; may be 0"
    )
    overload_engagement: float = param(
        0.3,
        unit="engagement per unit overload",
        ge=-1.0,
        le=2.0,
        source="assumption; may be 0",
    )
    training_scale: float = param(
        200.0, unit="currency/staff/month", gt=0.0, le=1e6, source="assumption"
    )
    skill_base: float = param(0.5, unit="0-1", ge=0.0, le=1.0, source="assumption")
    training_skill: float = param(0.2, unit="skill", ge=-1.0, le=1.0, source="assumption; may be 0")
    engagement_quality: float = param(
        0.2,
        unit="quality per unit engagement",
        ge=-1.0,
        le=2.0,
        source="Heskett et al. 1994 service-profit chain; may be 0",
    )
    skill_quality: float = param(
        0.2, unit="quality per unit skill", ge=-1.0, le=2.0, source="assumption; may be 0"
    )
    overload_quality: float = param(
        0.3,
        unit="quality per unit overload",
        ge=-1.0,
        le=2.0,
        source="assumption; may be 0",
    )
    turnover: float = param(
        0.02, unit="1/month", ge=0.0, le=1.0, source="assumption: ~22%/year staff turnover"
    )
    turnover_engagement: float = param(
        1.0,
        unit="x per unit disengagement",
        ge=0.0,
        le=10.0,
        source="assumption: disengaged staff quit more",
    )
    hiring_cost: float = param(5000.0, unit="currency/hire", ge=0.0, le=1e7, source="assumption")
    new_hire_skill: float = param(0.3, unit="0-1", ge=0.0, le=1.0, source="assumption")
