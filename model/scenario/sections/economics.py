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
    overhead_share: float = param(
        0.0,
        unit="share of the initial base's monthly revenue",
        ge=0.0,
        le=10.0,
        source="assumption: none by default; a fixed cost each month of this share of the "
        "revenue the initial clients bring (market.clients x initial_active_share x spend_mean), "
        "so it scales with the market and not with retention (docs/ODD.md §7.9)",
        plausible=(0.0, 0.2),
        plausible_source="assumption: wide: the general overhead the model books nowhere else "
        "(head office, finance, IT, premises), 0-20% of the initial base's monthly revenue (a "
        "growing firm's share of its actual revenue falls below it); for context only, EBIT "
        "runs at about 4-13% of sales across industries (StrategyStreet quartiles, "
        "practitioner). The default, 0, is the range's low end",
    )
