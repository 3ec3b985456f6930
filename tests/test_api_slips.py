"""More of a notebook user's slips, found by a second exploratory pass over the Python API: each
now gets an error naming the argument, its value and what is allowed, or a warning, where before
it failed deep inside (``with_shocks([...])``: "dictionary update sequence element #0 has length
5"; ``run_claim("pareto", ...)``: "'str' object has no attribute 'CLAIM'"; a study size with a
batch of 0: "range() arg 3 must not be zero"), or said nothing (a lever the schedule sets again, a
key given twice, a client's satisfaction set to 5, an ad ceiling below the budget)."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import numpy as np
import pytest

from experiments import load
from experiments.analysis.evidence import run_claim
from experiments.running.sizes import SIZES
from model import RetentionModel, Scenario
from model.scenario import ScenarioError
from model.scenario.schedule import raid
from model.studies.wom_value import ad_money_saved

SMALL = Scenario().with_overrides({"market.clients": 200, "run.months": 3})


def test_shocks_may_be_given_as_a_list_and_anything_else_is_named() -> None:
    listed = SMALL.with_shocks([raid(2, 0.1), raid(3, 0.1)])
    assert listed == SMALL.with_shocks(raid(2, 0.1), raid(3, 0.1))
    assert len(listed.shocks) == 2
    other = SMALL.with_shocks(raid(2, 0.2, True))
    assert SMALL.with_shocks(*other.shocks).shocks == other.shocks  # (another's, as they are)
    for bad in (3, "raid", [3], None):
        with pytest.raises(ScenarioError, match=r"shocks: value .* is not allowed; allowed: "):
            SMALL.with_shocks(bad)


def test_a_parameter_given_twice_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"levers\.service_level: given twice"):
        SMALL.with_overrides({"levers": {"service_level": "wow"}, "levers.service_level": "low"})
    assert SMALL.with_overrides({"levers": {"service_level": "wow"}}).levers.service_level == 0.9


def test_a_keyword_lever_the_schedule_sets_again_is_warned_of() -> None:
    cut = Scenario.preset("policies/service_cut")
    with pytest.warns(UserWarning, match="levers.service_level holds only until month 12"):
        RetentionModel(cut, service_level=0.9, clients=200, months=24)
    with warnings.catch_warnings():  # (past the horizon, or not scheduled: nothing to say)
        warnings.simplefilter("error")
        RetentionModel(cut, service_level=0.9, clients=200, months=6)
        RetentionModel(cut, ad_budget=100.0, clients=200, months=24)


@pytest.mark.parametrize(
    ("args", "keywords", "message"),
    [
        (("pareto", "quick"), {"seed": "1"}, "seed: value '1' is not allowed; allowed: a whole"),
        (("pareto", "quick"), {"seed": -1}, "seed: value -1 is not allowed"),
        (("pareto", "quick"), {"seed": 1.5}, "seed: value 1.5 is not allowed"),
        (("pareto", "quick"), {"workers": 0}, "workers: value 0 is not allowed"),
        (("paretto", "quick"), {}, "module: value 'paretto' is not allowed; allowed: one of"),
        ((math, "quick"), {}, "module: value .* allowed: a claim module"),
        (("pareto", "fast"), {}, "size: value 'fast' is not allowed; allowed: one of"),
        (("pareto", 3), {}, "size: value 3 is not allowed; allowed: a Size"),
    ],
)
def test_run_claim_names_a_wrong_argument(args, keywords, message, tmp_path) -> None:
    with pytest.raises(ValueError, match=message):
        run_claim(*args, tmp_path / "store", **keywords)
    assert not (tmp_path / "store").exists()  # refused before anything ran


def test_run_claim_takes_a_claim_and_a_size_by_name() -> None:
    from experiments.analysis.evidence import _claim_and_size

    module, size, size_name = _claim_and_size("pareto", "quick", "default")
    assert module is load("pareto") and size == SIZES["quick"] and size_name == "quick"
    assert _claim_and_size(module, size, "mine")[2] == "mine"


@pytest.mark.parametrize(
    ("field", "value"), [("batch", 0), ("wave", 0), ("months", 0), ("clients", 5), ("pilot", -1),
                         ("max_reps", 1.5), ("defaults", True)]
)  # fmt: skip
def test_a_study_size_names_a_count_out_of_range(field, value) -> None:
    with pytest.raises(ValueError, match=f"Size.{field}: value {value!r} is not allowed"):
        dataclasses.replace(SIZES["quick"], **{field: value})


def test_an_ad_ceiling_below_the_budget_is_refused() -> None:
    with pytest.raises(
        ScenarioError,
        match=r"ceiling: value 100.0 is not allowed; allowed: ≥ the scenario.s levers.ad_budget \(300",
    ):
        ad_money_saved(SMALL.with_overrides({"levers.ad_budget": 300.0}), 3, ceiling=100.0)


def test_a_clients_attributes_are_checked_when_set() -> None:
    m = RetentionModel(SMALL)
    c = m.client(5)
    for name, value, allowed in [
        ("satisfaction", math.nan, "0 ≤ x ≤ 1"),
        ("satisfaction", 5.0, "0 ≤ x ≤ 1"),
        ("tenure", 10**6, "a whole number, -32768 ≤ x ≤ 32767"),
        ("tenure", 2.5, "a whole number"),
        ("stage", "lapsd", "'prospect', 'active', 'loyal', 'lapsed'"),
        ("left_reason", 7, "0 (none), 1 (bad_service)"),
        ("aware", "yes", "True or False"),
        ("spend", math.inf, "a finite number"),
        ("spend", 1e39, "a finite number, |x| ≤ 3.4e+38"),  # (no float32: it stored inf)
        ("referrer", -7, "a whole number, -1 ≤ x ≤ 199 (row)"),
        ("staff", 10**6, "a whole number, 0 ≤ x ≤"),
        ("aware", 2, "True or False"),
    ]:
        before = getattr(c, name)
        with pytest.raises(
            ValueError, match=f"{name}: value .* is not allowed; allowed: {re.escape(allowed)}"
        ):
            setattr(c, name, value)
        assert getattr(c, name) == before or math.isnan(before)
    c.aware, c.tenure, c.spend = 1, 3.0, np.array(20.0)  # (a flag as 1, a whole float, 0-d)
    assert (c.aware, c.tenure, c.spend) == (True, 3, 20.0)
    c.stage = "lapsed"  # (a stage by name, as sample_clients takes it)
    c.satisfaction, c.left_reason, c.aware = 0.25, 2, True
    assert (c.stage_name, c.satisfaction, c.left_reason, c.aware) == ("LAPSED", 0.25, 2, True)
    staff = m.staff_agents[0]
    with pytest.raises(ValueError, match="engagement: value 2 is not allowed; allowed: 0 ≤ x ≤ 1"):
        staff.engagement = 2
