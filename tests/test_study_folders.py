"""compare and optimize keep earlier results: a folder holding another command's results is
replaced only with --force (both overwrote it silently, and compare's default folder left the
reference out of its name, so two comparisons with one policy in common shared it)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import cli

SMALL = ("--clients", "100", "--months", "3", "--replications", "2", "--quiet")


def test_comparisons_of_other_policies_get_folders_of_their_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("compare", "baseline", "delighter", *SMALL) == 0
    assert cli("compare", "cost_cutter", "delighter", *SMALL) == 0
    (first,) = (tmp_path / "out").glob("compare_baseline_vs_delighter--*/comparison.json")
    (second,) = (tmp_path / "out").glob("compare_cost_cutter_vs_delighter--*/comparison.json")
    assert json.loads(first.read_text())["policies"][0] == "baseline"
    assert json.loads(second.read_text())["policies"][0] == "cost_cutter"


def test_the_default_folder_is_named_by_what_changes_the_numbers(tmp_path, monkeypatch, capsys):
    """Another --clients or --replications into the default folder was refused as "a different
    comparison" in a folder the user never chose."""
    monkeypatch.chdir(tmp_path)
    assert cli("compare", "baseline", "delighter", *SMALL, "--quiet") == 0
    assert cli("compare", "baseline", "delighter", *SMALL, "--replications", "3", "--quiet") == 0
    assert cli("compare", "baseline", "delighter", *SMALL, "--seed", "7", "--quiet") == 0
    folders = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(folders) == 3 and all(
        f.startswith("compare_baseline_vs_delighter--") for f in folders
    )
    assert any("replications=3" in f for f in folders) and any("seed=7" in f for f in folders)
    assert cli("optimize", "baseline", *SMALL, "--quiet", "--replications", "1", "--grid", "1") == 0
    assert cli("optimize", "baseline", *SMALL, "--quiet", "--replications", "2", "--grid", "1") == 0
    optimized = [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith("optimize_")]
    assert len(optimized) == 2 and any("replications=2" in name for name in optimized)


def test_an_optimization_of_another_budget_or_other_levers_gets_its_own_folder(
    tmp_path, monkeypatch
):
    """optimize's default folder was named by the size, seed, --set values and replications
    alone: another --budget or --levers was refused there as "a different optimization"."""
    from model.interfaces.cli.arguments import study_folder

    monkeypatch.chdir(tmp_path)
    opt = ("optimize", "baseline", "--grid", "1", *SMALL, "--replications", "1")
    assert cli(*opt, "--levers", "ad_budget,winback_spend") == 0
    assert cli(*opt, "--levers", "ad_budget,winback_spend", "--budget", "5000") == 0
    assert cli(*opt, "--levers", "ad_budget,training_spend") == 0
    folders = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(folders) == 3, folders
    assert any("budget=5000" in f for f in folders)
    assert any("levers=ad_budget+training_spend" in f for f in folders)
    robust = ("--levers", "ad_budget,winback_spend", "--robust")
    assert cli(*opt, *robust, "retain.satisfaction_sensitivity=1,5") == 0
    assert cli(*opt, *robust, "retain.satisfaction_sensitivity=1,3") == 0
    assert len(list((tmp_path / "out").iterdir())) == 5
    # Budgets that differ past a sixth digit are other folders too.
    a, b = (study_folder("optimize_x", {}, None, 2, {"budget": f"{x:.17g}"}).name
            for x in (1234567.0, 1234568.0))  # fmt: skip
    assert a != b
    # A whole name stays short enough for its staging folder beside it.
    many = {f"levers.{k}": "1" * 30 for k in ("ad_budget", "winback_spend", "training_spend")}
    name = study_folder("optimize_" + "x" * 100, many, 7, 3, {"levers": "y" * 200}).name
    assert len(name) <= 140 and name.endswith(",replications=3"), name
    # A long choice is cut and told apart by a digest: the name stays short, the folders distinct.
    long = {"robust": "retain.satisfaction_sensitivity=" + ",".join(map(str, range(40)))}
    other = {"robust": "retain.satisfaction_sensitivity=" + ",".join(map(str, range(41)))}
    a, b = (study_folder("optimize_x", {}, None, 2, c).name for c in (long, other))
    assert a != b and len(a) <= 120 and a.endswith(",replications=2")


