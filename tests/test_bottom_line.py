"""Each claim's bottom line: which verdicts stand every check, and what the others hang on."""

from __future__ import annotations

import json
from pathlib import Path

from experiments import EXPERIMENTS
from experiments.reporting.bottom_line import bottom_lines, claim_bottom_line, contradicts

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "experiments" / "reports"


def _row(reading: str, words: str, p: str = "0.50 [0.40, 0.60]") -> dict:
    return {"reading": reading, "verdict": words, "P(holds) [95%]": p}


def _margin(reading: str, halved: tuple[str, float], doubled: tuple[str, float]) -> dict:
    bands = [{"words": "as stated", "p": 0.5}] + [
        {"words": w, "p": p} for w, p in (halved, doubled)
    ]
    return {"reading": reading, "changes": True, "bands": bands}


def _summary(rows: list[dict], **more) -> dict:
    return {"rows": rows, "diagnostics": {}, "margins": [], "facts": [], "scale": [], **more}


def test_a_check_contradicts_a_verdict_only_when_no_answer_is_left_that_both_allow():
    # (undetermined allows the answers either side of its cut-off)
    assert contradicts("depends on the world", "supported")
    assert contradicts("not supported: weaker than claimed", "depends on the world")
    assert not contradicts("depends on the world", "undetermined: its interval spans 0.2")
    assert not contradicts(
        "undetermined: its interval spans 0.2", "undetermined: its interval spans 0.8"
    )
    # the side is left aside: what a verdict says of P(holds) is what a decision rests on
    assert not contradicts(
        "not supported: weaker than claimed", "not supported: dispersed around the claim"
    )
    assert not contradicts("no plausible worlds", "supported")


def test_a_verdict_hangs_on_a_margin_only_where_the_margin_contradicts_it():
    summary = _summary(
        [
            _row("a", "depends on the world"),
            _row("b", "depends on the world (weaker than claimed)"),
        ],
        margins=[
            _margin("a", ("depends on the world", 0.3), ("supported", 0.91)),
            _margin(
                "b", ("undetermined: its interval spans 0.2", 0.22), ("depends on the world", 0.6)
            ),
        ],
    )
    line = claim_bottom_line(summary, {}, {}, {})
    assert line.startswith("**Depends on the world** under both readings")
    assert "b 0.50 (weaker than claimed)" in line
    assert "Standing every check: b." in line
    assert "Hangs on the band's assumed margin: a supported with it doubled (0.91)." in line
    assert "halved" not in line


def test_an_undetermined_verdict_hangs_on_checks_that_decide_it_both_ways_and_not_one_way():
    both = _summary(
        [_row("a", "undetermined: its interval spans 0.8")],
        margins=[_margin("a", ("supported", 0.88), ("depends on the world", 0.64))],
    )
    line = claim_bottom_line(both, {}, {}, {})
    assert "No verdict stands every check." in line
    assert (
        "a supported with it halved (0.88); a depends on the world with it doubled (0.64)" in line
    )
    one = _summary(
        [_row("a", "undetermined: its interval spans 0.8")],
        margins=[_margin("a", ("supported", 0.88), ("undetermined: its interval spans 0.8", 0.8))],
    )
    assert "Every verdict stands every check." in claim_bottom_line(one, {}, {}, {})


def test_facts_turns_size_and_pins_are_checks_and_diagnostics_are_left_aside():
    facts = [
        {
            "reading": "a",
            "bounds": [
                {"label": None, "words": "not supported", "p": 0.1},
                {"label": "margin 0% to 45%", "words": "depends on the world", "p": 0.3},
            ],
        }
    ]
    summary = _summary(
        [
            _row("a", "not supported"),
            _row("b", "supported"),
            _row("c", "supported"),
            _row("d", "supported"),
        ],
        facts=facts,
        diagnostics={"d": "a choice of measurement"},
        scale=[{"reading": "a"}],
    )
    line = claim_bottom_line(
        summary,
        {"b": ["x.y (assumed)"]},
        {"c": " holds less often with 8,000 people"},
        {"a": [("k = 0", "not supported", 0.0)], "c": [("k = 0", "depends on the world", 0.4)]},
    )
    assert line.startswith("**Its 3 readings disagree**")
    assert " d " not in line and "d 0.50" not in line
    assert "Hangs on the facts' range *margin 0% to 45%*: a depends on the world (0.30)." in line
    assert "Hangs on where a world lies along x.y (assumed): b turns whole." in line
    assert "Hangs on the market's size: c holds less often with 8,000 people." in line
    assert "Hangs on k = 0 (a control study): c depends on the world (0.40)." in line
    assert "No verdict stands every check." in line
    assert "Not checked here" not in line


def test_checks_a_summary_lacks_are_named_not_passed():
    summary = {"rows": [_row("a", "supported")], "diagnostics": {}}
    line = claim_bottom_line(summary, {}, {}, {})
    assert "Every verdict stands every check." in line
    assert line.endswith(
        "Not checked here: the band's assumed margin, the facts' ranges, the larger market, "
        "a control study."
    )


def test_a_stronger_than_claimed_verdict_says_so():
    summary = _summary([_row("a", "not supported: stronger than claimed", "0.03 [0.01, 0.10]")])
    assert "*not supported*: a 0.03 (stronger than claimed)" in claim_bottom_line(
        summary, {}, {}, {}
    )


def test_the_readme_and_the_index_give_the_committed_reports_bottom_lines():
    """The README's lines are the committed reports' (and their control studies'), line for
    line; the index's say the same with links from its own folder."""
    names = list(EXPERIMENTS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = bottom_lines(REPORTS, names, "experiments/reports/", 3)
    assert "\n".join(lines) in readme, (
        "write the README's bottom lines again: bottom_lines(Path('experiments/reports'), "
        "list(EXPERIMENTS), 'experiments/reports/', 3)"
    )
    index = (ROOT / "experiments" / "README.md").read_text(encoding="utf-8")
    assert "\n".join(bottom_lines(REPORTS, names, "reports/", 2)) in index, (
        "write the index again: python -m experiments.reporting.index"
    )
    # Every claim has its line, and each line's P(holds) are its report's.
    for name in names:
        summary = json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))
        line = next(x for x in lines if f"(experiments/reports/{name}.md)" in x)
        for row in summary["rows"]:
            if row["reading"] not in (summary.get("diagnostics") or {}):
                assert f"{row['reading']} {row['P(holds) [95%]'].split(' ')[0]}" in line
