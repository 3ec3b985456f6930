"""Issue 18, Build 5: progress on the long commands not covered in test_users_outputs.py
(calibrate, sensitivity). Each bar is on screen before the first slow step, says what it is doing
and counts to the end; without a bar these tests see nothing on stderr and fail."""

from __future__ import annotations

import re

import pytest
from conftest import cli, tiny_sobol_store

from model.interfaces import progress
from model.studies.calibration import cdnow


@pytest.fixture
def terminal(monkeypatch):
    """As if stderr were a person's terminal (the bar's only audience)."""
    monkeypatch.setattr(progress, "watched", lambda enabled=True: enabled)


def _first_call_sees(monkeypatch, capsys, module, name: str) -> list[str]:
    """Record what stderr shows when ``module.name`` is first called (the first slow step)."""
    seen: list[str] = []
    real = getattr(module, name)

    def spy(*a, **k):
        if not seen:
            seen.append(capsys.readouterr().err)
        return real(*a, **k)

    monkeypatch.setattr(module, name, spy)
    return seen


def test_calibrate_targets_shows_its_bar_first_and_counts_the_fits_runs(
    terminal, monkeypatch, tmp_path, capsys
):
    from model.studies.calibration import moments

    seen = _first_call_sees(monkeypatch, capsys, moments, "simulate_many")
    targets = tmp_path / "t.toml"
    targets.write_text("annual_retention = 0.8\n", encoding="utf-8")
    out = tmp_path / "fit.toml"
    args = ("--targets", targets, "--seeds", 2, "--replicates", 1, "--out", out)
    assert cli("calibrate", *args) == 0
    assert seen and "calibrate: fit 1 of 2" in seen[0], seen  # up before the first run
    err = seen[0] + capsys.readouterr().err
    assert "calibrate: fit 2 of 2 (other seeds)" in err
    runs = [int(n) for n in re.findall(r"(\d+)run \[", err)]
    assert runs and max(runs) >= 2 * 2, err[-400:]  # both fits counted their runs (2 seeds each)
    assert runs == sorted(runs)
    assert out.exists()


def test_calibrate_quiet_draws_no_bar(terminal, tmp_path, capsys):
    targets = tmp_path / "t.toml"
    targets.write_text("annual_retention = 0.8\n", encoding="utf-8")
    args = ("--targets", targets, "--seeds", 1, "--replicates", 0, "--quiet")
    assert cli("calibrate", *args, "--out", tmp_path / "f.toml") == 0
    captured = capsys.readouterr()
    assert "calibrate" not in captured.err and captured.out == ""


def test_calibrate_log_names_its_steps_from_reading_to_the_holdout(
    terminal, monkeypatch, tmp_path, capsys
):
    from model.studies.calibration import from_log

    seen = _first_call_sees(monkeypatch, capsys, from_log, "read_log")
    argv = ("calibrate", "--transactions", cdnow.path(), "--columns", ",".join(cdnow.COLUMNS))
    assert cli(*argv, "--out", tmp_path / "cdnow.toml") == 0
    assert seen and "calibrate: reading the log" in seen[0]
    err = capsys.readouterr().err
    assert "calibrate: fitting BG/NBD, Pareto/NBD and Gamma-Gamma" in err
    holdout = r"calibrate: holdout forecast \(simulating the cohort\): 4run"
    assert re.search(holdout, err), err[-400:]


def test_sensitivity_counts_its_metrics_on_a_bar(terminal, monkeypatch, tmp_path, capsys):
    from model.studies import sensitivity

    tiny_sobol_store(tmp_path / "s")
    capsys.readouterr()
    seen = _first_call_sees(monkeypatch, capsys, sensitivity, "read_manifest")
    assert cli("sensitivity", tmp_path / "s", "--metric", "npv", "cac") == 0
    assert seen and "sensitivity" in seen[0]  # up before the store is read
    err = capsys.readouterr().err
    assert re.search(r"sensitivity: npv:\s+0%.*0/2", err), err[-400:]
    assert re.search(r"sensitivity: cac:\s+100%.*2/2", err), err[-400:]


@pytest.mark.parametrize("command", ["compare", "optimize"])
def test_quiet_studies_draw_no_bar_and_print_nothing(terminal, tmp_path, capsys, command):
    """--quiet, as on run, sweep, calibrate and sensitivity (it was not even accepted here)."""
    tiny = ("--clients", 300, "--months", 6, "--replications", 1, "--out", tmp_path / "o")
    args = ("no_cut", "service_cut") if command == "compare" else ("no_cut", "--grid", 1)
    assert cli(command, *args, *tiny, "--quiet") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "runs" not in captured.err
    assert (tmp_path / "o" / "report.html").is_file()


def test_optimize_counts_its_runs_from_the_first_step(terminal, monkeypatch, tmp_path, capsys):
    """The bar is up while the exchange rates are measured (the first runs), then counts every
    run of the search and of the fresh-seed check."""
    import pandas as pd

    from model.studies.optimize import search

    seen = _first_call_sees(monkeypatch, capsys, search, "exchange_rates")
    tiny = ("--clients", 300, "--months", 6, "--replications", 2, "--grid", 1)
    assert cli("optimize", "no_cut", *tiny, "--out", tmp_path / "o") == 0
    assert seen and "optimize runs: 0run" in seen[0], seen
    counts = [int(n) for n in re.findall(r"optimize runs: (\d+)run", capsys.readouterr().err)]
    evaluations = pd.read_csv(tmp_path / "o" / "evaluations.csv")
    assert counts == sorted(counts) and max(counts) >= len(evaluations)


def test_sweep_counts_its_runs_on_a_bar(terminal, tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'name = "tiny"\nseed = 5\nmonths = 3\nclients = 200\nreplications = 2\nbatch_size = 1\n'
        '[parameters]\n"levers.service_level" = ["low", "wow"]\n',
        encoding="utf-8",
    )
    assert cli("sweep", spec, "--out", tmp_path / "s") == 0
    err = capsys.readouterr().err
    assert re.search(r"sweep tiny:\s+0%.*0/4", err), err[-400:]  # drawn before the first run ends
    assert re.search(r"sweep tiny: 100%.*4/4", err), err[-400:]
