"""Each claim's bottom line: the answer its readings allow together, which verdicts stand every
check, and what changes the others."""

from __future__ import annotations

import json
from pathlib import Path

from experiments import EXPERIMENTS
from experiments.reporting.bottom_line import bottom_lines, claim_bottom_line, contradicts

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "experiments" / "reports"
DEPENDS, SUPPORTED, NOT = "depends on the world", "supported", "not supported"
NEAR_08, NEAR_02 = "undetermined: its interval spans 0.8", "undetermined: its interval spans 0.2"


def _row(reading: str, words: str, p: str = "0.50 [0.40, 0.60]") -> dict:
    return {"reading": reading, "verdict": words, "P(holds) [95%]": p}


def _margin(reading: str, halved: tuple[str, float], doubled: tuple[str, float]) -> dict:
    def band(label: str, edges: tuple[float, float], words: str, p: float) -> dict:
        return {"label": label, "low": edges[0], "high": edges[1], "words": words, "p": p}

    return {
        "reading": reading,
        "bands": [
            {**band("as stated", (1.0, 2.0), "", 0.5), "p_low": 0.4, "p_high": 0.6},
            band("margin halved", (1.25, 1.75), *halved),
            band("margin doubled", (0.5, 2.5), *doubled),
        ],
    }


def _summary(rows: list[dict], **more) -> dict:
    """A summary whose every check was made (a scale check, a fact range), unless ``more`` says
    otherwise."""
    facts = [{"reading": rows[0]["reading"], "bounds": [{}, {"label": "x", "words": "", "p": 0}]}]
    scale = [{"reading": rows[0]["reading"], "words": ["", "", ""]}]
    return {"rows": rows, "diagnostics": {}, "margins": [], "facts": facts, "scale": scale, **more}


def _pin(drawn: str, pinned: str, p_value: float, p: float = 0.0) -> dict:
    return {
        "words": [drawn, pinned, drawn, pinned],
        "p": [0.5, p, 0.5, p],
        "effect": {"p_value": p_value},
    }


def _line(summary: dict, whole=None, sized=None, pinned=None, older=()) -> str:
    """The line, a control study made (one that moves nothing unless ``pinned`` says)."""
    quiet = {"zz": [("k fixed at 1", _pin(DEPENDS, DEPENDS, 1.0), 0.01)]}
    return claim_bottom_line(summary, whole or {}, sized or {}, pinned or quiet, older)


def test_a_check_contradicts_a_verdict_only_when_no_answer_is_left_that_both_allow():
    assert contradicts(DEPENDS, SUPPORTED)
    assert contradicts("not supported: weaker than claimed", DEPENDS)
    assert not contradicts(DEPENDS, NEAR_02)
    assert not contradicts(NEAR_02, NEAR_08)
    # the side is left aside: what a verdict says of P(holds) is what a decision rests on
    assert not contradicts("not supported: weaker than claimed", "not supported: dispersed")
    assert not contradicts("no plausible worlds", SUPPORTED)


def test_the_line_leads_with_the_answer_every_reading_allows():
    near = _summary(
        [_row("a", SUPPORTED, "0.86 [0.82, 0.89]"), _row("b", NEAR_08, "0.82 [0.78, 0.86]")]
    )
    assert _line(near).startswith(
        "**Supported**, or too near a cut-off to call, under both readings (P(holds) 0.82–0.86)"
    )
    exact = _summary([_row("a", NOT, "0.05 [0.00, 0.12]")])
    assert _line(exact).startswith("**Not supported** under its one reading (P(holds) 0.05)")
    split = _summary([_row("a", NOT, "0.10 [0.07, 0.14]"), _row("b", DEPENDS)])
    assert _line(split).startswith("**Its readings answer differently** (P(holds) 0.10–0.50)")
    undecided = _summary([_row("a", NEAR_02), _row("b", NEAR_02)])
    assert _line(undecided).startswith(
        "**Depends on the world or not supported** (too near 0.2 to call) under both readings"
    )


def test_a_verdict_changes_with_a_margin_only_where_the_margin_contradicts_it():
    summary = _summary(
        [_row("a", DEPENDS), _row("b", "depends on the world (weaker than claimed)")],
        margins=[
            _margin("a", (DEPENDS, 0.3), (SUPPORTED, 0.91)),
            _margin("b", (NEAR_02, 0.22), (DEPENDS, 0.6)),
        ],
    )
    line = _line(summary)
    assert "b 0.50 [0.40, 0.60] depends on the world (weaker than claimed)" in line
    assert "Standing every check: b." in line
    assert "a changes with its band's margin doubled (a looser band): supported (0.91)." in line
    assert "halved" not in line


def test_an_undetermined_verdict_changes_where_checks_decide_it_both_ways_beyond_its_interval():
    both = _summary([_row("a", NEAR_08)], margins=[_margin("a", (SUPPORTED, 0.88), (DEPENDS, 0.3))])
    line = _line(both)
    assert "None stands every check." in line
    assert "supported (0.88)" in line and "depends on the world (0.30)" in line
    # one way only: it stands
    one = _summary([_row("a", NEAR_08)], margins=[_margin("a", (SUPPORTED, 0.88), (NEAR_08, 0.8))])
    assert "All stand every check." in _line(one)
    # both ways, but one of them within the verdict's own interval [0.4, 0.6]: noise, it stands
    inside = _summary(
        [_row("a", NEAR_08)], margins=[_margin("a", (SUPPORTED, 0.88), (DEPENDS, 0.55))]
    )
    assert "All stand every check." in _line(inside)


