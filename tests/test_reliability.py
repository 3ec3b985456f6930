"""Reliability: the input boundary, the one error path, writes that stay in --out, resumable stores.

Each test is one case found by trying the command as a hostile user would (issue 19); each failed
on the code before the boundary existed.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli

from model.interfaces.cli import inputs
from model.interfaces.cli.main import main
from model.scenario import Scenario, ScenarioError, read_toml
from model.studies.sweep import parse_spec, run_sweep
from model.studies.sweep.store import done_batches

REPO = Path(__file__).resolve().parents[1]
TINY = ("--clients", "100", "--months", "2")
BASELINE = REPO / "model" / "presets" / "baseline.toml"
POLICY = REPO / "model" / "presets" / "policies" / "no_cut.toml"
SPEC = {
    "name": "rel",
    "seed": 3,
    "months": 3,
    "clients": 100,
    "replications": 2,
    "batch_size": 2,
    "design": {"kind": "grid"},
    "parameters": {"levers.service_level": ["low", "wow"]},
    "output": {"series": ["active"]},
}


def one_error_line(capsys, *words: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


# ============================================================================ bad input: exit 2
@pytest.mark.parametrize("command", ["compare", "optimize"])
@pytest.mark.parametrize("value", ["abc", "1.5", "-3", "9" * 5000, str(2**64)])
def test_seed_of_many_run_commands_is_checked(tmp_path, capsys, command, value):
    files = [BASELINE, POLICY] if command == "compare" else [BASELINE]
    code = cli(command, *files, *TINY, "--seed", value, "--out", tmp_path / "o")
    assert code == 2
    one_error_line(capsys, "--seed", "0 ≤ x")
    assert not (tmp_path / "o").exists()


def test_huge_integer_in_set_is_one_line(tmp_path, capsys):
    assert cli("run", *TINY, "--set", "run.seed=" + "9" * 5000, "--out", tmp_path / "o") == 2
    one_error_line(capsys, "run.seed", "0 ≤ x")


@pytest.mark.parametrize("value", ["true", "yes", "1"])
def test_flags_and_numbers_do_not_mix(tmp_path, capsys, value):
    key = "levers.service_level" if value == "true" else "word_of_mouth.enabled"
    assert cli("run", *TINY, "--set", f"{key}={value}", "--out", tmp_path / "o") == 2
    one_error_line(capsys, key)


def test_deeply_nested_toml_is_refused_by_every_reader(tmp_path, capsys):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    for argv in (
        ["run", deep, "--out", tmp_path / "o"],
        ["sweep", deep, "--out", tmp_path / "s", "--workers", "1"],
        ["calibrate", "--targets", deep, "--out", tmp_path / "c.toml"],
    ):
        assert cli(*argv) == 2, argv
        one_error_line(capsys, "nested too deeply")


def test_reader_refuses_devices_fifos_folders_and_huge_files(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # no writer: reading it the ordinary way blocks forever
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(20_000_000)
    for path, words in (
        ("/dev/zero", "device"),
        (fifo, "device, pipe"),
        (tmp_path, "folder"),
        (big, "bytes"),
    ):
        with pytest.raises(ScenarioError, match=words):
            read_toml(path, "scenario file")


def test_run_of_a_device_is_one_line(tmp_path, capsys):
    assert cli("run", "/dev/zero", "--out", tmp_path / "o") == 2
    one_error_line(capsys, "/dev/zero", "device")


@pytest.mark.parametrize(
    "text",
    ['survival = ["a", "b"]', "survival = [[1, 2], [3]]", "survival = 5", "targets = 3"],
)
def test_calibrate_targets_of_the_wrong_shape(tmp_path, capsys, text):
    targets = tmp_path / "t.toml"
    targets.write_text(text + "\n")
    code = cli("calibrate", "--targets", targets, "--out", tmp_path / "c.toml", "--seeds", "1")
    assert code == 2
    one_error_line(capsys)


@pytest.mark.parametrize("months", ["0", "-3", "nan", "inf"])
def test_calibrate_period_months_must_be_positive_and_finite(tmp_path, capsys, months):
    log = tmp_path / "log.csv"
    log.write_text("client,date,amount\n1,2020-01-01,5\n")
    argv = ["calibrate", "--transactions", log, "--period-months", months]
    assert cli(*argv, "--out", tmp_path / "c.toml") == 2
    one_error_line(capsys, "--period-months", months)


def test_names_longer_than_a_file_system_allows(tmp_path, capsys):
    assert cli("run", *TINY, "--out", tmp_path / ("x" * 300)) == 2
    one_error_line(capsys, "--out", "255")
    scenario = tmp_path / "long.toml"
    scenario.write_text(f'name = "{"n" * 300}"\n')
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert cli("run", scenario, *TINY, "--no-figures") == 0
    finally:
        os.chdir(cwd)
    (folder,) = (tmp_path / "out").iterdir()
    assert len(folder.name.encode()) <= 255


@pytest.mark.parametrize("address", ["ucx://127.0.0.1:8786", "ws://127.0.0.1:8786", "nowhere"])
def test_scheduler_protocols_we_cannot_speak(tmp_path, capsys, address):
    spec = tmp_path / "spec.toml"
    spec.write_text('name = "s"\n[parameters]\n"levers.service_level" = ["low"]\n')
    assert cli("sweep", spec, "--out", tmp_path / "s", "--scheduler", address) == 2
    one_error_line(capsys, "--scheduler", "tcp://HOST:PORT")


def test_a_listener_that_is_not_dask_is_one_line(tmp_path, capsys):
    pytest.importorskip("distributed")
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def talk() -> None:  # an HTTP-ish server: answers garbage and hangs up
        for _ in range(5):
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.sendall(b"\xff" * 64)
            conn.close()

    threading.Thread(target=talk, daemon=True).start()
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'name = "s"\nclients = 100\nmonths = 2\n[parameters]\n"levers.service_level" = ["low"]\n'
    )
    port = server.getsockname()[1]
    try:
        code = cli("sweep", spec, "--out", tmp_path / "s", "--scheduler", f"tcp://127.0.0.1:{port}")
    finally:
        server.close()
    assert code == 2
    one_error_line(capsys, "--scheduler", "cannot connect")


def test_a_full_disk_is_one_line(tmp_path, capsys, monkeypatch):
    def full(self, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    assert cli("run", *TINY, "--no-figures", "--out", tmp_path / "o") == 2
    one_error_line(capsys, "No space left on device")
    assert not (tmp_path / "o").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no staging folder left


def test_debug_shows_the_traceback(tmp_path, capsys):
    assert cli("--debug", "run", "/dev/zero", "--out", tmp_path / "o") == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "device" in err.splitlines()[-1]


def test_a_real_bug_keeps_its_traceback(monkeypatch):
    from model.interfaces.cli import params

    def broken(args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(params, "_cmd_params", broken)
    with pytest.raises(ZeroDivisionError):
        main(["params"])


# ===================================================================== outputs checked up front
def test_sensitivity_out_is_checked_before_any_work(tmp_path, capsys, monkeypatch):
    import model.studies.sensitivity as sens

    monkeypatch.setattr(sens, "analyze", lambda *a, **k: pytest.fail("analysed before checking"))
    from model.studies.sweep.store import MANIFEST_KEYS

    # A store's manifest (its STORE is checked first: a spec file given as one is named so).
    manifest = {key: 0 for key in MANIFEST_KEYS} | {"code": {}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    assert cli("sensitivity", tmp_path, "--out", a_file) == 2
    one_error_line(capsys, "--out", "not a folder")
    assert cli("sensitivity", tmp_path, "--out", a_file / "below") == 2
    one_error_line(capsys, "--out", "is a file")


def test_sensitivity_replaces_only_its_own_folder(tmp_path, capsys, monkeypatch):
    """--out was written into whatever folder it named: a run's results, another sweep's store,
    a folder of one's own files; now it is refused before any work, as every command's is."""
    import model.studies.sensitivity as sens
    from model.studies.sweep.store import MANIFEST_KEYS

    monkeypatch.setattr(sens, "analyze", lambda *a, **k: pytest.fail("analysed before checking"))
    manifest = {key: 0 for key in MANIFEST_KEYS} | {"code": {}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("keep")
    assert cli("sensitivity", tmp_path, "--out", other) == 2
    one_error_line(capsys, "--out", "is not a previous output of 'retention sensitivity'")
    assert sorted(p.name for p in other.iterdir()) == ["mine.txt"]


def test_a_read_only_folder_is_refused_up_front(tmp_path, monkeypatch):
    # CI runs as root, for whom every folder is writable: ask the check with a stand-in access().
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(inputs.os, "access", lambda path, mode: Path(path) != locked)
    with pytest.raises(inputs.CliError, match="read-only"):
        inputs.check_out(locked / "x")
    inputs.check_out(tmp_path / "fine" / "x")


def test_experiment_out_is_checked_before_any_work(tmp_path, capsys, monkeypatch):
    experiments_cli = pytest.importorskip("experiments.cli")
    monkeypatch.setattr(experiments_cli, "_run_one", lambda *a: pytest.fail("ran before checking"))
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    assert cli("experiment", "pareto", "--out", a_file) == 2
    one_error_line(capsys, "--out")


# ============================================================== writes stay where they are told
def test_experiment_all_writes_its_index_into_out_not_its_parent(tmp_path, monkeypatch):
    experiments_cli = pytest.importorskip("experiments.cli")
    monkeypatch.setattr(experiments_cli, "_run_one", lambda *a: None)
    parent_readme = tmp_path / "README.md"
    parent_readme.write_text("the project's own README\n")
    out = tmp_path / "out"
    out.mkdir()
    assert cli("experiment", "--all", "--out", out) == 0
    assert parent_readme.read_text() == "the project's own README\n"
    assert (out / "README.md").is_file()


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/escaped-abs", ".."])
def test_scenario_names_never_become_paths_outside_out(tmp_path, monkeypatch, name):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    scenario = work / "s.toml"
    scenario.write_text(f"name = {json.dumps(name)}\n")
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    assert cli("run", scenario, *TINY, "--no-figures") == 0
    after = snapshot(tmp_path)
    changed = {k for k in after.keys() - before.keys() if not k.startswith("a/b/out")}
    assert changed == set()
    assert not Path("/tmp/escaped-abs").exists() or name != "/tmp/escaped-abs"


# ================================================================================ memory up front
@pytest.mark.parametrize(
    "argv",
    [
        ["--clients", "50000000"],
        ["--set", "staff.capacity=1e-9"],
        ["--clients", "2000000", "--set", "word_of_mouth.degree=200"],
    ],
)
def test_legal_values_that_exhaust_memory_are_refused_up_front(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.setattr(inputs, "available_memory", lambda: 8 * 1024**3)
    assert cli("run", *argv, "--months", "2", "--out", tmp_path / "o") == 2
    one_error_line(capsys, "memory", "8 GB" if False else "GB")


def test_a_capacity_so_small_the_staff_overflow_is_refused_in_words(capsys):
    """``staff.capacity`` is any positive number: near 0 the staff a run might employ, and the
    memory it would need, overflow to infinity, and the refusal read "up to inf staff ... needs
    about inf PB of memory"."""
    from model import simulate

    assert cli("run", "--clients", "200", "--months", "2", "--set", "staff.capacity=1e-310") == 2
    err = capsys.readouterr().err
    assert "unboundedly many staff" in err and "more memory than any machine has" in err
    assert "inf" not in err.replace("staff.capacity 1e-310", "")
    tiny = Scenario().with_overrides(
        {"market.clients": 200, "run.months": 2, "staff.capacity": 1e-310}
    )
    with pytest.raises(ScenarioError, match=r"^staff\.capacity: value 1e-310 .*unboundedly many"):
        simulate(tiny)


