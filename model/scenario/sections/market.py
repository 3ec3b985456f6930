"""The market: its size, the clients' spend and fit, and the competition (``market``)."""

from __future__ import annotations

from typing import Literal

from model.scenario.declare import Section, param

__all__ = ["Market"]


class Market(Section):
    """The population of potential clients (prospects included) and the competition."""

    clients: int = param(
        10_000,
        unit="people",
        ge=10,
        le=50_000_000,
        source="assumption: market size incl. prospects",
    )
    initial_active_share: float = param(
        0.3,
        unit="share",
        ge=0.0,
        le=1.0,
        source="assumption: firm starts with 30% of the market",
        role="setting",
    )
    initial_tenure: Literal["survivors", "new"] = param(
        "survivors",
        unit="mode",
        source="'survivors': an established base (geometric tenure, sBG-posterior propensities); "
        "'new': a fresh cohort at tenure 0 with prior propensities (validation, docs/validation.md)",
        role="setting",
    )
    spend_mean: float = param(
        100.0,
        unit="currency/month",
        gt=0.0,
        le=1e7,
        source="assumption: mean base spend",
        role="setting",
    )
    spend_sigma: float = param(
        1.37,
        unit="-",
        ge=0.0,
        le=3.0,
        source="lognormal sigma; 1.37 gives ~70/20 (Kim, Singh & Winer 2017), 1.68 gives 80/20",
        plausible=(0.84, 1.68),
        plausible_source="top fifth holds ~50%-80% of revenue: mean 73% (Kim, Singh & Winer 2017), "
        "59-68% (McCarthy & Winer 2019); lognormal sigma 0.84 gives 50/20, 1.68 gives 80/20",
    )
    fit_alpha: float = param(
        2.0,
        unit="-",
        gt=0.0,
        le=100.0,
        source="assumption: Beta fit shape",
        plausible=(1.0, 5.0),
        plausible_source="assumption: wide (Beta fit from flat to concentrated)",
    )
    fit_beta: float = param(
        2.0,
        unit="-",
        gt=0.0,
        le=100.0,
        source="assumption: Beta fit shape",
        plausible=(1.0, 5.0),
        plausible_source="assumption: wide (Beta fit from flat to concentrated)",
    )
    spend_distribution: Literal["lognormal", "purchases"] = param(
        "lognormal",
        unit="mode",
        source="'lognormal': spend_mean, spend_sigma; 'purchases': monthly spend = purchase rate "
        "x spend per purchase, Gamma(purchase_rate_shape) x Gamma-Gamma (Fader, Hardie & Lee "
        "2005, RFM and CLV), mean spend_mean (retention calibrate --transactions)",
        role="setting",
    )
    purchase_rate_shape: float = param(
        1.0,
        unit="-",
        gt=0.0,
        le=100.0,
        source="Gamma shape r of clients' purchase rates (Pareto/NBD; CDNOW 0.55, Fader, Hardie & "
        "Lee 2005); with spend_distribution = 'purchases'",
        role="setting",
    )
    purchase_value_shape: float = param(
        4.0,
        unit="-",
        gt=1.0,
        le=1000.0,
        source="Gamma-Gamma q: a client's mean spend per purchase is p/v, v ~ Gamma(q, gamma) (CDNOW "
        "3.74, Fader, Hardie & Lee 2005); with spend_distribution = 'purchases'",
        role="setting",
    )
    competitor_service: float = param(
        0.6,
        unit="quality 0-1",
        ge=0.0,
        le=1.0,
        source="assumption: the market's service standard",
        plausible=(0.45, 0.75),
        plausible_source="assumption: wide, around the 'standard' level 0.6",
    )
    frontier_start: float = param(
        0.5,
        unit="quality 0-1",
        ge=0.0,
        le=1.0,
        source="assumption: product quality frontier Qm",
        role="setting",
    )
    hold_still: bool = param(
        False,
        unit="flag",
        source="true holds the market still around the firm: competitors' pace and leaps are "
        "ignored (a closed cohort, docs/validation.md)",
        role="setting",
    )
    competitor_pace: float = param(
        0.002,
        unit="quality/month",
        ge=-0.05,
        le=0.05,
        source="assumption: competitors improve ~0.024 a year; 0 freezes the frontier",
        plausible=(0.0, 0.005),
        plausible_source="assumption: wide: from a frozen frontier to 0.06 quality a year",
    )