def test_a_comparison_replaces_another_only_with_force(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert cli("compare", "baseline", "delighter", *SMALL, "--out", out) == 0
    kept = (out / "comparison.csv").read_bytes()
    # The same command again reproduces the same numbers: allowed.
    assert cli("compare", "baseline", "delighter", *SMALL, "--out", out) == 0
    assert (out / "comparison.csv").read_bytes() == kept
    capsys.readouterr()
    assert cli("compare", "baseline", "delighter", *SMALL, "--seed", "7", "--out", out) == 2
    err = capsys.readouterr().err
    assert "holds the results of a different comparison" in err and "--force" in err
    assert (out / "comparison.csv").read_bytes() == kept  # untouched
    assert cli("compare", "baseline", "delighter", *SMALL, "--seed", "7", "--out", out,
               "--force") == 0  # fmt: skip
    assert (out / "comparison.csv").read_bytes() != kept
    # Where and how it ran (workers, quiet) decide no number: not another comparison. (In a
    # process of its own: a pool forked from pytest's threads could deadlock.)
    command = [sys.executable, "-m", "model.interfaces.cli.main", "compare", "baseline",
               "delighter", *SMALL, "--seed", "7", "--out", str(out), "--workers", "2"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def test_an_optimization_of_other_levers_needs_force(tmp_path, capsys):
    out = tmp_path / "opt"
    args = ("optimize", "baseline", "--grid", "1", *SMALL, "--out", out)
    assert cli(*args, "--levers", "ad_budget,winback_spend") == 0
    kept = (out / "split.json").read_bytes()
    capsys.readouterr()
    assert cli(*args, "--levers", "ad_budget,training_spend") == 2
    assert "holds the results of a different optimization" in capsys.readouterr().err
    assert (out / "split.json").read_bytes() == kept
    assert cli(*args, "--levers", "ad_budget,training_spend", "--force") == 0
    meta = json.loads((out / "split.json").read_text())
    assert meta["inputs"]["options"]["levers"] == "ad_budget,training_spend"


def test_the_seed_is_the_seed_run_however_it_was_given(tmp_path, capsys):
    """``--set run.seed`` was left out of the inputs compared: a comparison on other seeds
    replaced the folder without --force; and ``--seed 1`` was taken for another command than
    the scenario's own seed 1."""
    out = tmp_path / "cmp"
    assert cli("compare", "baseline", "delighter", *SMALL, "--out", out) == 0  # seed 1, its own
    assert cli("compare", "baseline", "delighter", *SMALL, "--seed", "1", "--out", out) == 0
    assert cli("compare", "baseline", "delighter", *SMALL, "--set", "run.seed=1", "--out", out) == 0
    capsys.readouterr()
    assert cli("compare", "baseline", "delighter", *SMALL, "--set", "run.seed=2", "--out", out) == 2
    assert "holds the results of a different comparison" in capsys.readouterr().err


def test_the_header_says_how_the_worlds_were_drawn() -> None:
    """The default size draws waves until a target is plausible; the quick one draws one wave
    and keeps every plausible world (it said "until 0 are plausible (at most 1)")."""
    from experiments.reporting.report import _waves_text
    from experiments.running.sizes import SIZES

    assert _waves_text(SIZES["quick"]) == "one wave of 160 worlds, every plausible one kept"
    assert _waves_text(SIZES["default"]) == (
        "waves of 2,000 worlds until 500 are plausible (at most 8)"
    )


def test_a_file_named_like_a_preset_is_told_apart_by_where_it_came_from(tmp_path):
    """An edited preset copy (``presets --copy``) keeps the preset's name: it shared the
    preset's default folder and was refused there. Its folder carries a digest of the file's
    path: the same one each time the file is run, another for another copy, none for the preset
    or a file with a name of its own (a file with no name is named after the file)."""
    from model.interfaces.cli.arguments import copy_mark, load_scenario

    assert cli("presets", "--copy", "baseline", tmp_path / "a") == 0
    assert cli("presets", "--copy", "baseline", tmp_path / "b") == 0
    a, b = tmp_path / "a" / "baseline.toml", tmp_path / "b" / "baseline.toml"
    b.write_text(b.read_text().replace('service_level = "standard"', 'service_level = "wow"'))
    unnamed = tmp_path / "unnamed.toml"
    unnamed.write_text("[levers]\nservice_level = 0.7\n")
    own = tmp_path / "own.toml"
    own.write_text(a.read_text().replace('name = "baseline"', 'name = "mine"', 1))

    def mark(*refs):
        return copy_mark(refs, [load_scenario(r) for r in refs])

    assert load_scenario(unnamed).name == "unnamed" and load_scenario(own).name == "mine"
    assert mark("baseline") == mark(None) == mark("delighter") == mark(own) == mark(unnamed) == ""
    assert len(mark(a)) == 8 and mark(a) == mark(str(a)) == mark(tmp_path / "b/../a/baseline.toml")
    assert mark(a) != mark(b)
    assert mark(a, b) not in ("", mark(a), mark(b))
    # Where a copy stands counts: a copy against its preset is another comparison either way
    # round (the first is the reference).
    assert len({mark(a, "baseline"), mark("baseline", a), mark(a)}) == 3
    assert mark(a, "delighter") != mark("delighter", a)
    # A name cut to leave room for a long tail still ends with it, within 140 characters.
    from model.interfaces.labels import default_folder
    from model.scenario import Scenario

    tail = "copy=12345678,replications=10000"
    folder = default_folder(Scenario(), {f"levers.x{i}": "v" * 20 for i in range(8)}, tail=tail)
    assert folder.name.endswith("," + tail) and len(folder.name) <= 140


def test_a_preset_copy_runs_beside_the_preset_whichever_runs_first(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli("presets", "--copy", "baseline", tmp_path / "mine") == 0
    copy = tmp_path / "mine" / "baseline.toml"
    copy.write_text(copy.read_text().replace('service_level = "standard"', 'service_level = "wow"'))
    run = ("--clients", "100", "--months", "3", "--no-figures", "--quiet")
    assert cli("run", str(copy), *run) == 0  # the copy first
    assert cli("run", "baseline", *run) == 0
    assert cli("compare", str(copy), "delighter", *SMALL) == 0
    folders = sorted(p.name for p in (tmp_path / "out").iterdir())
    (plain,) = [f for f in folders if f.startswith("baseline") and "copy=" not in f]
    (copied,) = [f for f in folders if f.startswith("baseline") and "copy=" in f]
    assert copied.startswith(plain) and copied.endswith(",copy=" + copied[-8:])
    summary = json.loads((tmp_path / "out" / copied / "summary.json").read_text())
    assert summary["scenario"]["levers"]["service_level"] == 0.9  # ("wow")
    preset = json.loads((tmp_path / "out" / plain / "summary.json").read_text())
    assert preset["scenario"]["levers"]["service_level"] == 0.6  # ("standard")
    # Its title says what it changes from the preset (both were "baseline + clients=100, …").
    assert summary["scenario"]["name"] == "baseline + service_level=0.9, clients=100, months=3"
    assert preset["scenario"]["name"] == "baseline + clients=100, months=3"
    assert "changed from the preset: service_level=0.9" in summary["scenario"]["description"]
    assert "changed from the preset" not in preset["scenario"]["description"]
    assert any(f.startswith("compare_baseline_vs_delighter--") and "copy=" in f for f in folders)
    # The copy against its preset, either way round; optimize; replications: each its own.
    assert cli("compare", str(copy), "baseline", *SMALL) == 0
    assert cli("compare", "baseline", str(copy), *SMALL) == 0
    assert cli("optimize", str(copy), "--grid", "1", *SMALL) == 0
    assert cli("run", str(copy), *run, "--replications", "2") == 0
    folders = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len([f for f in folders if f.startswith("compare_baseline_vs_baseline--")]) == 2
    assert any(f.startswith("optimize_baseline--") and "copy=" in f for f in folders)
    assert any(f.startswith(copied + ",replications=2") for f in folders), folders
    # The copy edited again and rerun: its own folder, so refused there as any file is.
    copy.write_text(copy.read_text().replace('service_level = "wow"', 'service_level = "low"'))
    capsys.readouterr()
    assert cli("run", str(copy), *run) == 2
    assert f"{copied}': holds the results of a different run" in capsys.readouterr().err


def test_compare_tells_policies_of_one_name_apart_by_their_files(tmp_path, monkeypatch):
    """Three files named alike went to ``compare_f_vs_f_vs_f``: a strategist could not tell
    which comparison a folder held."""
    monkeypatch.chdir(tmp_path)
    head = 'name = "same"\n[run]\nmonths = 3\n[market]\nclients = 100\n'
    (tmp_path / "a.toml").write_text(head)
    (tmp_path / "b.toml").write_text(head + "[levers]\nservice_level = 0.8\n")
    assert cli("compare", "a.toml", "b.toml", "--replications", "2", "--quiet") == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == [
        "compare_same_a_vs_same_b--replications=2"
    ]