def test_a_sweep_without_workers_is_checked_for_one_run_per_core(tmp_path, capsys, monkeypatch):
    """The default runs one process per core, and the memory check counted one: a sweep refused
    with ``--workers 2`` started without it."""
    import model.engine.elementwise as elementwise

    monkeypatch.setattr(inputs, "available_memory", lambda: 0.5 * 1024**3)  # one run fits
    monkeypatch.setattr(elementwise, "usable_cores", lambda: 8)
    spec = tmp_path / "spec.toml"
    grid = '[design]\nkind = "grid"\n[parameters]\n"levers.ad_budget" = [100, 200, 300, 400]\n'
    spec.write_text(f"clients = 200000\nmonths = 2\nbatch_size = 1\n{grid}")  # four tasks
    assert cli("sweep", spec, "--out", tmp_path / "s") == 2
    line = one_error_line(capsys, "memory", "4 at a time", "the spec's clients")  # not 8
    assert "--clients" not in line
    assert not (tmp_path / "s").exists()
    # Never more at a time than there are tasks: two runs fit as two.
    monkeypatch.setattr(inputs, "available_memory", lambda: 0.35 * 1024**3)
    spec.write_text(f"clients = 200000\nmonths = 2\nbatch_size = 1\n{grid}".replace(
        ", 300, 400]", "]"))  # fmt: skip
    assert cli("sweep", spec, "--out", tmp_path / "s", "--quiet") == 0


