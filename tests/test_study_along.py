"""The committed study's verdict along its deciding uncertainties, read at one world's values
(``retention experiment NAME --world``; :mod:`experiments.reporting.study_along`).

A strategist's firm left the fix cost at its default in a market whose clients spend 25 times
the default's: the acquisition-cost ratio came out at 237 and nothing in the `--world` answer
named the value that decided it; the claim's report did.
"""

from __future__ import annotations

import json

from conftest import tiny_world

from experiments.reporting.study_along import along_lines, committed_report, other_code_note
from experiments.running.sizes import SIZES
from experiments.running.store import claim_fingerprint
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


def test_a_value_inside_the_plausible_range_goes_to_the_nearest_bin():
    """The bins hold the drawn values, so the plausible range's ends (where --vary moves a
    value) and the gaps between bins lie outside every bin: a reviewer found a value at the
    range's end told it lay beyond every world of the study."""
    between = _line(Scenario().with_overrides({"service.fix_cost_mean": 38.45}), "average")
    assert "with 20 to 38.4 (100): low bin" in between
    end = _line(Scenario().with_overrides({"service.fix_cost_mean": 1000.0}), "average")
    assert "with 78.7 to 351 (100): high bin" in end  # (the plausible range ends at 1000)


def test_a_value_outside_the_plausible_range_has_no_world_of_the_study():
    below = _line(Scenario().with_overrides({"service.fix_cost_mean": 5.0}), "average")
    assert below.endswith("outside the plausible range the study draws (20 – 1000): no world of it")
    assert "P(holds)" not in below


def test_an_alternative_is_read_in_its_own_bin_or_said_to_have_none():
    line = _line(Scenario().with_overrides({"retain.churn_response": "exponential"}), "wow")
    assert "the study's worlds at exponential (100): exp" in line
    line = _line(Scenario().with_overrides({"retain.churn_response": "linear"}), "wow")
    assert line.endswith("no bin of the study's worlds is linear (too few worlds there)")


def test_a_yes_no_uncertainty_is_matched_as_the_report_writes_it():
    """The report writes a yes-no value as ``true``/``false`` (show_value); Python's str() of
    the world's value is ``True``: every world was told no bin held it."""
    report = {"kept": 9, "along": [{
        "reading": "r", "uncertainty": "service.recovery_paradox_behavioural",
        "bins": [_bin(0, 0, "no", value="false"), _bin(0, 0, "yes", value="true")],
    }]}  # fmt: skip
    world = Scenario().with_overrides({"service.recovery_paradox_behavioural": True})
    assert along_lines(report, world, "w")[1].endswith(
        "at true (100): yes, P(holds) 0.10 [0.05, 0.20]"
    )


def test_a_reading_this_world_did_not_judge_is_marked_as_the_studys_alone():
    lines = along_lines(REPORT, Scenario(), "w", unjudged={"average"})
    assert lines[1].endswith("(not judged in this world: the study's alone)")
    assert not lines[2].endswith("the study's alone)")


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
    argv = [*tiny_world("acquisition_cost"), "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "What the study of this claim found along the uncertainties" in out
    size = SIZES[report["size"]]
    assert (
        f"experiments/reports/acquisition_cost.md: {report['kept']} kept plausible worlds, runs "
        f"of {size.clients:,} people x {size.months} months)"
    ) in out
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


def test_a_report_other_code_wrote_is_said_so():
    """A report records the fingerprint of the code that made its runs; one whose code has
    changed since (an engine edited after the study) is read with that said, and one too old to
    record it, or this code's, with nothing added."""
    here = claim_fingerprint("pareto")
    assert other_code_note("pareto", {"code": here}, "w") == []
    assert other_code_note("pareto", {}, "w") == []
    (line,) = other_code_note("pareto", {"code": "0123456789abcdef"}, "reports/pareto.md")
    assert line.startswith("(Other code than this checkout's wrote reports/pareto.md")
    assert "`retention experiment pareto` writes it again" in line
    assert claim_fingerprint("word_of_mouth") != here  # (each claim's own module counts)


def test_every_committed_report_records_this_checkouts_code():
    """A report whose code is not this checkout's is read with a note (above); the committed
    ones must be this code's: an edit of the code that makes runs or readings means writing
    them again, or, where it can change neither, carrying their code forward (CONTRIBUTING)."""
    from pathlib import Path

    reports = Path(__file__).resolve().parents[1] / "experiments" / "reports"
    recorded = {}
    from experiments import EXPERIMENTS

    for path in sorted(reports.rglob("*.json")):
        if path.stem not in EXPERIMENTS or ".store" in path.parts:  # (a study's own store)
            continue
        summary = json.loads(path.read_text(encoding="utf-8"))
        if "code" in summary:
            recorded[path.relative_to(reports).as_posix()] = summary["code"]
    assert len([p for p in recorded if "/" not in p]) == 10  # (every drawn report has one)
    stale = {
        p: code for p, code in recorded.items() if code != claim_fingerprint(p.split("/")[-1][:-5])
    }
    assert not stale, (
        f"reports of other code than this checkout's: {sorted(stale)}; write them again "
        "(retention experiment NAME), or, if no run or reading changed, carry their code "
        "forward (CONTRIBUTING.md, step 7)"
    )


def test_world_says_when_other_code_wrote_the_committed_report(capsys, monkeypatch):
    import experiments.reporting.study_along as along

    monkeypatch.setattr(along, "claim_fingerprint", lambda name: "not the report's")
    assert main([*tiny_world("acquisition_cost"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "(Other code than this checkout's wrote experiments/reports/acquisition_cost.md" in out
