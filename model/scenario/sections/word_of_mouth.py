"""Promoters and detractors talking on a social network (``word_of_mouth``; docs/ODD.md §7.5)."""

from __future__ import annotations

from typing import Literal

from model.scenario.declare import Section, param

__all__ = ["Network", "WordOfMouth"]


Network = Literal["small_world", "scale_free", "random", "full"]


class WordOfMouth(Section):
    """Promoters and detractors talking on a social network (docs/ODD.md §7.5)."""

    enabled: bool = param(
        True, unit="flag", source="false switches word of mouth off (both kinds)", role="setting"
    )
    positive: bool = param(
        True,
        unit="flag",
        source="false silences recommendations only (warnings still spread)",
        role="setting",
    )
    negative: bool = param(
        True,
        unit="flag",
        source="false silences warnings only (recommendations still spread)",
        role="setting",
    )
    network: Network = param(
        "small_world",
        unit="kind",
        source="Watts & Strogatz 1998; Goldenberg et al. 2001",
        plausible=("small_world", "scale_free", "random"),
        plausible_source="clustered (Watts & Strogatz 1998), hub-dominated (Barabasi & Albert 1999) or random contact; 'full' is Bass's fully mixed limit, not a social network",
    )
    degree: float = param(
        10.0,
        unit="contacts",
        ge=1.0,
        le=200.0,
        source="assumption: average degree",
        plausible=(4.0, 30.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    rewiring: float = param(
        0.1,
        unit="probability",
        ge=0.0,
        le=1.0,
        source="Watts & Strogatz",
        plausible=(0.01, 0.3),
        scale="log",
        plausible_source="Watts & Strogatz 1998: clustered yet short paths between a lattice (0) and a "
        "random graph (1); the range assumption: wide",
    )
    q_positive: float = param(
        0.3,
        unit="1/month",
        ge=0.0,
        le=5.0,
        source="assumption (monthly, per promoter; per edge q/degree); for scale, Sultan et al. "
        "1990's mean Bass q is 0.38 a year over all adopters",
        plausible=(0.1, 0.6),
        plausible_source="for scale, Sultan et al. 1990's mean Bass q is 0.38 a year over all adopters; monthly per promoter assumption: wide",
    )
    q_negative: float = param(
        0.3,
        unit="1/month",
        ge=0.0,
        le=5.0,
        source="TARP (as cited): unhappy tell 9-15 (~2-3x happy); East et al. 2007: positive 3x more common",
        plausible=(0.1, 0.9),
        plausible_source="TARP (as cited): an unhappy client tells 9-15 people, 2-3x the happy; East et al. 2007: positive WOM ~3x as common; drawn apart from q_positive, so q-/q+ spans 1/6 to 9, wider than those (assumption: wide)",
    )
    negative_conversion_factor: float = param(
        0.5,
        unit="x conversion",
        ge=0.0,
        le=2.0,
        source="assumption: a warned prospect converts half as often; 1 = no effect",
        plausible=(0.2, 0.9),
        plausible_source="East et al. 2008: warnings lower purchase probability; their size assumption: wide",
    )
    lapsed_warning_months: int = param(
        6,
        unit="months",
        ge=0,
        le=120,
        source="assumption: bad-service leavers keep warning",
        plausible=(1, 24),
        plausible_source="assumption: wide",
    )
    return_boost: float = param(
        1.0,
        unit="x return odds",
        ge=0.0,
        le=10.0,
        source="assumption: a positive message doubles a lapsed client's return odds",
        plausible=(0.0, 2.0),
        plausible_source="assumption: wide",
    )
    satisfaction_effect: float = param(
        0.02,
        unit="satisfaction/message",
        ge=0.0,
        le=0.5,
        source="assumption: a little effect on current clients",
        plausible=(0.0, 0.05),
        plausible_source="assumption: wide",
    )
    referral_credit_share: float = param(
        0.5,
        unit="share",
        ge=0.0,
        le=1.0,
        source="assumption: share of a referred client's margin credited to its referrer",
        role="setting",
    )
