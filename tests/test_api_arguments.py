"""A notebook user's small slips get one clear error naming the argument, its value and what is
allowed (found by an exploratory pass over the Python API), where before: ``client(-1)`` read and
wrote the last client, ``run(months=-2)`` did nothing, a boolean mask given to ``clients_frame``
read rows 0 and 1, a figure of a run's result raised ``TypeError: not subscriptable`` and one of
no months matplotlib's "Axis limits cannot be NaN", ``simulate_many(scenario)`` complained about
``('name', 'baseline')`` and ``bass_curve(0, …)`` divided by zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from model import RetentionModel, Scenario
from model.interfaces.figures import awareness, money, satisfaction_nps, stage_flow
from model.scenario import ScenarioError
from model.studies.calibration.fit import calibrate_survival, calibrate_targets
from model.studies.closed_forms.clv import clv_markov, clv_markov_moments, margin_multiple, npv
from model.studies.closed_forms.survival import sbg_pmf, sbg_survival
from model.studies.compare import compare as compare_runs
from model.studies.diffusion import bass_curve, mean_field
from model.studies.run import simulate, simulate_many
from model.studies.wom_value import ad_money_saved, value_word_of_mouth

SMALL = Scenario().with_overrides({"market.clients": 200, "run.months": 3})


@pytest.fixture(scope="module")
def model() -> RetentionModel:
    return RetentionModel(SMALL).run()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m: m.client(-1), IndexError, r"row: value -1 is not allowed; allowed: a client row, 0 ≤ row < 200"),
        (lambda m: m.client(200), IndexError, r"row: value 200 is not allowed"),
        (lambda m: m.clients_frame(np.array([5, 1000])), IndexError, r"rows: value 1000 is not allowed"),
        (lambda m: m.clients_frame(np.array([1.5])), IndexError, r"allowed: whole-number rows"),
        (lambda m: m.sample_clients(-1), ScenarioError, r"n: value -1 is not allowed; allowed: a whole number ≥ 0"),
        (lambda m: m.run(months=2.5), ScenarioError, r"months: value 2.5 is not allowed"),
        (lambda m: m.run(months=-2), ScenarioError, r"months: value -2 is not allowed"),
    ],
)  # fmt: skip
def test_a_model_names_a_bad_row_or_count(model, call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(model)


def test_a_mask_selects_its_clients(model) -> None:
    mask = np.zeros(200, dtype=bool)
    mask[[3, 150]] = True
    assert list(model.clients_frame(mask).index) == [3, 150]
    assert model.clients_frame([]).shape[0] == 0  # an empty list: no rows, as before
    with pytest.raises(IndexError, match=r"a boolean mask of shape \(199,\) is not allowed"):
        model.clients_frame(mask[:199])
    assert model.client(np.int64(7)).row == 7


def test_figures_take_a_run_and_refuse_what_is_not_one() -> None:
    result = simulate(SMALL)
    for draw in (stage_flow, money, satisfaction_nps, awareness):
        assert isinstance(draw(result), Figure)  # a RunResult, its scenario marked
    # A model that has run, as a Mesa user holds it (its .timeseries is a method: refused before).
    model = RetentionModel(SMALL).run()
    for draw in (stage_flow, money, satisfaction_nps, awareness):
        assert isinstance(draw(model), Figure)
    with pytest.raises(ValueError, match="ts: value a table of no months is not allowed"):
        stage_flow(RetentionModel(SMALL))  # (not run yet)
    empty = RetentionModel(SMALL).timeseries()
    with pytest.raises(ValueError, match="ts: value a table of no months is not allowed"):
        stage_flow(empty)
    with pytest.raises(ValueError, match="ts: value a table without revenue, profit, npv"):
        money(result.timeseries[["month"]])


def test_studies_and_closed_forms_name_a_bad_argument() -> None:
    with pytest.raises(
        ScenarioError, match="scenarios: value a Scenario is not allowed; allowed: a list"
    ):
        simulate_many(SMALL)
    with pytest.raises(ScenarioError, match=r"bass p: value 0 is not allowed; allowed: 0 < x < 1"):
        bass_curve(0, 0.3, 5)
    with pytest.raises(ScenarioError, match="months: value -1 is not allowed"):
        mean_field(0.01, 0.3, -1)
    with pytest.raises(
        ScenarioError, match="n: value 0 is not allowed; allowed: a whole number ≥ 2"
    ):
        mean_field(0.01, 0.3, 5, n=0)


def test_numpy_flags_are_flags() -> None:
    """A pandas row of flags holds numpy's bools: ``np.True_`` was taken as the number 1 by a
    number field (a lever at 1.0, a seed of 1) and refused by a flag field."""
    import pandas as pd

    for key in ("levers.service_level", "run.seed"):
        with pytest.raises(ScenarioError, match="not true or false"):
            Scenario().with_overrides({key: np.True_})
    assert (
        Scenario().with_overrides({"word_of_mouth.enabled": np.False_}).word_of_mouth.enabled
        is False
    )
    design = pd.DataFrame(
        {"levers.service_level": [0.6, 0.9], "word_of_mouth.enabled": [True, False]}
    )
    s = Scenario().with_overrides(design.iloc[1])
    assert (s.levers.service_level, s.word_of_mouth.enabled) == (0.9, False)


#: A two-state chain for the Markov CLV's argument checks.
_CHAIN = np.array([[0.9, 0.1], [0.3, 0.7]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: margin_multiple(0.8, 0.1, periods=2.5), "periods: value 2.5 is not allowed"),
        (lambda: margin_multiple(0.8, 0.1, periods=float("nan")), "periods: value nan"),
        (lambda: margin_multiple("0.8", 0.1), "r: value '0.8' is not allowed"),
        (lambda: margin_multiple(0.8, "0.1"), "i: value '0.1' is not allowed"),
        (lambda: clv_markov(_CHAIN, [10, -1], 0.1, periods=-3), "periods: value -3"),
        (lambda: clv_markov_moments(_CHAIN, [10, -1], 0.1, periods=2.5), "periods: value 2.5"),
        (lambda: npv([[1, 2], [3, 4]], 0.1), "series: value .* allowed: one profit a period"),
        (lambda: npv(["a"], 0.1), "series: value \\['a'\\] is not allowed"),
        (lambda: sbg_survival(1, 1, -1), "t: value -1.0 is not allowed; allowed: finite periods"),
        (lambda: sbg_pmf(1, 1, float("nan")), "t: value nan is not allowed"),
        (lambda: bass_curve(0.03, 0.3, -5), "t: value -5.0 is not allowed; allowed: finite months"),
        # (a string q raised TypeError from the range comparison: a user's report)
        (lambda: bass_curve(0.03, "x", 5), "bass q: value 'x' is not allowed; allowed: 0 ≤ x ≤ 5"),
        (lambda: mean_field(None, 0.3, 5, 100), "bass p: value None is not allowed"),
    ],
)
def test_closed_forms_name_a_bad_argument(call, message) -> None:
    """They returned a number (a fractional horizon, a negative adoption share) or raised from
    inside numpy (a string rate, a table where a series was meant)."""
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: compare_runs([SMALL, SMALL], replications=2, overrides=[1]),
            "overrides: value \\[1\\] is not allowed; allowed: a mapping",
        ),
        (lambda: value_word_of_mouth({"a": 1}), "scenario: value {'a': 1} is not allowed"),
        (lambda: value_word_of_mouth(SMALL, tail_months="x"), "tail_months: value 'x'"),
        # (the seed was named "rng", the model's keyword, not the caller's: a user's report)
        (lambda: value_word_of_mouth(SMALL, seed=1.5), "^seed: value 1.5 is not allowed"),
        (lambda: ad_money_saved(SMALL, seed="x"), "^seed: value 'x' is not allowed"),
        (lambda: ad_money_saved(SMALL, ceiling="abc"), "ceiling: value 'abc' is not allowed"),
        (
            lambda: calibrate_survival([1000, 631, 468, 382], base={"a": 1}),
            "base: value {'a': 1} is not allowed; allowed: a Scenario",
        ),
        (
            lambda: calibrate_targets([("annual_retention", 0.8)]),
            "targets: value .* is not allowed; allowed: a mapping",
        ),
        (
            lambda: calibrate_targets({"top20_share": 0.6}, settings={"clients": 10, "x": 1}),
            "settings: unknown 'x'; allowed: an MSMSettings or a mapping of its fields",
        ),
    ],
)
def test_study_entry_points_name_a_wrong_container(call, message) -> None:
    """Each raised from inside (dict(), pathlib, an attribute lookup) or took a mapping of
    settings silently, where with_overrides, simulate and compare's scenarios name the value."""
    with pytest.raises(ValueError, match=message):
        call()


