"""The index's section on the facts' ranges: the readings whose verdict words a narrower range
of a fact changes, gathered from the reports' summaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experiments.reporting.index import write_index


def _bound(fact: str | None, low: float | None, high: float | None, p: float, words: str) -> dict:
    label = None if fact is None else f"{fact[:6]} {low:.0%} to {high:.0%}"
    return {
        "fact": fact, "label": label, "low": low, "high": high, "worlds": 100, "p": p,
        "p_low": p - 0.05,
        "p_high": p + 0.05, "undefined": 0.0, "words": words,
    }  # fmt: skip


def _summary(readings: dict[str, list[str]]) -> dict:
    """A report's summary whose readings have these words: as kept, then per narrower range."""
    ranges = [(None, None, None), ("operating_margin", 0.0, 0.45), ("referral_share", 0.2, 0.65)]
    return {
        "name": "word_of_mouth", "title": "t", "drawn": 10, "kept": 5, "rows": [],
        "facts": [
            {
                "reading": name, "nearest_fact": None, "rho": None,
                "bounds": [_bound(*r, 0.8, w) for r, w in zip(ranges, words, strict=True)],
            }
            for name, words in readings.items()
        ],
    }  # fmt: skip


def test_the_index_lists_the_readings_a_narrower_range_moves(tmp_path):
    summary = _summary(
        {"steady": ["supported"] * 3, "moved": ["undetermined", "undetermined", "supported"]}
    )
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(summary))
    text = write_index(tmp_path).read_text()
    section = text.split("## Where a fact's range moves the verdict")[1].split("\n## ")[0]
    assert "1 of the 2 readings change their words" in section
    assert "| claim | reading | as kept | operat 0% to 45% | referr 20% to 65% |" in section
    rows = [line for line in section.splitlines() if line.startswith("| [word_of_mouth]")]
    assert len(rows) == 1 and "| moved |" in rows[0] and rows[0].endswith("0.80 (100): supported |")


def test_the_index_says_when_no_range_moves_a_verdict(tmp_path):
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(_summary({"steady": ["x"] * 3})))
    text = write_index(tmp_path).read_text()
    assert "None of the 1 readings changes its words under a narrower range." in text
    assert "| [word_of_mouth](" not in text.split("## Where a fact's range")[1]


def test_the_index_leaves_out_reports_of_older_code_and_fills_missing_ranges(tmp_path):
    summary = _summary({"moved": ["a", "b", "c"], "partly": ["a", "b", "c"]})
    older = summary["facts"][0]
    older["bounds"] = [
        {k: v for k, v in b.items() if k not in ("fact", "label")} for b in older["bounds"]
    ]  # (margin_low/margin_high only, before the facts were named)
    summary["facts"][1]["bounds"].pop(1)  # worlds without the margin: no cell for its range
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(summary))
    section = write_index(tmp_path).read_text().split("## Where a fact's range")[1]
    section = section.split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| [word_of_mouth]")]
    assert len(rows) == 1 and "| partly |" in rows[0]
    assert "| claim | reading | as kept | referr 20% to 65% |" in section
    assert "1 of the 1 readings change their words" in section


def test_rebuilding_the_index_alone_keeps_the_last_runs_timing_and_blames_no_machine(tmp_path):
    """``python -m experiments.reporting.index`` dropped the sentence on how long the last full run took,
    and a study of few worlds was blamed on 'two shared cores' whatever the machine."""
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(_summary({"share": ["x", "x", "x"]})))
    took = "The last `retention experiment --all --size quick` took 1.0 minutes (size 'quick')."
    (tmp_path / "README.md").write_text(f"old\n{took}\n")
    text = write_index(tmp_path).read_text()
    assert took in text
    assert "two shared cores" not in text and "a larger --size draws more" in text


