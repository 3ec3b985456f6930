"""Studies' runs go out together and resume: ``run --replications``, ``compare`` and
``optimize`` run through :func:`model.studies.kept_runs.run_all` (many small markets stepping
together, or chunks on worker processes), keep each finished chunk as it finishes inside
:func:`~model.studies.kept_runs.keep_runs`, and the same call resumes from them after a stop —
with the numbers of one solo run per seed, however the runs were cut, spread or resumed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

import numpy as np
import pandas as pd
import pytest
from conftest import cli

import model.studies.kept_runs as kept_runs
from model.engine.metrics import METRICS
from model.scenario import Scenario, ScenarioError
from model.studies.compare import compare
from model.studies.kept_runs import keep_runs, run_key
from model.studies.optimize import optimize
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


def _same(done, solo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    pd.testing.assert_frame_equal(done.runs, solo[0], check_exact=True)
    pd.testing.assert_frame_equal(done.series, solo[1], check_exact=True)
    assert done.seeds == list(range(7, 7 + R))


@pytest.mark.parametrize("chunk", [1, 2, 3, None])
def test_replications_equal_their_solo_runs_whatever_the_chunks(solo, chunk):
    _same(run_replications(SCENARIO, R, chunk=chunk), solo)


def test_replications_on_an_executor_and_kept_equal_their_solo_runs(solo, tmp_path):
    with ThreadPoolExecutor(2) as pool, keep_runs(tmp_path / "k"):
        _same(run_replications(SCENARIO, R, executor=pool, chunk=2), solo)
    with keep_runs(tmp_path / "k"):  # every run read back: headlines recomputed, the same
        done = run_replications(SCENARIO, R)
    assert done.resumed == R
    _same(done, solo)


def _stop_after(monkeypatch: pytest.MonkeyPatch, chunks: int) -> list:
    """Make the (chunks + 1)-th chunk stop the call, as a Ctrl+C would; the chunks seen."""
    real, calls = kept_runs.simulate_many, []

    def simulate_many(scenarios):
        calls.append(len(scenarios))
        if len(calls) > chunks:
            raise KeyboardInterrupt
        return real(scenarios)

    monkeypatch.setattr(kept_runs, "simulate_many", simulate_many)
    return calls


def test_a_stopped_call_resumes_from_its_finished_chunks(solo, tmp_path, monkeypatch):
    store = tmp_path / "kept"
    _stop_after(monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt), keep_runs(store):
        run_replications(SCENARIO, R, chunk=2)
    assert [p.name for p in store.iterdir()] == ["runs-00000.npz"]
    monkeypatch.undo()
    counted = []
    with keep_runs(store) as kept:
        assert len(kept) == 2
        done = run_replications(SCENARIO, R, chunk=2, on_done=counted.append)
    assert done.resumed == 2
    assert counted[0] == 2 and sum(counted) == R
    _same(done, solo)


def test_kept_runs_of_another_scenario_or_other_code_are_not_read(tmp_path):
    store = tmp_path / "kept"
    other = SCENARIO.with_overrides({"levers.ad_budget": SCENARIO.levers.ad_budget + 1.0})
    with keep_runs(store):
        run_replications(other, 2)
    with keep_runs(store):
        assert run_replications(SCENARIO, 2).resumed == 0
        assert run_replications(SCENARIO, 2).resumed == 2
    with keep_runs(store, fresh=True) as kept:
        assert len(kept) == 0
    code = {"source_hash": "0" * 64, "numerics": "x"}
    assert run_key(SCENARIO, code) != run_key(SCENARIO)
    assert run_key(SCENARIO) != run_key(SCENARIO.with_overrides({"run.seed": 8}))


def test_a_finished_block_releases_its_own_runs_and_those_no_code_can_read(tmp_path, monkeypatch):
    store = tmp_path / "kept"
    other = SCENARIO.with_overrides({"levers.ad_budget": SCENARIO.levers.ad_budget + 1.0})
    with keep_runs(store):  # another study's runs, stopped: 2 in one file
        run_replications(other, 2, chunk=2)
    with keep_runs(store) as kept:  # this one uses one of them and keeps one of its own
        run_replications(other.with_overrides({"run.seed": SCENARIO.run.seed + 1}), 1)
        run_replications(SCENARIO, 1)
        assert kept.release() == 1  # the other's run it did not use stays, counted once
    assert len(list(store.glob("runs-*.npz"))) == 1
    real = kept_runs.deciding_code()
    monkeypatch.setattr(kept_runs, "deciding_code", lambda: {**real, "numpy": "0.0"})
    with keep_runs(store) as kept:  # other code (an upgrade): its runs can never be read back
        assert run_replications(other, 2, chunk=2).resumed == 0
        assert kept.release() == 0
    assert list(store.glob("runs-*.npz")) == []


def test_a_damaged_file_is_run_again(solo, tmp_path):
    store = tmp_path / "kept"
    with keep_runs(store):
        run_replications(SCENARIO, R, chunk=2)
    (store / "runs-00001.npz").write_bytes(b"PAR1 cut short")
    (store / ".runs-00003.npz.x1.tmp").write_bytes(b"")  # a write cut short
    with (store / "runs-00009.npz").open("wb") as handle:  # whole, but not a run's table
        np.savez(handle, columns=np.array(list(METRICS)), **{"k" + "0" * 64: np.zeros((3, 2))})
    with keep_runs(store) as kept:
        done = run_replications(SCENARIO, R, chunk=2)
    assert done.resumed == 3
    _same(done, solo)
    assert not list(store.glob(".*.tmp")) and not (store / "runs-00009.npz").exists()
    # Named for the command line to say (it said only how many runs it read back).
    assert kept.damaged == ["runs-00001.npz", "runs-00009.npz"]


def test_a_folder_holding_other_files_is_refused(tmp_path):
    store = tmp_path / "kept"
    store.mkdir()
    (store / "notes.txt").write_text("mine")
    refused = re.escape("'notes.txt', which no study kept there")
    with pytest.raises(ScenarioError, match=refused), keep_runs(store):
        pass
    assert (store / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True])
def test_bad_counts_are_refused_by_name(bad):
    with pytest.raises(ScenarioError, match="replications"):
        run_replications(SCENARIO, bad)
    with pytest.raises(ScenarioError, match="chunk"):
        run_replications(SCENARIO, 2, chunk=bad)


def test_compare_stopped_resumes_to_the_same_comparison(tmp_path, monkeypatch):
    base = SCENARIO
    wow = base.with_overrides({"levers.service_level": "wow"}).model_copy(update={"name": "wow"})
    whole = compare([base, wow], replications=6)
    _stop_after(monkeypatch, 0)  # the first chunk (all 12 runs, seed by seed) is stopped
    with pytest.raises(KeyboardInterrupt), keep_runs(tmp_path / "k"):
        compare([base, wow], replications=6)
    monkeypatch.undo()
    with keep_runs(tmp_path / "k"):
        compare([base, wow], replications=3)  # half of them, kept
    calls = _stop_after(monkeypatch, 10)
    with keep_runs(tmp_path / "k"):
        again = compare([base, wow], replications=6)
    assert calls == [6]  # only the 6 runs not kept were run
    pd.testing.assert_frame_equal(again.runs, whole.runs, check_exact=True)
    pd.testing.assert_frame_equal(again.table, whole.table, check_exact=True)


def test_optimize_resumed_finds_the_same_split_without_running_its_evaluations_again(
    tmp_path, monkeypatch
):
    small = SCENARIO.with_overrides({"market.clients": 200, "run.months": 6})
    args = {"levers": ["ad_budget", "service_level"], "replications": 2, "grid": 2}
    args["max_evaluations"] = 4
    with keep_runs(tmp_path / "k"):
        first = optimize(small, **args)
    calls = _stop_after(monkeypatch, 0)  # any run made now would stop it
    with keep_runs(tmp_path / "k"):
        again = optimize(small, **args)
    assert calls == []
    assert again.best_values == first.best_values and again.gain == first.gain


# ============================================================================ the command
def test_the_command_stopped_keeps_its_runs_and_resumes(tmp_path, monkeypatch, capsys):
    out, whole = tmp_path / "rep", tmp_path / "whole"
    args = ("run", *TINY, "--replications", "40", "--no-figures")
    assert cli(*args, "--out", whole, "--quiet") == 0
    capsys.readouterr()
    _stop_after(monkeypatch, 1)
    assert cli(*args, "--out", out) == 130
    said = capsys.readouterr().err
    kept = tmp_path / ".rep.kept"
    assert f"the tasks that finished are kept in {kept}" in said
    assert not out.exists() and len(list(kept.glob("runs-*.npz"))) == 1
    monkeypatch.undo()
    assert cli(*args, "--out", out) == 0
    assert f"32 finished runs read back from {kept}, not run again" in capsys.readouterr().err
    assert not kept.exists()  # in runs.csv now
    for name in ("runs.csv", "timeseries.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes()


def test_another_command_into_the_folder_leaves_a_stopped_ones_runs(tmp_path, monkeypatch, capsys):
    # Before, any command that finished into the same --out removed the kept runs of one that
    # was stopped there, which then ran them all again.
    out, kept = tmp_path / "rep", tmp_path / ".rep.kept"
    args = ("run", *TINY, "--replications", "40", "--no-figures")
    _stop_after(monkeypatch, 1)
    assert cli(*args, "--out", out) == 130
    monkeypatch.undo()
    stopped = sorted(kept.glob("runs-*.npz"))
    assert len(stopped) == 1
    capsys.readouterr()
    other = ("run", *TINY, "--replications", "3", "--no-figures", "--set", "levers.ad_budget=900")
    assert cli(*other, "--out", out) == 0
    said = capsys.readouterr().err
    assert f"32 runs another command kept in {kept} stay there" in said
    assert sorted(kept.glob("runs-*.npz")) == stopped  # its own file went, the other's stayed
    assert cli(*args, "--out", out, "--force") == 0
    assert f"32 finished runs read back from {kept}" in capsys.readouterr().err
    assert not kept.exists()  # every run in it was this command's: nothing left to keep


def test_compare_and_optimize_commands_keep_nothing_once_done(tmp_path):
    args = ("compare", "no_cut", "service_cut", *TINY, "--replications", "2", "--quiet")
    assert cli(*args, "--out", tmp_path / "c") == 0
    assert json.loads((tmp_path / "c" / "comparison.json").read_text())["seeds"] == [3, 4]
    assert not (tmp_path / ".c.kept").exists()
    # --fresh decides no number: the same comparison again, not another one (no --force).
    assert cli(*args, "--out", tmp_path / "c", "--fresh") == 0


def test_a_command_refused_leaves_no_kept_folder(tmp_path, capsys):
    """Refused before or during its runs, a command keeps nothing and says so by --out."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("mine")
    assert cli("run", *TINY, "--replications", "2", "--out", other) == 2
    assert cli("optimize", "baseline", *TINY, "--budget", "1e12", "--out", tmp_path / "ob") == 2
    (tmp_path / "afile").write_text("")
    assert cli("compare", "no_cut", "service_cut", *TINY, "--out", tmp_path / "afile" / "x") == 2
    err = capsys.readouterr().err
    assert f"--out {str(tmp_path / 'afile' / 'x')!r}: cannot be written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "other"]