def test_settings_may_be_a_mapping_of_their_fields() -> None:
    from model.studies.calibration.arguments import msm_settings
    from model.studies.calibration.moments import MSMSettings

    assert msm_settings({"clients": 500, "seeds": (1, 2)}) == MSMSettings(clients=500, seeds=(1, 2))
    with pytest.raises(ValueError, match="clients"):
        msm_settings({"clients": 0})


def test_a_scenario_is_named_with_its_checks() -> None:
    wow = SMALL.with_overrides({"levers.service_level": "wow"}).named("wow", "every client wowed")
    assert (wow.name, wow.description, wow.levers.service_level) == (
        "wow",
        "every client wowed",
        0.9,
    )
    for args, message in (
        ((3,), "name: value 3"),
        (("",), "name: value ''"),
        (("x", 5), "description"),
    ):
        with pytest.raises(ScenarioError, match=message):
            SMALL.named(*args)


def test_a_run_result_prints_on_one_line() -> None:
    """Its repr held the whole scenario and table: about 6,500 characters."""
    result = simulate(SMALL)
    text = repr(result)
    assert text.startswith("RunResult('baseline', seed=1, 200 people x 3 months; npv=")
    assert "\n" not in text and len(text) < 200
    page = result._repr_html_()  # (a notebook's: the headlines with their units)
    assert "<td>npv</td>" in page and "<td>currency</td>" in page and len(page) < 5_000


