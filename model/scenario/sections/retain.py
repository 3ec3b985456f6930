"""The churn hazard (``retain``) and Reichheld's loyalty economics (``loyalty_economics``); docs/ODD.md §7.4."""

from __future__ import annotations

from typing import Literal

from model.scenario.declare import Section, param

__all__ = ["ChurnResponse", "LoyaltyEconomics", "Retain"]

#: How satisfaction multiplies the churn hazard (docs/ODD.md §7.4).
ChurnResponse = Literal["exponential", "logistic", "linear", "asymmetric"]


class Retain(Section):
    """The churn hazard (docs/ODD.md §7.4)."""

    base_churn: float = param(
        0.02,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: a new client's mean hazard at reference satisfaction (~78% a year; "
        "the churn a run shows is lower, the most churn-prone leaving first: the baseline's "
        "~1%/month); fit an observed rate with retention calibrate --targets",
        plausible=(0.005, 0.05),
        scale="log",
        plausible_source="annual retention ~54%-94%: Reichheld & Sasser 1990 (MBNA: 10% defection a year) and the industry presets (docs/ODD.md §6); assumption: wide",
    )
    churn_heterogeneity: float = param(
        0.02,
        unit="polarization 0-1",
        ge=0.0,
        lt=1.0,
        source="sBG polarization 1/(a+b+1) of the monthly propensity; Fader & Hardie 2007's annual "
        "fits (0.18-0.35, mean churn mu 0.15-0.37) scale to monthly phi*(1-mu)/(12-mu) = 0.01-0.02",
        plausible=(0.005, 0.04),
        scale="log",
        plausible_source="Fader & Hardie 2007 sBG fits scaled to monthly (0.01-0.02), halved/doubled",
    )
    satisfaction_sensitivity: float = param(
        3.0,
        unit="log-hazard per unit S",
        ge=-10.0,
        le=20.0,
        source="assumption; 0 makes churn blind to satisfaction",
        plausible=(0.5, 6.0),
        plausible_source="Anderson & Mittal 2000: satisfaction drives retention, nonlinearly; Kumar et al. 2013: it explains little variance; size assumption: wide",
    )
    churn_response: ChurnResponse = param(
        "exponential",
        unit="form",
        source="assumption: exp(-k (S - S_ref)); docs/ODD.md §7.4 gives each form",
        plausible=("exponential", "logistic", "linear", "asymmetric"),
        plausible_source="Anderson & Mittal 2000: the satisfaction-retention link is nonlinear "
        "and asymmetric, its form unknown: unbounded (exponential), bounded (logistic), linear, "
        "or steeper below the reference than above (asymmetric)",
    )
    satisfaction_upside: float = param(
        0.5,
        unit="share of the slope",
        ge=0.0,
        le=1.0,
        source="assumption ('asymmetric' response only): the slope above the reference as a share "
        "of the slope below; Anderson & Mittal 2000: losses weigh more",
        plausible=(0.2, 1.0),
        plausible_source="assumption: wide; 1 = symmetric",
    )
    satisfaction_reference: float = param(
        0.6,
        unit="satisfaction 0-1",
        ge=0.0,
        le=1.0,
        source="assumption: hazard = base here",
        plausible=(0.5, 0.7),
        plausible_source="assumption: wide",
    )
    gap_effect: float = param(
        1.0,
        unit="x hazard at saturation",
        ge=-1.0,
        le=10.0,
        source="assumption: a gap behind the frontier raises churn up to (1 + g)x; a lead lowers "
        "it down to max(0, 1 - g)x (g = 1: a large lead can drive churn to 0)",
        plausible=(0.0, 2.0),
        plausible_source="assumption: wide; 0 = the product gap does not matter",
    )
    gap_scale: float = param(
        0.1,
        unit="quality",
        gt=0.0,
        le=1.0,
        source="assumption",
        plausible=(0.05, 0.3),
        scale="log",
        plausible_source="assumption: wide",
    )
    loyalty_elasticity: float = param(
        3.0,
        unit="log-hazard per unit discount",
        ge=-20.0,
        le=50.0,
        source="assumption; 0 makes the programme useless, < 0 harmful",
        plausible=(0.0, 6.0),
        plausible_source="assumption: wide; 0 = the programme keeps nobody",
    )
    tenure_slope: float = param(
        0.0,
        unit="log-hazard per year",
        ge=-5.0,
        le=5.0,
        source="Fader & Hardie: tenure acts through heterogeneity; direct effect 0 by default",
        plausible=(-0.3, 0.1),
        plausible_source="Fader & Hardie 2007: tenure acts through heterogeneity, a direct effect near 0; assumption: wide",
    )
    loyal_tenure_months: int = param(
        24, unit="months", ge=0, le=600, source="assumption: LOYAL label", role="setting"
    )
    loyal_satisfaction: float = param(
        0.75,
        unit="satisfaction 0-1",
        ge=0.0,
        le=1.0,
        source="assumption: LOYAL label",
        role="setting",
    )
    bad_service_threshold: float = param(
        0.45,
        unit="satisfaction 0-1",
        ge=0.0,
        le=1.0,
        source="assumption: leavers below this left over bad service",
        plausible=(0.35, 0.55),
        plausible_source="assumption: wide",
    )


class LoyaltyEconomics(Section):
    """Reichheld's loyalty economics; each may be negative (Reinartz & Kumar 2000/2002)."""

    spend_growth: float = param(
        0.0,
        unit="share/year of tenure",
        ge=-0.5,
        le=1.0,
        source="Reichheld & Sasser 1990 say > 0; Reinartz & Kumar 2000 often ~0; default 0",
        plausible=(-0.1, 0.2),
        plausible_source="Reinartz & Kumar 2000/2002: spend flat or falling with tenure for many "
        "long-life clients; Reichheld & Sasser 1990: rising; assumption: -10% to +20% a year",
    )
    serve_cost_trend: float = param(
        0.0,
        unit="share/year of tenure",
        ge=-0.5,
        le=1.0,
        source="Reichheld & Sasser 1990 say < 0; Reinartz & Kumar 2002 disagree; default 0",
        plausible=(-0.1, 0.1),
        plausible_source="Reichheld & Sasser 1990: falling; Reinartz & Kumar 2002: not lower for long-life clients; assumption: wide",
    )
    price_premium: float = param(
        0.0,
        unit="share/year of tenure",
        ge=-0.5,
        le=1.0,
        source="Reichheld & Sasser 1990 say > 0; default 0",
        plausible=(-0.05, 0.05),
        plausible_source="Reichheld & Sasser 1990: long-life clients pay more; Reinartz & Kumar 2002: they often pay less; assumption: wide",
    )
    horizon_years: float = param(
        10.0,
        unit="years",
        ge=0.0,
        le=50.0,
        source="assumption: tenure effects stop growing here",
        plausible=(5.0, 20.0),
        plausible_source="assumption: wide",
    )
