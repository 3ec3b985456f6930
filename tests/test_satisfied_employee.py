"""The service-profit chain's revenue link reads a fixed window, not the run's length."""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.claims import satisfied_employee as claim
from experiments.running.baseline import baseline_run
from model import Scenario


def test_annual_growth_reads_the_windows_first_and_last_years():
    revenue = np.concatenate([np.full(12, 50.0), np.full(12, 100.0), np.full(12, 110.0)])
    revenue = np.concatenate([revenue, np.full(12, 121.0)])
    assert claim.annual_growth(revenue, 12, 48) == pytest.approx(10.0)
    assert claim.annual_growth(revenue, 0, 24) == pytest.approx(100.0)
    assert claim.annual_growth(np.zeros(48), 12, 48) == 0.0


def _measure(months: int, seed: int = 11) -> dict[str, float]:
    scn = Scenario().with_overrides({"market.clients": 400, "run.months": months, "run.seed": seed})
    return claim.measure(baseline_run(scn), seed)


def test_revenue_link_does_not_hang_on_the_runs_length():
    """Read to the run's end, the link shrank as the run lengthened (0.41 at 60 months, 0.18
    at 120, 24 seeds); over its window it is the same number whatever follows the window."""
    short, long = _measure(claim.REVENUE_WINDOW[1]), _measure(claim.REVENUE_WINDOW[1] + 24)
    assert math.isfinite(short["revenue_link"])
    assert short["revenue_link"] == long["revenue_link"]
    # The first link reads months 13 on, so it does see the longer run.
    assert short["satisfaction_gain"] != long["satisfaction_gain"]


def test_revenue_link_is_undefined_on_a_run_shorter_than_its_window():
    assert math.isnan(_measure(claim.REVENUE_WINDOW[1] - 12)["revenue_link"])
    (reading,) = [r for r in claim.CLAIM.readings if r.name == "revenue_link"]
    assert reading.min_months == claim.REVENUE_WINDOW[1]