def test_a_degenerate_bootstrap_is_no_interval(monkeypatch) -> None:
    """RBD-FAST on 30 samples: SALib's bootstrap gave widths of exactly 0, printed as ±0 with
    no flag while the caveat said to read the intervals."""
    from SALib.analyze import rbd_fast

    from model.studies.sensitivity import _flag, _indices

    monkeypatch.setattr(
        rbd_fast, "analyze", lambda *a, **k: {"S1": [0.69, 0.28], "S1_conf": [0.0, 0.05]}
    )
    x = np.random.default_rng(0).random((30, 2))
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    a, b = _indices("lhs", problem, {"design": {}}, x, x[:, 0], 1, "npv")
    assert np.isnan(a["S1_conf"]) and _flag(a) == "S1 has no interval"
    assert b["S1_conf"] == 0.05 and _flag(b) == ""


def test_a_scalar_sweep_parameter_says_what_is_allowed_with_single_braces(tmp_path) -> None:
    from model.studies.sweep import SweepError, load_spec

    spec = tmp_path / "p.toml"
    spec.write_text('[design]\nkind = "grid"\n[parameters]\n"levers.service_level" = 0.5\n')
    with pytest.raises(SweepError) as err:
        load_spec(spec)
    assert "or a table {low = ..., high = ...} / {values = [...]}" in str(err.value)


def test_closed_forms_take_a_whole_float_horizon_and_a_single_profit() -> None:
    """12.0 periods is 12 (a scenario field takes 500.0 clients), and one period's profit is a
    series of one: both worked before the checks and must still."""
    assert margin_multiple(0.8, 0.1, periods=12.0) == margin_multiple(0.8, 0.1, periods=12)
    assert np.array_equal(
        clv_markov(_CHAIN, [10, -1], 0.1, periods=3.0), clv_markov(_CHAIN, [10, -1], 0.1, periods=3)
    )
    assert npv(100.0, 0.1).shape == (1,)