def test_the_index_command_takes_a_folder_and_refuses_a_missing_or_empty_one(tmp_path, capsys):
    from experiments.reporting.index import main

    (tmp_path / "word_of_mouth.json").write_text(json.dumps(_summary({"share": ["x", "x", "x"]})))
    assert main([str(tmp_path)]) == 0 and (tmp_path / "README.md").is_file()
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "none")])
    assert stop.value.code == 2
    assert "no such folder of reports" in capsys.readouterr().err
    # A folder with no claim's summary: refused, not an index of empty rows.
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "empty")])
    assert stop.value.code == 2 and not (tmp_path / "empty" / "README.md").exists()
    assert "no claim's report (NAME.json or NAME.md) in it" in capsys.readouterr().err
    # Reports of older code (no summary) are indexed, as write_index indexes them.
    (tmp_path / "empty" / "pareto.md").write_text("# a report\n")
    assert main([str(tmp_path / "empty")]) == 0


def test_the_index_names_the_size_effects_below_its_level():
    """The headline reading's size effect (0.56 at 800 people, 0.70 at 8,000; p = 0.00069,
    below 0.05 ÷ 26) was in the table only, never said in words."""
    from experiments.reporting.scale_index import size_effects_text

    def entry(reading, p_value, only):
        size = {"paired": 190, "only_first": only[0], "only_second": only[1], "p_value": p_value}
        return ("claim", "claim.md", {"reading": reading, "p": [0.5, 0.56, 0.70], "size": size})

    scale = [entry("a", 0.00069, (15, 41)), entry("b", 0.03, (10, 20))]
    text = size_effects_text(scale, 800, 8000)
    assert text.startswith(
        "Below 0.025 and beyond the smaller market's noise: `claim` `a` (size test p = 0.00069; "
        "P(holds) 0.56 with 800 people, 0.70 with"
    )
    assert "`b`" not in text  # (0.03 is above 0.05 ÷ 2)
    assert size_effects_text([entry("c", 0.5, (1, 1))], 800, 8000).startswith("No reading's")


def test_a_size_lean_within_the_smaller_markets_noise_is_not_called_a_size_effect():
    """The larger market measures each world with less noise, so its flips lean into the band
    where more worlds lie just inside an edge than outside, with no size effect: a P(holds) at
    8,000 inside the 800-people market's noise-corrected interval is said to be noise, and is
    not marked; one beyond it is."""
    from experiments.reporting.scale_index import size_dependent, size_effects_text, within_noise

    def entry(reading, corrected):
        size = {"paired": 190, "only_first": 15, "only_second": 41, "p_value": 0.00069}
        check = {"reading": reading, "p": [0.5, 0.56, 0.70], "size": size}
        check |= {"p_low": [0.4, 0.48, 0.63], "p_high": [0.6, 0.63, 0.76]}
        return ("claim", "claim.md", {**check, "corrected": corrected})

    inside, beyond = entry("in", [0.66, 0.57, 0.82]), entry("out", [0.58, 0.52, 0.64])
    assert [c["reading"] for _, c, _ in size_dependent([inside, beyond])] == ["out"]
    assert [c["reading"] for _, c, _ in within_noise([inside, beyond])] == ["in"]
    text = size_effects_text([inside, beyond], 800, 8000)
    assert "market's noise: `claim` `out` (size test p = 0.00069; P(holds) 0.56 with 800 " in text
    assert "0.66 [0.57, 0.82] with its noise taken out, 0.70 with 8,000" in text
    assert "within the smaller market's noise: `claim` `in`" in text


def test_the_index_counts_each_readings_worlds_near_an_edge_and_unresolved(tmp_path):
    """The verdict table's *near an edge (unresolved)* cell is the report row's (an older
    summary without it: an empty cell, the row still whole)."""
    row = {
        "reading": "ad_saved", "band": "≥ 10 %", "P(holds) [95%]": "0.79 [0.73, 0.83]",
        "verdict": "undetermined", "at the defaults": "9.96", "where it holds (PRIM)": "-",
        "spreads the effect most (PAWN)": "attract.ad_p_max",
    }  # fmt: skip
    summary = {**_summary({}), "rows": [{**row, "near an edge (unresolved)": "12% (14)"}, row]}
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(summary))
    text = write_index(tmp_path).read_text()
    assert "| verdict | near an edge (unresolved) | at the defaults |" in text
    rows = [line for line in text.splitlines() if "| ad_saved (≥ 10 %) |" in line]
    assert len(rows) == 2
    assert "| undetermined | 12% (14) | 9.96 |" in rows[0]
    assert "| undetermined |  | 9.96 |" in rows[1] and rows[1].count("|") == rows[0].count("|")


