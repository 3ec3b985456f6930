"""The internal client: staff engagement, skill and capacity (``staff``; docs/ODD.md §7.1)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["Staff"]


class Staff(Section):
    """The internal client: staff engagement and skill (docs/ODD.md §7.1)."""

    capacity: float = param(
        300.0,
        unit="clients/staff",
        gt=0.0,
        le=1e6,
        source="assumption: clients served well",
        plausible=(100.0, 1000.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    salary: float = param(
        3000.0,
        unit="currency/staff/month",
        ge=0.0,
        le=1e6,
        source="assumption",
        plausible=(1500.0, 6000.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    engagement_rate: float = param(
        0.2,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: speed toward target",
        plausible=(0.05, 0.5),
        scale="log",
        plausible_source="assumption: wide",
    )
    engagement_base: float = param(
        0.5,
        unit="0-1",
        ge=0.0,
        le=1.0,
        source="assumption",
        plausible=(0.3, 0.7),
        plausible_source="assumption: wide",
    )
    training_engagement: float = param(
        0.2,
        unit="engagement",
        ge=-1.0,
        le=1.0,
        source="Heskett et al. 1994 link; may be 0",
        plausible=(0.0, 0.4),
        plausible_source="Heskett et al. 1994 posit the link; its size assumption: wide; 0 = no link",
    )
    autonomy_engagement: float = param(
        0.1,
        unit="engagement",
        ge=-1.0,
        le=1.0,
        source="Heskett et al. 1994 link; may be 0",
        plausible=(0.0, 0.2),
        plausible_source="Heskett et al. 1994 posit the link; its size assumption: wide; 0 = no link",
    )
    overload_engagement: float = param(
        0.3,
        unit="engagement per unit overload",
        ge=-1.0,
        le=2.0,
        source="assumption; may be 0",
        plausible=(0.0, 0.6),
        plausible_source="assumption: wide",
    )
    training_scale: float = param(
        200.0,
        unit="currency/staff/month",
        gt=0.0,
        le=1e6,
        source="assumption",
        plausible=(50.0, 800.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    skill_base: float = param(
        0.5,
        unit="0-1",
        ge=0.0,
        le=1.0,
        source="assumption",
        plausible=(0.3, 0.7),
        plausible_source="assumption: wide",
    )
    training_skill: float = param(
        0.2,
        unit="skill",
        ge=-1.0,
        le=1.0,
        source="assumption; may be 0",
        plausible=(0.0, 0.4),
        plausible_source="assumption: wide",
    )
    engagement_quality: float = param(
        0.2,
        unit="quality per unit engagement",
        ge=-1.0,
        le=2.0,
        source="Heskett et al. 1994 service-profit chain; may be 0",
        plausible=(0.0, 0.4),
        plausible_source="Heskett et al. 1994 posit the link; its size assumption: wide; 0 = no link",
    )
    skill_quality: float = param(
        0.2,
        unit="quality per unit skill",
        ge=-1.0,
        le=2.0,
        source="assumption; may be 0",
        plausible=(0.0, 0.4),
        plausible_source="assumption: wide",
    )
    overload_quality: float = param(
        0.3,
        unit="quality per unit overload",
        ge=-1.0,
        le=2.0,
        source="assumption; may be 0",
        plausible=(0.0, 0.6),
        plausible_source="assumption: wide",
    )
    turnover: float = param(
        0.02,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: ~22%/year staff turnover",
        plausible=(0.01, 0.05),
        scale="log",
        plausible_source="assumption: wide: ~11%-46% a year",
    )
    turnover_engagement: float = param(
        1.0,
        unit="x per unit disengagement",
        ge=0.0,
        le=10.0,
        source="assumption: disengaged staff quit more",
        plausible=(0.0, 3.0),
        plausible_source="assumption: wide",
    )
    hiring_cost: float = param(
        5000.0,
        unit="currency/hire",
        ge=0.0,
        le=1e7,
        source="assumption",
        plausible=(1000.0, 20000.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    new_hire_skill: float = param(
        0.3,
        unit="0-1",
        ge=0.0,
        le=1.0,
        source="assumption",
        plausible=(0.1, 0.5),
        plausible_source="assumption: wide",
    )
