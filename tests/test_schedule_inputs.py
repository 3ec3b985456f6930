"""Schedule steps and shocks read from files and the command line: months count from 1, a lever
is set once a step, errors give the field's whole range, a byte-order mark is no error, a
``--set`` that the schedule later undoes is said, and a part year is labelled as one."""

from __future__ import annotations

import pytest
from conftest import cli

from model import Scenario, ScenarioError
from model.interfaces.html_report import yearly_rows
from model.studies.run import simulate


def _error(**scenario) -> str:
    with pytest.raises(ScenarioError) as err:
        Scenario.build(scenario)
    return str(err.value)


def test_a_step_at_month_0_is_refused_with_the_whole_range():
    # It was taken, and acted as month 1 but for the staff hired at the start (4 hires booked
    # in month 1 where the same value in [levers] hires none).
    msg = _error(schedule=[{"month": 0, "set": {"staffing": 3.0}}])
    assert "schedule.0.month: value 0 is not allowed; allowed: 1 ≤ x ≤ 1200" in msg
    msg = _error(shocks=[{"kind": "price_war", "start": 3, "size": float("nan")}])
    assert "shocks.0.size: value nan is not allowed; allowed: 0.0 ≤ x ≤ 10.0" in msg


def test_a_lever_set_twice_in_one_step_is_refused():
    msg = _error(schedule=[{"month": 2, "set": {"levers.ad_budget": 0, "ad_budget": 900}}])
    assert "lever 'ad_budget' is set twice in one step" in msg


def test_a_lever_outside_the_levers_section_is_named_as_such():
    msg = _error(schedule=[{"month": 3, "set": {"win_back.target_months": 6}}])
    assert "targeting and win_back.target_months hold for the run" in msg


def test_a_whole_number_given_true_says_a_whole_number():
    msg = _error(schedule=[{"month": True, "set": {}}])
    assert "schedule.0.month: a whole number, not true or false" in msg
    assert "a flag takes" not in msg


def test_a_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'name = "bom"\n[market]\nclients = 300\n')
    assert Scenario.from_toml(path).market.clients == 300


def test_a_set_lever_the_schedule_sets_again_is_warned(tmp_path, capsys):
    args = ("run", "service_cut", "--clients", "200", "--months", "14", "--no-figures")
    assert cli(*args, "--set", "levers.service_level=wow", "--out", tmp_path / "a") == 0
    err = capsys.readouterr().err
    assert "levers.service_level holds only until month 12" in err
    assert cli(*args, "--set", "levers.ad_budget=900", "--out", tmp_path / "b") == 0
    assert "holds only until" not in capsys.readouterr().err  # the schedule leaves it alone


def test_a_part_year_is_labelled_with_its_months():
    rows = yearly_rows(simulate(clients=200, months=30, seed=1).timeseries)
    assert [r[0] for r in rows] == ["1", "2", "3 (months 25–30)"]


def test_a_scenario_with_a_schedule_is_frozen_and_hashable():
    """A step's levers were a plain dict inside the frozen scenario: a value set afterwards
    skipped the levers' checks (a raw pydantic error mid-run), and the scenario did not hash."""
    import copy
    import pickle

    s = Scenario.preset("policies/service_cut").with_overrides({"market.clients": 300})
    assert hash(s) == hash(copy.deepcopy(s)) == hash(pickle.loads(pickle.dumps(s)))
    assert len({s, copy.deepcopy(s)}) == 1
    with pytest.raises(TypeError, match="read-only"):
        s.schedule[0].set["service_level"] = 7.5
    with pytest.raises(TypeError, match="read-only"):
        s.schedule[0].set.update(nonsense=1)
    assert type(s.model_dump()["schedule"][0]["set"]) is dict
    assert Scenario.build(s.to_toml_dict()) == s


def test_a_lever_set_by_two_steps_of_one_month_is_said(tmp_path, capsys):
    """The later step in the file holds (the browser app's live move overrides a preset's step
    so), and ``retention run`` says so: it was silent."""
    f = tmp_path / "two.toml"
    f.write_text(
        "[run]\nmonths = 4\n[market]\nclients = 100\n"
        '[[schedule]]\nmonth = 3\nset = { service_level = "wow" }\n'
        '[[schedule]]\nmonth = 3\nset = { service_level = "low" }\n'
    )
    assert cli("run", f, "--no-figures", "--out", tmp_path / "o") == 0
    err = capsys.readouterr().err
    assert (
        "schedule: service_level is set in month 3 by steps 1 and 2; step 2's value, 0.35, holds"
        in err
    )
