"""A notebook user's small slips get one clear error naming the argument, its value and what is
allowed (found by an exploratory pass over the Python API), where before: ``client(-1)`` read and
wrote the last client, ``run(months=-2)`` did nothing, a boolean mask given to ``clients_frame``
read rows 0 and 1, a figure of a run's result raised ``TypeError: not subscriptable`` and one of
no months matplotlib's "Axis limits cannot be NaN", ``simulate_many(scenario)`` complained about
``('name', 'baseline')`` and ``bass_curve(0, …)`` divided by zero."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from model import RetentionModel, Scenario
from model.interfaces.figures import money, satisfaction_nps, stage_flow
from model.scenario import ScenarioError
from model.studies.closed_forms.clv import margin_multiple, npv
from model.studies.closed_forms.survival import sbg_pmf, sbg_survival
from model.studies.diffusion import bass_curve, mean_field
from model.studies.run import simulate, simulate_many

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
    for draw in (stage_flow, money, satisfaction_nps):
        assert isinstance(draw(result), Figure)  # a RunResult, its scenario marked
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


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: margin_multiple(0.8, 0.1, periods=2.5), "periods: value 2.5 is not allowed"),
        (lambda: margin_multiple(0.8, 0.1, periods=float("nan")), "periods: value nan"),
        (lambda: margin_multiple("0.8", 0.1), "r: value '0.8' is not allowed"),
        (lambda: margin_multiple(0.8, "0.1"), "i: value '0.1' is not allowed"),
        (lambda: npv([[1, 2], [3, 4]], 0.1), "series: value .* allowed: one profit a period"),
        (lambda: npv(["a"], 0.1), "series: value \\['a'\\] is not allowed"),
        (lambda: sbg_survival(1, 1, -1), "t: value -1.0 is not allowed; allowed: finite periods"),
        (lambda: sbg_pmf(1, 1, float("nan")), "t: value nan is not allowed"),
        (lambda: bass_curve(0.03, 0.3, -5), "t: value -5.0 is not allowed; allowed: finite months"),
    ],
)
def test_closed_forms_name_a_bad_argument(call, message) -> None:
    """They returned a number (a fractional horizon, a negative adoption share) or raised from
    inside numpy (a string rate, a table where a series was meant)."""
    with pytest.raises(ValueError, match=message):
        call()
