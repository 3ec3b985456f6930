"""Python API calls a notebook user makes with the wrong kind of argument get one error naming
it, not a TypeError or AttributeError from deep inside (found by an exploratory pass)."""

from __future__ import annotations

import pytest

from model import Scenario, ScenarioError
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.fit import calibrate_transactions
from model.studies.compare import compare
from model.studies.sweep import SweepError, executor


def test_compare_of_one_scenario_says_it_needs_a_list():
    with pytest.raises(
        ScenarioError, match="scenarios: value Scenario is not allowed; allowed: a list"
    ):
        compare(Scenario(), replications=2)


@pytest.mark.parametrize("kwargs", [{"workers": "2"}, {"workers": 2.0}, {"dask_local": "2"}])
def test_executor_counts_are_whole_numbers(kwargs):
    with pytest.raises(SweepError, match="allowed: an integer ≥ 1"), executor(**kwargs):
        pass


def test_a_log_that_is_no_table_is_named():
    with pytest.raises(CalibrationError, match="log: value int is not allowed"):
        calibrate_transactions(123)