@pytest.mark.skipif(fcntl is None, reason="no flock here (Windows): no lock is taken")
def test_two_commands_into_one_folder_at_once_are_refused_by_out(tmp_path, capsys):
    out = tmp_path / "rep"
    with keep_runs(tmp_path / ".rep.kept"):  # as another process running the command holds it
        assert cli("run", *TINY, "--replications", "2", "--out", out) == 2
    err = capsys.readouterr().err
    assert f"--out {str(out)!r}: another command is writing its results there now" in err


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


@pytest.mark.parametrize("flag", [("--clients-table",), ("--track", "5")])
def test_one_runs_tables_are_refused_with_replications(tmp_path, capsys, flag):
    """They were ignored: no clients.parquet or tracked.parquet, exit 0."""
    assert cli("run", *TINY, "--replications", "2", *flag, "--out", tmp_path / "x") == 2
    err = capsys.readouterr().err
    assert f"{flag[0]}: not allowed with --replications 2" in err
    assert not (tmp_path / "x").exists()


def test_the_commands_run_their_runs_together(tmp_path, monkeypatch):
    """``compare``, ``optimize`` and ``run --replications`` in one process hand their runs to
    ``simulate_many`` many at a time (they ran one by one through a progress wrapper)."""
    real, sizes = kept_runs.simulate_many, []

    def simulate_many(scenarios):
        sizes.append(len(scenarios))
        return real(scenarios)

    monkeypatch.setattr(kept_runs, "simulate_many", simulate_many)
    assert cli("compare", "no_cut", "service_cut", *TINY, "--replications", "3", "--quiet",
               "--out", tmp_path / "c") == 0  # fmt: skip
    assert sizes == [6]
    sizes.clear()
    assert cli("optimize", "baseline", *TINY, "--grid", "1", "--replications", "2", "--quiet",
               "--levers", "ad_budget,training_spend", "--out", tmp_path / "o") == 0  # fmt: skip
    assert sizes and all(n >= 2 for n in sizes)  # (the hold-out: both splits, 4 runs)
    sizes.clear()
    assert cli("run", *TINY, "--replications", "5", "--no-figures", "--quiet",
               "--out", tmp_path / "r") == 0  # fmt: skip
    assert sizes == [5]


