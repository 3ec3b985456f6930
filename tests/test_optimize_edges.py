"""Edges of ``optimize`` found by an exploratory tester: a grid too fine for the Python API (it
hung while enumerating the grid; the command line refused it), the gain on fresh seeds measured
at the first value of a robust assumption only, arguments of the wrong type that raised
``AttributeError``/``TypeError`` or were read letter by letter, and a huge budget printed as a
300-digit number. Each test failed on the code before its fix."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import cli

from model.scenario import PARAMS, Scenario, ScenarioError
from model.studies.compare import paired_interval
from model.studies.optimize import optimize, search
from model.studies.run import simulate

BASE = Scenario().with_overrides({"market.clients": 100, "run.months": 3})
TINY = ("--clients", "100", "--months", "3", "--replications", "1")
LEVERS = ["ad_budget", "service_level"]
SENSITIVITY = "retain.satisfaction_sensitivity"


@pytest.fixture
def nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal must come before any run (and before the grid is built)."""

    def ran(*args: object, **kwargs: object) -> None:
        raise AssertionError("optimize ran instead of refusing its arguments")

    monkeypatch.setattr(search, "exchange_rates", ran)
    monkeypatch.setattr(search, "_simplex_grid", ran)


# ------------------------------------------------------------------- 1. a grid too fine to build
@pytest.mark.parametrize("grid", [83, 10**6])  # 83: 102,340 points over four levers
@pytest.mark.usefixtures("nothing_runs")
def test_the_api_refuses_a_grid_too_fine_before_building_it(grid: int) -> None:
    four = ["ad_budget", "winback_spend", "service_level", "training_spend"]
    with pytest.raises(ScenarioError) as err:
        optimize(BASE, levers=four, replications=1, grid=grid)
    said = str(err.value)
    assert said.startswith(f"grid: value {grid} is not allowed: ")
    assert "grid points over 4 levers" in said and "allowed: at most 100,000 points" in said
    assert "grid ≤ 82 with 4 levers" in said  # the finest grid allowed
    assert "\n" not in said


def test_the_command_line_uses_the_studies_layers_limit(monkeypatch, tmp_path, capsys) -> None:
    """One limit, declared once: lowering it in the studies layer lowers the command's."""
    from model.studies.optimize import checks

    monkeypatch.setattr(checks, "MAX_GRID_POINTS", 5)  # a 3-division grid over 3 levers: 10
    levers = ("--levers", "ad_budget,winback_spend,service_level", "--grid", "3")
    assert cli("optimize", "baseline", *TINY, *levers, "--out", tmp_path / "o") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert "--grid: value 3 is not allowed: 10 grid points over 3 levers" in err[0]
    assert "allowed: at most 5 points" in err[0]
    assert not (tmp_path / "o").exists()


# ---------------------------------------------- 2. the gain on fresh seeds, by the search's criterion
def _gains_by_hand(result: Any, values: list[float]) -> list[list[float]]:
    """Per value, per fresh seed: NPV(best) − NPV(own), run here independently of optimize."""

    def npv(levers: dict[str, float], value: float, seed: int) -> float:
        over = {SENSITIVITY: value, **{f"levers.{k}": v for k, v in levers.items()}}
        return float(simulate(BASE.with_overrides(over), seed=seed).timeseries["npv"].iloc[-1])

    return [
        [npv(result.best_values, v, s) - npv(result.own_values, v, s) for s in result.gain["seeds"]]
        for v in values
    ]


def test_the_worst_case_gain_is_the_worst_over_the_values(tmp_path, capsys) -> None:
    out = tmp_path / "o"
    robust = ("--robust", f"{SENSITIVITY}=0,8", "--criterion", "worst")
    argv = ("--grid", "1", "--levers", ",".join(LEVERS), *robust, "--out", out)
    assert cli("optimize", "baseline", *TINY, *argv) == 0
    printed = capsys.readouterr().out
    gain = json.loads((out / "split.json").read_text(encoding="utf-8"))["gain"]
    assert gain["criterion"] == "worst" and gain["values"] == [0.0, 8.0]
    assert [row["value"] for row in gain["per_value"]] == [0.0, 8.0]
    # Every column of every table has its unit and meaning in columns.csv (there was none).
    described = pd.read_csv(out / "columns.csv", keep_default_na=False)
    for name in ("split.csv", "flatness.csv", "evaluations.csv"):
        columns = list(pd.read_csv(out / name, nrows=0).columns)
        mine = described[described["file"] == name]
        assert list(mine["column"]) == columns and (mine["meaning"] != "").all(), name

    table = pd.read_csv(out / "split.csv", index_col="lever")  # the splits, as written
    split = SimpleNamespace(
        own_values=table["own_value"].to_dict(),
        best_values=table["best_value"].to_dict(),
        gain=gain,
    )
    by_hand = [float(np.mean(d)) for d in _gains_by_hand(split, [0.0, 8.0])]
    measured = [row["mean"] for row in gain["per_value"]]
    assert measured == pytest.approx(by_hand, rel=1e-6, abs=1e-3)
    # As the search scored them: each split's worst-case mean NPV (the smallest per-value gain
    # was reported before, at a value where neither split need be worst).
    own = [row["npv_own"] for row in gain["per_value"]]
    best = [row["npv_best"] for row in gain["per_value"]]
    assert gain["mean"] == pytest.approx(min(best) - min(own), rel=1e-9)
    assert (gain["npv_own"], gain["npv_best"]) == (min(own), min(best))
    at_own, at_best = (float([0.0, 8.0][int(np.argmin(x))]) for x in (own, best))
    assert (gain["at_own"], gain["at_best"]) == (at_own, at_best)
    assert len(gain["seeds"]) > 1 or np.isnan([gain["low"], gain["high"]]).all()  # (one seed)
    # Printed and labelled: the combined gain names how it was combined, then each value's.
    at = f"at {at_own:g}" if at_own == at_best else f"own at {at_own:g}, best at {at_best:g}"
    assert f"(the worst over {SENSITIVITY} in [0, 8], {at}):" in printed
    assert f"  at {SENSITIVITY} = 0: gain " in printed
    assert f"  at {SENSITIVITY} = 8: gain " in printed


