"""Parameter roles and plausible ranges: the declarations a claim study draws its worlds from."""

from __future__ import annotations

import math
import typing

import pytest

from model.scenario import PARAMS, by_role, param, uncertainties
from model.scenario.catalogue import default_role


def test_every_parameter_has_a_role_and_the_roles_partition_the_parameters():
    roles = {role: by_role(role) for role in ("lever", "uncertainty", "setting")}
    assert sum(len(r) for r in roles.values()) == len(PARAMS)
    assert all(p.role in roles for p in PARAMS.values())
    assert "levers.service_level" in roles["lever"]
    assert "targeting.share" in roles["lever"]
    assert "run.seed" in roles["setting"] and "market.clients" in roles["setting"]
    assert "retain.base_churn" in roles["uncertainty"]


def test_default_role_by_section():
    assert default_role("levers.ad_budget") == "lever"
    assert default_role("targeting.loyalty") == "lever"
    assert default_role("run.months") == "setting"
    assert default_role("market.clients") == "setting"
    assert default_role("market.spend_sigma") == "uncertainty"


def test_by_role_rejects_an_unknown_role():
    with pytest.raises(ValueError, match="'nope'"):
        by_role("nope")  # type: ignore[arg-type]


def _alternatives(kind: type) -> tuple[str, ...] | None:
    args = typing.get_args(kind)
    return args if args and all(isinstance(a, str) for a in args) else None


@pytest.mark.parametrize("key", sorted(uncertainties()))
def test_default_inside_plausible_inside_allowed(key):
    info = PARAMS[key]
    assert info.role == "uncertainty"
    assert info.plausible_source, f"{key}: a plausible range needs its source"
    plausible = info.plausible
    assert plausible is not None
    choices = _alternatives(info.kind)
    if choices is not None or info.kind is bool:
        allowed: tuple = choices if choices is not None else (True, False)
        assert info.default in plausible, (key, info.default, plausible)
        assert set(plausible) <= set(allowed), (key, plausible, allowed)
        assert len(plausible) >= 2, f"{key}: a structural uncertainty needs alternatives"
        return
    lo, hi = plausible
    assert lo <= info.default <= hi, (key, info.default, plausible)
    if info.lower is not None:
        assert lo > info.lower if info.lower_open else lo >= info.lower, (key, plausible)
    if info.upper is not None:
        assert hi < info.upper if info.upper_open else hi <= info.upper, (key, plausible)
    if info.scale == "log":
        assert lo > 0 and math.isfinite(math.log(hi / lo)), key


def test_param_refuses_a_range_without_source_or_upside_down():
    with pytest.raises(ValueError, match="plausible_source"):
        param(1.0, unit="-", source="x", plausible=(0.0, 2.0))
    with pytest.raises(ValueError, match="low <= high"):
        param(1.0, unit="-", source="x", plausible=(2.0, 0.0), plausible_source="assumption: wide")
    with pytest.raises(ValueError, match="log scale"):
        param(
            1.0,
            unit="-",
            source="x",
            plausible=(0.0, 2.0),
            scale="log",
            plausible_source="assumption: wide",
        )


def test_every_uncertainty_declares_a_plausible_range():
    missing = [k for k in by_role("uncertainty") if k not in uncertainties()]
    assert not missing, f"uncertainties without a plausible range: {missing}"


def test_params_command_filters_by_role_and_shows_plausible_ranges(capsys, monkeypatch):
    from model.interfaces.cli import main

    monkeypatch.setenv("COLUMNS", "200")  # lines wrap to the terminal: a wide one keeps each whole

    assert main(["params", "--role", "uncertainty"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # One block per parameter: its line, then its source indented (wrapped to the terminal).
    header, rows = lines[0].split(), [r for r in lines[1:] if not r.startswith(" ")]
    assert "role" in header and "plausible" in header
    assert [r.split()[0] for r in rows] == list(by_role("uncertainty"))
    spend = next(r for r in rows if r.startswith("market.spend_sigma "))
    assert "uncertainty" in spend and "0.84 – 1.68" in spend
    assert main(["params", "--role", "lever"]) == 0
    assert all(
        r.split()[0].startswith(("levers.", "targeting.", "win_back."))
        for r in capsys.readouterr().out.splitlines()[1:]
        if not r.startswith(" ")
    )


def test_plausible_text_names_alternatives_and_ranges():
    assert PARAMS["service.recovery_paradox_behavioural"].plausible_text() == "false | true"
    assert PARAMS["retain.churn_response"].plausible_text().startswith("exponential | ")
    assert PARAMS["retain.base_churn"].plausible_text() == "0.005 – 0.05 (log)"