def test_optimize_grid_is_capped(tmp_path, capsys):
    assert cli("optimize", BASELINE, *TINY, "--grid", "100000", "--out", tmp_path / "o") == 2
    one_error_line(capsys, "--grid")
    assert cli("optimize", BASELINE, *TINY, "--grid", "200", "--out", tmp_path / "o") == 2
    one_error_line(capsys, "--grid", "grid points")


def test_a_plan_of_ten_million_runs_is_streamed(tmp_path):
    import tracemalloc

    from model.studies.sweep.designs import build_design
    from model.studies.sweep.runner import iter_plan

    values = [0.01 * i for i in range(100)]
    spec = parse_spec(
        {
            **SPEC,
            "parameters": {"retain.satisfaction_sensitivity": values},
            "replications": 100_000,
            "batch_size": 1000,
        }
    )
    design = build_design(spec)
    tracemalloc.start()
    tasks = iter_plan(spec, design, tmp_path)
    first = [next(tasks) for _ in range(3)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [t.batch for t in first] == [0, 1, 2]
    assert peak < 50_000_000  # a materialised plan of 10^7 rows takes gigabytes


# ============================================================================ stores that resume
def spec_of(**changes):
    return parse_spec({**SPEC, **changes})


def test_half_created_store_is_resumed_and_fresh_works(tmp_path, capsys):
    store = tmp_path / "store"
    for sub in ("batches", "series"):
        (store / sub).mkdir(parents=True)
    (store / "spec.toml").write_text("name = 'rel'\n")
    (store / ".manifest.json.abc.tmp").write_text("{")
    run = run_sweep(spec_of(), store, progress=False)
    assert run.ran == run.batches == 2
    (store / "manifest.json").unlink()  # killed again, this time just before the manifest
    run = run_sweep(spec_of(), store, progress=False, fresh=True)
    assert run.ran == 2


def test_truncated_batch_is_redone_on_resume(tmp_path):
    from model.studies.sweep import load

    store = tmp_path / "store"
    run_sweep(spec_of(), store, progress=False)
    whole = load(store)
    path = store / "batches" / "batch-000001.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    (store / "batches" / "batch-000000.parquet").write_bytes(b"")
    run = run_sweep(spec_of(), store, progress=False)
    assert run.ran == 2 and done_batches(store) == {0, 1}
    pd.testing.assert_frame_equal(load(store), whole)


@pytest.mark.parametrize("text", ["[1, 2]", "{}", '{"format": 1}', "not json"])
def test_damaged_manifest_is_one_line_and_fresh_replaces_it(tmp_path, capsys, text):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'name = "rel"\nclients = 100\nmonths = 2\nreplications = 1\n'
        '[parameters]\n"levers.service_level" = ["low"]\n'
    )
    store = tmp_path / "store"
    assert cli("sweep", spec, "--out", store, "--workers", "1", "--quiet") == 0
    (store / "manifest.json").write_text(text)
    assert cli("sweep", spec, "--out", store, "--workers", "1", "--quiet") == 2
    one_error_line(capsys, "manifest.json", "--fresh")
    assert cli("sweep", "--status", store) == 2
    capsys.readouterr()
    assert cli("sweep", spec, "--out", store, "--workers", "1", "--quiet", "--fresh") == 0


