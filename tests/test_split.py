"""A split the reader chooses (``retention experiment NAME --split KEY[=...]``): the groups, their
verdicts, the test and the report, on the planted claim whose verdict turns at a known value."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from experiments.analysis.split import Split, check_splits, parse_split, split_readings
from tests.test_claim_study import _small_planted_study


def test_a_split_is_read_as_typed_and_checked_against_the_declared_ranges():
    assert parse_split("market.spend_sigma") == Split("market.spend_sigma")
    assert parse_split(" market.spend_sigma = 1.0..1.5 ") == Split("market.spend_sigma", 1.0, 1.5)
    assert parse_split("service.cost_form=Flat") == Split("service.cost_form", values=("flat",))
    assert parse_split("market.spend_sigma=1..1.5").text == "market.spend_sigma=1..1.5"
    # Every digit kept: two ranges never read alike or share a folder.
    a, b = (parse_split(f"retain.base_churn={x}..0.02") for x in ("0.012345", "0.012341"))
    assert a.text == "retain.base_churn=0.012345..0.02" and a.text != b.text
    # Alternatives in their declared order: one question, one folder.
    network = parse_split("word_of_mouth.network=random,small_world")
    assert network == parse_split("word_of_mouth.network=small_world,random")
    assert network.values == ("small_world", "random")
    for text, says in [
        ("spend_sigma", "did you mean market.spend_sigma?"),
        ("market.spend_sigma=0.5..1.5", "outside its plausible range; allowed: 0.84 ≤ x ≤ 1.68"),
        ("market.spend_sigma=1.5..1.0", "its low end is above its high end; allowed: LOW"),
        ("market.spend_sigma=1.2", "allowed: KEY, or KEY=LOW..HIGH with 0.84 ≤ LOW ≤ HIGH ≤ 1.68"),
        ("market.spend_sigma=", "allowed: KEY, or KEY=LOW..HIGH"),
        ("market.spend_sigma=1..1.2..1.4", "allowed: KEY, or KEY=LOW..HIGH"),
        ("market.spend_sigma=0.84..1.68", "the whole plausible range, so nothing to compare"),
        ("retain.base_churn=0.001..0.02", "allowed: 0.005 ≤ x ≤ 0.05 (1/month)"),
        ("market.spend_sigma=a..1.5", "not a number"),
        ("service.cost_form=1..2", "not one of its alternatives"),
        ("service.cost_form=flat,flat", "an alternative given twice"),
        ("service.cost_form=flat,share_of_spend", "every alternative chosen"),
    ]:
        with pytest.raises(ValueError, match=r"^split ") as caught:
            parse_split(text)
        assert says in str(caught.value), (text, str(caught.value))


def test_splits_are_checked_together():
    sigma, form = Split("market.spend_sigma"), Split("service.cost_form")
    assert check_splits([form, sigma]) == (form, sigma)  # (the order given)
    with pytest.raises(ValueError, match=r"market\.spend_sigma: given twice"):
        check_splits([sigma, Split("market.spend_sigma", 1.0, 1.2)])
    with pytest.raises(ValueError, match="it is pinned"):
        check_splits([sigma], pins=(("market.spend_sigma", 1.0),))


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """The planted claim's evidence over 60 kept worlds: ``effect`` holds exactly where
    market.spend_sigma > 1.26; ``sometimes`` is defined only there."""
    from experiments.analysis.evidence import run_claim

    with pytest.MonkeyPatch.context() as monkeypatch:
        module, size = _small_planted_study(monkeypatch, plausible=True)
        size = dataclasses.replace(size, wave=60, batch=30)
        ev = run_claim(module, size, tmp_path_factory.mktemp("store"), size_name="test")
    return module, ev


def _found(ev, *splits: Split) -> dict:
    return {(f.reading.verdict.reading.name, f.split.key): f for f in split_readings(ev, splits)}


def test_the_readers_range_is_judged_apart_from_the_worlds_below_and_above(planted):
    _, ev = planted
    found = _found(ev, Split("market.spend_sigma", 1.3, 1.5))
    effect = found["effect", "market.spend_sigma"].profile
    below, yours, above = effect.bins
    assert [b.value for b in effect.bins] == ["below 1.3", "1.3 to 1.5 (yours)", "above 1.5"]
    sigma = ev.world_values["market.spend_sigma"]
    assert yours.worlds == int(sigma.between(1.3, 1.5).sum())
    assert above.worlds == int((sigma > 1.5).sum())
    assert yours.p == 1.0 and above.p == 1.0  # (all above 1.26: the planted claim holds)
    assert 0.0 < below.p < 1.0  # (below 1.3: fails under 1.26, holds from 1.26 to 1.3)
    assert effect.p_value < 0.01 and effect.default_bin is None
    # A reading defined only above 1.26 has no world below it, and is not judged there.
    sometimes = found["sometimes", "market.spend_sigma"].profile
    assert sum(b.worlds for b in sometimes.bins) == ev.readings[2].verdict.defined
    assert all(b.value != "below 1.26" for b in sometimes.bins)


def test_a_range_nobody_holds_and_a_range_everyone_holds(planted):
    _, ev = planted
    sigma = ev.world_values["market.spend_sigma"]
    gap = np.diff(np.sort(sigma.to_numpy()))
    i = int(np.argmax(gap))
    low = float(np.sort(sigma.to_numpy())[i]) + gap[i] / 3
    empty = _found(ev, Split("market.spend_sigma", low, low + gap[i] / 3))
    assert empty["effect", "market.spend_sigma"].profile is None
    assert "no kept world" in empty["effect", "market.spend_sigma"].why
    whole = _found(ev, Split("market.spend_sigma", 0.84, 1.68))["effect", "market.spend_sigma"]
    (only,) = whole.profile.bins  # one group: judged, with nothing to compare it with
    assert only.worlds == ev.readings[0].verdict.defined and np.isnan(whole.profile.p_value)


def test_a_plain_split_is_the_reports_own_profile(planted):
    _, ev = planted
    effect = _found(ev, Split("market.spend_sigma"))["effect", "market.spend_sigma"].profile
    along = [p for p in ev.readings[0].along if p.uncertainty == "market.spend_sigma"]
    assert along and effect == along[0]


def test_alternatives_are_the_readers_and_the_others(planted):
    _, ev = planted
    form = ev.world_values["service.cost_form"]
    found = _found(ev, Split("service.cost_form", values=("flat",)))
    prof = found["effect", "service.cost_form"].profile
    assert [b.value for b in prof.bins] == ["flat (yours)", "the others"]
    assert [b.worlds for b in prof.bins] == [
        int((form == "flat").sum()),
        int((form != "flat").sum()),
    ]
    assert prof.test in ("χ²", "Fisher–Freeman–Halton")


def test_the_report_shows_the_splits_and_only_when_asked(planted, tmp_path):
    from experiments.reporting.report import write_report

    module, ev = planted
    splits = [Split("market.spend_sigma", 1.3, 1.5), Split("service.cost_form")]
    text = write_report(ev, tmp_path, splits=split_readings(ev, splits)).read_text()
    section = text.split("## Split by the uncertainties you chose")[1].split("\n## ")[0]
    assert "`market.spend_sigma=1.3..1.5`, `service.cost_form`" in section
    assert f"0.05 ÷ (3 readings × 2 splits) = {0.05 / 6:.2g}" in section
    assert "| 1.3 to 1.5 (yours) |" in section and "*below the level*" in section
    figure = tmp_path / f"{module.CLAIM.name}_split.png"
    assert figure.stat().st_size > 0
    summary = json.loads((tmp_path / f"{module.CLAIM.name}.json").read_text())
    assert {(s["reading"], s["split"]) for s in summary["split"]} == {
        (r, s.text) for r in ("effect", "other", "sometimes") for s in splits
    }
    again = write_report(ev, tmp_path).read_text()
    assert "## Split by" not in again and not figure.exists()
    assert "split" not in json.loads((tmp_path / f"{module.CLAIM.name}.json").read_text())


def test_all_the_readers_ranges_at_once_are_the_worlds_inside_every_one(planted, tmp_path):
    from experiments.analysis.split import together
    from experiments.reporting.report import write_report

    module, ev = planted
    sigma, flat = (
        Split("market.spend_sigma", 1.3, 1.68),
        Split("service.cost_form", values=("flat",)),
    )
    x = ev.world_values
    inside = x["market.spend_sigma"].between(1.3, 1.68) & (x["service.cost_form"] == "flat")
    found = {r.verdict.reading.name: b for r, b in together(ev, [sigma, flat])}
    assert found["effect"].worlds == int(inside.sum()) > 0 and found["effect"].p == 1.0
    assert found["effect"].value == "market.spend_sigma=1.3..1.68 and service.cost_form=flat"
    assert together(ev, [sigma, Split("service.cost_form")]) == []  # (one range: its own group)
    text = write_report(ev, tmp_path, splits=split_readings(ev, [sigma, flat])).read_text()
    assert "All your ranges and alternatives at once" in text
    summary = json.loads((tmp_path / f"{module.CLAIM.name}.json").read_text())
    assert summary["split_together"][0]["worlds"] == int(inside.sum())


def test_groups_with_nothing_to_test_say_so_and_the_json_has_no_nan(planted, tmp_path):
    from experiments.reporting.report import write_report

    module, ev = planted
    # Above 1.3 the planted reading holds in every world: two groups, nothing to test.
    (f,) = [
        f
        for f in split_readings(ev, [Split("market.spend_sigma", 1.3, 1.5)])
        if f.reading.verdict.reading.name == "sometimes"
    ]
    assert f.profile.test == "it holds in every world: nothing to test"
    assert np.isnan(f.profile.p_value) and f.profile.p_text() == "—"
    text = write_report(ev, tmp_path, splits=[f]).read_text()
    assert "— (it holds in every world: nothing to test)" in text
    split = json.loads((tmp_path / f"{module.CLAIM.name}.json").read_text())["split"]
    json.dumps(split, allow_nan=False)  # (raises on a NaN: JSON has none)
    record = split[0]
    assert record["low"] == 1.3 and record["high"] == 1.5 and record["profile"]["p_value"] is None
    yours = record["profile"]["bins"][1]
    assert 1.3 <= yours["low"] <= yours["high"] <= 1.5  # (each group's own smallest and largest)


def test_a_split_given_twice_is_refused_in_python_too(planted):
    _, ev = planted
    with pytest.raises(ValueError, match="given twice"):
        split_readings(ev, [Split("market.spend_sigma"), Split("market.spend_sigma")])


def test_a_study_that_kept_no_world_says_so_under_a_split(tmp_path, monkeypatch):
    from experiments.analysis.evidence import run_claim

    module, size = _small_planted_study(monkeypatch, plausible=False)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    (f, *_) = split_readings(ev, [Split("market.spend_sigma")])
    assert f.profile is None and f.why == "the study kept no world"


def _retention(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "model.interfaces.cli.main", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--split", "retain.base_churn", "--fresh"], "--fresh and --split given together"),
        (["--split", "churn"], "split 'churn': not a declared uncertainty"),
        (["--split", "retain.base_churn=0.5..0.9"], "outside its plausible range; allowed"),
        (
            ["--split", "retain.base_churn", "--pin", "retain.base_churn=0.02"],
            "--split retain.base_churn: it is pinned",
        ),
    ],
)
def test_the_command_line_refuses_a_bad_split_in_one_line(flags, says, tmp_path):
    out = _retention("experiment", "pareto", "--size", "quick", "--out", str(tmp_path), *flags)
    assert out.returncode != 0 and says in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "pareto.md").exists()


def test_the_command_line_writes_the_split_beside_the_study_and_runs_nothing_again(tmp_path):
    # (A claim the quick size judges: lost_client's five-year readings are not judged in 24
    # months, so no group of theirs has a P(holds) to print.)
    args = ["experiment", "pareto", "--size", "quick", "--out", str(tmp_path)]
    first = _retention(*args, "--split", "service.cost_form")  # (no stored study: run first)
    assert first.returncode == 0 and "no stored study at " in first.stdout
    out = _retention(*args, "--split", "service.cost_form=flat")
    assert out.returncode == 0, out.stderr
    assert "worlds: " not in out.stdout and "no stored study" not in out.stdout  # (read)
    assert "splits: each p read against 0.05 ÷ (readings × splits) = " in out.stdout
    assert "service.cost_form flat (yours): P(holds)" in out.stdout
    both = _retention(
        *args, "--split", "service.cost_form=flat", "--split", "market.spend_sigma=1.2..1.6"
    )
    assert both.returncode == 0, both.stderr
    assert "all at once (service.cost_form=flat and market.spend_sigma=1.2..1.6)" in both.stdout
    folder = tmp_path / "split" / "service.cost_form=flat"
    text = (folder / "pareto.md").read_text(encoding="utf-8")
    assert "## Split by the uncertainties you chose" in text
    assert "--split service.cost_form=flat" in text  # (the command, in the header)
    # The study's own report is written by a run without a split, and never by one with it.
    assert not (tmp_path / "pareto.md").exists()
    assert _retention(*args, "--quiet").returncode == 0
    assert "## Split by" not in (tmp_path / "pareto.md").read_text(encoding="utf-8")