@pytest.mark.parametrize(
    ("assumption", "values", "message"),
    [
        (SENSITIVITY, [3], r"values: \[3\] is one value of .*two or more"),  # (the CLI refused it)
        ("market.clients", [100, 1000], r"'market.clients' is not allowed.*market size"),
    ],
)
def test_a_robust_study_from_python_refuses_what_the_command_does(assumption, values, message):
    with pytest.raises(ScenarioError, match=message):
        optimize(BASE, levers=LEVERS, replications=1, grid=1, assumption=assumption, values=values)


def test_fresh_seeds_never_repeat_a_search_seed(monkeypatch) -> None:
    import model.studies.optimize.search as search

    seen = {}
    real = search.consecutive_seeds

    def consecutive_seeds(first, n, skip=0):
        seen[skip] = real(first, n, skip)
        return seen[skip]

    def stop(*args, **kwargs):
        raise KeyError  # (stopped before any run: the seeds are all this looks at)

    monkeypatch.setattr(search, "consecutive_seeds", consecutive_seeds)
    monkeypatch.setattr(search, "exchange_rates", stop)
    with pytest.raises(KeyError):
        optimize(BASE, levers=LEVERS, replications=10_001, holdout=2, grid=1, max_evaluations=1)
    search_seeds, fresh = seen[0], seen[max(seen)]
    assert len(search_seeds) == 10_001 and not set(search_seeds) & set(fresh)


def test_the_mean_gain_averages_each_seeds_gain_over_the_values() -> None:
    values = [0.0, 8.0]
    result = optimize(
        BASE,
        levers=LEVERS,
        replications=1,
        holdout=2,
        grid=1,
        max_evaluations=3,
        assumption=SENSITIVITY,
        values=values,
    )
    g = result.gain
    by_hand = _gains_by_hand(result, values)
    mean, low, high = paired_interval(np.mean(by_hand, axis=0))
    assert [g["mean"], g["low"], g["high"]] == pytest.approx([mean, low, high], rel=1e-6)
    assert [r["mean"] for r in g["per_value"]] == pytest.approx(
        [float(np.mean(d)) for d in by_hand], rel=1e-6
    )
    assert g["at"] is None and g["criterion"] == "mean"
    assert f"2 fresh seeds (the mean over {SENSITIVITY} in [0, 8]):" in result.format()
    # The same lever settings ran at both values, so what they spent is read over both.
    assert f"mean over the search seeds and {SENSITIVITY}'s values" in result.format()