# ===================================================================================== the pieces
@pytest.mark.parametrize(
    ("parse", "good", "bad"),
    [
        (inputs.seed(), ["0", str(2**64 - 1), "1_000"], ["-1", str(2**64), "1.5", "", "٣", "1e3"]),
        (inputs.ranged_int("--n", 1, 10), ["1", "10", "+5"], ["0", "11", "x", "9" * 31]),
        (inputs.finite_float("--x", 0.0, open_lo=True), ["1", "1e3"], ["0", "nan", "inf", "-1"]),
        (
            inputs.address(),
            ["tcp://h:1", "h:8786", "tls://h:1"],
            ["ucx://h:1", "h", "tcp://h:0", "ws://h:1"],
        ),
    ],
)
def test_argument_types(parse, good, bad):
    import argparse

    for text in good:
        parse(text)
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)


def test_safe_name_is_one_component():
    for name in ["../../x", "/abs/path", "..", "", "a/b", "x" * 400, "ok-name_1.2"]:
        safe = inputs.safe_name(name)
        assert "/" not in safe and safe not in ("", ".", "..") and len(safe) <= 100
    assert inputs.safe_name("ok-name_1.2") == "ok-name_1.2"


def test_the_python_api_refuses_a_run_that_would_not_fit_before_allocating(monkeypatch):
    """``simulate`` with a tiny ``staff.capacity`` (500 clients, 500 million staff) grew to
    15 GB and failed deep in numpy; the command line refused it in one line. The model now
    refuses it too, naming the field whose arrays take most of the memory."""
    import model.engine.memory as memory
    from model import RetentionModel, simulate

    monkeypatch.setattr(memory, "available_memory", lambda: 8 * 1024**3)
    tiny_staff = Scenario().with_overrides(
        {"market.clients": 500, "run.months": 12, "staff.capacity": 1e-6}
    )
    with pytest.raises(
        ScenarioError, match=r"^staff\.capacity: value 1e-06 is not allowed on this"
    ):
        simulate(tiny_staff)
    with pytest.raises(ScenarioError, match=r"needs about 29\.8 GB of memory.*6\.4 GB to spare"):
        RetentionModel(tiny_staff)
    assert RetentionModel(tiny_staff.with_overrides({"staff.capacity": 300})).clients.n == 500
    # A market too large is the market's size, its network edges counted with it, and the
    # message says how many clients would fit (the degree was blamed at its default of 10).
    huge = Scenario().with_overrides({"market.clients": 20_000_000, "run.months": 2})
    with pytest.raises(ScenarioError, match=r"^market\.clients: value 20,000,000 .*at most 11,"):
        RetentionModel(huge)