def test_a_control_study_changes_a_verdict_on_the_worlds_both_keep_and_only_beyond_chance():
    summary = _summary([_row("a", DEPENDS), _row("b", DEPENDS), _row("c", DEPENDS)])
    pinned = {
        "a": [("k fixed at 0", _pin(DEPENDS, NOT, 1e-6), 0.01)],
        # (its kept worlds differ, its verdict there too, but not on the worlds both keep)
        "b": [
            (
                "k fixed at 0",
                {**_pin(DEPENDS, DEPENDS, 1.0), "words": [DEPENDS, NOT, DEPENDS, DEPENDS]},
                0.01,
            )
        ],
        # (a contradiction by too few flips to stand out)
        "c": [("k fixed at 0", _pin(DEPENDS, NOT, 0.2), 0.01)],
    }
    line = _line(summary, pinned=pinned)
    assert "a changes with k fixed at 0 (a control study): not supported (0.00)." in line
    assert "Standing every check: b, c." in line


def test_turns_whole_and_size_are_checks_and_diagnostics_are_left_aside():
    summary = _summary(
        [_row("a", NOT), _row("b", SUPPORTED), _row("c", SUPPORTED), _row("d", SUPPORTED)],
        diagnostics={"d": "a choice of measurement"},
    )
    whole = {
        "b": [
            {
                "uncertainty": "x.y",
                "standing": "assumed",
                "bins": [
                    {"values": "0 to 1", "p": 0.05, "words": NOT},
                    {"values": "1 to 2", "p": 0.95, "words": SUPPORTED},
                ],
            }
        ]
    }
    big = {"clients": [800, 800, 8000], "words": ["", "", DEPENDS], "p": [0.9, 0.9, 0.6]}
    same = {**big, "words": ["", "", NOT]}
    line = _line(summary, whole, {"a": same, "c": big})
    assert line.startswith("**Its readings answer differently**")
    assert "d 0.50" not in line
    assert "b changes with x.y (assumed) turns it whole: not supported at 0 to 1 (0.05), " in line
    assert "c changes with 8,000 people: depends on the world (0.60)." in line
    assert "Standing every check: a." in line  # (a size effect that contradicts nothing)


def test_checks_not_made_are_named_and_never_passed():
    summary = {"rows": [_row("a", SUPPORTED), _row("b", "no plausible worlds")], "diagnostics": {}}
    line = claim_bottom_line(summary, {}, {}, {}, ["k fixed at 0"])
    assert line.startswith("**Supported** under 1 of its 2 readings (P(holds) 0.50; 1 not judged)")
    # (a reading not judged stands nothing)
    assert "Standing the checks made: a." in line
    assert line.endswith(
        "Not checked here: the band's margin, the facts' ranges, the larger market, a control "
        "study, the control study at k fixed at 0 (another code version)."
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
                assert f"{row['reading']} {row['P(holds) [95%]'].split(';')[0]} " in line


def test_a_halved_margin_is_called_stricter_where_its_band_lies_inside_the_stated_one():
    """Halving a one-sided threshold's distance from zero loosens "≥ 10" but tightens "≥ −10"
    (its band loses (−10, −5)): the words follow the bands, not the band's kind."""

    def line(low: float | None, high: float | None, halved: tuple) -> str:
        m = _margin("a", (SUPPORTED, 0.95), (DEPENDS, 0.5))
        m["bands"][0].update(low=low, high=high)
        m["bands"][1].update(low=halved[0], high=halved[1])
        m["bands"][2].update(low=halved[2], high=halved[3])
        return _line(_summary([_row("a", DEPENDS)], margins=[m]))

    assert "margin halved (a looser band)" in line(10.0, None, (5.0, None, 20.0, None))
    assert "margin halved (a stricter band)" in line(-10.0, None, (-5.0, None, -20.0, None))
    assert "margin halved (a stricter band)" in line(4.0, 6.0, (4.5, 5.5, 3.0, 7.0))


def test_checks_recorded_in_an_older_shape_are_not_made_and_a_p_near_its_bound_shows_three_digits():
    rows = [_row("a", NEAR_02, "0.16 [0.12, 0.21]")]
    older = {
        "rows": rows,
        "diagnostics": {},
        "margins": [],
        "facts": [{"reading": "a", "bounds": [{}, {"words": NOT, "p": 0.1}]}],  # (no label)
        "scale": [{"reading": "a"}],  # (no words)
    }
    line = _line(older)
    assert "Not checked here: the facts' ranges, the larger market." in line
    assert "All stand the checks made." in line
    # Without a margins or facts entry, the own interval is the row's: checks within it are noise,
    # and a P that two decimals would print as its bound gets a third.
    facts = [
        {
            "reading": "a",
            "bounds": [
                {"label": None},
                {"label": "margin 0% to 45%", "words": NOT, "p": 0.1175},
                {"label": "margin -10% to 30%", "words": DEPENDS, "p": 0.19},
            ],
        }
    ]
    line = _line(_summary(rows, facts=facts))
    assert "All stand every check." in line  # (0.19 lies within [0.12, 0.21]: one way only)
    facts[0]["bounds"][2]["p"] = 0.4
    line = _line(_summary(rows, facts=facts))
    assert "the facts kept at operating margin 0% to 45%: not supported (0.117)" in line
