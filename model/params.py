"""The scenario: every parameter of Retention Lab, declared once.

Each parameter is a pydantic field built by :func:`param`, which records its default, unit,
allowed range and a one-line source or rationale. Everything else — validation messages, the
command line's ``--set section.name=value``, the app's sliders, sweep specs and the metadata saved
beside results — is generated from these declarations and never typed twice.

A :class:`Scenario` is immutable. Build one in Python (``Scenario()``, ``Scenario.from_toml(path)``,
``scenario.with_overrides({"levers.service_level": "wow"})``) or from a TOML file whose tables are
the sections below. Bad input raises :class:`ScenarioError`, whose message names the field, the
value and what is allowed.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "SERVICE_LEVELS",
    "ParamInfo",
    "Scenario",
    "ScenarioError",
    "param",
    "parameter_table",
]

#: Named service levels (delivered-quality targets in [0, 1]); DESIGN §4 "low / standard / wow".
SERVICE_LEVELS: dict[str, float] = {"low": 0.35, "standard": 0.6, "wow": 0.9}


class ScenarioError(ValueError):
    """A scenario, override or file that cannot be used; the message names field, value and range."""


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare one parameter: default, unit, allowed range and a one-line source or rationale."""
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        description=source,
        json_schema_extra={"unit": unit},
    )


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


# --------------------------------------------------------------------------------------------- run
class Run(_Section):
    """How long and with which seed a scenario runs."""

    months: int = param(120, unit="months", ge=1, le=1200, source="assumption: a 10-year horizon")
    seed: int = param(1, unit="-", ge=0, le=2**63 - 1, source="assumption")
    track_clients: int = param(
        0,
        unit="clients",
        ge=0,
        le=10_000,  # months × clients × ~44 bytes: 0.5 GB at 1,200 months
        source="assumption: none; a random sample of the market followed month by month "
        "for agent-level output (RetentionModel.tracked)",
    )


# ------------------------------------------------------------------------------------------ market
class Market(_Section):
    """The population of potential clients (prospects included) and the competition."""

    clients: int = param(
        10_000,
        unit="people",
        ge=10,
        le=50_000_000,
        source="assumption: market size incl. prospects",
    )
    initial_active_share: float = param(
        0.3, unit="share", ge=0.0, le=1.0, source="assumption: firm starts with 30% of the market"
    )
    initial_tenure: Literal["survivors", "new"] = param(
        "survivors",
        unit="mode",
        source="'survivors': an established base (geometric tenure, sBG-posterior propensities); "
        "'new': a fresh cohort at tenure 0 with prior propensities (validation, DESIGN §5)",
    )
    spend_mean: float = param(
        100.0, unit="currency/month", gt=0.0, le=1e7, source="assumption: mean base spend"
    )
    spend_sigma: float = param(
        1.37,
        unit="-",
        ge=0.0,
        le=3.0,
        source="lognormal sigma; 1.37 gives ~70/20 (Kim, Singh & Winer 2017), 1.68 gives 80/20",
    )
    fit_alpha: float = param(2.0, unit="-", gt=0.0, le=100.0, source="assumption: Beta fit shape")
    fit_beta: float = param(2.0, unit="-", gt=0.0, le=100.0, source="assumption: Beta fit shape")
    competitor_service: float = param(
        0.6, unit="quality 0-1", ge=0.0, le=1.0, source="assumption: the market's service standard"
    )
    frontier_start: float = param(
        0.5, unit="quality 0-1", ge=0.0, le=1.0, source="assumption: product quality frontier Qm"
    )
    competitor_pace: float = param(
        0.002,
        unit="quality/month",
        ge=-0.05,
        le=0.05,
        source="assumption: competitors improve ~0.024 a year; 0 freezes the frontier",
    )


