"""Costs against what a firm's clients spend (:mod:`model.studies.spend_scale`): a strategist's
firm served clients spending 900 a month at 25 (2.8% of spend, below every study's world: 3-30
beside 100), and the optimizer's "all money to service" said nothing of it."""

from __future__ import annotations

from model import Scenario
from model.interfaces.cli import main
from model.studies.spend_scale import costs_against_spend

RICH = {"market.spend_mean": 900.0}


def test_a_cost_is_placed_against_the_range_in_proportion_to_spend():
    (line,) = costs_against_spend(Scenario().with_overrides(RICH))
    assert (
        "here a new client spends 900 a month, in a study 100: the study's shares are its " in line
    )
    assert "ranges × 9, in brackets" in line
    assert "service.cost_per_client = 10 (smaller: 27–270)" in line
    assert "staff.salary = 3,000 (smaller: 13,500–54,000)" in line
    # In proportion, nothing is outside: the same costs times nine.
    scaled = {"market.spend_mean": 300.0, "service.cost_per_client": 30.0}
    assert not any("service.cost_per_client" in x for x in costs_against_spend(
        Scenario().with_overrides(scaled)))  # fmt: skip
    assert costs_against_spend(Scenario()) == []


def test_run_compare_and_optimize_say_it(tmp_path, capsys):
    argv = ["run", "--clients", "50", "--months", "2", "--no-figures", "--out", str(tmp_path / "r")]
    assert main([*argv, "--set", "market.spend_mean=900"]) == 0
    assert "retention: note: costs that are a smaller or larger share of what clients spend" in (
        capsys.readouterr().err
    )
    from model.studies.compare import compare

    rich = Scenario().with_overrides({**RICH, "market.clients": 200, "run.months": 3})
    result = compare([rich, rich.with_overrides({"levers.service_level": 0.9})], replications=2)
    assert any(n.startswith("costs that are a smaller or larger share") for n in result.notes)
    from model.studies.optimize import optimize

    levers = ("ad_budget", "service_level")
    split = optimize(rich, levers=levers, replications=1, holdout=2, grid=1, max_evaluations=3)
    assert any(n.startswith("costs that are a smaller or larger share") for n in split.notes)
    own, best = split.spend["own_spent"].sum(), split.spend["best_spent"].sum()
    said = any(n.startswith("the best split spends") for n in split.notes)
    assert said == (abs(best / own - 1.0) > 0.10)  # (a strategist's spent 45% more, unsaid)
