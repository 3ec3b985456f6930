"""Kill tests: ``run``, ``run --replications``, ``sweep`` and ``compare --workers 2`` stopped at
random moments.

SIGINT and SIGTERM must leave previous results intact, no staging folders and no worker
processes, with exit status 130 or 143 and no traceback; SIGKILL of a sweep must leave no worker
running (they watch their parent) and a store that resumes to the uninterrupted result, and so
must a sweep on a Dask LocalCluster (``--dask-local 2``): its workers and multiprocessing's
resource tracker die with it. The moments are drawn from a fixed seed, so a failure reproduces.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from model.studies.sweep import load, load_spec, run_sweep

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "model" / "presets" / "baseline.toml"
POLICY = REPO / "model" / "presets" / "policies" / "no_cut.toml"
COMMAND = [sys.executable, "-m", "model"]
#: Seconds a stopped command and its workers have to be gone.
GRACE = 15.0

pytestmark = pytest.mark.slow


def start(args: list, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*COMMAND, *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def family(proc: subprocess.Popen, want: int, timeout: float = 60.0) -> list[psutil.Process]:
    """Wait until ``proc`` has ``want`` descendants (or ends); returns them."""
    deadline = time.monotonic() + timeout
    kids: list[psutil.Process] = []
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            kids = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            break
        if len(kids) >= want:
            break
        time.sleep(0.05)
    return kids


def gone(processes: list[psutil.Process], timeout: float = GRACE) -> list[int]:
    """Pids of ``processes`` still alive after ``timeout`` seconds."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for p in alive:  # do not leave them to the next test
        p.kill()
    return [p.pid for p in alive]


def staging(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".*") if ".partial-" in p.name or ".old-" in p.name]


def check_stopped(proc: subprocess.Popen, sig: int) -> str:
    """Wait for a stopped command: exit 130/143 (or 0 if it finished) and no traceback; its stderr."""
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    expected = {signal.SIGINT: 130, signal.SIGTERM: 143}[sig]
    assert proc.returncode in (0, expected), (proc.returncode, err)
    return err


def stop_family(proc: subprocess.Popen, kids: list[psutil.Process], sig: int) -> None:
    """Send ``sig`` to a command with a pool (``kids``: its workers found so far, plus any
    started since); it and every worker must be gone within :data:`GRACE`."""
    kids = kids + [k for k in family(proc, 3, timeout=0.1) if k not in kids]
    proc.send_signal(sig)
    if sig == signal.SIGKILL:
        proc.wait(timeout=GRACE)
    else:
        check_stopped(proc, sig)
    assert gone(kids) == []


@pytest.mark.parametrize("case", range(2))
def test_run_stopped_at_a_random_moment_keeps_the_previous_results(tmp_path, case):
    rng = random.Random(1000 + case)
    sig = (signal.SIGINT, signal.SIGTERM)[case % 2]
    args = [
        "run",
        BASELINE,
        "--clients",
        "20000",
        "--months",
        "36",
        "--force",
        "--out",
        "res",
        "--quiet",
    ]
    first = start([*args[:-3], "--months", "2", "--no-figures", "--out", "res"], tmp_path)
    assert first.wait(timeout=120) == 0
    before = json.loads((tmp_path / "res" / "summary.json").read_text())
    proc = start(args, tmp_path)
    time.sleep(rng.uniform(0.1, 6.0))
    proc.send_signal(sig)
    check_stopped(proc, sig)
    after = json.loads((tmp_path / "res" / "summary.json").read_text())
    assert (tmp_path / "res" / "timeseries.csv").is_file()
    if proc.returncode != 0:
        assert after == before
    assert staging(tmp_path) == []


SPEC = """
name = "kill"
seed = 5
months = 12
clients = 2000
replications = 3
batch_size = 1
[parameters]
"levers.service_level" = ["low", "standard", "wow"]
"""