def test_the_index_marks_a_diagnostic_reading_and_says_what_one_is(tmp_path):
    row = {
        "reading": "npv", "band": "25 to 85 %", "P(holds) [95%]": "0.30 [0.22, 0.37]",
        "verdict": "depends on the world", "at the defaults": "9", "where it holds (PRIM)": "-",
        "spreads the effect most (PAWN)": "x",
    }  # fmt: skip
    rows = [row, {**row, "reading": "lifetime"}]
    summary = {**_summary({}), "rows": rows, "diagnostics": {"npv": "a window"}}
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(summary))
    text = write_index(tmp_path).read_text()
    assert "| npv (25 to 85 %; a diagnostic) | 0.30 [0.22, 0.37] |" in text
    assert "| lifetime (25 to 85 %) |" in text
    assert (
        "A *diagnostic* is judged as every reading is but is not a reading of the claim"
        in " ".join(text.split())
    )


def test_the_regenerate_command_repeats_the_studys_size_and_flags(tmp_path, monkeypatch):
    """A study written at the quick size, with --worlds and --deep-reps of its own, is regenerated
    by a command that says so; one at the default size (or from a summary of older code) by the
    plain command; reports outside the command's own folder by one that names theirs."""
    from experiments.running.sizes import SIZES

    # Run from a folder outside any checkout: the command's own folder is ./experiments-reports.
    monkeypatch.chdir(tmp_path)
    folder = Path("experiments-reports")
    folder.mkdir()

    def command(summary: dict) -> str:
        (folder / "word_of_mouth.json").write_text(json.dumps(summary))
        text = " ".join(write_index(folder).read_text().split())
        return text.split("Regenerate every report and this page with `")[1].split("`")[0]

    plain = _summary({})
    assert command(plain) == "retention experiment --all --workers 2"
    default = SIZES["default"]
    same = {**plain, "size": "default", "wanted": default.target, "deep_reps": default.deep_reps}
    assert command(same) == "retention experiment --all --workers 2"
    quick = {**plain, "size": "quick", "wanted": 40, "deep_reps": 9, "seed": 3}
    assert command(quick) == (
        "retention experiment --all --workers 2 --size quick --worlds 40 --deep-reps 9 --seed 3"
    )
    # Reports written elsewhere (`--out DIR`): the command names that folder, quoted for a shell.
    elsewhere = tmp_path / "my reports"
    elsewhere.mkdir()
    (elsewhere / "word_of_mouth.json").write_text(json.dumps(quick))
    text = " ".join(write_index(elsewhere).read_text().split())
    assert (
        "`retention experiment --all --workers 2 --size quick --worlds 40 --deep-reps 9 --seed 3 "
        f"--out '{elsewhere}'` (this page alone: `python -m experiments.reporting.index '{elsewhere}'`)"
    ) in text


def test_reports_of_several_studies_name_no_one_command(tmp_path):
    """One claim rerun at the quick size beside the default reports: the index says the reports
    come from different studies and gives each one's flags, not one command for all."""
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(_summary({})))
    other = {**_summary({}), "name": "pareto", "size": "quick"}
    (tmp_path / "pareto.json").write_text(json.dumps(other))
    text = " ".join(write_index(tmp_path).read_text().split())
    assert "Regenerate every report" not in text
    assert (
        "written by studies of different sizes, seeds, pins or splits (the default; `--size quick`)"
        in text
    )