# ------------------------------------------------------------------------------------------ levers
class Levers(_Section):
    """What the firm decides each month; any lever may follow a schedule."""

    service_level: float = param(
        SERVICE_LEVELS["standard"],
        unit="quality 0-1",
        ge=0.0,
        le=1.0,
        source="DESIGN §2: target delivered quality; 'low' 0.35, 'standard' 0.6, 'wow' 0.9",
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
        source="Ritz-Carlton: up to $2,000 per guest without approval (seed 000/002)",
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
        source="DESIGN §2 step 8: weight of client feedback vs internal estimate (March 1991)",
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


class Targeting(_Section):
    """Which clients retention, win-back and empowerment money is aimed at.

    A segment is the top ``share`` of the clients a lever can reach, chosen at the start of each
    month: ``top_value`` by base spend, ``high_fit`` by fit, ``long_tenure`` by tenure, ``at_risk``
    by *lowest* satisfaction as the firm measures it (a churn-risk score: a save desk's list).
    """

    loyalty: Target = param("all", unit="segment", source="assumption: everyone")
    winback: Target = param("all", unit="segment", source="assumption: everyone")
    empowerment: Target = param("all", unit="segment", source="assumption: everyone")
    share: float = param(
        0.2, unit="share", gt=0.0, le=1.0, source="the 20% of 80/20 (seed 000/002/004)"
    )


# ----------------------------------------------------------------------------------------- service
class Service(_Section):
    """Delivered quality, incidents and their recovery (DESIGN §2 step 2)."""

    quality_noise: float = param(
        0.1, unit="quality sd", ge=0.0, le=1.0, source="assumption: month-to-month variation"
    )
    fit_experience_effect: float = param(
        0.3,
        unit="quality per unit fit",
        ge=-1.0,
        le=1.0,
        source="assumption: 'the client is always right if it is your client'",
    )
    cost_per_client: float = param(
        10.0,
        unit="currency/client/month at level 1",
        ge=0.0,
        le=1e6,
        source="assumption: service cost convex in level (cost x level^2)",
    )
    incident_rate_max: float = param(
        0.1, unit="1/month", ge=0.0, le=1.0, source="assumption: incident prob = max x (1 - q)"
    )
    incident_severity: float = param(
        0.3, unit="quality", ge=0.0, le=1.0, source="assumption: experience lost to an incident"
    )
    fix_cost_mean: float = param(
        60.0, unit="currency/incident", ge=0.0, le=1e6, source="assumption"
    )
    fix_cost_sigma: float = param(
        1.0, unit="-", ge=0.0, le=3.0, source="assumption: lognormal spread of fix costs"
    )
    recovery_on_spot: float = param(
        1.0,
        unit="share of severity",
        ge=0.0,
        le=2.0,
        source="assumption: an on-the-spot fix undoes the incident",
    )
    recovery_escalated: float = param(
        0.5, unit="share of severity", ge=0.0, le=2.0, source="assumption: a later fix is weaker"
    )
    escalation_fix_prob: float = param(
        0.6, unit="probability", ge=0.0, le=1.0, source="assumption: escalations fixed at all"
    )
    manager_cost_multiplier: float = param(
        2.0, unit="x fix cost", ge=0.0, le=100.0, source="assumption: manager time and delay"
    )
    recovery_paradox_bonus: float = param(
        0.05,
        unit="satisfaction",
        ge=0.0,
        le=0.5,
        source="de Matos et al. 2007: paradox on satisfaction only",
    )
    recovery_paradox_behavioural: bool = param(
        False,
        unit="flag",
        source="de Matos et al. 2007 found no effect on repurchase; true lets the bonus act",
    )


# ------------------------------------------------------------------------------------ satisfaction
class Satisfaction(_Section):
    """Satisfaction and expectation (DESIGN §2 step 3); NPS bands."""

    absolute_weight: float = param(
        1.0,
        unit="-",
        ge=0.0,
        le=2.0,
        source="assumption: a > 0 keeps a lasting edge for better service",
    )
    disconfirmation_weight: float = param(
        0.5, unit="-", ge=0.0, le=2.0, source="Oliver 1980 expectation-disconfirmation"
    )
    adjustment_rate: float = param(
        0.3, unit="1/month", gt=0.0, le=1.0, source="assumption: S moves 30% toward target a month"
    )
    expectation_rate: float = param(
        0.1, unit="1/month", ge=0.0, le=1.0, source="assumption: expectations adapt slowly"
    )
    expectation_own_weight: float = param(
        0.5,
        unit="share",
        ge=0.0,
        le=1.0,
        source="assumption: E blends own experience and the market standard",
    )
    initial: float = param(0.6, unit="satisfaction 0-1", ge=0.0, le=1.0, source="assumption")
    likelihood_exponent: float = param(
        0.5,
        unit="-",
        gt=0.0,
        le=5.0,
        source="assumption: likelihood to recommend = 10·S^k; k=0.5 maps S=0.6 to 7.7 of 10",
    )
    promoter_threshold: float = param(
        9.0, unit="score 0-10", ge=0.0, le=10.0, source="NPS promoters: 9-10 (Reichheld 2003)"
    )
    detractor_threshold: float = param(
        7.0, unit="score 0-10", ge=0.0, le=10.0, source="NPS detractors: below 7 (Reichheld 2003)"
    )


# ------------------------------------------------------------------------------------------ retain
class Retain(_Section):
    """The churn hazard (DESIGN §2 step 4)."""

    base_churn: float = param(
        0.02,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: ~78% annual retention at reference satisfaction",
    )
    churn_heterogeneity: float = param(
        0.02,
        unit="polarization 0-1",
        ge=0.0,
        lt=1.0,
        source="sBG polarization 1/(a+b+1) of the monthly propensity; Fader & Hardie 2007's annual "
        "fits (0.18-0.35, mean churn mu 0.15-0.37) scale to monthly phi*(1-mu)/(12-mu) = 0.01-0.02",
    )
    satisfaction_sensitivity: float = param(
        3.0,
        unit="log-hazard per unit S",
        ge=-10.0,
        le=20.0,
        source="assumption; 0 makes churn blind to satisfaction",
    )
    satisfaction_reference: float = param(
        0.6, unit="satisfaction 0-1", ge=0.0, le=1.0, source="assumption: hazard = base here"
    )
    gap_effect: float = param(
        1.0,
        unit="x hazard at saturation",
        ge=-1.0,
        le=10.0,
        source="assumption: a large quality gap at most doubles churn",
    )
    gap_scale: float = param(0.1, unit="quality", gt=0.0, le=1.0, source="assumption")
    loyalty_elasticity: float = param(
        3.0,
        unit="log-hazard per unit discount",
        ge=-20.0,
        le=50.0,
        source="assumption; 0 makes the programme useless, < 0 harmful",
    )
    tenure_slope: float = param(
        0.0,
        unit="log-hazard per year",
        ge=-5.0,
        le=5.0,
        source="Fader & Hardie: tenure acts through heterogeneity; direct effect 0 by default",
    )
    loyal_tenure_months: int = param(
        24, unit="months", ge=0, le=600, source="assumption: LOYAL label"
    )
    loyal_satisfaction: float = param(
        0.75, unit="satisfaction 0-1", ge=0.0, le=1.0, source="assumption: LOYAL label"
    )
    bad_service_threshold: float = param(
        0.45,
        unit="satisfaction 0-1",
        ge=0.0,
        le=1.0,
        source="assumption: leavers below this left over bad service",
    )


class LoyaltyEconomics(_Section):
    """Reichheld's loyalty economics; each may be negative (Reinartz & Kumar 2000/2002)."""

    spend_growth: float = param(
        0.0,
        unit="share/year of tenure",
        ge=-0.5,
        le=1.0,
        source="Reichheld & Sasser 1990 say > 0; Reinartz & Kumar 2000 often ~0; default 0",
    )
    serve_cost_trend: float = param(
        0.0,
        unit="share/year of tenure",
        ge=-0.5,
        le=1.0,
        source="Reichheld & Sasser 1990 say < 0; Reinartz & Kumar 2002 disagree; default 0",
    )
    price_premium: float = param(
        0.0,
        unit="share/year of tenure",
        ge=-0.5,
        le=1.0,
        source="Reichheld & Sasser 1990 say > 0; default 0",
    )
    horizon_years: float = param(
        10.0, unit="years", ge=0.0, le=50.0, source="assumption: tenure effects stop growing here"
    )


# ----------------------------------------------------------------------------------------- attract
class Attract(_Section):
    """Advertising, awareness and conversion (DESIGN §2 step 6)."""

    ad_p_max: float = param(
        0.05,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption (monthly); for scale, Sultan et al. 1990's mean Bass p is 0.03 a year",
    )
    ad_scale: float = param(
        500.0,
        unit="currency/month per 1k market",
        gt=0.0,
        le=1e7,
        source="assumption: diminishing returns p = p_max (1 - exp(-spend/scale))",
    )
    conversion_max: float = param(
        0.2, unit="1/month", ge=0.0, le=1.0, source="assumption: best-fit aware prospect"
    )
    fit_exponent: float = param(
        1.0, unit="-", ge=0.0, le=10.0, source="assumption: conversion ~ fit^k; 0 = fit ignored"
    )
    gap_conversion_effect: float = param(
        1.0,
        unit="log multiplier at saturation",
        ge=-5.0,
        le=10.0,
        source="assumption: a quality gap lowers conversion",
    )
    awareness_decay: float = param(
        0.1, unit="1/month", ge=0.0, le=1.0, source="assumption: aware prospects forget"
    )
    onboarding_cost: float = param(
        50.0, unit="currency/acquisition", ge=0.0, le=1e6, source="assumption"
    )


# --------------------------------------------------------------------------------- word of mouth
Network = Literal["small_world", "scale_free", "random", "full"]


class WordOfMouth(_Section):
    """Promoters and detractors talking on a social network (DESIGN §2 step 5)."""

    enabled: bool = param(True, unit="flag", source="false switches word of mouth off")
    network: Network = param(
        "small_world", unit="kind", source="Watts & Strogatz 1998; Goldenberg et al. 2001"
    )
    degree: float = param(
        10.0, unit="contacts", ge=1.0, le=200.0, source="assumption: average degree"
    )
    rewiring: float = param(0.1, unit="probability", ge=0.0, le=1.0, source="Watts & Strogatz")
    q_positive: float = param(
        0.3,
        unit="1/month",
        ge=0.0,
        le=5.0,
        source="assumption (monthly, per promoter; per edge q/degree); for scale, Sultan et al. "
        "1990's mean Bass q is 0.38 a year over all adopters",
    )
    q_negative: float = param(
        0.3,
        unit="1/month",
        ge=0.0,
        le=5.0,
        source="TARP: unhappy tell 9-15 (~2-3x happy); East et al. 2007: positive 3x more common",
    )
    negative_conversion_factor: float = param(
        0.5,
        unit="x conversion",
        ge=0.0,
        le=2.0,
        source="assumption: a warned prospect converts half as often; 1 = no effect",
    )
    lapsed_warning_months: int = param(
        6, unit="months", ge=0, le=120, source="assumption: bad-service leavers keep warning"
    )
    return_boost: float = param(
        1.0,
        unit="x return odds",
        ge=0.0,
        le=10.0,
        source="assumption: a positive message doubles a lapsed client's return odds",
    )
    satisfaction_effect: float = param(
        0.02,
        unit="satisfaction/message",
        ge=0.0,
        le=0.5,
        source="assumption: a little effect on current clients",
    )
    referral_credit_share: float = param(
        0.5,
        unit="share",
        ge=0.0,
        le=1.0,
        source="assumption: share of a referred client's margin credited to its referrer",
    )


# ---------------------------------------------------------------------------------------- win back
class WinBack(_Section):
    """Lapsed clients returning (DESIGN §2 step 7)."""

    return_max: float = param(
        0.05, unit="1/month", ge=0.0, le=1.0, source="assumption: at saturating spend"
    )
    spend_scale: float = param(
        10.0, unit="currency/lapsed client/month", gt=0.0, le=1e6, source="assumption"
    )
    decay_months: float = param(
        12.0, unit="months", gt=0.0, le=600.0, source="assumption: odds fall with time away"
    )
    bad_service_factor: float = param(
        0.3,
        unit="x odds",
        ge=0.0,
        le=5.0,
        source="assumption: bad-service leavers are harder to win back",
    )
    natural_return: float = param(
        0.002, unit="1/month", ge=0.0, le=1.0, source="assumption: unprompted returns"
    )
    target_months: int = param(
        24, unit="months", ge=0, le=1200, source="assumption: win-back stops after this"
    )


# ------------------------------------------------------------------------------------------- staff
class Staff(_Section):
    """The internal client: staff engagement and skill (DESIGN §2 step 1)."""

    capacity: float = param(
        300.0, unit="clients/staff", gt=0.0, le=1e6, source="assumption: clients served well"
    )
    salary: float = param(3000.0, unit="currency/staff/month", ge=0.0, le=1e6, source="assumption")
    engagement_rate: float = param(
        0.2, unit="1/month", ge=0.0, le=1.0, source="assumption: speed toward target"
    )
    engagement_base: float = param(0.5, unit="0-1", ge=0.0, le=1.0, source="assumption")
    training_engagement: float = param(
        0.2, unit="engagement", ge=-1.0, le=1.0, source="Heskett et al. 1994 link; may be 0"
    )
    autonomy_engagement: float = param(
        0.1, unit="engagement", ge=-1.0, le=1.0, source="Heskett et al. 1994 link; may be 0"
    )
    overload_engagement: float = param(
        0.3,
        unit="engagement per unit overload",
        ge=-1.0,
        le=2.0,
        source="assumption; may be 0",
    )
    training_scale: float = param(
        200.0, unit="currency/staff/month", gt=0.0, le=1e6, source="assumption"
    )
    skill_base: float = param(0.5, unit="0-1", ge=0.0, le=1.0, source="assumption")
    training_skill: float = param(0.2, unit="skill", ge=-1.0, le=1.0, source="assumption; may be 0")
    engagement_quality: float = param(
        0.2,
        unit="quality per unit engagement",
        ge=-1.0,
        le=2.0,
        source="Heskett et al. 1994 service-profit chain; may be 0",
    )
    skill_quality: float = param(
        0.2, unit="quality per unit skill", ge=-1.0, le=2.0, source="assumption; may be 0"
    )
    overload_quality: float = param(
        0.3,
        unit="quality per unit overload",
        ge=-1.0,
        le=2.0,
        source="assumption; may be 0",
    )
    turnover: float = param(
        0.02, unit="1/month", ge=0.0, le=1.0, source="assumption: ~22%/year staff turnover"
    )
    turnover_engagement: float = param(
        1.0,
        unit="x per unit disengagement",
        ge=0.0,
        le=10.0,
        source="assumption: disengaged staff quit more",
    )
    hiring_cost: float = param(5000.0, unit="currency/hire", ge=0.0, le=1e7, source="assumption")
    new_hire_skill: float = param(0.3, unit="0-1", ge=0.0, le=1.0, source="assumption")


# -------------------------------------------------------------------------------------- innovation
class Innovation(_Section):
    """R&D candidates, client feedback and the client-focus filter (DESIGN §2 step 8)."""

    candidate_cost: float = param(
        0.1,
        unit="share of monthly revenue/candidate",
        gt=0.0,
        le=10.0,
        source="assumption: R&D of 3% of revenue buys ~0.3 candidates a month, at any firm size",
    )
    effect_mean: float = param(
        0.0, unit="quality", ge=-1.0, le=1.0, source="assumption: as many duds as gains"
    )
    effect_sd: float = param(0.02, unit="quality", ge=0.0, le=1.0, source="assumption")
    novelty_bias: float = param(
        0.01,
        unit="quality",
        ge=-1.0,
        le=1.0,
        source="seed 000/002: people reject new things at first; 0 = none",
    )
    feedback_noise: float = param(
        0.01, unit="quality sd", ge=0.0, le=1.0, source="assumption: clients see the effect well"
    )
    internal_noise: float = param(
        0.02, unit="quality sd", ge=0.0, le=1.0, source="assumption: R&D sees it less well"
    )
    novelty_dip: float = param(
        0.05,
        unit="experience",
        ge=0.0,
        le=1.0,
        source="assumption: a shipped novelty dips experience",
    )
    novelty_dip_decay: float = param(
        0.3, unit="1/month", ge=0.0, le=1.0, source="assumption: the dip fades"
    )
    quality_start: float = param(
        0.5, unit="quality 0-1", ge=0.0, le=1.0, source="assumption: firm starts at the frontier"
    )


# --------------------------------------------------------------------------------------- economics
class Economics(_Section):
    """The ledger's rates."""

    cogs_share: float = param(
        0.6, unit="share of revenue", ge=0.0, le=1.0, source="assumption: 40% gross margin"
    )
    discount_rate: float = param(
        0.1, unit="1/year", ge=0.0, le=1.0, source="assumption: a common hurdle rate"
    )
    fixed_overhead: float = param(0.0, unit="currency/month", ge=0.0, le=1e12, source="assumption")


# ------------------------------------------------------------------------------ schedules, shocks
class ScheduleStep(_Section):
    """From ``month`` on, set the named levers to new values (validated like the levers)."""

    month: int = Field(ge=0, le=1200, description="first month the new values apply")
    set: dict[str, Any] = Field(description="lever name -> value, e.g. service_level = 'low'")

    @field_validator("set")
    @classmethod
    def _known_levers(cls, value: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, v in value.items():
            name = key.removeprefix("levers.")
            if name not in Levers.model_fields:
                raise ValueError(
                    f"unknown lever {key!r}; allowed: {', '.join(Levers.model_fields)}"
                )
            # Validate (and normalise: "low" -> 0.35) here, so the error names the step.
            try:
                out[name] = getattr(Levers(**{name: v}), name)
            except ValidationError:
                info = PARAMS[f"levers.{name}"]
                raise ValueError(
                    f"{name} = {v!r} is not allowed; allowed: {info.allowed()} ({info.unit})"
                ) from None
        return out


ShockKind = Literal["bad_service", "competitor_leap", "price_war", "poaching"]


class Shock(_Section):
    """A scheduled shock: a bad-service spell, a competitor's leap, a price war, a poaching raid.

    ``poaching``: in each month of the spell (by default one month, ``start``), a competitor takes
    a share ``size`` (0 ≤ size ≤ 1) of the clients served that month who were not leaving anyway;
    they leave for the competitor (reason COMPETITOR), drawn with their own stream
    ``retain.poach`` so no other decision's numbers move. It makes specific clients leave at a
    given month, which is what the lost-client experiment needs.
    """

    kind: ShockKind = Field(description="bad_service | competitor_leap | price_war | poaching")
    start: int = Field(ge=1, le=1200, description="first month of the shock (months count from 1)")
    months: int = Field(1, ge=1, le=1200, description="duration (a leap is permanent)")
    size: float = Field(
        ge=0.0,
        le=10.0,
        description="service-level drop; frontier jump; ad-cost multiplier minus one; or the "
        "share of served clients poached (0-1)",
    )

    @model_validator(mode="after")
    def _share(self) -> Shock:
        if self.kind == "poaching" and self.size > 1.0:
            raise ValueError(
                f"size: value {self.size!r} is not allowed for poaching; allowed: 0 ≤ x ≤ 1 (share)"
            )
        return self


# ----------------------------------------------------------------------------------------- scenario
SECTIONS: dict[str, type[_Section]] = {
    "run": Run,
    "market": Market,
    "levers": Levers,
    "targeting": Targeting,
    "service": Service,
    "satisfaction": Satisfaction,
    "retain": Retain,
    "loyalty_economics": LoyaltyEconomics,
    "attract": Attract,
    "word_of_mouth": WordOfMouth,
    "win_back": WinBack,
    "staff": Staff,
    "innovation": Innovation,
    "economics": Economics,
}


class Scenario(BaseModel):
    """A complete, validated, immutable scenario.

    Examples
    --------
    >>> s = Scenario().with_overrides({"levers.service_level": "wow", "market.clients": 2000})
    >>> s.levers.service_level, s.market.clients
    (0.9, 2000)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "baseline"
    description: str = ""
    run: Run = Run()
    market: Market = Market()
    levers: Levers = Levers()
    targeting: Targeting = Targeting()
    service: Service = Service()
    satisfaction: Satisfaction = Satisfaction()
    retain: Retain = Retain()
    loyalty_economics: LoyaltyEconomics = LoyaltyEconomics()
    attract: Attract = Attract()
    word_of_mouth: WordOfMouth = WordOfMouth()
    win_back: WinBack = WinBack()
    staff: Staff = Staff()
    innovation: Innovation = Innovation()
    economics: Economics = Economics()
    schedule: tuple[ScheduleStep, ...] = ()
    shocks: tuple[Shock, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        s = self.satisfaction
        if s.detractor_threshold > s.promoter_threshold:
            raise ValueError(
                "satisfaction.detractor_threshold must not exceed satisfaction.promoter_threshold "
                f"({s.detractor_threshold} > {s.promoter_threshold})"
            )
        for step in self.schedule:
            Levers(**{**self.levers.model_dump(), **step.set})  # each scheduled value validated
        return self

    # ---------------------------------------------------------------------------- construction
    @classmethod
    def build(cls, data: Mapping[str, Any] | None = None, *, origin: str = "scenario") -> Scenario:
        """Validate a nested mapping (as read from TOML) into a scenario, or raise ScenarioError."""
        try:
            return cls.model_validate(dict(data or {}))
        except ValidationError as exc:
            raise ScenarioError(_describe(exc, origin)) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Load a scenario file; unknown keys, bad types and out-of-range values are errors."""
        path = Path(path)
        data, _ = read_toml(path, "scenario file")
        data.setdefault("name", path.stem)
        return cls.build(data, origin=str(path))

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """Return a copy with ``{"section.name": value}`` overrides applied and validated.

        String values are parsed as TOML values when they look like one (``"0.3"`` → 0.3,
        ``"true"`` → True) and kept as strings otherwise (``"wow"``).
        """
        data = self.model_dump()
        for key, raw in overrides.items():
            section, _, name = key.partition(".")
            if section not in SECTIONS or not name:
                raise ScenarioError(
                    f"{key}: unknown parameter; use section.name with a section among "
                    f"{', '.join(SECTIONS)}"
                )
            if name not in SECTIONS[section].model_fields:
                raise ScenarioError(
                    f"{key}: unknown parameter; {section} has "
                    f"{', '.join(SECTIONS[section].model_fields)}"
                )
            data[section][name] = parse_value(raw)
        return Scenario.build(data, origin="override")

    def to_toml_dict(self) -> dict[str, Any]:
        """The scenario as plain data (JSON/TOML-ready), exactly as it will run."""
        return self.model_dump(mode="json")

    def flat(self) -> dict[str, Any]:
        """``{"section.name": value}`` for every declared parameter."""
        return {
            f"{section}.{name}": getattr(getattr(self, section), name)
            for section, cls in SECTIONS.items()
            for name in cls.model_fields
        }


def read_toml(
    path: str | Path, what: str, error: type[Exception] = ScenarioError
) -> tuple[dict[str, Any], str]:
    """Read a TOML file; a missing, unreadable or malformed file raises ``error`` in one line.

    Returns the parsed data and the text (for hashing). ``what`` names the file in the message,
    e.g. ``"scenario file"`` or ``"sweep spec"``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} {str(path)!r} does not exist") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {str(path)!r} is not UTF-8 text (byte {exc.start}); allowed: a UTF-8 TOML file"
        ) from None
    except OSError as exc:
        raise error(f"{what} {str(path)!r} cannot be read: {exc}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {str(path)!r} is not valid TOML: {exc}") from None


def parse_value(raw: Any) -> Any:
    """Parse a command-line value as a TOML value when possible, else keep the string."""
    if not isinstance(raw, str):
        return raw
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


# ------------------------------------------------------------------------------------ description
@dataclass(frozen=True)
class ParamInfo:
    """What is declared about one parameter: used by the CLI, the app and results metadata."""

    key: str
    default: Any
    unit: str
    lower: float | None
    upper: float | None
    lower_open: bool
    upper_open: bool
    source: str
    kind: type

    def allowed(self) -> str:
        """The allowed range in words, e.g. ``0 ≤ x ≤ 1``."""
        if self.kind is bool:
            return "true or false"
        args = getattr(self.kind, "__args__", None)
        if args and all(isinstance(a, str) for a in args):
            return "one of " + ", ".join(repr(a) for a in args)
        lo = "" if self.lower is None else f"{_num(self.lower)} {'<' if self.lower_open else '≤'} "
        hi = "" if self.upper is None else f" {'<' if self.upper_open else '≤'} {_num(self.upper)}"
        if not lo and not hi:
            return "any value"
        return f"{lo}x{hi}"


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) and not math.isinf(x) else str(x)


def iter_params() -> Iterator[ParamInfo]:
    """Every declared parameter, in declaration order."""
    for section, cls in SECTIONS.items():
        for name, field in cls.model_fields.items():
            lower = upper = None
            lower_open = upper_open = False
            for meta in field.metadata:
                if getattr(meta, "ge", None) is not None:
                    lower = meta.ge
                if getattr(meta, "gt", None) is not None:
                    lower, lower_open = meta.gt, True
                if getattr(meta, "le", None) is not None:
                    upper = meta.le
                if getattr(meta, "lt", None) is not None:
                    upper, upper_open = meta.lt, True
            extra = field.json_schema_extra or {}
            yield ParamInfo(
                key=f"{section}.{name}",
                default=field.default,
                unit=str(extra.get("unit", "-")),
                lower=lower,
                upper=upper,
                lower_open=lower_open,
                upper_open=upper_open,
                source=field.description or "",
                kind=field.annotation,  # type: ignore[arg-type]
            )


PARAMS: dict[str, ParamInfo] = {p.key: p for p in iter_params()}


def parameter_table() -> list[dict[str, Any]]:
    """Rows (key, default, unit, allowed, source) for documentation and results metadata."""
    return [
        {
            "key": p.key,
            "default": p.default,
            "unit": p.unit,
            "allowed": p.allowed(),
            "source": p.source,
        }
        for p in PARAMS.values()
    ]


def _describe(exc: ValidationError, origin: str) -> str:
    """One line per problem: ``field: value V is not allowed; allowed: RANGE (unit)``."""
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc)
        info = PARAMS.get(".".join(loc[:2]))
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            section = loc[0] if len(loc) > 1 else None
            nested = {"schedule": ScheduleStep, "shocks": Shock, **SECTIONS}
            known = nested[section].model_fields if section in nested else Scenario.model_fields
            lines.append(f"{key}: unknown parameter; allowed: {', '.join(known)}")
        elif info is not None:
            lines.append(
                f"{key}: value {value!r} is not allowed; allowed: {info.allowed()} ({info.unit})"
            )
        else:
            msg = err["msg"].removeprefix("Value error, ")
            shown = "" if isinstance(value, Mapping) else f" (value {value!r})"
            lines.append(f"{key or origin}: {msg}{shown}")
    return f"{origin}: " + "; ".join(lines)
