"""The economics claim experiments: retention → profit and acquisition vs retention cost.

Small sizes only: these check structure, the exactness of the post-run loyalty-driver ledger, and
that reports are written; the committed reports come from the experiments' defaults.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments import acquisition_cost, retention_profit
from experiments.report import write_report
from model.studies.run import simulate


def test_loyalty_drivers_applied_after_the_run_equal_a_direct_run() -> None:
    # The retention experiment applies spend growth, price premium and the serve-cost trend to a
    # driver-free run's ledger; that must equal running with the drivers, to float precision
    # (the churn path is identical: R&D is off, and churn does not depend on revenue).
    cohorts = retention_profit.Cohorts("software", 400, 30)
    run = cohorts.run(1.0, 3, **{"levers.loyalty_discount": 0.05})
    drivers = {"spend_growth": 0.08, "serve_cost_trend": -0.04, "price_premium": 0.03}
    _, firm = retention_profit.cohort_values(run, drivers, 0.1, 10.0)
    direct = cohorts.base.with_overrides(
        {
            "levers.loyalty_discount": 0.05,
            "economics.discount_rate": 0.1,
            **{f"loyalty_economics.{k}": v for k, v in drivers.items()},
        }
    )
    ts = simulate(direct, seed=3).timeseries
    assert np.array_equal(ts["active"].to_numpy(), run.active)
    assert firm == pytest.approx(float(ts["npv"].iloc[-1]), rel=1e-9)


def test_cohort_run_refuses_nonzero_drivers() -> None:
    cohorts = retention_profit.Cohorts("software", 100, 3)
    s = cohorts.base.with_overrides({"loyalty_economics.spend_growth": 0.1})
    with pytest.raises(ValueError, match="loyalty drivers"):
        retention_profit.cohort_run(s, 1)


def test_hazard_scale_buys_five_points() -> None:
    cohorts = retention_profit.Cohorts("auto_service", 400, 36)
    seeds = [1, 2]
    scale = retention_profit.hazard_scale(cohorts, seeds)
    assert 0 < scale < 1
    # brentq's xtol on the scale (2e-3) moves retention by far less than a point.
    assert cohorts.retention_gain(scale, seeds) == pytest.approx(0.05, abs=0.005)


def test_retention_profit_runs_small_and_writes_report(tmp_path) -> None:
    result = retention_profit.run(
        size=300, replications=2, months=36, levels=2, industries=["auto_service"]
    )
    keys = [a.key for a in retention_profit.CLAIM.assumptions]
    assert set(keys) <= set(result.points.columns)
    assert len(result.points) == 4  # one industry × 2 spend growths × 2 discount rates
    assert set(result.points["status"]) <= {"inside", "outside", "undecided"}
    industries = next(iter(result.tables.values()))
    assert industries["retention gain (pts)"].iloc[0] == pytest.approx(5.0, abs=0.5)
    # More spend growth never lowers the gain when the treated cohort survives longer.
    g = result.points.groupby("loyalty_economics.spend_growth")["effect"].mean()
    assert g.iloc[-1] >= g.iloc[0]
    path = write_report(result, out=tmp_path, command="test")
    assert path.exists() and (tmp_path / "retention_profit_industries.png").exists()
    assert "## Verdict" in path.read_text(encoding="utf-8")


def test_acquisition_cost_runs_small_and_writes_report(tmp_path) -> None:
    result = acquisition_cost.run(
        size=600, replications=2, months=12, levels=2, split_months=12, split_scales=(500.0,)
    )
    assert len(result.points) == 16  # 2 levels of 4 assumptions
    assert np.isfinite(result.points["effect"]).all()
    splits = list(result.tables.values())[1]
    assert sorted(splits["share to ads"]) == list(acquisition_cost.SPLIT_SHARES)
    path = write_report(result, out=tmp_path, command="test")
    assert path.exists() and (tmp_path / "acquisition_cost_split.png").exists()


def test_useless_programme_keeps_nobody() -> None:
    # With zero elasticity the discount cannot change churn: the paired arms churn identically
    # (common random numbers), so the ratio is exactly 0 — the claim can come out false.
    arms = acquisition_cost.Arms(500, 6)
    values = {
        "attract.ad_scale": 500.0,
        "retain.loyalty_elasticity": 0.0,
        "levers.loyalty_discount": 0.05,
    }
    k = acquisition_cost.costs(arms, values, 1)
    assert k["kept"] == 0