def test_the_regenerate_command_finds_the_folder_above_a_control_studys_or_a_splits(tmp_path):
    """Reports where the command puts them — DIR/pinned/PINS, DIR/split/SPLIT, or both — are
    regenerated by a command with those flags and ``--out DIR`` (not the folder itself, which
    would start an empty store there); reports a command would put elsewhere say where."""
    from experiments.reporting.regenerate import regenerate_lines

    pin = {"pins": [["economics.overhead_share", 0]], "readings": []}
    split = [{"split": "retain.base_churn=0.01..0.02", "reading": "x"}]

    def command(summary: dict, folder: Path) -> str:
        return " ".join(regenerate_lines([summary], folder))

    base = tmp_path / "out"
    pinned = base / "pinned" / "economics.overhead_share=0"
    both = pinned / "split" / "retain.base_churn=0.01..0.02"
    text = command({**_summary({}), "pin": pin, "split": split}, both)
    assert (
        "`retention experiment --all --workers 2 --pin economics.overhead_share=0 "
        f"--split retain.base_churn=0.01..0.02 --out {base}` (it also runs, or resumes"
    ) in text
    text = command(
        {**_summary({}), "split": split}, base / "split" / "retain.base_churn=0.01..0.02"
    )
    assert (
        f"--split retain.base_churn=0.01..0.02 --out {base}` (it also runs, or resumes, the study the splits"
        in text
    )
    text = command({**_summary({}), "pin": pin}, tmp_path / "flat")
    assert (
        f"--out {tmp_path / 'flat'}` (it writes them to `{tmp_path / 'flat' / 'pinned' / 'economics.overhead_share=0'}`, not here)"
        in text
    )


def test_a_verdict_that_differs_in_the_larger_market_says_so_in_its_cell(tmp_path):
    """`customer_lifetime`'s size test (p = 0.00069, below 0.05 ÷ 29) stood only in the section
    on size; its verdict cell read like any other. Now the cell says it; a reading whose test
    is above the level (0.03 > 0.05 ÷ 3) does not."""
    row = {
        "band": "≥ 10 %", "P(holds) [95%]": "0.5 [0.4, 0.6]", "verdict": "depends on the world",
        "at the defaults": "9.96", "where it holds (PRIM)": "-", "spreads the effect most (PAWN)": "x",
    }  # fmt: skip

    def check(reading, p_value, first=15, second=41):
        size = {"paired": 190, "only_first": first, "only_second": second, "p_value": p_value}
        return {
            "reading": reading, "clients": [800, 800, 8000], "p": [0.5, 0.56, 0.70],
            "p_low": [0.4] * 3, "p_high": [0.6] * 3, "undefined": [0.0] * 3,
            "size": size, "noise": {**size, "p_value": 0.7},
        }  # fmt: skip

    summary = {
        **_summary({}),
        "rows": [{**row, "reading": r} for r in "abc"],
        "scale": [check("a", 0.00069), check("b", 0.03), check("c", 0.001, 41, 15)],
    }
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(summary))
    (tmp_path / "pareto.md").write_text("# a report of older code\n")  # (no summary)
    lines = write_index(tmp_path).read_text().splitlines()
    a, b, c = ([x for x in lines if f"| {r} (≥ 10 %) |" in x] for r in "abc")
    more, less = (
        f"| depends on the world · holds {w} often with 8,000 people (size test, below) |"
        for w in ("more", "less")
    )
    assert more in a[0]
    # (the way is the one of the flips the test is on: c's P(holds) rises, its flips fall)
    assert less in c[0]
    assert "| depends on the world |" in b[0]
    old = [x for x in lines if "(no summary: regenerate)" in x]
    assert len(old) == 1 and old[0].count("|") == a[0].count("|") == b[0].count("|")


def test_a_report_written_before_its_claims_words_is_named_and_marked_as_now(tmp_path):
    """A control study kept reports written before `average_serving` became a diagnostic and
    before the values beside the readings: its index marked the reading as a reading of the
    claim and said nothing of the reports' older words."""
    committed = Path(__file__).resolve().parents[1] / "experiments" / "reports"
    summary = json.loads((committed / "acquisition_cost.json").read_text(encoding="utf-8"))
    (tmp_path / "acquisition_cost.json").write_text(json.dumps(summary))
    assert "Written before their claim's present words" not in write_index(tmp_path).read_text()
    # (a report from before the assumed margins were declared lacks their verdicts)
    older = {k: v for k, v in summary.items() if k != "margins"}
    (tmp_path / "acquisition_cost.json").write_text(json.dumps(older))
    assert "Written before their claim's present words: [acquisition_cost](" in (
        write_index(tmp_path).read_text()
    )
    for key in ("diagnostics", "beside"):
        summary.pop(key)
    (tmp_path / "acquisition_cost.json").write_text(json.dumps(summary))
    text = write_index(tmp_path).read_text()
    assert "Written before their claim's present words: [acquisition_cost](" in text
    assert "| average_serving (4 to 6 x; a diagnostic) |" in text
