"""R&D candidates, client feedback and the client-focus filter (``innovation``; docs/ODD.md §7.8)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["Innovation"]


class Innovation(Section):
    """R&D candidates, client feedback and the client-focus filter (docs/ODD.md §7.8)."""

    candidate_cost: float = param(
        0.1,
        unit="share of monthly revenue/candidate",
        gt=0.0,
        le=10.0,
        source="assumption: R&D of 3% of revenue buys ~0.3 candidates a month, at any firm size",
        plausible=(0.03, 0.3),
        scale="log",
        plausible_source="assumption: wide",
    )
    effect_mean: float = param(
        0.0,
        unit="quality",
        ge=-1.0,
        le=1.0,
        source="assumption: as many duds as gains",
        plausible=(-0.01, 0.01),
        plausible_source="assumption: wide",
    )
    effect_sd: float = param(
        0.02,
        unit="quality",
        ge=0.0,
        le=1.0,
        source="assumption",
        plausible=(0.005, 0.05),
        scale="log",
        plausible_source="assumption: wide",
    )
    novelty_bias: float = param(
        0.01,
        unit="quality",
        ge=-1.0,
        le=1.0,
        source="practitioner articles, docs/ODD.md §1.2: people reject new things at first; 0 = none",
        plausible=(0.0, 0.03),
        plausible_source="assumption: wide; 0 = no bias against the new",
    )
    feedback_noise: float = param(
        0.01,
        unit="quality sd",
        ge=0.0,
        le=1.0,
        source="assumption: clients see the effect well",
        plausible=(0.003, 0.03),
        scale="log",
        plausible_source="assumption: wide",
    )
    internal_noise: float = param(
        0.02,
        unit="quality sd",
        ge=0.0,
        le=1.0,
        source="assumption: R&D sees it less well",
        plausible=(0.005, 0.05),
        scale="log",
        plausible_source="assumption: wide",
    )
    novelty_dip: float = param(
        0.05,
        unit="experience",
        ge=0.0,
        le=1.0,
        source="assumption: a shipped novelty dips experience",
        plausible=(0.0, 0.1),
        plausible_source="assumption: wide",
    )
    novelty_dip_decay: float = param(
        0.3,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: the dip fades",
        plausible=(0.1, 0.6),
        plausible_source="assumption: wide",
    )
    quality_start: float = param(
        0.5,
        unit="quality 0-1",
        ge=0.0,
        le=1.0,
        source="assumption: firm starts at the frontier",
        role="setting",
    )
