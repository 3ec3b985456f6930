"""Replications run together and resume: ``run --replications`` takes the many-run path
(:func:`model.studies.run.simulate_many`, in chunks, optionally on worker processes), keeps each
finished chunk as it finishes, and the same command resumes from them after a stop — with the
numbers of one solo run per seed, however the runs were cut, spread or resumed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from conftest import cli

import model.studies.replications as reps
from model.interfaces.cli.replications import kept_runs_folder
from model.scenario import Scenario, ScenarioError
from model.studies.replications import run_replications
from model.studies.run import simulate

SCENARIO = Scenario().with_overrides({"market.clients": 300, "run.months": 12, "run.seed": 7})
R = 5
TINY = ("--clients", "200", "--months", "6", "--seed", "3")


@pytest.fixture(scope="module")
def solo() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One :func:`simulate` per seed, one after another: what every other way must give."""
    results = [simulate(SCENARIO, seed=7 + i) for i in range(R)]
    runs = pd.DataFrame([{"seed": r.seed, **r.summary} for r in results])
    series = pd.concat([r.timeseries.assign(seed=r.seed) for r in results], ignore_index=True)
    return runs, series


def _same(done: reps.Replicated, solo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    pd.testing.assert_frame_equal(done.runs, solo[0], check_exact=True)
    pd.testing.assert_frame_equal(done.series, solo[1], check_exact=True)
    assert done.seeds == list(range(7, 7 + R))


@pytest.mark.parametrize("chunk", [1, 2, 3, None])
def test_replications_equal_their_solo_runs_whatever_the_chunks(solo, chunk):
    _same(run_replications(SCENARIO, R, chunk=chunk), solo)


def test_replications_on_an_executor_equal_their_solo_runs(solo, tmp_path):
    with ThreadPoolExecutor(2) as pool:
        _same(run_replications(SCENARIO, R, executor=pool, chunk=2, store=tmp_path / "k"), solo)


def _stop_after(monkeypatch: pytest.MonkeyPatch, chunks: int, error: type[BaseException]) -> None:
    """Make the (chunks + 1)-th chunk stop the call with ``error``, as a Ctrl+C would."""
    real, calls = reps.run_chunk, []

    def run_chunk(scenario, seeds):
        calls.append(seeds)
        if len(calls) > chunks:
            raise error
        return real(scenario, seeds)

    monkeypatch.setattr(reps, "run_chunk", run_chunk)


def test_a_stopped_call_resumes_from_its_finished_chunks(solo, tmp_path, monkeypatch):
    store = tmp_path / "kept"
    _stop_after(monkeypatch, 1, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        run_replications(SCENARIO, R, store=store, chunk=2)
    assert sorted(p.name for p in store.glob("*.parquet")) == [
        "runs-00000-00002.parquet",
        "series-00000-00002.parquet",
    ]
    monkeypatch.undo()
    counted = []
    done = run_replications(SCENARIO, R, store=store, chunk=2, on_done=counted.append)
    assert done.resumed == 2
    assert counted[0] == 2 and sum(counted) == R
    _same(done, solo)


def test_kept_runs_of_another_scenario_or_with_fresh_are_not_read(solo, tmp_path):
    store = tmp_path / "kept"
    other = SCENARIO.with_overrides({"levers.ad_budget": SCENARIO.levers.ad_budget + 1.0})
    run_replications(other, R, store=store)
    done = run_replications(SCENARIO, R, store=store)
    assert done.resumed == 0
    _same(done, solo)
    assert run_replications(SCENARIO, R, store=store).resumed == R
    assert run_replications(SCENARIO, R, store=store, fresh=True).resumed == 0


def test_kept_runs_of_other_code_are_not_read(tmp_path, monkeypatch):
    store = tmp_path / "kept"
    run_replications(SCENARIO, 2, store=store)
    inputs = json.loads((store / "inputs.json").read_text())
    (store / "inputs.json").write_text(json.dumps({**inputs, "source_hash": "0" * 64}))
    assert run_replications(SCENARIO, 2, store=store).resumed == 0


def test_a_damaged_chunk_is_run_again(solo, tmp_path):
    store = tmp_path / "kept"
    run_replications(SCENARIO, R, store=store, chunk=2)
    (store / "runs-00002-00004.parquet").write_bytes(b"PAR1 cut short")
    (store / ".runs-00004-00005.parquet.x1.tmp").write_bytes(b"")  # a write cut short
    done = run_replications(SCENARIO, R, store=store, chunk=2)
    assert done.resumed == 3
    _same(done, solo)
    assert not list(store.glob("*.tmp"))


def test_a_store_holding_other_files_is_refused(tmp_path):
    store = tmp_path / "kept"
    store.mkdir()
    (store / "notes.txt").write_text("mine")
    with pytest.raises(
        ScenarioError, match=re.escape("'notes.txt', which 'retention run --replications'")
    ):
        run_replications(SCENARIO, 2, store=store)
    assert (store / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True])
def test_bad_counts_are_refused_by_name(bad):
    with pytest.raises(ScenarioError, match="replications"):
        run_replications(SCENARIO, bad)
    with pytest.raises(ScenarioError, match="chunk"):
        run_replications(SCENARIO, 2, chunk=bad)


# ============================================================================ the command
def test_the_command_stopped_keeps_its_runs_and_resumes(tmp_path, monkeypatch, capsys):
    out, whole = tmp_path / "rep", tmp_path / "whole"
    args = ("run", *TINY, "--replications", "40", "--no-figures")
    assert cli(*args, "--out", whole, "--quiet") == 0
    capsys.readouterr()
    _stop_after(monkeypatch, 1, KeyboardInterrupt)
    assert cli(*args, "--out", out) == 130
    said = capsys.readouterr().err
    kept = kept_runs_folder(out)
    assert f"the tasks that finished are kept in {kept}" in said
    assert not out.exists() and len(list(kept.glob("runs-*.parquet"))) == 1
    monkeypatch.undo()
    assert cli(*args, "--out", out) == 0
    assert "32 of 40 runs read back from" in capsys.readouterr().out
    assert not kept.exists()  # in runs.csv now
    for name in ("runs.csv", "timeseries.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes()


def test_the_command_on_workers_writes_the_same_files(tmp_path):
    """In a process of its own, as a user runs it (a pool forked from pytest's threads could
    deadlock)."""
    one, two = tmp_path / "one", tmp_path / "two"
    args = ("run", *TINY, "--replications", "6", "--no-figures", "--quiet")
    assert cli(*args, "--out", one) == 0
    command = [sys.executable, "-m", "model.interfaces.cli.main", *args, "--workers", "2"]
    done = subprocess.run(
        [*command, "--out", str(two)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    for name in ("runs.csv", "timeseries.csv"):
        assert (one / name).read_bytes() == (two / name).read_bytes()


@pytest.mark.parametrize("flag", [("--workers", "2"), ("--fresh",)])
def test_replication_options_are_refused_for_one_run(tmp_path, capsys, flag):
    assert cli("run", *TINY, *flag, "--out", tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert f"{' '.join(flag)}: not allowed with one run" in err
    assert "allowed: with --replications R, R >= 2" in err
    assert not (tmp_path / "x").exists()
