"""The awareness funnel, win-back reach and poaching as monthly metrics: each counts what its
meaning says, moves with the lever or shock that drives it, and is zero where that is off."""

from __future__ import annotations

import numpy as np
from conftest import small_scenario

from model.engine.retention_model import RetentionModel
from model.scenario import Scenario


def _series(scenario: Scenario):
    return RetentionModel(scenario).run().timeseries()


def test_awareness_splits_into_advertising_and_referrals() -> None:
    ts = _series(small_scenario({"run.months": 12}))
    assert (ts["aware_by_ad"] >= 0).all()
    assert (ts["aware_by_ad"] <= ts["newly_aware"]).all()
    assert ts["newly_aware"].sum() > ts["aware_by_ad"].sum() > 0  # both channels reach people


def test_without_advertising_nobody_is_made_aware_by_it() -> None:
    ts = _series(small_scenario({"run.months": 12, "levers.ad_budget": 0.0}))
    assert (ts["aware_by_ad"] == 0).all()
    assert ts["newly_aware"].sum() > 0  # referrals still make prospects aware


def test_without_word_of_mouth_every_newly_aware_prospect_came_by_advertising() -> None:
    ts = _series(small_scenario({"run.months": 12, "word_of_mouth.enabled": False}))
    np.testing.assert_array_equal(ts["aware_by_ad"], ts["newly_aware"])
    assert ts["newly_aware"].sum() > 0


def test_the_newly_aware_are_prospects_that_were_unaware() -> None:
    """No more prospects become aware in a month than were unaware at its start."""
    ts = _series(small_scenario({"run.months": 12}))
    unaware_before = (ts["prospects"] * (1 - ts["aware_share"])).shift(1).dropna()
    assert (ts["newly_aware"].iloc[1:] <= unaware_before + 1e-9).all()


def test_poaching_counts_only_during_the_raid_and_inside_churn() -> None:
    base = small_scenario({"run.months": 8})
    raid = [{"kind": "poaching", "start": 3, "months": 2, "size": 0.2}]
    ts = _series(Scenario.build({**base.model_dump(), "shocks": raid}))
    during = ts["month"].isin([3, 4])
    assert (ts.loc[during, "poached"] > 0).all()
    assert (ts.loc[~during, "poached"] == 0).all()
    assert (ts["poached"] <= ts["churned"]).all()
    assert (_series(base)["poached"] == 0).all()


def test_win_back_reach_follows_its_spend() -> None:
    spent = _series(small_scenario({"run.months": 12}))
    assert spent["winback_targeted"].sum() > 0
    # Reached clients are lapsed at the month's start: no more than the lapsed stock before.
    assert (spent["winback_targeted"].iloc[1:] <= spent["lapsed"].shift(1).iloc[1:]).all()
    none = _series(small_scenario({"run.months": 12, "levers.winback_spend": 0.0}))
    assert (none["winback_targeted"] == 0).all()


def test_the_awareness_figure_draws_both_channels_and_the_aware_share() -> None:
    from model.interfaces.figures import STANDARD_FIGURES, awareness

    scenario = small_scenario({"run.months": 12})
    ts = _series(scenario)
    fig = awareness(ts, scenario=scenario)
    heard, share = fig.axes
    drawn = {line.get_label(): line.get_ydata() for line in heard.get_lines()}
    np.testing.assert_array_equal(drawn["made aware"], ts["newly_aware"])
    by_ad = next(v for k, v in drawn.items() if k.startswith("of which by advertising"))
    np.testing.assert_array_equal(by_ad, ts["aware_by_ad"])
    np.testing.assert_array_equal(share.get_lines()[0].get_ydata(), ts["aware_share"])
    assert share.get_ylim() == (0.0, 1.0) and "aware share" in share.get_ylabel()
    assert STANDARD_FIGURES["awareness"] is awareness  # written by every `retention run`
