"""Lapsed clients returning (``win_back``; docs/ODD.md §7.7)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["WinBack"]


class WinBack(Section):
    """Lapsed clients returning (docs/ODD.md §7.7)."""

    return_max: float = param(
        0.05,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: at saturating spend",
        plausible=(0.01, 0.15),
        scale="log",
        plausible_source="assumption: wide",
    )
    spend_scale: float = param(
        10.0,
        unit="currency/lapsed client/month",
        gt=0.0,
        le=1e6,
        source="assumption",
        plausible=(3.0, 30.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    decay_months: float = param(
        12.0,
        unit="months",
        gt=0.0,
        le=600.0,
        source="assumption: odds fall with time away",
        plausible=(6.0, 36.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    bad_service_factor: float = param(
        0.3,
        unit="x odds",
        ge=0.0,
        le=5.0,
        source="assumption: bad-service leavers are harder to win back",
        plausible=(0.1, 0.8),
        plausible_source="assumption: wide",
    )
    natural_return: float = param(
        0.002,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: unprompted returns",
        plausible=(0.0005, 0.01),
        scale="log",
        plausible_source="assumption: wide",
    )
    target_months: int = param(
        24,
        unit="months",
        ge=0,
        le=1200,
        source="assumption: win-back stops after this",
        role="lever",
    )