def test_memory_estimate_grows_with_what_is_allocated():
    small = Scenario().with_overrides({"market.clients": 1000})
    assert inputs.scenario_bytes(small) < inputs.scenario_bytes(
        small.with_overrides({"word_of_mouth.degree": 100})
    )
    assert inputs.scenario_bytes(small.with_overrides({"staff.capacity": 1e-9})) > 1e12


def test_a_bad_shared_memory_budget_is_one_line_not_a_crash_on_import(tmp_path):
    """RETENTION_SHARED_MB is read when a run starts: a bad value is an input error (exit 2)."""
    for bad in ("abc", "nan", "inf", "-5"):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "model",
                "run",
                "--clients",
                "200",
                "--months",
                "2",
                "--out",
                str(tmp_path / "o"),
                "--quiet",
                "--no-figures",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "RETENTION_SHARED_MB": bad},
            timeout=120,
        )
        assert proc.returncode == 2, (bad, proc.stderr)
        assert "Traceback" not in proc.stderr and "RETENTION_SHARED_MB" in proc.stderr
    help_ = subprocess.run(
        [sys.executable, "-m", "model", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "RETENTION_SHARED_MB": "abc"},
        timeout=120,
    )
    assert help_.returncode == 0, help_.stderr


def test_app_without_its_extra_says_how_to_install_it(monkeypatch):
    import importlib.util

    from model.interfaces.cli import app as app_cli
    from model.interfaces.cli.errors import CliError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a)
    )
    with pytest.raises(CliError, match=r"retention-lab\[app\]"):
        app_cli.serve("127.0.0.1", 0)


