"""A run's headline numbers are declared once with the range each can take, and an interval over
replications never reaches past it: two runs' t interval (t = 12.7 at one degree of freedom)
once printed a satisfaction of 0.029-1.199, an NPS of -155.7 to +136.8 and a negative revenue."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import cli

from model import RetentionModel, Scenario
from model.engine.summary import SUMMARY
from model.studies.stats import mean_interval

SCENARIOS = (
    {},
    {"levers.service_level": "wow", "levers.loyalty_discount": 0.05},
    {"market.initial_active_share": 0.0, "levers.ad_budget": 0.0},  # nobody served
)


@pytest.mark.parametrize("overrides", SCENARIOS)
def test_each_headline_is_declared_and_within_its_range(overrides: dict) -> None:
    scenario = Scenario().with_overrides({"market.clients": 300, "run.months": 12, **overrides})
    summary = RetentionModel(scenario).run().summary()
    assert list(summary) == list(SUMMARY)
    for name, value in summary.items():
        low, high = SUMMARY[name].bounds
        assert math.isnan(value) or low <= value <= high, (name, value)
        assert SUMMARY[name].unit and SUMMARY[name].meaning


def test_an_interval_is_cut_to_what_the_mean_can_be() -> None:
    shares = np.array([0.9, 1.0])
    free = mean_interval(shares)
    assert free.high > 1.0  # the t interval alone reaches past a share's top
    cut = mean_interval(shares, within=(0.0, 1.0))
    assert (cut.mean, cut.low, cut.high, cut.n) == (free.mean, free.low, 1.0, 2)
    low = mean_interval(np.array([0.0, 0.1]), within=(0.0, 1.0))
    assert low.low == 0.0 and low.high < 1.0
    one = mean_interval(np.array([0.5]), within=(0.0, 1.0))  # one run: still no interval
    assert math.isnan(one.low) and math.isnan(one.high)


def test_replications_report_intervals_within_each_headlines_range(tmp_path, capsys) -> None:
    out = tmp_path / "rep"
    args = ("run", "--clients", "300", "--months", "12", "--replications", "2")
    assert cli(*args, "--no-figures", "--out", out) == 0
    printed = capsys.readouterr().out
    intervals = json.loads((out / "summary.json").read_text())["intervals"]
    assert set(intervals) == set(SUMMARY)
    for name, (low, high) in intervals.items():
        if low is None:  # (written as null when unknown)
            continue
        bottom, top = SUMMARY[name].bounds
        assert bottom <= low <= high <= top, (name, low, high)
    # The test means something: uncut, these two runs' intervals reach past a range, and the
    # printed table shows the cut ones.
    runs = pd.read_csv(out / "runs.csv")
    past = [n for n in SUMMARY if not _inside(mean_interval(runs[n].to_numpy(float)), n)]
    assert past, "no interval reached past its range: the test checks nothing"
    assert "[-100.0, +100.0]" in printed or "nps_end" not in past


def _inside(iv, name: str) -> bool:
    low, high = SUMMARY[name].bounds
    return math.isnan(iv.low) or low <= iv.low <= iv.high <= high


def test_per_acquisition_headlines_are_undefined_without_acquisitions() -> None:
    """With nobody acquired, the pooled CAC was the whole marketing spend (a division by
    ``max(acquired, 1)``) and the referral share 0; the monthly columns say NaN, and so does
    the summary now."""
    scenario = Scenario().with_overrides(
        {"market.clients": 300, "run.months": 12, "levers.ad_budget": 50.0,
         "word_of_mouth.enabled": False, "attract.conversion_max": 0.0}
    )  # fmt: skip
    summary = RetentionModel(scenario).run().summary()
    assert summary["acquired_total"] == 0
    assert math.isnan(summary["cac"]) and math.isnan(summary["referral_share"])
