"""Costs of goods, discounting and overhead (``economics``; docs/ODD.md §7.9)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["Economics"]


class Economics(Section):
    """The ledger's rates."""

    cogs_share: float = param(
        0.6,
        unit="share of revenue",
        ge=0.0,
        le=1.0,
        source="assumption: 40% gross margin",
        plausible=(0.3, 0.8),
        plausible_source="assumption: wide: gross margins of 20%-70%",
    )
    discount_rate: float = param(
        0.1,
        unit="1/year",
        ge=0.0,
        le=1.0,
        source="assumption: a common hurdle rate",
        role="setting",
    )
    fixed_overhead: float = param(
        0.0, unit="currency/month", ge=0.0, le=1e12, source="assumption", role="setting"
    )