def test_a_stop_after_the_results_landed_says_they_are_complete(tmp_path, monkeypatch, capsys):
    """A SIGTERM between a run's results landing and its last line used to say "previous results
    are untouched" although the new ones were complete; a stop before they land still says so."""
    from model.interfaces.cli import staging
    from model.interfaces.cli.errors import Terminated

    real = staging._swap_into_place

    def lands_then_stops(staging, outdir, *outputs, **how):
        real(staging, outdir, *outputs, **how)
        raise Terminated

    monkeypatch.setattr(staging, "_swap_into_place", lands_then_stops)
    out = tmp_path / "r"
    args = ("run", "--clients", "200", "--months", "3", "--no-figures", "--quiet", "--out", out)
    assert cli(*args) == 143
    err = capsys.readouterr().err
    assert f"{out} had already been written in full" in err
    assert (out / "summary.json").exists()

    def stops_first(staging, outdir, *outputs, **how):
        raise Terminated

    monkeypatch.setattr(staging, "_swap_into_place", stops_first)
    assert cli(*args[:-1], tmp_path / "s") == 143
    assert "stopped (SIGTERM); previous results are untouched" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_out_dot_writes_into_the_working_folder_and_leaves_it_in_place(tmp_path, monkeypatch):
    """``--out .`` failed with "Device or resource busy": the staging folder was made inside
    ".", which cannot be renamed onto itself. The working folder is now filled in place (moved
    aside, it would leave the user's shell in a removed folder): its inode stays, a second run
    replaces the first's files and removes a figure it no longer writes, and nothing is left
    beside or inside it."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    inode = here.stat().st_ino
    base = ("run", "--clients", "200", "--months", "3", "--quiet", "--out", ".")
    assert cli(*base) == 0
    figures = sorted(p.name for p in here.glob("*.png"))
    assert figures and (here / "summary.json").exists()
    assert cli(*base, "--no-figures") == 0
    assert sorted(p.name for p in here.iterdir()) == [
        "columns.csv",
        "report.html",
        "summary.json",
        "timeseries.csv",
    ]
    assert here.stat().st_ino == inode and os.getcwd() == str(here)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]
    # A folder that holds the working folder holds something else than outputs: refused.
    sub = here / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert cli(*base[:-1], "..") == 2
    assert sorted(p.name for p in here.iterdir()) == [
        "columns.csv",
        "report.html",
        "sub",
        "summary.json",
        "timeseries.csv",
    ]


def test_a_failed_move_aside_leaves_no_folder_behind(tmp_path, monkeypatch):
    """When the previous results cannot be moved aside, the empty folder made for them goes
    too (it was left beside them), and the previous results stay."""
    from model.interfaces.cli import staging

    out = tmp_path / "r"
    args = ("run", "--clients", "200", "--months", "3", "--no-figures", "--quiet", "--out", out)
    assert cli(*args) == 0
    real = os.replace

    def refuse_first(src, dst):
        if Path(src) == out:
            raise PermissionError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(staging.os, "replace", refuse_first)
    assert cli(*args) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert (out / "summary.json").exists()


def test_a_stopped_sweep_says_its_finished_tasks_are_kept(tmp_path, monkeypatch, capsys):
    """A sweep (and a claim study) writes each task as it finishes: a stop says those are kept
    and that the same command resumes (it said "previous results are untouched", while the
    store had new tasks in it)."""
    import model.studies.sweep as sweep
    from model.interfaces.cli.errors import Terminated

    def stops(*args, **kwargs):
        raise Terminated

    monkeypatch.setattr(sweep, "run_sweep", stops)
    store = tmp_path / "store"
    assert cli("sweep", "sweeps/example", "--out", store, "--quiet") == 143
    err = capsys.readouterr().err
    assert f"the tasks that finished are kept in {store}" in err and "resumes" in err
    assert len(err.strip().splitlines()) == 1


def test_a_stopped_fresh_sweep_says_it_discarded_the_earlier_results(tmp_path, monkeypatch, capsys):
    """``sweep --fresh`` empties a finished store as it begins: a stop after that said "any
    other previous results are untouched" while the earlier runs were gone. It now says --fresh
    discarded them (judged by the earlier tasks' files: the manifest a fresh store writes may
    be byte for byte the old one within the same second); a stop before the store was touched
    still says nothing of the kind."""
    import model.studies.sweep as sweep
    from model.interfaces.cli.errors import Terminated
    from model.studies.sweep import store as store_module

    store = tmp_path / "store"
    spec = tmp_path / "tiny.toml"
    spec.write_text(
        'name = "tiny"\nmonths = 2\nclients = 60\nreplications = 1\nbatch_size = 1\n'
        '[base]\nscenario = "baseline"\n[design]\nkind = "grid"\n'
        '[parameters]\n"levers.service_level" = ["low", "wow"]\n'
    )
    assert cli("sweep", spec, "--out", store, "--quiet", "--workers", "1") == 0
    real = store_module.open_store

    def opens_then_stops(*args, **kwargs):
        real(*args, **kwargs)
        raise Terminated

    monkeypatch.setattr(sweep.runner, "open_store", opens_then_stops)
    assert cli("sweep", spec, "--out", store, "--quiet", "--fresh", "--workers", "1") == 143
    err = capsys.readouterr().err
    assert f"--fresh had discarded the earlier results in {store}" in err
    assert not list((store / "batches").iterdir())  # (the message is true: they are gone)

    def stops(*args, **kwargs):
        raise Terminated

    monkeypatch.setattr(sweep.runner, "open_store", real)
    assert cli("sweep", spec, "--out", store, "--quiet", "--workers", "1") == 0  # finish it
    monkeypatch.setattr(sweep, "run_sweep", stops)
    assert cli("sweep", spec, "--out", store, "--quiet", "--fresh", "--workers", "1") == 143
    assert "discarded" not in capsys.readouterr().err  # (stopped before the store was opened)


def test_a_stopped_claim_study_says_its_store_keeps_the_finished_batches(
    tmp_path, monkeypatch, capsys
):
    """The claim study's store resumes as a sweep's does: a stop says so, and that --fresh would
    start again."""
    import experiments.analysis.evidence as evidence
    from model.interfaces.cli.errors import Terminated

    def stops(*args, **kwargs):
        raise Terminated

    monkeypatch.setattr(evidence, "run_claim", stops)
    out = tmp_path / "reports"
    assert cli("experiment", "pareto", "--size", "quick", "--out", out, "--quiet") == 143
    err = capsys.readouterr().err
    assert "the tasks that finished are kept in" in err and str(out / ".store") in err
    assert "without --fresh" in err and len(err.strip().splitlines()) == 1
    assert "discarded" not in err  # (no --fresh)
    # --fresh clears the study's store before it runs: a stop then says so, not "untouched".
    store = out / ".store" / "quick-seed1"
    store.mkdir(parents=True)
    (store / "kept.txt").write_text("an earlier run's")
    assert cli("experiment", "pareto", "--size", "quick", "--out", out, "--quiet", "--fresh") == 143
    err = capsys.readouterr().err
    assert f"--fresh had discarded the earlier results in {store}" in err


def test_sensitivity_and_experiment_name_what_is_wrong_with_store_and_out(tmp_path, capsys):
    """A spec file given as a store was reported as an --out that cannot be written, and an
    --out the system refuses as a bare 'No such file or directory'."""
    spec = tmp_path / "s2.toml"
    spec.write_text("x = 1\n")
    assert cli("sensitivity", spec) == 2
    one_error_line(capsys, "a file, not a sweep store")
    assert cli("experiment", "lost_client", "--size", "quick", "--out", "/proc/x") == 2
    line = one_error_line(capsys, "--out '/proc/x'", "cannot be written")
    assert "allowed: a folder path you can write to" in line


def test_a_stray_argument_points_to_its_commands_help(capsys):
    """``retention app --prot 8800`` said to see 'retention --help', which lists no app options."""
    assert cli("app", "--prot", "8800") == 2
    one_error_line(capsys, "unrecognized arguments: --prot", "(see 'retention app --help')")
    assert cli("run", *TINY, "--bogus") == 2
    one_error_line(capsys, "(see 'retention run --help')")
    assert cli("--bogus", "run", *TINY) == 2  # before the command: the top level's
    one_error_line(capsys, "unrecognized arguments: --bogus (see 'retention --help')")


def test_out_through_a_symlinks_parent_is_where_the_system_puts_it(tmp_path, capsys, monkeypatch):
    """`--out link/../x` was made absolute as text (`./x`) while the checks read the path the
    system resolves (the link's target's parent): a different run replaced x without --force."""
    (tmp_path / "elsewhere" / "inner").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere" / "inner")
    monkeypatch.chdir(tmp_path)
    run = ("run", "--clients", "200", "--months", "3", "--no-figures", "--quiet", "--out")
    assert cli(*run, "link/../x") == 0
    assert (tmp_path / "elsewhere" / "x" / "summary.json").exists()
    assert not (tmp_path / "x").exists()
    assert cli(*run[:2], "300", *run[3:], "link/../x") == 2  # another run: refused there too
    assert "holds the results of a different run" in capsys.readouterr().err


def test_a_file_moved_to_another_file_system_is_copied_whole(tmp_path, monkeypatch):
    """`--out .` in a folder that is a mount: its staging folder is in the parent, another file
    system, and the rename failed (EXDEV) after the whole run."""
    from model.interfaces.cli import staging

    source, target = tmp_path / "s" / "a.csv", tmp_path / "t" / "a.csv"
    source.parent.mkdir()
    target.parent.mkdir()
    source.write_text("new")
    target.write_text("old")
    real = os.replace

    def cross_device(src, dst):
        if Path(src) == source:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real(src, dst)

    monkeypatch.setattr(staging.os, "replace", cross_device)
    staging._move(source, target)
    assert target.read_text() == "new" and not source.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.csv"]


def test_out_dot_under_a_parent_that_cannot_be_written_stages_inside(tmp_path, monkeypatch):
    """``--out .`` in a folder whose parent cannot be written (the top of a mount, a folder
    under a read-only one) failed: the staging folder and kept runs go beside the results. They
    now go inside it, hidden, and are gone when the results are in place; one a killed process
    left there is removed, and does not make the folder read as someone else's."""
    import tempfile

    from model.interfaces.cli import staging

    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    real = tempfile.mkdtemp

    def parent_read_only(*args, **kwargs):
        if Path(kwargs.get("dir") or "") == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))
        return real(*args, **kwargs)

    monkeypatch.setattr(staging.tempfile, "mkdtemp", parent_read_only)
    dead = here / f".here.partial-{staging._owner()}-999999999-x"
    dead.mkdir()
    base = ("run", "--clients", "150", "--months", "3", "--quiet", "--no-figures", "--out", ".")
    assert cli(*base) == 0
    assert sorted(p.name for p in here.iterdir()) == [
        "columns.csv",
        "report.html",
        "summary.json",
        "timeseries.csv",
    ]
    assert cli(*base, "--replications", "2", "--force") == 0  # (runs kept inside meanwhile)
    assert sorted(p.name for p in here.iterdir()) == [
        "columns.csv",
        "report.html",
        "runs.csv",
        "summary.json",
        "timeseries.csv",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]
    # Where the folder does not exist yet, there is nowhere to stage: a clear error, as before.
    assert cli(*base[:-1], str(tmp_path / "new")) == 2


def test_a_results_folder_holding_hidden_folders_named_like_ours_is_not_replaced(tmp_path):
    """Names of the tool's own hidden folders count as its own only where it stages inside the
    folder (a parent that cannot be written). Where the folder is replaced whole, a folder or a
    file named like them is the user's: the folder is refused, and nothing in it is lost."""
    out = tmp_path / "res"
    args = ("run", "--clients", "150", "--months", "3", "--quiet", "--no-figures", "--out", out)
    assert cli(*args) == 0
    notes = out / ".res.kept" / "my-notes.txt"
    notes.parent.mkdir()
    notes.write_text("mine")
    assert cli(*args) == 0  # (kept runs waiting inside: staged inside, the notes left alone)
    assert notes.read_text() == "mine"
    notes.unlink()
    notes.parent.rmdir()
    backup = out / ".res.kept-backup.tar"
    backup.write_text("mine")
    assert cli(*args) == 2
    assert backup.read_text() == "mine" and (out / "summary.json").exists()
