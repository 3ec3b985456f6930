"""Edge arguments of the studies' functions: each is refused (or flagged) by name, not by numpy.

``draw_worlds``' count of worlds, ``lost_client_cost``'s spend path and an EMA model whose base
scenario's schedule sets a lever the experiments vary.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from model.scenario import Scenario, ScenarioError, arguments
from model.studies.closed_forms import lost_client_cost
from model.studies.optimize import optimize
from model.studies.worlds import draw_worlds


# ------------------------------------------------------------------------------ draw_worlds
@pytest.mark.parametrize("n", [2.5, 3.5, True, "3", None, 0, -2, float("nan"), 2.0**60])
def test_draw_worlds_refuses_a_count_that_is_not_a_whole_number(n: object) -> None:
    with pytest.raises(
        ValueError,
        match=rf"^worlds: n = {re.escape(repr(n))} is not allowed; allowed: an integer ≥ 1$",
    ):
        draw_worlds(n)  # type: ignore[arg-type]


def test_draw_worlds_takes_a_numpy_integer_and_a_whole_float() -> None:
    frame = draw_worlds(np.int64(3), seed=2)
    assert list(frame["world"]) == [0, 1, 2]
    assert frame.equals(draw_worlds(3, seed=2))
    # (as a scenario's whole-number fields take 1000.0 clients)
    assert frame.equals(draw_worlds(3.0, seed=2)) and frame.equals(
        draw_worlds(np.float32(3), seed=2)
    )


# ------------------------------------------------------------------------- lost_client_cost
@pytest.mark.parametrize("rate", [0.0, 0.1])
def test_lost_client_cost_refuses_negative_revenue_by_position(rate: float) -> None:
    message = r"^spend_path: value -5 at position 1 is not allowed; allowed: ≥ 0"
    with pytest.raises(ValueError, match=message):
        lost_client_cost([10, -5, 12], 0.2, rate)


@pytest.mark.parametrize(
    "path",
    [[], np.array([]), 3.0, "123", np.array([[10.0, 12.0]])],
    ids=["empty", "empty-array", "bare-float", "string", "2-d"],
)
def test_lost_client_cost_refuses_a_path_that_is_no_path(path: object) -> None:
    with pytest.raises(ValueError, match=r"^spend_path: value .* allowed: a non-empty sequence"):
        lost_client_cost(path, 0.2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "bad"), [([10, None], "None"), ([True, 2], "True"), ([10, np.inf], "inf")]
)
def test_lost_client_cost_names_an_amount_that_is_not_one(path: list, bad: str) -> None:
    with pytest.raises(ValueError, match=rf"^spend_path: value {bad} at position \d"):
        lost_client_cost(path, 0.2)


@pytest.mark.parametrize(
    ("args", "field"), [(([10], "0.2"), "margin"), (([10], 0.2, "x"), "discount_rate")]
)
def test_lost_client_cost_names_a_rate_that_is_not_a_number(args: tuple, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}: value '.*' is not allowed"):
        lost_client_cost(*args)


def test_lost_client_cost_still_takes_arrays_series_and_zero_spend() -> None:
    assert lost_client_cost(np.array([10, 12, 14, 16, 18]), 0.2) == (70.0, 14.0)
    assert lost_client_cost(pd.Series([10.0, 0.0]), 0.5) == (10.0, 5.0)
    assert type(lost_client_cost((10, 12), np.float64(0.2), 0.1).profit) is float


# ----------------------------------------------------------------------- EMA and schedules
@pytest.fixture(scope="module")
def cut() -> Scenario:
    """Low service from month 12, standard again from month 18."""
    return Scenario.preset("policies/service_cut")


def _ema_warnings(base: Scenario, levers: list[str], months: int) -> list[str]:
    from model.studies.ema import ema_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ema_model(["economics.cogs_share"], levers, ["npv"], clients=200, months=months, base=base)
    return [str(w.message) for w in caught if "ema_model" in str(w.message)]


def test_ema_warns_when_the_base_schedule_overrides_a_varied_lever(cut: Scenario) -> None:
    assert _ema_warnings(cut, ["levers.service_level", "levers.ad_budget"], 24) == [
        "ema_model: levers.service_level holds only until month 12: the scenario's "
        "schedule sets service_level from then on (at months 12, 18)"
    ]


def test_ema_is_quiet_when_the_schedule_leaves_the_varied_levers_alone(cut: Scenario) -> None:
    assert _ema_warnings(cut, ["levers.ad_budget"], 24) == []  # not a scheduled lever
    # The steps are after the horizon: no lever is overridden, and the steps are said to do nothing.
    assert _ema_warnings(cut, ["levers.service_level"], 11) == [
        "ema_model: schedule step at month 12; schedule step at month 18: after the 11-month "
        "horizon, no effect"
    ]
    assert _ema_warnings(Scenario(), ["levers.service_level"], 24) == []  # no schedule


# ------------------------------------------------------------------- a value that floods the line
@pytest.mark.parametrize(
    "check",
    [
        lambda v: arguments.count("replications", v),
        lambda v: arguments.amount("budget", v, "currency"),
        lambda v: arguments.choice("criterion", v, ("mean", "worst")),
        lambda v: optimize(Scenario(), levers=v),
        lambda v: Scenario().with_overrides({"market.clients": v}),
        lambda v: Scenario().with_overrides({"market.clients": list(v)}),
    ],
)
def test_a_huge_value_is_shown_cut_short_with_its_type(check) -> None:
    """A million numbers passed where one was meant: the error names the argument and the
    value's type and size in one short line, not a repr of every element."""
    with pytest.raises(ScenarioError) as caught:
        check(np.arange(1_000_000))
    message = str(caught.value)
    value = message.split(": value ", 1)[1].split(" is not allowed", 1)[0]
    assert len(value) < 120, message
    assert value.endswith((", length 1,000,000)", ", shape (1000000,))")), message
    assert "\n" not in message


@pytest.mark.parametrize(
    "value",
    [np.array("x" * 100), range(10**60, 10**61), -(10**5000), b"x" * 200, [[...]], object()],
    ids=["0-d array", "huge range", "5001 digits", "bytes", "nested", "object"],
)
def test_an_odd_value_is_still_one_clear_line(value) -> None:
    """Values whose length or repr fails (a 0-d array, a range longer than len allows, an
    integer past Python's digit limit) are named, not turned into a TypeError or ValueError."""
    with pytest.raises(ScenarioError, match=r"^replications: value .+ is not allowed"):
        arguments.count("replications", value)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ({"clients": 5}, r"^clients: value 5 is not allowed; allowed: an integer, 10 ≤ x"),
        (
            {"months": 5000},
            r"^months: value 5000 is not allowed; allowed: an integer, 1 ≤ x ≤ 1200",
        ),
    ],
)
def test_ema_checks_the_size_when_the_model_is_made(size: dict, message: str) -> None:
    """A market of 5 or a 5,000-month horizon was refused only inside EMA's first experiment."""
    from model.studies.ema import ema_model

    with pytest.raises(ScenarioError, match=message):
        ema_model(["economics.cogs_share"], ["levers.ad_budget"], ["npv"], **size)
