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
