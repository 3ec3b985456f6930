"""Defects found reading the claims as a referee would (issue 16, Build item 6): each test fails on
the engine as it was before its fix.

- a closed cohort did not hold the market still: competitors kept improving, so by year 10 the
  quality gap doubled every cohort client's churn hazard;
- any empowerment budget above zero switched on a free engagement lift;
- product quality could reach 1.5 on a 0-1 scale;
- the gap factor was documented as "at most doubles churn" while a lead can drive churn to zero;
- the empowerment cap never bound (P(fix cost > 2,000) ≈ 3·10⁻⁵ at the defaults) anywhere;
- switching word of mouth off also removed warnings: it could not be switched off by valence.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model import Scenario
from model.engine.phases.staff import engagement_target
from model.engine.phases.work import fix_cost
from model.scenario import PARAMS, Levers, Retain, Service, Staff
from model.studies.run import simulate

SMALL = {"market.clients": 2000, "run.months": 36}

#: A closed cohort (everyone a client at tenure 0, nobody acquired or won back, no R&D) held
#: still: the design the earlier retention experiment ran, kept here as the defect's case.
COHORT: dict[str, Any] = {
    "market.initial_active_share": 1.0,
    "market.initial_tenure": "new",
    "market.hold_still": True,
    "attract.ad_p_max": 0.0,
    "levers.ad_budget": 0.0,
    "word_of_mouth.enabled": False,
    "win_back.natural_return": 0.0,
    "win_back.return_max": 0.0,
    "levers.winback_spend": 0.0,
    "levers.loyalty_discount": 0.0,
    "levers.rd_share": 0.0,
    "loyalty_economics.spend_growth": 0.0,
    "loyalty_economics.serve_cost_trend": 0.0,
    "loyalty_economics.price_premium": 0.0,
}


def run(overrides: dict[str, Any], seed: int = 1) -> Any:
    return simulate(Scenario().with_overrides({**SMALL, **overrides}), seed=seed).timeseries


# ----------------------------------------------------------------- (i) the closed cohort
def test_the_closed_cohort_holds_the_market_still_and_its_churn_does_not_rise():
    ts = run({**COHORT, "market.clients": 3000, "run.months": 120})
    assert ts["frontier"].nunique() == 1, "competitors moved inside the closed cohort"
    assert float(ts["gap"].abs().max()) == 0.0
    # Held still, the cohort's churn is what it is with a frozen frontier: before the fix the gap
    # grew to 0.24 by year 10, doubling every client's hazard (year-10 churn 0.0086 vs 0.0059).
    frozen = run(
        {
            **COHORT,
            "market.clients": 3000,
            "run.months": 120,
            "market.hold_still": False,
            "market.competitor_pace": 0.0,
        }
    )
    np.testing.assert_array_equal(ts["churned"].to_numpy(), frozen["churned"].to_numpy())


def test_hold_still_ignores_competitor_pace_and_leaps():
    def scenario(hold: bool) -> Scenario:
        base = Scenario().with_overrides(
            {**SMALL, "market.competitor_pace": 0.01, "market.hold_still": hold}
        )
        leap = [{"kind": "competitor_leap", "start": 3, "size": 0.2}]
        return Scenario.build({**base.model_dump(), "shocks": leap})

    still = simulate(scenario(True), seed=1).timeseries
    assert still["frontier"].nunique() == 1
    moving = simulate(scenario(False), seed=1).timeseries
    assert moving["frontier"].iloc[-1] > still["frontier"].iloc[0] + 0.2


# ----------------------------------------------------- (ii) the engagement lift of autonomy
def test_an_empowerment_budget_does_not_switch_on_engagement():
    none = np.array([0.0])
    p = Staff()
    with_money = engagement_target(0.0, Levers().autonomy, none, p)
    assert engagement_target(0.0, 0.0, none, p)[0] < with_money[0]  # autonomy is the lever
    # a cent of budget (fixes nothing) vs none: the same staff, month by month
    a = run({"levers.empowerment_budget": 0.0})
    b = run({"levers.empowerment_budget": 0.01})
    np.testing.assert_array_equal(a["engagement"].to_numpy(), b["engagement"].to_numpy())
    c = run({"levers.empowerment_budget": 0.0, "levers.autonomy": 0.0})
    assert c["engagement"].iloc[-1] < a["engagement"].iloc[-1]


# -------------------------------------------------------------- (iii) quality on its scale
def test_product_quality_and_frontier_stay_in_zero_one():
    ts = run(
        {
            "innovation.effect_mean": 0.3,
            "levers.rd_share": 0.3,
            "market.competitor_pace": 0.05,
            "run.months": 48,
        }
    )
    assert ts["firm_quality"].max() <= 1.0 and ts["firm_quality"].max() > 0.99
    assert ts["frontier"].max() <= 1.0


# ----------------------------------------------------------------- (iv) the gap factor
@pytest.mark.parametrize("g", [0.5, 1.0, 2.0])
def test_gap_factor_bounds_are_the_documented_ones(g):
    from model.engine.phases.retain import gap_factor  # (did not exist: the form was inline)

    p = Retain(gap_effect=g)
    assert gap_factor(50.0, p) == pytest.approx(1.0 + g)
    assert gap_factor(-50.0, p) == pytest.approx(max(0.0, 1.0 - g))
    assert gap_factor(0.0, p) == 1.0
    source = PARAMS["retain.gap_effect"].source
    assert "at most doubles" not in source
    assert "(1 + g)" in source and "max(0, 1 - g)" in source
    assert "max(0, 1 − g)" in (gap_factor.__doc__ or "")


# ------------------------------------------------------------- (v) the empowerment cap binds
def test_the_empowerment_cap_binds_inside_the_plausible_ranges():
    mean, sigma = PARAMS["service.fix_cost_mean"], PARAMS["service.fix_cost_sigma"]
    assert mean.plausible is not None and sigma.plausible is not None
    cap = Levers().empowerment_cap
    u = (np.arange(200_000) + 0.5) / 200_000
    at_defaults = (fix_cost(u, Service()) > cap).mean()
    corner = Service(fix_cost_mean=mean.plausible[1], fix_cost_sigma=sigma.plausible[1])
    dear = (fix_cost(u, corner) > cap).mean()
    assert at_defaults < 1e-4  # why it never bound
    assert dear > 0.05
    # In a run at that corner, with budgets too large to bind, only the cap escalates incidents.
    world = {
        "service.fix_cost_mean": mean.plausible[1],
        "service.fix_cost_sigma": sigma.plausible[1],
        "levers.empowerment_budget": 1e6,
        "run.months": 12,
    }
    capped = run(world)
    uncapped = run({**world, "levers.empowerment_cap": 1e6})
    assert capped["escalated"].sum() > 0
    assert uncapped["escalated"].sum() == 0


# ------------------------------------------------------------- (vi) word of mouth by valence
def test_word_of_mouth_switches_off_by_valence():
    base = {"run.months": 24}  # the defaults: both promoters and detractors speak
    both = run(base)
    assert both["reached_positive"].sum() > 0 and both["reached_negative"].sum() > 0
    no_praise = run({**base, "word_of_mouth.positive": False})
    assert no_praise["reached_positive"].sum() == 0
    assert no_praise["acquired_referral"].sum() == 0
    assert no_praise["reached_negative"].sum() > 0  # warnings still spread
    no_warnings = run({**base, "word_of_mouth.negative": False})
    assert no_warnings["reached_negative"].sum() == 0
    assert no_warnings["reached_positive"].sum() > 0
    silent = run({**base, "word_of_mouth.enabled": False})
    assert silent["reached_positive"].sum() == 0 and silent["reached_negative"].sum() == 0
