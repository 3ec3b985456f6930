"""The Python API as a notebook uses it (a strategist's pass): each test is a slip it found.

A preset's lever changed by ``with_overrides`` and undone by the preset's own schedule said
nothing; ``a == b`` on two runs failed inside pandas; a stack of replications was drawn as one
zig-zag run; assigning a parameter gave pydantic's frozen-instance error; a scenario printed
3,000 characters; a changed preset's run was labelled with the preset's name.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from model.engine.retention_model import RetentionModel
from model.interfaces import figures
from model.scenario import Scenario, ScenarioError
from model.scenario.changes import changed_from_preset, changes_text, undone_by_schedule
from model.studies.compare import compare
from model.studies.replications import run_replications
from model.studies.run import simulate

TINY = {"clients": 200, "months": 20}


def _cut(**levers: object) -> Scenario:
    return Scenario.preset("policies/service_cut").with_overrides(
        {f"levers.{k}": v for k, v in levers.items()}
    )


def test_a_preset_lever_its_schedule_sets_again_is_warned_of_and_named():
    wow = _cut(service_level="wow")
    assert changed_from_preset(wow) == {"levers.service_level": 0.9}
    with pytest.warns(UserWarning, match=r"levers.service_level holds only until month 12"):
        run = simulate(wow, **TINY)
    assert "'service_cut + service_level=0.9'" in repr(run)
    # A lever the schedule does not touch, and the preset as shipped: nothing to say.
    assert undone_by_schedule(_cut(ad_budget=900.0)) == []
    # A whole amount is named as one (a title read "ad_budget=900.0"); a fraction as it is.
    assert "'service_cut + ad_budget=900'" in repr(simulate(_cut(ad_budget=900.0), **TINY))
    assert changes_text({"levers.ad_budget": 900.0, "levers.service_level": 0.9, "a.b": "x"}) == (
        "ad_budget=900, service_level=0.9, b=x"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "'service_cut'" in repr(simulate(Scenario.preset("service_cut"), **TINY))
    # A scenario no preset names, or one whose name already says its changes: no comparison.
    assert changed_from_preset(wow.named("mine")) == {}
    assert changed_from_preset(wow.named("service_cut + service_level=0.9")) == {}
    c = compare([Scenario.preset("no_cut"), wow], replications=2, seed=1, **TINY)
    assert any(
        "'service_cut': levers.service_level holds only until month 12" in n for n in c.notes
    )


def test_runs_and_comparisons_compare_by_their_numbers():
    a, b = simulate(seed=1, clients=200, months=4), simulate(seed=1, clients=200, months=4)
    assert a == b and a in [b] and a != simulate(seed=2, clients=200, months=4)
    assert any(v != v for v in a.summary.values())  # (a NaN headline: equal all the same)
    with pytest.raises(TypeError, match="unhashable type: 'RunResult'"):
        hash(a)
    policies = [Scenario.preset("no_cut"), Scenario.preset("service_cut")]
    one, two = (compare(policies, replications=2, seed=s, clients=200, months=4) for s in (1, 1))
    assert one == two and one != compare(policies, replications=2, seed=3, clients=200, months=4)
    with pytest.raises(TypeError, match="unhashable type: 'Comparison'"):
        hash(one)


def test_replications_give_their_mean_and_band_and_refuse_to_draw_stacked():
    done = run_replications(Scenario().with_overrides({"market.clients": 200, "run.months": 5}), 3)
    with pytest.raises(
        ValueError,
        match=r"months repeat .*told apart by seed.*ts\['seed'\].*stage_flow\(mean, band=\(low, high\)\)",
    ):
        figures.money(done.series)
    mean, low, high = done.monthly()
    by_month = done.series.groupby("month")["npv"]
    assert np.allclose(mean["npv"], by_month.mean()) and (low["npv"] <= high["npv"]).all()
    figures.money(mean, band=(low, high))  # (one row a month: drawn)
    heads = done.headlines()
    assert heads.loc["npv", "mean"] == pytest.approx(done.runs["npv"].mean())
    assert heads.loc["npv", "low"] < heads.loc["npv", "mean"] < heads.loc["npv", "high"]
    assert (heads["runs"] == 3).all() and (heads["defined"] <= 3).all()


def test_a_parameter_assigned_in_place_says_how_to_change_it():
    s = Scenario.preset("baseline")
    with pytest.raises(ScenarioError, match=r"levers.service_level: .*with_overrides\(\{'levers"):
        s.levers.service_level = 0.9
    with pytest.raises(ScenarioError, match=r"word_of_mouth.degree: .*immutable"):
        s.word_of_mouth.degree = 4.0
    with pytest.raises(ScenarioError, match=r"name: .*scenario.named\('x'\)"):
        s.name = "x"
    assert s.levers.service_level == Scenario().levers.service_level  # unchanged


def test_objects_print_in_one_line():
    s = Scenario.preset("baseline").with_overrides({"levers.ad_budget": 900.0})
    assert repr(s) == str(s)
    assert repr(s) == (
        "Scenario('baseline', 10,000 people x 120 months, seed 1; 1 parameter not at its "
        "default, 0 schedule steps, 0 shocks)"
    )
    one = s.model_copy(update={"shocks": Scenario.preset("policies/bad_service_spell").shocks})
    assert repr(one).endswith("0 schedule steps, 1 shock)")
    model = RetentionModel(s.with_overrides({"market.clients": 100, "run.months": 2}))
    assert repr(model) == "<RetentionModel 'baseline': 100 people, month 0 of 2, seed 1>"


def test_mesa_run_for_past_the_horizon_is_told_once_from_the_callers_line():
    m = RetentionModel(Scenario().with_overrides({"market.clients": 100, "run.months": 12}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.run_for(5)
        assert caught == []
        m.run_for(20)  # 13 steps past the horizon: one warning, not thirteen from inside Mesa
    assert len(caught) == 1 and caught[0].filename == __file__
    assert "run_for(20): the horizon (run.months = 12) leaves 7 months" in str(caught[0].message)
    assert (m.month, m.time) == (12, 25.0)


def test_a_followed_sample_larger_than_the_market_is_said():
    scenario = Scenario().with_overrides(
        {"market.clients": 100, "run.months": 2, "run.track_clients": 500}
    )
    with pytest.warns(UserWarning, match="track_clients 500 is more than the market's 100") as w:
        model = RetentionModel(scenario)
    assert w[0].filename == __file__
    assert model.run().tracked()["client"].nunique() == 100


def test_a_whole_float_is_kept_as_the_int_wherever_it_is_taken():
    """A whole float passes the count checks; three callers checked it and went on with the
    float (np.zeros(13.0), range(2.0), a batch of 2.0): a review of the change."""
    import dataclasses

    from experiments.running.sizes import SIZES
    from model.studies.calibration.moments import MSMSettings
    from model.studies.diffusion import mean_field, mean_field_variance

    assert np.array_equal(mean_field(0.01, 0.3, 12.0), mean_field(0.01, 0.3, 12))
    assert np.array_equal(
        mean_field_variance(0.01, 0.3, 12.0, 100.0), mean_field_variance(0.01, 0.3, 12, 100)
    )
    settings = MSMSettings(burn_in=12.0, replicates=2.0, seeds=(101.0, 102))
    assert (settings.burn_in, settings.replicates, settings.seeds) == (12, 2, (101, 102))
    assert type(settings.replicates) is int and type(settings.seeds[0]) is int
    size = dataclasses.replace(SIZES["quick"], batch=2.0, clients=300.0)
    assert (type(size.batch), type(size.clients)) == (int, int)


def test_run_quiet_prints_no_warning_of_the_model_either(tmp_path, capsys):
    from conftest import cli

    args = ("run", "--clients", "100", "--months", "2", "--no-figures", "--out", tmp_path / "r")
    assert cli(*args, "--set", "run.track_clients=500", "--quiet") == 0
    assert capsys.readouterr().err == ""
    assert cli(*args, "--set", "run.track_clients=500", "--force") == 0
    assert "track_clients 500 is more than the market's 100 clients" in capsys.readouterr().err
