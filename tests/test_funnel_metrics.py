"""The awareness funnel, win-back reach and poaching as monthly metrics: each counts what its
meaning says, moves with the lever or shock that drives it, and is zero where that is off."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small_scenario

from model.engine.retention_model import RetentionModel
from model.scenario import Scenario, ScenarioError
from model.scenario.schedule import raid


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


def test_a_permanent_raids_clients_never_return_and_a_passing_raids_do() -> None:
    """With every lapsed client returning the next month (natural return 1), the clients a
    permanent raid took stay lapsed to the end; the only others lapsed left in the last month.
    A passing raid's come back."""
    base = small_scenario({"run.months": 8, "win_back.natural_return": 1.0})
    ends = {}
    for permanent in (True, False):
        model = RetentionModel(base.with_shocks(raid(2, 0.3, permanent))).run()
        ts, frame = model.timeseries(), model.clients_frame()
        ends[permanent] = (int(ts["poached"].sum()), frame)
    taken, frame = ends[True]
    assert taken > 0
    gone = frame["left_reason"] == "gone_for_good"
    lapsed = frame["stage"] == "lapsed"
    assert int(gone.sum()) == taken
    assert lapsed[gone].all()
    assert (frame.loc[lapsed & ~gone, "months_lapsed"] == 0).all()  # the rest came back
    taken, frame = ends[False]
    assert taken > 0 and not (frame["left_reason"] == "gone_for_good").any()
    assert (frame.loc[frame["stage"] == "lapsed", "months_lapsed"] == 0).all()


def test_permanent_is_a_poaching_raids_alone() -> None:
    """Another shock marked permanent is refused, naming the field, the value and what is allowed."""
    with pytest.raises(ValueError, match=r"permanent: value True is not allowed for price_war"):
        Scenario.build(
            {"shocks": [{"kind": "price_war", "start": 1, "size": 0.5, "permanent": True}]}
        )


def test_a_raid_is_added_after_the_scenarios_own_shocks_and_checked() -> None:
    """``with_shocks`` keeps the scenario's shocks, adds the raid after them, and refuses a share
    above 1 naming the shock's field, the value and the range, under the caller's origin."""
    own = Scenario.build({"shocks": [{"kind": "price_war", "start": 3, "size": 0.5}]})
    raided = own.with_shocks(raid(12, 0.1, permanent=True))
    assert [s.kind for s in raided.shocks] == ["price_war", "poaching"]
    assert (raided.shocks[1].start, raided.shocks[1].size, raided.shocks[1].permanent) == (
        12, 0.1, True
    )  # fmt: skip
    assert own.shocks == raided.shocks[:1]  # (a copy: the scenario itself is unchanged)
    with pytest.raises(ScenarioError, match=r"^the app: shocks\.1: size: value 1\.5 .*0 ≤ x ≤ 1"):
        own.with_shocks(raid(12, 1.5), origin="the app")


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
