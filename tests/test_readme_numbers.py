"""The README's numbers are this code's: the tour's headline block and the optimize example are
rerun as documented and compared with the text (a fresh-clone read-through found the optimize
paragraph a version old: numbers change with the model, and nothing checked them)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from model.interfaces.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def _text() -> str:
    return " ".join(README.read_text(encoding="utf-8").split())  # (line breaks as spaces)


def test_the_tours_headline_block_is_the_baselines(tmp_path, capsys):
    assert main(["run", "baseline", "--out", str(tmp_path / "b"), "--no-figures"]) == 0
    printed = capsys.readouterr().out.splitlines()
    block = [line for line in printed[1:] if line.startswith("  ")]
    assert len(block) == 12
    text = README.read_text(encoding="utf-8")
    missing = [line for line in block if line not in text]
    assert missing == [], "README's headline block differs from this run"
    assert printed[0].split(" (simulated")[0] in text


@pytest.mark.slow  # (a full-size optimize: about 20 s)
def test_the_optimize_example_is_this_codes(tmp_path):
    """The README quotes the optimize example as this code computes it — on machines of either
    numerics class it was written on (with AVX-512 and without: docs/ODD.md §8), each in its
    own sentence, so this machine's numbers must be one of them, every figure of it."""
    out = tmp_path / "optimize"
    levers = "ad_budget,winback_spend,service_level,training_spend"
    argv = ["optimize", "no_cut", "--levers", levers, "--replications", "4", "--out", str(out)]
    assert main([*argv, "--quiet"]) == 0
    split = pd.read_csv(out / "split.csv", index_col="lever")
    flat = pd.read_csv(out / "flatness.csv", index_col="lever")["npv_plus10_pct"] / 100
    gain = json.loads((out / "split.json").read_text())["gain"]
    share = split["best_share"]
    text = _text()
    wanted = [
        f"the best split puts {share['service_level']:.1%} into service (level "
        f"{split.loc['service_level', 'best_value']:.2f} instead of 0.60), "
        f"{share['ad_budget']:.1%} into ads ({split.loc['ad_budget', 'best_value']:.0f} instead "
        f"of 300 per 1,000), {share['training_spend']:.1%} into training",
        f"**+{gain['mean']:,.0f} [95% +{gain['low']:,.0f}, +{gain['high']:,.0f}]**",
        f"costs {-flat['ad_budget']:.1%}, {-flat['training_spend']:.1%} and "
        f"{-flat['winback_spend']:.1%} of NPV",
    ]
    # Each class's sentence in one piece: the figures must all be one class's, not a mix.
    pieces = text.split("The same command on a CPU without AVX-512")
    assert any(all(w in piece for w in wanted) for piece in pieces), [
        w for w in wanted if w not in text
    ]


def test_where_a_verdict_turns_quotes_the_committed_reports():
    """The README's paragraph on where verdicts turn quotes the committed reports' bins and the
    index's count (numbers move whenever the reports are written again)."""
    from experiments import EXPERIMENTS
    from experiments.verdicts.framework import interval_text
    from model.scenario import uncertainties

    reports = README.parent / "experiments" / "reports"
    missing = [name for name in EXPERIMENTS if not (reports / f"{name}.json").is_file()]
    assert missing == [], (
        "claims without a committed report: write each with `retention experiment NAME "
        "--workers 2` (CONTRIBUTING, 'Adding an experiment', step 7)"
    )
    declared = len(uncertainties())
    along, pairs = [], 0
    for name in EXPERIMENTS:
        summary = json.loads((reports / f"{name}.json").read_text())
        # A new uncertainty redraws every world: the reports are then another model's.
        assert summary["uncertainties"] == declared, (
            f"{name}: its committed report drew worlds over {summary['uncertainties']} "
            f"uncertainties, the declarations now have {declared}; write the reports again "
            "(retention experiment --all --workers 2)"
        )
        along += [(name, a) for a in summary["along"]]
        pairs += len(summary["rows"]) * summary["uncertainties"]
    level = 0.05 / pairs

    def ends(a: dict) -> tuple[dict, dict]:
        return min(a["bins"], key=lambda b: b["p"]), max(a["bins"], key=lambda b: b["p"])

    turning = [
        a for _, a in along if a["p_value"] < level and ends(a)[0]["words"] != ends(a)[1]["words"]
    ]
    text = _text()
    assert f"At the default size {len(turning)} of the {len(along)} readings" in text
    assert f"0.05 ÷ {pairs:,}" in text
    quoted = {
        ("lost_client", "no_churn", "loyalty_economics.spend_growth"),
        ("empowered_staff", "roi", "service.manager_cost_multiplier"),
    }
    found = 0
    for name, a in along:
        if (name, a["reading"], a["uncertainty"]) in quoted:
            found += 1
            for b in ends(a):
                assert interval_text(b["p"], b["ci_low"], b["ci_high"]) in text, (name, b)
    assert found == len(quoted)


