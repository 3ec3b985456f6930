"""The committed study's verdict along its deciding uncertainties, read at one world's values
(``retention experiment NAME --world``; :mod:`experiments.reporting.study_along`).

A strategist's firm left the fix cost at its default in a market whose clients spend 25 times
the default's: the acquisition-cost ratio came out at 237 and nothing in the `--world` answer
named the value that decided it; the claim's report did.
"""

from __future__ import annotations

import json

from experiments.reporting.study_along import along_lines, committed_report
from model import Scenario
from model.interfaces.cli import main


def _bin(low, high, words, p=0.1, value=None):
    return {"low": low, "high": high, "value": value, "values": f"{low:g} to {high:g}",
            "worlds": 100, "p": p, "ci_low": p / 2, "ci_high": p * 2, "words": words}  # fmt: skip


REPORT = {
    "kept": 500,
    "along": [
        {
            "reading": "average",
            "uncertainty": "service.fix_cost_mean",
            "bins": [
                _bin(20.0, 38.4, "low bin"),
                _bin(38.6, 78.6, "middle bin"),
                _bin(78.7, 351.0, "high bin"),
            ],
        },
        {
            "reading": "wow",
            "uncertainty": "retain.churn_response",
            "bins": [
                _bin(0, 0, "asym", value="asymmetric"),
                _bin(0, 0, "exp", value="exponential"),
            ],
        },
    ],
}


def _line(scenario: Scenario, reading: str) -> str:
    lines = along_lines(REPORT, scenario, "where")
    return next(x for x in lines if x.startswith(f"  {reading} along "))


def test_a_value_is_read_in_the_bin_that_holds_it():
    line = _line(Scenario().with_overrides({"service.fix_cost_mean": 60.0}), "average")
    assert line == (
        "  average along service.fix_cost_mean = 60: the study's worlds with 38.6 to 78.6 (100): "
        "middle bin, P(holds) 0.10 [0.05, 0.20]"
    )


def test_a_value_between_two_bins_goes_to_the_nearer_and_beyond_them_to_none():
    between = _line(Scenario().with_overrides({"service.fix_cost_mean": 38.45}), "average")
    assert "with 20 to 38.4 (100): low bin" in between
    below = _line(Scenario().with_overrides({"service.fix_cost_mean": 5.0}), "average")
    assert below.endswith("below every world of the study (its lowest 20 to 38.4)")
    above = _line(Scenario().with_overrides({"service.fix_cost_mean": 400.0}), "average")
    assert above.endswith("above every world of the study (its highest 78.7 to 351)")
    assert "P(holds)" not in below + above


def test_an_alternative_is_read_in_its_own_bin_or_said_to_have_none():
    line = _line(Scenario().with_overrides({"retain.churn_response": "exponential"}), "wow")
    assert "the study's worlds at exponential (100): exp" in line
    line = _line(Scenario().with_overrides({"retain.churn_response": "linear"}), "wow")
    assert line.endswith("no bin of the study's worlds is linear (too few worlds there)")


def test_a_world_spending_otherwise_is_told_costs_are_placed_as_amounts():
    assert not [x for x in along_lines(REPORT, Scenario(), "w") if "spend 100 a month" in x]
    lines = along_lines(REPORT, Scenario().with_overrides({"market.spend_mean": 900.0}), "w")
    assert "its worlds' clients spend 100 a month on average, this world's 900" in lines[1]


def test_a_report_without_splits_adds_nothing():
    assert along_lines({"kept": 3, "along": []}, Scenario(), "w") == []
    assert along_lines({}, Scenario(), "w") == []


def test_world_prints_the_committed_studys_verdict_along_its_values(capsys):
    where, report = committed_report("acquisition_cost")
    assert where.name == "acquisition_cost.md" and report["along"]
    argv = ["experiment", "acquisition_cost", "--world", "baseline", "--replications", "2"]
    argv += ["--set", "market.clients=200", "--set", "run.months=24", "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "What the study of this claim found along the uncertainties" in out
    assert f"experiments/reports/acquisition_cost.md: {report['kept']} kept plausible worlds" in out
    first = report["along"][0]
    expected = along_lines(report, Scenario(), "x")[1]  # (the baseline's value, its bin)
    assert expected.startswith(f"  {first['reading']} along {first['uncertainty']} = ")
    assert expected in out


def test_a_report_that_cannot_be_read_is_none(tmp_path, monkeypatch):
    import experiments.reporting.study_along as along

    (tmp_path / "experiments" / "reports").mkdir(parents=True)
    (tmp_path / "experiments" / "reports" / "x.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(along, "checkout_root", lambda: tmp_path)
    assert committed_report("x") is None and committed_report("missing") is None
    (tmp_path / "experiments" / "reports" / "y.json").write_text(json.dumps(REPORT))
    assert committed_report("y")[1] == REPORT
    monkeypatch.setattr(along, "checkout_root", lambda: None)  # (an installed wheel)
    assert committed_report("y") is None
