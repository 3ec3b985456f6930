"""The model's results table: its timeseries and summary equal pandas' view of the same months.

``RetentionModel.summary`` computes its sums and means from the table with numpy instead of
building a DataFrame (a large share of a small run's cost); these tests hold it to what pandas
computes from :meth:`RetentionModel.timeseries` (NaN months skipped), bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.engine.metrics import METRICS
from model.engine.retention_model import RetentionModel
from model.scenario import Scenario


def summary_from_frame(model: RetentionModel) -> dict[str, float]:
    """The summary as pandas computes it from the timeseries (the reference)."""
    ts = model.timeseries()
    last = ts.iloc[-1]
    acquired = ts["acquired"].sum()
    return {
        "months": int(model.month),
        "clients_market": int(model.clients.n),
        "active_end": int(last["active"]),
        "acquired_total": int(ts["acquired"].sum()),
        "churned_total": int(ts["churned"].sum()),
        "won_back_total": int(ts["won_back"].sum()),
        "retention_annual_mean": float(ts["retention_annual"].mean()),
        "revenue_total": float(ts["revenue"].sum()),
        "profit_total": float(ts["profit"].sum()),
        "npv": float(last["npv"]),
        "satisfaction_end": float(last["satisfaction"]),
        "nps_end": float(last["nps"]),
        "cac": float((ts["marketing"].sum() + ts["onboarding"].sum()) / acquired)
        if acquired
        else math.nan,
        "referral_share": float(ts["acquired_referral"].sum() / acquired) if acquired else math.nan,
        "top20_revenue_share_end": float(last["top20_revenue_share"]),
        "top20_value_share_end": float(last["top20_value_share"]),
        "service_cost_total": float(ts["service"].sum()),
        "firm_quality_end": float(last["firm_quality"]),
        "gap_end": float(last["gap"]),
    }


CASES = {
    "baseline": {"market.clients": 800, "run.months": 30},
    # Nobody served for the whole run: retention and the shares are NaN every month.
    "nobody served": {
        "market.clients": 300,
        "run.months": 12,
        "market.initial_active_share": 0.0,
        "levers.ad_budget": 0.0,
        "word_of_mouth.enabled": False,
    },
    "long": {"market.clients": 400, "run.months": 300, "run.seed": 9},
}


def assert_same_summary(model: RetentionModel) -> None:
    got, expected = model.summary(), summary_from_frame(model)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        same = value == got[key] or (math.isnan(value) and math.isnan(got[key]))
        assert same and type(got[key]) is type(value), (key, got[key], value)


@pytest.mark.parametrize("case", CASES)
def test_summary_equals_pandas_over_the_timeseries(case: str) -> None:
    assert_same_summary(RetentionModel(Scenario().with_overrides(CASES[case])).run())


def test_summary_midway_and_before_the_first_month() -> None:
    model = RetentionModel(Scenario().with_overrides({"market.clients": 300, "run.months": 24}))
    assert model.summary() == {}
    model.run(7)
    assert_same_summary(model)


def test_timeseries_is_the_table_by_month() -> None:
    model = RetentionModel(Scenario().with_overrides({"market.clients": 300, "run.months": 10}))
    model.run(6)
    ts = model.timeseries()
    assert list(ts.columns) == ["month", *METRICS]
    assert ts["month"].tolist() == [1, 2, 3, 4, 5, 6]
    expected = pd.DataFrame({k: v[:6] for k, v in model.results.items()})
    np.testing.assert_array_equal(ts[list(METRICS)].to_numpy(), expected.to_numpy())
    assert all(ts[c].dtype == np.float64 for c in METRICS)
    ts.loc[0, "revenue"] = -1.0  # the frame is the caller's to change
    assert model.results["revenue"][0] != -1.0


def test_a_deep_copy_keeps_recording_into_its_own_table() -> None:
    """Found in review: ``copy.deepcopy`` copied each results view apart from the table, so a copy
    run on recorded NaN in ``results`` (and its summary failed) while its timeseries moved on."""
    import copy

    model = RetentionModel(Scenario().with_overrides({"market.clients": 300, "run.months": 8}))
    model.run(4)
    twin = copy.deepcopy(model)
    twin.run(4)
    model.run(4)
    assert_same_summary(twin)
    np.testing.assert_array_equal(twin.results["revenue"], twin.timeseries()["revenue"])
    assert repr(twin.summary()) == repr(model.summary())  # runs on as the original does (NaNs too)
    assert np.shares_memory(twin.results["npv"], twin._table)


def test_a_months_metrics_come_in_the_tables_column_order() -> None:
    """``RetentionModel.step`` writes ``compute``'s values as the table's row in their order."""
    from model.engine.metrics import compute, compute_numpy

    model = RetentionModel(Scenario().with_overrides({"market.clients": 300, "run.months": 3}))
    model.run(2)
    assert list(compute(model.ctx)) == list(METRICS) == list(compute_numpy(model.ctx))