def test_a_run_results_summary_is_read_only_and_still_a_plain_dict_to_read() -> None:
    import copy
    import json
    import pickle

    from model.studies.run import ReadOnlySummary

    result = simulate(Scenario(), seed=1, clients=150, months=3)
    head = result.summary
    with pytest.raises(TypeError, match=r"read-only.*dict\(result.summary\)"):
        head["npv"] = 0.0
    for change in (
        lambda: head.update(npv=0.0),
        lambda: head.pop("npv"),
        lambda: head.setdefault("x", 1.0),
        lambda: head.clear(),
        lambda: head.__init__(npv=99.0),
    ):
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert "npv" in head and isinstance(head, dict)
    back = pickle.loads(pickle.dumps(result))
    assert isinstance(back.summary, ReadOnlySummary)
    assert back.summary == pytest.approx(dict(head), nan_ok=True)  # (NaN headlines included)
    assert copy.deepcopy(result).summary is head
    assert json.loads(json.dumps(head)) == pytest.approx(dict(head), nan_ok=True)
    mine = dict(head)
    mine["npv"] = 1.0  # a copy changes freely
    assert mine["npv"] == 1.0 != head["npv"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: simulate_many("baseline"), "scenarios: value 'baseline' is not allowed"),
        (
            lambda: __import__("model.studies.replications").studies.replications.run_replications(
                "baseline", 2
            ),
            r"scenario: value 'baseline' is not allowed; allowed: a Scenario \(Scenario.preset",
        ),
        (
            lambda: compare_runs([SMALL, SMALL], replications=1, executor="processes"),
            "executor: value 'processes' is not allowed; allowed: None",
        ),
        (
            lambda: compare_runs([SMALL, SMALL], replications=1, on_done=3),
            "on_done: value 3 is not allowed; allowed: None or a callable",
        ),
        (
            lambda: __import__("model.studies.sweep").studies.sweep.run_sweep("spec.toml", "x"),
            r"spec: value 'spec.toml' is not allowed; allowed: a SweepSpec \(load_spec",
        ),
        (
            lambda: __import__("model.studies.diffusion").studies.diffusion.bass_figure(seeds=1),
            r"seeds: value 1 is not allowed; allowed: a sequence of seeds",
        ),
        (
            lambda: __import__("model.studies.diffusion").studies.diffusion.bass_figure(
                seeds=[1, 1.5]
            ),
            r"^seeds\[1\]: value 1.5 is not allowed; allowed: an integer",
        ),
    ],
)
def test_a_wrong_kind_of_argument_is_named(call, message, tmp_path, monkeypatch) -> None:
    """Each raised AttributeError, TypeError or iterated a string's letters from inside."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=message):
        call()
    assert not (tmp_path / "x").exists()  # (a refused sweep makes no store)


def test_a_stage_is_taken_by_name_and_a_row_alone(model) -> None:
    """``sample_clients(5, stage="active")`` compared the codes with a string and returned []."""
    from model.engine.state import Stage

    by_name = model.sample_clients(500, "active")
    assert by_name and all(c.stage == Stage.ACTIVE for c in by_name)
    assert len(by_name) == len(model.sample_clients(500, Stage.ACTIVE))
    assert len(model.sample_clients(500, "LAPSED")) == len(model.sample_clients(500, 3))
    with pytest.raises(ValueError, match="stage: value 'actives' is not allowed; allowed: 'pro"):
        model.sample_clients(5, "actives")
    assert list(model.clients_frame(5).index) == [5]  # (one row: it raised from pandas)
    with pytest.raises(IndexError, match=r"shape \(1, 1\) is not allowed"):
        model.clients_frame([[1]])


def test_judge_names_the_columns_it_needs() -> None:
    import pandas as pd

    from experiments.verdicts.framework import Reading, judge

    reading = Reading("effect", "w", "e", "s", "%", (0.0, 1.0))
    with pytest.raises(ValueError, match="values: a table without 'world' is not allowed"):
        judge(reading, pd.DataFrame({"effect": [0.5]}))


def test_months_past_the_horizon_are_warned_of() -> None:
    """``run(60)`` on a 12-month model ran 12 silently, and a schedule step after the horizon
    changed nothing without a word (``retention run`` printed it; ``simulate`` did not)."""
    m = RetentionModel(SMALL)
    with pytest.warns(
        UserWarning,
        match=r"run\(months=60\): the horizon \(run.months = 3\) leaves 3 months; running 3",
    ):
        m.run(months=60)
    assert m.month == 3
    late = SMALL.with_overrides({"run.months": 2}).model_copy(
        update={
            "schedule": Scenario.build(
                {"schedule": [{"month": 5, "set": {"service_level": 0.9}}]}
            ).schedule
        }
    )
    assert late.after_horizon() == ["schedule step at month 5"]
    with pytest.warns(UserWarning, match="schedule step at month 5: after the 2-month horizon"):
        simulate(late)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RetentionModel(SMALL).run(months=2)  # within the horizon: no warning
        simulate(SMALL)
        simulate_many([SMALL])
    # Many runs: one warning per distinct note, before they run (not one per run).
    with pytest.warns(UserWarning, match="schedule step at month 5") as seen:
        simulate_many([late, late.with_seed(2), SMALL])
    assert sum("schedule step" in str(w.message) for w in seen) == 1
    from model.studies.replications import run_replications

    with pytest.warns(UserWarning, match="schedule step at month 5") as seen:
        run_replications(late, 2)
    assert sum("schedule step" in str(w.message) for w in seen) == 1


def test_a_step_past_the_horizon_says_so_and_changes_nothing() -> None:
    """``model.step()`` after the last month returned silently; a notebook user stepping on
    saw the same table and no reason."""
    m = RetentionModel(SMALL).run()
    before = m.timeseries()
    with pytest.warns(UserWarning, match=r"step\(\): the horizon \(run.months = 3\) is reached"):
        m.step()
    assert m.month == 3 and not m.running
    pd.testing.assert_frame_equal(m.timeseries(), before)


def test_a_section_may_be_overridden_as_a_mapping_of_its_parameters() -> None:
    """``with_overrides({"levers": {...}})`` — how a scenario file nests it — said "unknown
    parameter" for a real section."""
    nested = SMALL.with_overrides({"levers": {"service_level": 0.9, "ad_budget": 0}})
    dotted = SMALL.with_overrides({"levers.service_level": 0.9, "levers.ad_budget": 0})
    assert nested == dotted and nested.levers.service_level == 0.9
    with pytest.raises(
        ScenarioError, match=r"levers: value 0\.9 is not allowed; levers is a section"
    ):
        SMALL.with_overrides({"levers": 0.9})
    with pytest.raises(ScenarioError, match=r"levers\.nope: unknown parameter"):
        SMALL.with_overrides({"levers": {"nope": 1}})
    with pytest.raises(ScenarioError, match=r"levers\.service_level: value 7"):
        SMALL.with_overrides({"levers": {"service_level": 7}})


