"""General overhead (``economics.overhead_share``, ``fixed_overhead``): a fixed cost each month.

Overhead changes what the firm books and what each client is credited with, and nothing any
client or staff member does: with it on, every count, flow and revenue of a run is the run's
without it, and the profit is lower by exactly the overhead (docs/ODD.md §7.9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario

from model import RetentionModel
from model.engine.context import LEDGER_LINES
from model.engine.phases.account import monthly_overhead
from model.engine.reference import ReferenceModel

SHARE = 0.12
#: What overhead moves: its own line, the month's profit, the firm's NPV, and what clients are
#: credited with (the top fifth's share of it; the shared costs of a month with nobody served).
MOVED = {"overhead", "profit", "npv", "top20_value_share", "unattributed"}


def test_the_overhead_is_a_share_of_the_initial_base_revenue_plus_the_fixed_amount():
    s = small_scenario({"economics.overhead_share": SHARE, "economics.fixed_overhead": 250.0})
    m = s.market
    assert monthly_overhead(s) == pytest.approx(
        250.0 + SHARE * m.clients * m.initial_active_share * m.spend_mean
    )
    assert monthly_overhead(small_scenario()) == 0.0


@pytest.mark.parametrize("engine", [RetentionModel, ReferenceModel])
def test_overhead_lowers_profit_by_itself_and_changes_nothing_clients_do(engine):
    base = small_scenario({"run.months": 18, "market.initial_active_share": 0.6})
    with_overhead = base.with_overrides({"economics.overhead_share": SHARE})
    a = engine(base, rng=4).run()
    b = engine(with_overhead, rng=4).run()
    ta, tb = a.timeseries(), b.timeseries()
    each = monthly_overhead(with_overhead)
    assert each > 0
    np.testing.assert_allclose(tb["overhead"], ta["overhead"] + each)
    np.testing.assert_allclose(tb["profit"], ta["profit"] - each, rtol=1e-12, atol=1e-6)
    assert (tb["npv"] < ta["npv"]).all()
    same = [c for c in ta.columns if c not in MOVED and c in tb.columns]
    pd.testing.assert_frame_equal(ta[same], tb[same])
    # Every cost line but the overhead is the same: the overhead buys nothing.
    for line in LEDGER_LINES:
        if line != "overhead":
            np.testing.assert_array_equal(ta[line], tb[line])


def test_overhead_is_charged_to_the_clients_served_and_the_books_still_balance():
    s = small_scenario(
        {"run.months": 12, "market.initial_active_share": 0.6, "economics.overhead_share": SHARE}
    )
    m = RetentionModel(s, rng=2).run()
    ts = m.timeseries()
    attributed = float(m.clients.value.sum())
    booked = float(ts["profit"].sum() - ts["unattributed"].sum())
    assert attributed == pytest.approx(booked, rel=1e-9)
    plain = RetentionModel(
        small_scenario({"run.months": 12, "market.initial_active_share": 0.6}), rng=2
    ).run()
    assert attributed < float(plain.clients.value.sum())


def test_pareto_contribution_share_spreads_no_shared_cost_and_the_profit_share_does():
    """``pareto``'s ``contribution_1y`` reads each client's contribution, the shared costs
    charged to no one: overhead, which changes nothing clients do, leaves it exactly as it was,
    while the attributed-profit share it is set beside moves."""
    from experiments.running.baseline import baseline_run

    base = small_scenario({"run.months": 18, "market.initial_active_share": 0.6, "run.seed": 3})
    plain = baseline_run(base).extras
    charged = baseline_run(base.with_overrides({"economics.overhead_share": SHARE})).extras
    assert np.isfinite(plain["top20_contribution_1y"])
    assert charged["top20_contribution_1y"] == pytest.approx(plain["top20_contribution_1y"], 1e-9)
    assert charged["top20_profit_1y"] != pytest.approx(plain["top20_profit_1y"], 1e-3)
