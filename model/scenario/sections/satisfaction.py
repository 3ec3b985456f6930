"""Satisfaction, expectation and NPS bands (``satisfaction``; docs/ODD.md §7.3)."""

from __future__ import annotations

from typing import Literal

from model.scenario.declare import Section, param

__all__ = ["LikelihoodMap", "Satisfaction"]

#: How satisfaction maps to NPS's 0-10 likelihood to recommend (docs/ODD.md §7.3).
LikelihoodMap = Literal["power", "linear", "logistic"]


class Satisfaction(Section):
    """Satisfaction and expectation (docs/ODD.md §7.3); NPS bands."""

    absolute_weight: float = param(
        1.0,
        unit="-",
        ge=0.0,
        le=2.0,
        source="assumption: a > 0 keeps a lasting edge for better service",
        plausible=(0.5, 1.5),
        plausible_source="assumption: wide",
    )
    disconfirmation_weight: float = param(
        0.5,
        unit="-",
        ge=0.0,
        le=2.0,
        source="Oliver 1980 expectation-disconfirmation",
        plausible=(0.1, 1.0),
        plausible_source="Oliver 1980: disconfirmation matters; its weight assumption: wide",
    )
    adjustment_rate: float = param(
        0.3,
        unit="1/month",
        gt=0.0,
        le=1.0,
        source="assumption: S moves 30% toward target a month",
        plausible=(0.1, 0.6),
        plausible_source="assumption: wide",
    )
    expectation_rate: float = param(
        0.1,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: expectations adapt slowly",
        plausible=(0.02, 0.3),
        scale="log",
        plausible_source="assumption: wide",
    )
    expectation_own_weight: float = param(
        0.5,
        unit="share",
        ge=0.0,
        le=1.0,
        source="assumption: E blends own experience and the market standard",
        plausible=(0.2, 0.8),
        plausible_source="assumption: wide",
    )
    initial: float = param(
        0.6, unit="satisfaction 0-1", ge=0.0, le=1.0, source="assumption", role="setting"
    )
    likelihood_exponent: float = param(
        0.5,
        unit="-",
        gt=0.0,
        le=5.0,
        source="assumption: likelihood to recommend = 10·S^k; k=0.5 maps S=0.6 to 7.7 of 10",
        plausible=(0.3, 1.0),
        plausible_source="assumption: wide (power map only; 1 is linear)",
    )
    likelihood_map: LikelihoodMap = param(
        "power",
        unit="form",
        source="assumption: 10·S^k (likelihood_exponent); docs/ODD.md §7.3 gives each form",
        plausible=("power", "linear", "logistic"),
        plausible_source="assumption: no published map from satisfaction to likelihood to "
        "recommend; concave (power), proportional (linear) or S-shaped (logistic)",
    )
    likelihood_steepness: float = param(
        10.0,
        unit="1/unit S",
        gt=0.0,
        le=50.0,
        source="assumption ('logistic' map only): slope of the S-shaped map around S = 0.5",
        plausible=(4.0, 16.0),
        plausible_source="assumption: wide",
    )
    promoter_threshold: float = param(
        9.0,
        unit="score 0-10",
        ge=0.0,
        le=10.0,
        source="NPS promoters: 9-10 (Reichheld 2003)",
        role="setting",
    )
    detractor_threshold: float = param(
        7.0,
        unit="score 0-10",
        ge=0.0,
        le=10.0,
        source="NPS detractors: below 7 (Reichheld 2003)",
        role="setting",
    )