@pytest.mark.skipif(fcntl is None, reason="no flock here (Windows): no lock is taken")
def test_a_lock_on_a_folder_removed_meanwhile_is_taken_anew(tmp_path, monkeypatch):
    """A writer finishing removes the folder it held; one that opened it just before must not
    lock the removed folder (a third would then lock the new one too)."""
    import model.studies.sweep.lock as lock

    store, real, fds = tmp_path / "s", lock._open_folder, []

    def opened(path):
        fds.append(real(path))
        if len(fds) == 1:  # removed, and made again, between this open and the lock
            shutil.rmtree(path)
            path.mkdir()
        return fds[-1]

    monkeypatch.setattr(lock, "_open_folder", opened)
    with lock.writer_lock(store):
        assert len(fds) == 2
        assert os.fstat(fds[-1]).st_ino == os.stat(store).st_ino


def test_a_stop_after_the_kept_folder_was_removed_is_still_a_stop(tmp_path, monkeypatch, capsys):
    """Ctrl+C once the kept folder has gone (removed by hand): exit 130, not another error."""
    real = kept_runs.simulate_many

    def simulate_many(scenarios):
        shutil.rmtree(tmp_path / ".rep.kept")
        raise KeyboardInterrupt

    monkeypatch.setattr(kept_runs, "simulate_many", simulate_many)
    assert cli("run", *TINY, "--replications", "2", "--out", tmp_path / "rep") == 130
    assert "kept in" not in capsys.readouterr().err
    monkeypatch.setattr(kept_runs, "simulate_many", real)


