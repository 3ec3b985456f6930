"""The market claim experiments (80/20, word of mouth, the lost client) and the poaching shock.

Experiments run at small sizes only: these check structure and that reports are written; the
committed reports come from the experiments' defaults.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.engine.retention_model import RetentionModel
from model.scenario import Scenario, ScenarioError

SHOCK_BASE = {"market.clients": 4000, "run.months": 4, "market.initial_active_share": 0.5}


def _with_shocks(base: Scenario, shocks: list[dict]) -> Scenario:
    return Scenario.build({**base.to_toml_dict(), "shocks": shocks})


def _step_to(model: RetentionModel, month: int) -> None:
    while model.month < month:
        model.step()


@pytest.mark.parametrize("size", [0.1, 0.35])
def test_poaching_takes_its_share_of_those_not_leaving_anyway(size: float) -> None:
    base = Scenario().with_overrides(SHOCK_BASE)
    month = 3
    raided = _with_shocks(base, [{"kind": "poaching", "start": month, "size": size}])
    control, treated = RetentionModel(base, rng=5), RetentionModel(raided, rng=5)
    _step_to(control, month - 1)
    _step_to(treated, month - 1)
    # Nothing differs before the raid (its draws come from their own stream).
    assert np.array_equal(control.clients.stage, treated.clients.stage)
    control.step()
    treated.step()
    served = control.ctx.served
    anyway = control.clients.leaves
    assert np.array_equal(treated.clients.leaves & anyway, anyway)  # normal churners unchanged
    poached = treated.clients.leaves & ~anyway
    at_risk = int((served & ~anyway).sum())
    share = poached.sum() / at_risk
    # Binomial: 4 standard errors of a share from ~2,000 trials (≈0.03 at 0.35).
    se = np.sqrt(size * (1 - size) / at_risk)
    assert abs(share - size) < 4 * se
    assert not poached[~served].any()
    assert (treated.clients.left_reason[poached] == 2).all()  # Reason.COMPETITOR
    assert treated.ctx.tally["poached"] == int(poached.sum()) > 0


def test_poaching_is_one_month_by_default_and_refuses_a_share_above_one() -> None:
    base = Scenario().with_overrides(SHOCK_BASE)
    raided = _with_shocks(base, [{"kind": "poaching", "start": 2, "size": 0.5}])
    m = RetentionModel(raided, rng=2)
    m.step()
    assert m.ctx.tally["poached"] == 0
    m.step()
    assert m.ctx.tally["poached"] > 0
    m.step()
    assert m.ctx.tally["poached"] == 0
    with pytest.raises(ScenarioError, match=r"shocks\.0.*size.*1\.5.*0 ≤ x ≤ 1"):
        _with_shocks(base, [{"kind": "poaching", "start": 2, "size": 1.5}])


# ------------------------------------------------------------------------------- experiments
def test_lost_client_arithmetic_is_exact_and_the_raid_costs_add_up(tmp_path) -> None:
    from experiments import lost_client
    from experiments.report import write_report

    table = lost_client.arithmetic()
    undiscounted = table[table["annual discount rate"] == 0].iloc[0]
    assert (undiscounted["lost revenue (thousand)"], undiscounted["lost profit (thousand)"]) == (
        70.0,
        14.0,
    )
    result = lost_client.run(size=1000, replications=2, levels=2, follow=12)
    assert len(result.points) == 8
    assert set(result.points["status"]) <= {"inside", "outside", "undecided"}
    parts = list(result.tables.values())[1]
    assert (parts["poached clients"] > 0).all()
    # Undiscounted, the NPV lost is the profit lost.
    flat = parts[parts["economics.discount_rate"] == 0]
    assert np.allclose(flat["NPV lost per client"], flat["profit lost per client (undiscounted)"])
    # The discount rate changes only the valuation: the same runs, so the same clients.
    by_rate = parts.groupby("economics.discount_rate")["poached clients"].apply(list)
    assert by_rate.iloc[0] == by_rate.iloc[-1]
    path = write_report(result, out=tmp_path, command="test")
    assert path.exists() and (tmp_path / "lost_client_paths.png").exists()
    assert "## Verdict" in path.read_text(encoding="utf-8")


def test_pareto_windows_and_equal_budget(tmp_path) -> None:
    from experiments import pareto
    from experiments.report import write_report

    base = Scenario().with_overrides({"market.clients": 600, "run.months": 12})
    ws = pareto.windows(base, 1, (1, 12))
    # The 12-month window starts at the beginning: its profits are the clients' whole values.
    m = RetentionModel(base, rng=1).run()
    assert ws[-1].profit.sum() == pytest.approx(m.clients.value.sum(), rel=1e-9)
    assert all(0 < w.revenue_share <= 100 for w in ws)
    eb = pareto.equal_budget(base, 1)
    # brentq's tolerance on the discount (1e-5 of 0.03-0.5) keeps the budgets within 0.1%.
    assert abs(eb["budget mismatch %"]) < 0.1
    assert eb["targeted discount"] > pareto.UNIFORM_DISCOUNT
    result = pareto.run(size=400, replications=2, levels=2, months=12, target_months=6)
    assert len(result.points) == 8
    # A point whose firm loses money overall has no profit share (NaN) and stays undecided.
    assert set(result.points["status"]) <= {"inside", "outside", "undecided"}
    assert (result.points.loc[result.points["effect"].isna(), "status"] == "undecided").all()
    path = write_report(result, out=tmp_path, command="test")
    assert path.exists() and (tmp_path / "pareto_whale.png").exists()


def test_word_of_mouth_runs_small_and_writes_report(tmp_path) -> None:
    from experiments import word_of_mouth
    from experiments.report import write_report
    from model.studies.wom_value import AdSaving

    # An unreachable target counts at the search ceiling (a lower bound), not as infinity.
    s = AdSaving(300.0, float("inf"), 10, 5, float("inf"))
    assert word_of_mouth.saved_percent(s, 600.0) == pytest.approx(100.0)
    result = word_of_mouth.run(size=400, replications=2, levels=1, months=18)
    assert len(result.points) == 1  # one level: the low end of every assumption
    split = list(result.tables.values())[1]
    mean = split.iloc[-1]
    parts = ("accelerated", "same_month", "delayed", "expansion")
    assert sum(mean[k] for k in parts) == pytest.approx(mean["acquired_on"])
    path = write_report(result, out=tmp_path, command="test")
    assert path.exists() and (tmp_path / "word_of_mouth_saved.png").exists()