def test_progress_is_a_flag_and_lever_names_are_bare() -> None:
    """``progress="no"`` showed the bar (a string is truthy); ``levers.ad_budget`` was refused
    with no word of why."""
    from model.studies.optimize.checks import lever_names

    with pytest.raises(ScenarioError, match="progress: value 'no' is not allowed; allowed: True"):
        simulate(SMALL, progress="no")
    with pytest.raises(ScenarioError, match=r"\(the names without 'levers.'\)$"):
        lever_names(["levers.ad_budget", "levers.service_level"])
    assert lever_names(["ad_budget", "service_level"]) == ["ad_budget", "service_level"]


def test_one_client_is_one_row_and_a_stage_is_one_of_four(model) -> None:
    with pytest.raises(
        IndexError, match=r"row: value \[1, 2\] is not allowed; allowed: one client"
    ):
        model.client([1, 2])
    assert model.client([7]).row == 7  # (a list of one row, as before)
    with pytest.raises(ValueError, match="stage: value 9 is not allowed; allowed: 'prospect'"):
        model.sample_clients(5, 9)
    with pytest.raises(ValueError, match="stage: value True is not allowed"):
        model.sample_clients(5, True)
    assert len(model.sample_clients(500, np.int8(1))) == len(model.sample_clients(500, "active"))