def test_the_readme_quotes_the_indexs_box_count_and_the_turning_verdicts():
    """A teacher found the README's "28 such boxes" beside the index's 31, and client_link's
    0.74 beside its report's 0.75: numbers the reports' rewrite moved and nothing checked."""
    import re

    index = (README.parent / "experiments" / "README.md").read_text(encoding="utf-8")
    boxes = re.search(r"Under Holm's correction over all (\d+) ", index)
    assert boxes, "the index no longer says how many boxes Holm's correction is over"
    text = _text()
    assert f"over the index's {boxes.group(1)} such boxes" in text
    reports = README.parent / "experiments" / "reports"
    quoted = []
    for name, reading in (("lost_client", "no_churn"), ("satisfied_employee", "client_link")):
        rows = json.loads((reports / f"{name}.json").read_text())["rows"]
        [row] = [r for r in rows if r["reading"] == reading]
        quoted.append(row["P(holds) [95%]"].split()[0])  # (its P(holds), as the table shows it)
    assert f"(*depends on the world*, {quoted[0]} and {quoted[1]};" in text


def test_the_claims_in_short_table_is_the_committed_reports():
    """The README's short table of every claim's verdicts (a teacher found none to read aloud) is
    the committed reports' rows, line for line."""
    from experiments.reporting.in_short import in_short_table

    table = "\n".join(in_short_table(README.parent / "experiments" / "reports"))
    assert table in README.read_text(encoding="utf-8"), (
        "write the README's table again: python -c 'from pathlib import Path; from "
        "experiments.reporting.in_short import in_short_table; "
        'print(chr(10).join(in_short_table(Path("experiments/reports"))))\''
    )


def _cells(line: str) -> list[str]:
    return [c.strip().strip("`") for c in line.strip().strip("|").split("|")]


def _shown(text: str, value: float | None) -> bool:
    """Whether a table cell shows ``value``: blank where there is none, else ``value`` rounded
    to the cell's own decimals (within half a unit of its last digit)."""
    if value is None:
        return text == ""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return text != "" and abs(float(text.replace(",", "")) - value) <= 0.5 * 10.0**-decimals


def test_the_benchmark_table_is_the_committed_results():
    """Each cell of the README's benchmark table is ``benchmarks/results.json``'s, blank where
    the file has no such number (the table was once left a version behind the file); the
    commit the text names is the file's."""
    results = json.loads((README.parent / "benchmarks" / "results.json").read_text())
    rows = {(r["engine"], r["clients"]): r for r in results["rows"]}
    text = README.read_text(encoding="utf-8")
    head = "| clients × 120 months | solo ms/run |"
    lines = text[text.index(head) :].splitlines()[2:]
    table = [_cells(line) for line in lines[: next(i for i, x in enumerate(lines) if not x)]]
    assert len(table) == 6
    for cells in table:
        process = cells[0].startswith("retention run")
        clients = 1_000_000 if process else int(cells[0].replace(",", ""))
        solo = rows[("process" if process else "array", clients)]
        ensemble = rows.get(("array_ensemble[64]", clients))
        yard = rows[("lifecycle_kernel", clients)]["client_steps_per_s"] / 1e6
        many = solo.get("runs", 1) > 1  # a runs/s row (its ms per run and runs/s shown)
        want = [
            solo["ms_per_run"] if many or process else None,
            solo["runs_per_s"] if many else None,
            ensemble["runs_per_s"] if ensemble else None,
        ]
        steps, ratio = [solo["client_steps_per_s"] / 1e6], [solo["yardstick_ratio"]]
        if ensemble:
            steps.append(ensemble["client_steps_per_s"] / 1e6)
            ratio.append(ensemble["yardstick_ratio"])
        for shown, value in zip(cells[1:4], want, strict=True):
            assert _shown(shown, value), (cells[0], shown, value)
        for column, values in ((cells[4], steps), (cells[6], ratio)):
            parts = column.split(" / ")
            assert len(parts) == len(values), (cells[0], column)
            assert all(map(_shown, parts, values)), (cells[0], column, values)
        assert _shown(cells[5], yard), (cells[0], cells[5], yard)
    commit = results["meta"]["git"][:7]
    rounds = len(rows[("array", 3_000)]["client_steps_per_s_rounds"])
    assert f"`--repeat {rounds}` at {commit}" in " ".join(text.split())


def test_the_targets_paragraph_reads_the_committed_results():
    """The README's reading of the throughput targets is ``benchmarks.targets``' on the
    committed results: how many are met, and each target's value as the table rounds it."""
    from benchmarks.targets import verdicts

    results = json.loads((README.parent / "benchmarks" / "results.json").read_text())
    found = verdicts(results["rows"])
    text = _text()
    start = text.index("Read against the engine's throughput targets")
    paragraph = text[start : text.index("**What limits speed now**", start)]
    words = {0: "none", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    met = sum(bool(v["met"]) for v in found)
    assert f"meets {words[met]} of {words[len(found)]}" in paragraph
    for v in found:
        digits = 0 if v["field"] == "bytes_per_client" else (1 if v["value"] > 2 else 3)
        assert f"{v['value']:.{digits}f}" in paragraph, v["target"]
        assert f"{v['bar']:.2f}".rstrip("0").rstrip(".") in paragraph, v["target"]


@pytest.mark.slow  # (three replications of the software preset's 10,000 people: about 20 s)
def test_the_world_example_is_this_codes(capsys):
    """The README's `--world` example prints what this code prints, every line of it."""
    argv = ["experiment", "acquisition_cost", "--world", "industries/software"]
    argv += ["--replications", "3", "--vary", "attract.onboarding_cost=250"]
    assert main([*argv, "--quiet"]) == 0
    printed = capsys.readouterr().out.strip()
    text = README.read_text(encoding="utf-8")
    command = f".venv/bin/retention {' '.join(argv)}"
    block = text.split(f"{command}\n```\n\n```text\n")[1].split("```")[0]
    assert printed == block.strip()
