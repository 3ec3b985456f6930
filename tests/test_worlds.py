"""Worlds drawn from the declared uncertainties and the plausibility filter (issue 16)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import Scenario
from model.studies.run import simulate
from model.studies.worlds import (
    FACTS,
    OPERATING_MARGIN,
    declared_uncertainties,
    draw_worlds,
    fact_values,
    judge_worlds,
    rejections,
    world_scenario,
)


def test_worlds_cover_every_declared_range_and_are_reproducible():
    unc = declared_uncertainties()
    assert unc, "the scenario declares uncertainties with plausible ranges"
    a, b = draw_worlds(64, seed=3), draw_worlds(64, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a["seed"].nunique() == 64  # each world its own seeds
    for key, p in unc.items():
        col = a[key]
        if len(p.plausible) == 2 and not isinstance(p.plausible[0], bool | str):
            lo, hi = p.plausible
            assert col.between(lo, hi).all(), key
            # Latin hypercube: every fifth of the range is drawn
            u = (np.log(col / lo) / np.log(hi / lo)) if p.scale == "log" else (col - lo) / (hi - lo)
            if p.kind is not int:
                assert np.histogram(u, bins=5, range=(0, 1))[0].min() >= 10, key
        else:
            assert set(map(str, col)) <= set(map(str, p.plausible)), key


def test_every_world_is_a_valid_scenario():
    for row in draw_worlds(8, seed=9).to_dict("records"):
        scn = world_scenario(Scenario(), row, {"market.clients": 100, "run.months": 2})
        assert scn.market.clients == 100


def test_bad_world_count_is_one_clear_line():
    with pytest.raises(ValueError, match="n = 0 is not allowed"):
        draw_worlds(0)


@pytest.fixture(scope="module")
def defaults_ts():
    return simulate(Scenario(), clients=800, months=60, seed=2).timeseries


def test_the_defaults_are_a_plausible_world(defaults_ts):
    judged = judge_worlds(pd.DataFrame([fact_values(defaults_ts)]))
    assert bool(judged["plausible"].iloc[0]), judged.T


def test_the_filter_rejects_a_world_that_breaks_a_fact():
    ts = simulate(
        Scenario().with_overrides({"retain.base_churn": 0.3}), clients=800, months=60, seed=2
    ).timeseries
    judged = judge_worlds(pd.DataFrame([fact_values(ts)]))
    assert not bool(judged["ok_annual_retention"].iloc[0])
    assert not bool(judged["plausible"].iloc[0])


@pytest.mark.parametrize(
    ("overrides", "side"),
    [
        # dear goods and dear fixes: a firm losing ~40% of its revenue a year
        ({"economics.cogs_share": 0.8, "service.fix_cost_mean": 1000.0}, "below"),
        ({"economics.cogs_share": 0.2}, "above"),  # a margin no industry earns (~54%)
    ],
)
def test_the_operating_margin_fact_rejects_a_firm_no_industry_looks_like(overrides, side):
    ts = simulate(Scenario().with_overrides(overrides), clients=800, months=60, seed=2).timeseries
    values = fact_values(ts)
    margin = OPERATING_MARGIN
    late = ts.iloc[12:]
    assert values["operating_margin"] == pytest.approx(late["profit"].sum() / late["revenue"].sum())
    if side == "below":
        assert values["operating_margin"] < margin.low
    else:
        assert values["operating_margin"] > margin.high
    judged = judge_worlds(pd.DataFrame([values]))
    assert not bool(judged["ok_operating_margin"].iloc[0])
    assert not bool(judged["plausible"].iloc[0])


def test_a_world_without_revenue_fails_the_margin_fact(defaults_ts):
    ts = pd.DataFrame({"revenue": [0.0] * 24, "profit": [-5.0] * 24})
    assert OPERATING_MARGIN.measure(ts) == float("-inf")
    values = {**fact_values(defaults_ts), "operating_margin": OPERATING_MARGIN.measure(ts)}
    judged = judge_worlds(pd.DataFrame([values]))
    assert not bool(judged["ok_operating_margin"].iloc[0])
    assert not bool(judged["plausible"].iloc[0])
    assert OPERATING_MARGIN in FACTS


def test_rejections_name_the_fact_that_rejects_most(defaults_ts):
    good = fact_values(defaults_ts)
    bad = {**good, "nps": -90.0}
    table = judge_worlds(pd.DataFrame([good, bad, bad]))
    rej = rejections(table)
    assert rej["fact"].iloc[0] == "nps"
    assert rej["rejects"].iloc[0] == pytest.approx(2 / 3)
    assert rej["rejects alone"].iloc[0] == pytest.approx(2 / 3)
    assert {f.name for f in FACTS} == set(rej["fact"])
    assert all(f.source for f in FACTS)


def test_integer_uncertainties_take_their_endpoints_as_often_as_any_value():
    """Rounding lo + u·(hi − lo) would draw each endpoint half as often as an inner value."""
    from dataclasses import replace

    p = declared_uncertainties()["word_of_mouth.lapsed_warning_months"]
    u = {p.key: replace(p, plausible=(1, 4), scale="linear")}
    counts = draw_worlds(4000, seed=3, uncertainties=u)[p.key].value_counts().sort_index()
    assert list(counts.index) == [1, 2, 3, 4]
    assert (counts == 1000).all()  # a Latin hypercube: exactly n/4 in each quarter