@pytest.mark.parametrize("case", range(2))
def test_sweep_killed_leaves_no_workers_and_resumes_to_the_same_store(tmp_path, case):
    rng = random.Random(2000 + case)
    sig = (signal.SIGKILL, signal.SIGINT)[case]
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(SPEC)
    proc = start(["sweep", spec_file, "--out", "store", "--workers", "2", "--quiet"], tmp_path)
    kids = family(proc, 2)
    time.sleep(rng.uniform(0.0, 3.0))
    stop_family(proc, kids, sig)
    spec = load_spec(spec_file)
    run_sweep(spec, tmp_path / "store", progress=False)
    run_sweep(spec, tmp_path / "whole", progress=False)
    pd.testing.assert_frame_equal(load(tmp_path / "store"), load(tmp_path / "whole"))
    assert not list((tmp_path / "store").rglob(".*.tmp"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_sweep_on_dask_local_stopped_leaves_no_workers_and_resumes(tmp_path, sig):
    pytest.importorskip("distributed")
    rng = random.Random(3000 + sig)
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(SPEC)
    proc = start(["sweep", spec_file, "--out", "store", "--dask-local", "2", "--quiet"], tmp_path)
    kids = family(proc, 3, timeout=90)  # the resource tracker and two workers
    assert len(kids) >= 3, "the LocalCluster did not start"
    time.sleep(rng.uniform(0.5, 3.0))
    kids = kids + [k for k in family(proc, 4, timeout=0.1) if k not in kids]
    proc.send_signal(sig)
    if sig == signal.SIGKILL:
        proc.wait(timeout=GRACE)
    else:
        err = check_stopped(proc, sig)
        assert len(err.strip().splitlines()) <= 1, err  # one line, no log of Dask's
    assert gone(kids) == []  # none of them orphaned
    spec = load_spec(spec_file)
    run_sweep(spec, tmp_path / "store", progress=False)
    run_sweep(spec, tmp_path / "whole", progress=False)
    pd.testing.assert_frame_equal(load(tmp_path / "store"), load(tmp_path / "whole"))


def test_ctrl_c_to_a_dask_local_sweep_is_one_line(tmp_path):
    """A terminal's Ctrl+C reaches the whole process group: the LocalCluster's workers printed
    a KeyboardInterrupt traceback each while the sweep closed the cluster and said in one line
    what it kept. They ignore it now (model.studies.sweep.quiet_worker)."""
    pytest.importorskip("distributed")
    spec_file = tmp_path / "spec.toml"
    # (Runs long enough to be running when stopped: about 2 s each, 9 of them on 2 workers.)
    spec_file.write_text(SPEC.replace("clients = 2000", "clients = 100000").replace("= 12", "= 60"))
    args = ["sweep", spec_file, "--out", "store", "--dask-local", "2", "--quiet"]
    proc = subprocess.Popen(
        [*COMMAND, *map(str, args)], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,  # its own group, as a shell's job
    )  # fmt: skip
    kids = family(proc, 3, timeout=90)  # the resource tracker and two workers
    assert len(kids) >= 3, "the LocalCluster did not start"
    deadline = time.monotonic() + 120  # until the workers are taking tasks (a batch is stored)
    while not list((tmp_path / "store" / "batches").glob("*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    kids = kids + [k for k in family(proc, 4, timeout=0.1) if k not in kids]
    os.killpg(proc.pid, signal.SIGINT)
    err = check_stopped(proc, signal.SIGINT)
    assert proc.returncode == 130, "finished before it was stopped"
    assert len(err.strip().splitlines()) <= 1, err
    assert gone(kids) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_replications_killed_leave_no_workers_and_resume_to_the_same_files(tmp_path, sig):
    """Stopped once its first chunk is kept (polled, so the resume is always exercised), then
    rerun: the same files as a run never stopped. 192 runs in eight chunks leave seconds of work
    after the first chunk is kept (48 left under half a second, so an idle machine finished the
    run before the stop came)."""
    rng = random.Random(4000 + sig)
    args = ["run", BASELINE, "--clients", "2000", "--months", "60", "--replications", "192"]
    args += ["--no-figures", "--quiet", "--workers", "2", "--out"]
    proc = start([*args, "res"], tmp_path)
    kids = family(proc, 2)
    kept = tmp_path / ".res.kept"
    deadline = time.monotonic() + 120
    while not list(kept.glob("runs-*.npz")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.5))
    stop_family(proc, kids, sig)
    assert proc.returncode != 0, "finished before it was stopped"
    assert list(kept.glob("runs-*.npz"))
    again = start([a for a in args if a != "--quiet"] + ["res"], tmp_path)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "finished runs read back from" in err  # the kept runs were used, not run again
    assert start([*args, "whole"], tmp_path).wait(timeout=300) == 0
    for name in ("runs.csv", "timeseries.csv"):
        assert (tmp_path / "res" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert not list(tmp_path.glob(".res*")), "kept runs or staging left behind"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_compare_with_workers_stops_its_pool(tmp_path, sig):
    args = ["compare", BASELINE, POLICY, "--clients", "5000", "--months", "60"]
    proc = start([*args, "--replications", "8", "--workers", "2", "--out", "cmp"], tmp_path)
    kids = family(proc, 2)
    time.sleep(0.5)
    proc.send_signal(sig)
    check_stopped(proc, sig)
    assert gone(kids) == []
    assert staging(tmp_path) == []
    assert not (tmp_path / "cmp").exists() or proc.returncode == 0


@pytest.mark.parametrize("delay", [0.0, 0.6])
def test_dask_local_stopped_while_its_cluster_starts_is_one_line(tmp_path, delay):
    pytest.importorskip("distributed")
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(SPEC)
    proc = start(["sweep", spec_file, "--out", "store", "--dask-local", "2", "--quiet"], tmp_path)
    kids = family(proc, 1, timeout=90)  # the first process of the starting cluster
    time.sleep(delay)
    kids += [k for k in family(proc, 3, timeout=0.05) if k not in kids]
    proc.send_signal(signal.SIGTERM)
    err = check_stopped(proc, signal.SIGTERM)
    assert len(err.strip().splitlines()) <= 1, err  # before: Dask's exit hook's traceback
    assert gone(kids) == []


def test_once_the_command_returns_a_stop_cannot_change_its_exit_status(monkeypatch, capsys):
    # Before, a SIGTERM or Ctrl+C landing while the interpreter shut down after a finished run
    # (results written, "wrote ..." printed) ended it by the signal: exit -15 or -2, not 0.
    from model.interfaces.cli import command

    monkeypatch.setattr(sys, "argv", ["retention", "params", "--section", "run"])
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(SystemExit) as done:
            command()
        assert done.value.code == 0
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    assert "run.seed" in capsys.readouterr().out