def test_out_dot_keeps_its_runs_beside_the_folder(tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    _stop_after(monkeypatch, 1)
    assert cli("run", *TINY, "--replications", "40", "--no-figures", "--out", ".") == 130
    assert list(here.iterdir()) == []  # nothing inside the output folder
    assert len(list((tmp_path / ".here.kept").glob("runs-*.npz"))) == 1


def test_a_full_disk_mid_study_says_where_the_finished_runs_are(tmp_path, monkeypatch, capsys):
    """An environment error after some chunks were kept: one line that says they are kept."""
    real, calls = kept_runs.simulate_many, []

    def simulate_many(scenarios):
        calls.append(len(scenarios))
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real(scenarios)

    monkeypatch.setattr(kept_runs, "simulate_many", simulate_many)
    assert cli("run", *TINY, "--replications", "40", "--out", tmp_path / "rep") == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("retention: error: No space left on device; the tasks that finished")
    assert f"kept in {tmp_path / '.rep.kept'} (the same command resumes from them)" in err


def test_the_command_names_the_damaged_kept_runs_it_removed(tmp_path, capsys):
    """They were removed and run again without a word (it said only how many it read back)."""
    from conftest import cli

    kept = tmp_path / ".r.kept"
    kept.mkdir()
    (kept / "runs-00000.npz").write_bytes(b"cut short")
    argv = ("run", "--clients", "150", "--months", "3", "--replications", "2", "--no-figures")
    assert cli(*argv, "--out", tmp_path / "r") == 0
    err = capsys.readouterr().err
    assert f"damaged kept runs removed from {kept}, their runs run again: runs-00000.npz" in err
