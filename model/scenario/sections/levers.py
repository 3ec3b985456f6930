"""What the firm decides each month (``levers``), and whom retention spend targets (``targeting``)."""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pydantic import field_validator

from model.scenario.declare import Section, param

__all__ = ["SERVICE_LEVELS", "Levers", "Target", "Targeting", "level_hint"]


#: Named service levels (delivered-quality targets in [0, 1]); docs/ODD.md §1.2 "low / standard / wow".
SERVICE_LEVELS: dict[str, float] = {"low": 0.35, "standard": 0.6, "wow": 0.9}


def level_hint(value: Any) -> str:
    """The named service levels, for an error's end, when ``value`` is a word that is not one of
    them (with the closest, case aside: ``WOW``, ``wwo`` → ``wow``); else ``""``."""
    if not isinstance(value, str) or value in SERVICE_LEVELS:
        return ""
    try:
        float(value)
    except ValueError:
        close = difflib.get_close_matches(value.lower(), list(SERVICE_LEVELS), n=1, cutoff=0.6)
        mean = f"; did you mean {close[0]!r}?" if close else ""
        return f" or a level: {', '.join(SERVICE_LEVELS)}{mean}"
    return ""


class Levers(Section):
    """What the firm decides each month; any lever may follow a schedule."""

    service_level: float = param(
        SERVICE_LEVELS["standard"],
        unit="quality 0-1",
        ge=0.0,
        le=1.0,
        source="assumption (docs/ODD.md §7.2): target delivered quality; 'low' 0.35, 'standard' 0.6, 'wow' 0.9",
    )
    empowerment_budget: float = param(
        1000.0,
        unit="currency/staff/month",
        ge=0.0,
        le=1e6,
        source="assumption; 0 switches empowered recovery off",
    )
    empowerment_cap: float = param(
        2000.0,
        unit="currency/incident",
        ge=0.0,
        le=1e6,
        source="Ritz-Carlton: up to $2,000 per guest without approval (practitioner articles, docs/ODD.md §1.2)",
    )
    autonomy: float = param(
        1.0,
        unit="share 0-1",
        ge=0.0,
        le=1.0,
        source="assumption: staff may act without approval (its engagement lift is "
        "staff.autonomy_engagement x autonomy), whether or not they have an empowerment budget",
    )
    ad_budget: float = param(
        300.0, unit="currency/month per 1k market", ge=0.0, le=1e7, source="assumption"
    )
    winback_spend: float = param(
        5.0, unit="currency/lapsed client/month", ge=0.0, le=1e5, source="assumption"
    )
    loyalty_discount: float = param(
        0.0, unit="share of revenue", ge=0.0, le=0.5, source="assumption: programme off by default"
    )
    training_spend: float = param(
        100.0, unit="currency/staff/month", ge=0.0, le=1e6, source="assumption"
    )
    rd_share: float = param(
        0.03, unit="share of revenue", ge=0.0, le=0.5, source="assumption: 3% of revenue to R&D"
    )
    client_focus: float = param(
        0.5,
        unit="weight 0-1",
        ge=0.0,
        le=1.0,
        source="March 1991 exploration vs exploitation (docs/ODD.md §7.8): weight of client feedback vs internal estimate",
    )
    staffing: float = param(
        1.0,
        unit="x capacity",
        gt=0.0,
        le=10.0,
        source="assumption: staff hired each month for active clients / capacity x staffing",
    )

    @field_validator("service_level", mode="before")
    @classmethod
    def _named_level(cls, value: Any) -> Any:
        if isinstance(value, str) and value in SERVICE_LEVELS:
            return SERVICE_LEVELS[value]
        return value


Target = Literal["all", "top_value", "high_fit", "long_tenure", "at_risk"]


class Targeting(Section):
    """Which clients retention, win-back and empowerment money is aimed at.

    A segment is the top ``share`` of the clients a lever can reach, chosen at the start of each
    month: ``top_value`` by base spend, ``high_fit`` by fit, ``long_tenure`` by tenure, ``at_risk``
    by *lowest* satisfaction as the firm measures it (a churn-risk score: a save desk's list).
    """

    loyalty: Target = param("all", unit="segment", source="assumption: everyone")
    winback: Target = param("all", unit="segment", source="assumption: everyone")
    empowerment: Target = param("all", unit="segment", source="assumption: everyone")
    share: float = param(
        0.2,
        unit="share",
        gt=0.0,
        le=1.0,
        source="the 20% of 80/20 (practitioner articles, docs/ODD.md §1.2)",
    )
