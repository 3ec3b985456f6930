"""The staff engagement chain and the innovation trade-off (issue: staff, innovation, presets)."""

from __future__ import annotations

import numpy as np
import pytest

from model import Scenario
from model.engine.phases.innovate import ship_decision
from model.engine.phases.staff import engagement_target
from model.scenario import Staff
from model.studies.run import simulate

SMALL = {"market.clients": 2000, "run.months": 36}


def run(overrides: dict, seed: int = 1, **extra) -> object:
    return simulate(Scenario().with_overrides({**SMALL, **overrides, **extra}), seed=seed)


# ------------------------------------------------------------------------------ engagement rules
def test_engagement_rises_with_training_and_autonomy_and_falls_with_overload() -> None:
    p = Staff()
    none = np.array([0.0])
    base = engagement_target(0.0, False, none, p)[0]
    assert engagement_target(300.0, False, none, p)[0] > base
    assert engagement_target(0.0, True, none, p)[0] > base
    assert engagement_target(0.0, False, np.array([0.5]), p)[0] < base


def test_engagement_rules_show_in_the_model() -> None:
    trained = run({"levers.training_spend": 600.0}).timeseries["engagement"].iloc[-1]
    untrained = run({"levers.training_spend": 0.0}).timeseries["engagement"].iloc[-1]
    assert trained > untrained
    normal = run({}).timeseries["engagement"].iloc[-1]
    overloaded = run({"levers.staffing": 0.5}).timeseries["engagement"].iloc[-1]
    assert overloaded < normal


def test_zero_link_strengths_cut_the_chain_downstream() -> None:
    """With engagement, skill and overload links at 0, staff changes move no client outcome."""
    cut = {
        "staff.engagement_quality": 0.0,
        "staff.skill_quality": 0.0,
        "staff.overload_quality": 0.0,
    }
    a = run({**cut, "levers.training_spend": 0.0}).timeseries
    b = run({**cut, "levers.training_spend": 800.0}).timeseries
    assert not np.allclose(a["engagement"], b["engagement"])  # staff did change...
    downstream = ["quality", "satisfaction", "nps", "churned", "acquired", "active", "revenue"]
    for column in downstream:  # ...but no client noticed
        np.testing.assert_array_equal(a[column].to_numpy(), b[column].to_numpy(), err_msg=column)


def test_links_on_the_chain_reaches_clients() -> None:
    a = run({"levers.training_spend": 0.0}).timeseries
    b = run({"levers.training_spend": 800.0}).timeseries
    assert b["quality"].mean() > a["quality"].mean()


# ------------------------------------------------------------------------------------- innovation
def test_ship_rule_weights_feedback_by_client_focus() -> None:
    from model.scenario import Innovation

    p = Innovation(novelty_bias=0.05, feedback_noise=0.0, internal_noise=0.0)
    effect = np.array([0.03])
    zero = np.zeros(1)
    assert ship_decision(effect, zero, zero, 0.0, p)[0]  # the firm's own estimate sees +0.03
    assert not ship_decision(effect, zero, zero, 1.0, p)[0]  # clients' bias hides it


def test_without_rnd_the_gap_grows_at_the_competitors_pace() -> None:
    pace = 0.003
    ts = run({"levers.rd_share": 0.0, "market.competitor_pace": pace}).timeseries
    s = Scenario()
    expected = s.market.frontier_start - s.innovation.quality_start + pace * ts["month"]
    np.testing.assert_allclose(ts["gap"], expected, rtol=0, atol=1e-12)
    assert (ts["candidates"] == 0).all()


INNOVATION = {
    "market.clients": 2000,
    "run.months": 120,
    "levers.rd_share": 0.1,
    "innovation.effect_sd": 0.03,
    "innovation.internal_noise": 0.03,
    "innovation.feedback_noise": 0.01,
}
SEEDS = range(1, 9)


def npv_difference(bias: float) -> np.ndarray:
    """NPV(φ = 1) − NPV(φ = 0), paired on each seed."""
    base = Scenario().with_overrides({**INNOVATION, "innovation.novelty_bias": bias})
    out = []
    for seed in SEEDS:
        hi = simulate(base.with_overrides({"levers.client_focus": 1.0}), seed=seed).summary["npv"]
        lo = simulate(base.with_overrides({"levers.client_focus": 0.0}), seed=seed).summary["npv"]
        out.append(hi - lo)
    return np.array(out)


@pytest.mark.slow
def test_client_focus_helps_without_bias_and_hurts_with_a_large_one() -> None:
    """Accurate, unbiased feedback: φ = 1 does no worse; large novelty bias: φ = 1 does worse.

    Paired over 8 seeds; "no worse" means the mean difference is not below zero by more than
    two standard errors, "worse" that its 95% interval lies below zero.
    """
    fair = npv_difference(0.0)
    se = fair.std(ddof=1) / np.sqrt(fair.size)
    assert fair.mean() + 2 * se >= 0
    biased = npv_difference(0.1)
    se = biased.std(ddof=1) / np.sqrt(biased.size)
    assert biased.mean() + 2 * se < 0