@pytest.mark.parametrize(
    ("keyword", "message"),
    [
        ({"pool": "processes"}, "pool: value 'processes' is not allowed; allowed: None"),
        ({"log": 3}, "log: value 3 is not allowed; allowed: None or a callable"),
        ({"then": "report"}, "then: value 'report' is not allowed; allowed: None or a callable"),
        ({"slots": "2"}, "slots: value '2' is not allowed; allowed: a whole number ≥ 1"),
        ({"slots": 0}, "slots: value 0 is not allowed"),
        ({"slots": 2.5}, "slots: value 2.5 is not allowed"),
    ],
)
def test_run_sweep_names_a_wrong_pool_or_callback(keyword, message, tmp_path) -> None:
    from model.studies.sweep import parse_spec, run_sweep

    spec = parse_spec(
        {"name": "t", "months": 2, "clients": 100, "replications": 1,
         "parameters": {"levers.ad_budget": [0.0, 100.0]}}
    )  # fmt: skip
    with pytest.raises(ValueError, match=message):
        run_sweep(spec, tmp_path / "store", progress=False, **keyword)
    assert not (tmp_path / "store").exists()  # refused before the store is made


@pytest.mark.parametrize("on_disk", [False, True, None])
def test_the_python_api_says_when_it_must_compile_the_kernels_first(monkeypatch, capsys, on_disk):
    """In a notebook the first simulate() compiled for about 30 s without a word (the command
    line said so): simulate and simulate_many now say it on stderr, once a process, and only
    then."""
    import model.engine.kernels as kernels
    from model import simulate
    from model.studies.run import simulate_many

    monkeypatch.setattr(kernels, "compiled_on_disk", lambda: on_disk)
    monkeypatch.setattr(kernels, "_said", False)  # (as in a new process)
    simulate(clients=100, months=2)
    simulate_many([Scenario().with_overrides({"market.clients": 100, "run.months": 2})])
    told = capsys.readouterr().err.count(kernels.FIRST_COMPILE_NOTE)
    assert told == (1 if on_disk is False else 0)  # (once a process)


def test_study_helpers_name_a_bad_argument():
    """A reviewer's calls: a level of 2 gave NaN bounds and no error, a string leaked numpy's
    "could not convert", a negative seed numpy's "expected non-negative integer", and a preset's
    name "'str' object has no attribute 'run'"."""
    from model.scenario import ScenarioError
    from model.studies.diffusion import adoption
    from model.studies.stats import mean_interval
    from model.studies.sweep import SweepError
    from model.studies.sweep.runner import seed_for
    from model.studies.wom_value import acquisition_months

    with pytest.raises(ValueError, match=r"level: value 2 is not allowed; allowed: 0 < level < 1"):
        mean_interval([1.0, 2.0, 3.0], level=2)
    with pytest.raises(ValueError, match=r"values: value 'abc' is not allowed; allowed: numbers"):
        mean_interval("abc")
    assert mean_interval(3.0).n == 1  # (one number is one value)
    with pytest.raises(SweepError, match=r"spec_seed: value -1 is not allowed; allowed: an int"):
        seed_for(-1, 0, 0)
    for helper in (adoption, acquisition_months):
        with pytest.raises(ScenarioError, match=r"scenario: value 'x' is not allowed"):
            helper("x")


def test_a_seed_rounded_by_a_row_of_a_table_is_told_where_the_real_one_is():
    """An analyst took a sweep's seed from a row (``frame.iloc[i]``: a float, its last digits
    gone), was told "pass an int", passed ``int()`` of it and ran another world."""
    from model import Scenario
    from model.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"read the column, frame\['seed'\]\.iloc\[i\]"):
        Scenario().with_overrides({"run.seed": float(3889414079788118608)})
    with pytest.raises(ScenarioError) as caught:  # (another whole number: no seed's story)
        Scenario().with_overrides({"market.clients": 1e17})
    assert "frame['seed']" not in str(caught.value)