# ------------------------------------------------------------------ 3. arguments of the wrong type
@pytest.mark.parametrize(
    ("scenario", "keywords", "message"),
    [
        ("baseline", {}, r"scenario: value 'baseline' is not allowed; allowed: a Scenario "
                         r"\(Scenario.preset\('baseline'\)"),
        (BASE, {"levers": None}, r"levers: value None is not allowed; allowed: a sequence of "
                                 r"two or more distinct of ad_budget, winback_spend"),
        (BASE, {"levers": [1, 2]}, r"levers: value \[1, 2\] is not allowed; allowed: a sequence"),
        # (the one name it does not know is named: a user's report)
        (BASE, {"levers": ["ad_budget", "bogus"]}, r"\('bogus' is not one\)$"),
        (BASE, {"levers": "ad_budget,winback_spend"},
         r"levers: value 'ad_budget,winback_spend' is not allowed; .*not one string"),
        (BASE, {"assumption": SENSITIVITY, "values": "135"},
         r"values: value '135' is not allowed; allowed: a sequence of numbers"),
        (BASE, {"assumption": SENSITIVITY, "values": 5},
         r"values: value 5 is not allowed; allowed: a sequence of numbers"),
        (BASE, {"assumption": 5, "values": [1, 3]},
         r"assumption: value 5 is not allowed; allowed: a parameter's name 'section.name'"),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("nothing_runs")
def test_an_argument_of_the_wrong_type_is_refused_by_name(scenario, keywords, message) -> None:
    with pytest.raises(ScenarioError, match=message):
        optimize(scenario, **{"levers": LEVERS, "replications": 1, **keywords})


# --------------------------------------------------------------------- 4. a huge budget, as given
def test_a_huge_budget_is_shown_as_given(tmp_path, capsys) -> None:
    assert cli("optimize", "baseline", *TINY, "--budget", "1e300", "--out", tmp_path / "o") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert "budget: value 1e+300 is not allowed; allowed: at most " in err[0]
    assert not re.search(r"\d{1,3}(,\d{3}){6,}", err[0]), err[0]  # no 300-digit number
    with pytest.raises(ScenarioError, match=r"budget: value 1e\+300 is not allowed"):
        optimize(BASE, budget=1e300, levers=LEVERS, replications=1, grid=0)


def test_the_worst_criterion_without_an_assumption_is_refused() -> None:
    """The command line refused it; the API ignored it and optimised the mean."""
    with pytest.raises(ScenarioError, match="criterion: value 'worst' goes with an assumption"):
        optimize(BASE, replications=1, criterion="worst")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--robust", f"{SENSITIVITY}=1,3", "--robust", f"{SENSITIVITY}=2,4"),
            "--robust: given 2 times; allowed: once",
        ),
        (("--robust", f"{SENSITIVITY}=1"), "two or more values"),
        (("--robust", f"{SENSITIVITY}=1,,3"), "no empty one"),
        (("--levers", "ad_budget,,winback_spend"), "an empty name is not allowed"),
        # (refused before anything was made: an unknown or single lever left an empty out/)
        (("--levers", "ad_budget"), "--levers: value ['ad_budget'] is not allowed"),
        (("--levers", "ad_budget,nope"), "('nope' is not one)"),
    ],
)
def test_optimize_refuses_what_it_would_drop(tmp_path, capsys, argv, message, monkeypatch):
    """The first --robust was dropped silently, an empty item of a list was skipped, and a
    "robust" objective over one value was taken."""
    assert cli("optimize", "baseline", *argv, "--out", tmp_path / "o") == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    monkeypatch.chdir(tmp_path)  # (the default folder is not made either)
    assert cli("optimize", "baseline", *argv) == 2
    assert not (tmp_path / "out").exists()


def test_a_lever_left_a_hair_above_zero_is_printed_as_zero() -> None:
    """The search may leave a share at 1e-20 (COBYQA steps a hair off the simplex): its value
    is no money and prints as 0, not 1.826e-18; the table keeps the exact number."""
    from dataclasses import replace

    result = optimize(BASE, levers=LEVERS, replications=1, holdout=2, grid=1, max_evaluations=3)
    shares = np.array(result.best_shares, dtype=float)
    shares[0], lever = 1e-20, result.levers[0]
    hair = replace(result, best_shares=shares, best_values={**result.best_values, lever: 1.8e-18})
    printed = hair.format()
    row = next(line for line in printed.splitlines() if line.strip().startswith(lever))
    assert "e-18" not in row and row.split()[4] == "0", row
    assert hair.table()["best_value"].iloc[0] == 1.8e-18
    # Each row says its values' unit (the levers' units differ: a budget, a quality, a rate).
    assert row.endswith(f"  {PARAMS[f'levers.{lever}'].unit}"), row
    assert "value's unit" in printed


def test_a_best_split_that_loses_on_fresh_seeds_is_said_to() -> None:
    """An analyst's run: "NPV gain of the best split over the own split on 2 fresh seeds:
    -4,201 [95% -4,849, -3,553]" under a heading of "best", and no note."""
    base = Scenario.preset("baseline").with_overrides({"market.clients": 800, "run.months": 24})
    split = optimize(base, levers=["ad_budget", "winback_spend"], replications=2, grid=2)
    assert split.gain["high"] < 0  # (this case: else the test below says nothing)
    (said,) = [n for n in split.notes if "loses to the firm's own" in n]
    assert "note: " + said in split.format()
    # The rule alone: a note only where the whole interval lies below 0.
    assert search.losing_note({"mean": -2.0, "low": -3.0, "high": -1.0}) == [said]
    assert search.losing_note({"mean": -1.0, "low": -3.0, "high": 0.0}) == []
    assert search.losing_note({"mean": 1.0, "low": -3.0, "high": 4.0}) == []
    assert search.losing_note({"mean": np.nan, "low": np.nan, "high": np.nan}) == []
