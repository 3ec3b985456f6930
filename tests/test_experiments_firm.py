"""The firm claim experiments: empowered staff, client-centric allocation, the service-profit
chain and client focus vs innovation.

Small sizes only: these check structure, the exactness of the money matching, that a cut link
shows nothing downstream, and that reports are written; the committed reports come from the
experiments' defaults.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments import client_centric, empowered_staff, innovation, satisfied_employee
from experiments.paired import scenario_at
from experiments.report import write_report
from model import Scenario

STATUSES = {"inside", "outside", "undecided"}


def _check(result, module, tmp_path, figure: str, points: int) -> None:
    keys = [a.key for a in module.CLAIM.assumptions]
    assert set(keys) <= set(result.points.columns)
    assert len(result.points) == points
    assert set(result.points["status"]) <= STATUSES
    assert result.verdict.inside + result.verdict.outside + result.verdict.undecided == (
        pytest.approx(1.0)
    )
    path = write_report(result, out=tmp_path, command="test")
    text = path.read_text(encoding="utf-8")
    assert "## Verdict" in text and module.CLAIM.title in text
    assert (tmp_path / f"{module.CLAIM.name}_{figure}.png").exists()


# -------------------------------------------------------------------------------- empowered staff
def test_control_gets_the_empowerment_money_as_ads_month_by_month() -> None:
    # The money match is exact by construction of the schedule; the ledgers must show it.
    values = {
        "recovery_gap": 0.5,
        "service.manager_cost_multiplier": 2.0,
        "service.incident_rate_max": 0.2,
    }
    r = empowered_staff.arms(values, seed=3, size=400, months=12)
    assert r["spent"] > 0
    assert r["extra_ads"] == pytest.approx(r["spent"], rel=1e-9)
    assert np.isfinite(r["roi"])


def test_empowered_staff_runs_small_and_writes_report(tmp_path) -> None:
    result = empowered_staff.run(size=300, replications=2, months=12, levels=2)
    _check(result, empowered_staff, tmp_path, "roi", 8)
    money = next(iter(result.tables.values()))
    assert money["value"].iloc[2] < 1e-9  # largest relative mismatch of the money match


# --------------------------------------------------------------------------------- client-centric
def test_both_allocations_plan_the_same_money() -> None:
    base = scenario_at(Scenario(), {}, 400, 12)
    cc, pc, table = client_centric.allocations(base, [1])
    total_cc = table["client-centric money/month"].sum()
    total_pc = table["product-centric money/month"].sum()
    assert total_cc == pytest.approx(total_pc, rel=1e-12)
    assert total_cc == pytest.approx(table["baseline money/month"].sum(), rel=1e-12)
    # The client-centric firm serves better and researches less than the product-centric one.
    assert cc["levers.service_level"] > pc["levers.service_level"]
    assert cc["levers.rd_share"] < pc["levers.rd_share"]


def test_client_centric_runs_small_and_writes_report(tmp_path) -> None:
    result = client_centric.run(
        size=300, replications=2, months=12, levels=2, firms=6, cross_months=12
    )
    _check(result, client_centric, tmp_path, "cross_section", 8)
    selection = list(result.tables.values())[2]
    assert len(selection) == 2 and np.isfinite(selection["% more profitable"]).all()


# ----------------------------------------------------------------------------- satisfied employee
def test_satisfied_employee_runs_small_and_writes_report(tmp_path) -> None:
    result = satisfied_employee.run(size=300, replications=2, months=24, levels=2)
    _check(result, satisfied_employee, tmp_path, "chain", 8)
    links = next(iter(result.tables.values()))
    assert (links["Δ engagement (pts)"] > 0).all()  # the intervention moved engagement


def test_a_cut_chain_shows_nothing_downstream() -> None:
    # Engagement → quality at 0 and engagement → staff turnover at 0: engagement still moves,
    # but common random numbers make every client's path identical, so each downstream
    # difference is exactly zero (no tolerance needed).
    values = {
        "staff.engagement_quality": 0.0,
        "staff.turnover_engagement": 0.0,
        "retain.satisfaction_sensitivity": 5.0,
        "staff.training_engagement": 0.4,
    }
    r = satisfied_employee.chain(values, seed=2, size=400, months=24)
    assert r["d_engagement"] > 5.0
    for key in ("d_quality", "d_satisfaction", "d_retention", "d_revenue_pct", "per5"):
        assert r[key] == 0.0, key


def test_satisfied_employee_refuses_a_horizon_shorter_than_its_window() -> None:
    with pytest.raises(ValueError, match="months"):
        satisfied_employee.run(size=100, replications=1, months=12, levels=2)


# ------------------------------------------------------------------------------------ innovation
def test_innovation_runs_small_and_writes_report(tmp_path) -> None:
    result = innovation.run(size=300, replications=2, months=24, levels=2)
    _check(result, innovation, tmp_path, "heatmap", 8)
    assert np.isfinite(result.points["effect"]).all()


def test_strong_bias_makes_the_focused_firm_ship_fewer_good_candidates() -> None:
    # Same seed: both arms judge the same candidates with the same noise draws.
    values = {
        "innovation.novelty_bias": 0.05,
        "innovation.feedback_noise": 0.005,
        "market.competitor_pace": 0.0,
    }
    r = innovation.paired(values, seed=2, size=300, months=24)
    assert r["good_hi"] <= r["good_lo"]  # a strong bias makes the client-focused firm ship less
