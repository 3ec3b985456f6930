"""The ``retention`` command: outputs, reproducibility, the service-level pairing, bad input.

Most runs are in-process (``main([...])``) at a small size; one success and one failure run as a
real subprocess (``python -m model``) to check exit codes and stderr as a shell sees them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.engine.metrics import METRICS
from model.engine.numerics import numerics_class
from model.interfaces.cli import main, staging
from model.interfaces.cli import run as cli_run
from model.interfaces.figures import STANDARD_FIGURES
from model.scenario import Scenario, parameter_table
from model.studies.run import simulate
from model.version import shown_version

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "model" / "presets" / "baseline.toml"
SMALL = ("--clients", "1000", "--months", "12")
TINY = ("--clients", "100", "--months", "2")


def run_cli(*args: object) -> int:
    """Call the command in-process and return its exit status, however it ends."""
    try:
        return main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own --help / --version
        return int(exc.code or 0)


def test_version_names_the_checkouts_commit(capsys, monkeypatch) -> None:
    """``--version``: the package's version and, in a checkout, the commit the code runs from
    (a checkout's version is the one computed when it was installed); a wheel's version alone."""
    from model.version import __version__, git_commit

    assert run_cli("--version") == 0
    out = capsys.readouterr().out.strip()
    commit = git_commit(short=True)
    assert commit is not None  # (the tests run from the repository's checkout)
    installed_at = __version__.partition("+g")[2].split(".")[0]
    if installed_at and not installed_at.startswith(commit.removesuffix("+dirty")):
        # Installed at an older commit: its development number and hash are left out.
        assert out == f"retention {__version__.partition('.dev')[0]}.dev (git {commit})"
    else:
        assert out == f"retention {__version__} (git {commit})"
    monkeypatch.setattr("model.version.checkout_root", lambda: None)  # an installed wheel
    assert run_cli("--version") == 0
    assert capsys.readouterr().out.strip() == f"retention {__version__}"


@pytest.mark.parametrize(
    ("installed", "commit", "shown"),
    [
        ("0.2.0.dev770+g94e7f742b", "09896b0", "0.2.0.dev"),  # installed at an older commit
        ("0.2.0.dev770+g94e7f742b", "94e7f74", "0.2.0.dev770+g94e7f742b"),  # at this one
        ("0.2.0.dev770+g94e7f742b.d20261203", "94e7f74+dirty", "0.2.0.dev770+g94e7f742b.d20261203"),
        ("0.2.0.dev770+g94e7f742b.d20261203", "09896b0", "0.2.0.dev"),  # dirty, older
        ("0.2.0.dev770+g94e7f74", "94e7f742b", "0.2.0.dev770+g94e7f74"),  # git's longer hash
        ("0.2.0", "09896b0", "0.2.0"),  # a release: its tag, not a hash, names the commit
        ("0.0.0+local", "09896b0", "0.0.0+local"),  # never installed
    ],
)
def test_a_checkout_hides_an_older_installs_commit(installed, commit, shown) -> None:
    """Reports cite one commit: a checkout's install-time ``+g<hash>`` and development number
    are dropped once HEAD has moved past them, not printed beside the commit that ran."""
    from model.version import _current_part

    assert _current_part(installed, commit) == shown


def leftovers(folder: Path) -> list[str]:
    """Staging folders a run left behind (there must be none)."""
    return [p.name for p in folder.iterdir() if ".partial-" in p.name or ".old-" in p.name]


# ------------------------------------------------------------------------------------ outputs
def test_run_writes_table_summary_and_figures(tmp_path, capsys):
    out = tmp_path / "res"
    assert run_cli("run", BASELINE, *SMALL, "--seed", "7", "--out", out) == 0

    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == 12
    assert list(ts["month"]) == list(range(1, 13))
    assert set(METRICS) <= set(ts.columns)
    # Every column's unit and meaning beside it (62 bare names needed the package to read).
    units = pd.read_csv(out / "columns.csv")
    assert list(units["column"]) == list(ts.columns)
    assert units.set_index("column").loc["revenue", "unit"] == METRICS["revenue"][0]
    assert units["unit"].notna().all() and units["meaning"].str.len().gt(5).all()

    meta = json.loads((out / "summary.json").read_text())
    expected = Scenario.from_toml(BASELINE).with_overrides(
        {"market.clients": 1000, "run.months": 12, "run.seed": 7}
    )
    named = ("name", "description")  # the name says what was overridden (test_users_outputs)
    assert {k: v for k, v in meta["scenario"].items() if k not in named} == {
        k: v for k, v in expected.to_toml_dict().items() if k not in named
    }
    assert meta["scenario"]["name"] == "baseline + clients=1000, months=12, seed=7"
    assert meta["seed"] == 7
    assert meta["version"] == shown_version()  # (as --version shows it)
    assert meta["numerics"] == numerics_class()  # whose last bits (docs/ODD.md §8)
    assert "--seed 7" in meta["command"]
    assert meta["results"]["months"] == 12
    assert meta["results"]["active_end"] == ts["active"].iloc[-1]

    for name in STANDARD_FIGURES:
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page = (out / "report.html").read_text(encoding="utf-8")
    # the figures travel inside the page
    assert page.count('src="data:image/png;base64,') == len(STANDARD_FIGURES)
    npv = f"{meta['results']['npv']:,.0f}"
    assert (
        f'<td class="txt">NPV, discounted profit (currency)</td><td class="num">{npv}</td>' in page
    )
    assert '<td class="txt">market.clients</td><td class="num">1,000</td>' in page  # not default
    assert page.count("<tr>") >= 12 + 1 + 2  # headline rows, one year, changed parameters
    assert "--seed 7" in page
    assert leftovers(tmp_path) == []
    printed = capsys.readouterr().out
    assert "active clients at the end" in printed
    assert str(out) in printed


def test_summary_scenario_reproduces_the_run(tmp_path):
    """summary.json holds the scenario exactly as run: re-running it gives the same table."""
    out = tmp_path / "res"
    assert run_cli("run", BASELINE, *SMALL, "--set", "levers.ad_budget=450", "--out", out,
                   "--no-figures", "--quiet") == 0  # fmt: skip
    meta = json.loads((out / "summary.json").read_text())
    again = simulate(Scenario.build(meta["scenario"])).timeseries
    written = pd.read_csv(out / "timeseries.csv")
    np.testing.assert_allclose(written.to_numpy(float), again.to_numpy(float), rtol=1e-12)
    assert not list(out.glob("*.png"))
    # Counts are written as whole numbers ("2000", not "2000.0"); money stays float.
    assert written["active"].dtype == np.int64 and written["incidents"].dtype == np.int64
    assert written["npv"].dtype == np.float64


def test_default_scenario_and_out_folder(tmp_path, monkeypatch, capsys):
    """With no scenario named, the baseline preset, wherever the command runs; out/<name>--<overrides>."""
    monkeypatch.chdir(tmp_path)
    assert run_cli("run", *TINY, "--no-figures") == 0
    folder = tmp_path / "out" / "baseline--clients=100,months=2"
    meta = json.loads((folder / "summary.json").read_text())
    expected = Scenario.preset("baseline").with_overrides({"market.clients": 100, "run.months": 2})
    assert Scenario.build(meta["scenario"]).flat() == expected.flat()


def test_rerun_replaces_previous_output(tmp_path):
    out = tmp_path / "res"
    assert run_cli("run", BASELINE, *TINY, "--seed", "1", "--out", out, "--quiet") == 0
    assert run_cli("run", BASELINE, *TINY, "--seed", "2", "--out", out, "--quiet",
                   "--no-figures", "--force") == 0  # fmt: skip
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert not list(out.glob("*.png"))  # the old figures went with the old run
    assert leftovers(tmp_path) == []


def test_a_run_labelled_otherwise_by_an_older_version_is_rerun_in_place(tmp_path, capsys):
    """A scenario's name and description are labels: an older version's "ad_budget=450.0" for
    today's "ad_budget=450" is the same run, and rerunning it into its folder was refused as "a
    different run"; a different number still is."""
    out = tmp_path / "res"
    assert run_cli("run", BASELINE, *TINY, "--out", out, "--quiet", "--no-figures") == 0
    meta = json.loads((out / "summary.json").read_text())
    meta["scenario"]["name"] += " + ad_budget=450.0"
    meta["scenario"]["description"] = "as an older version wrote it"
    (out / "summary.json").write_text(json.dumps(meta))
    assert run_cli("run", BASELINE, *TINY, "--out", out, "--quiet", "--no-figures") == 0
    assert run_cli("run", BASELINE, *TINY, "--seed", "9", "--out", out, "--quiet") == 2
    assert "holds the results of a different run" in capsys.readouterr().err


def test_failure_mid_run_leaves_nothing_half_written(tmp_path, monkeypatch):
    out = tmp_path / "res"
    assert run_cli("run", BASELINE, *TINY, "--seed", "1", "--out", out, "--quiet") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(ts, outdir, *_scenario):
        (outdir / "stage_flow.png").write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(cli_run, "_save_figures", broken)
    with pytest.raises(RuntimeError):
        main(["run", str(BASELINE), *TINY, "--seed", "2", "--out", str(out), "--quiet", "--force"])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # previous results intact
    assert leftovers(tmp_path) == []

    fresh = tmp_path / "fresh"
    with pytest.raises(RuntimeError):
        main(["run", str(BASELINE), *TINY, "--out", str(fresh), "--quiet"])
    assert not fresh.exists()
    assert leftovers(tmp_path) == []


def test_refuses_to_replace_a_folder_of_other_files(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert run_cli("run", BASELINE, *TINY, "--out", tmp_path, "--quiet") == 2
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert "--out" in capsys.readouterr().err


# ------------------------------------------------------------------------------- the pairing
def test_wow_beats_low_service_on_the_same_seed(tmp_path):
    """Issue #2: wow vs low service, same seed → more satisfaction, NPS, service cost; less churn.

    Across 8 seeds at this size (2,000 people × 24 months) the paired wow − low differences were,
    mean ± sd: satisfaction +0.54 ± 0.004, NPS +168 ± 0.4 points, service cost +3.1e5 ± 7e3,
    churn rate −0.0023 ± 0.0006 per client-month — the smallest (churn) lies 4 sd from zero, so one
    seed's comparison is not a coin toss; a reversed or removed service effect fails it.
    """
    results = {}
    for level in ("wow", "low"):
        out = tmp_path / level
        args = ("--clients", "2000", "--months", "24", "--seed", "3")
        assert run_cli("run", BASELINE, *args, "--set", f"levers.service_level={level}",
                       "--out", out, "--no-figures", "--quiet") == 0  # fmt: skip
        ts = pd.read_csv(out / "timeseries.csv")
        meta = json.loads((out / "summary.json").read_text())
        assert meta["scenario"]["levers"]["service_level"] == {"wow": 0.9, "low": 0.35}[level]
        results[level] = {
            "satisfaction": ts["satisfaction"].mean(),
            "nps": ts["nps"].mean(),
            "service_cost": ts["service"].sum(),
            "churn_rate": ts["churned"].sum() / ts["active"].sum(),
        }
    wow, low = results["wow"], results["low"]
    assert wow["satisfaction"] > low["satisfaction"]
    assert wow["nps"] > low["nps"]
    assert wow["service_cost"] > low["service_cost"]
    assert wow["churn_rate"] < low["churn_rate"]


# --------------------------------------------------------------------------------- bad input
def _bad_toml(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


BAD_INPUT = {
    # kind: (args after `run`, words the one-line message must contain)
    "unknown key": (["--set", "levers.nope=1"], ["levers.nope", "unknown parameter", "ad_budget"]),
    "unknown section": (["--set", "lever.ad_budget=1"], ["lever.ad_budget", "levers"]),
    "wrong type": (
        ["--set", "levers.service_level=loud"],
        ["levers.service_level", "'loud'", "0 ≤ x ≤ 1"],
    ),
    "wrong type shortcut": (["--clients", "many"], ["market.clients", "'many'", "10 ≤ x"]),
    "out of range": (
        ["--set", "levers.service_level=1.5"],
        ["levers.service_level", "1.5", "0 ≤ x ≤ 1"],
    ),
    "out of open range": (
        ["--set", "retain.churn_heterogeneity=1"],
        ["retain.churn_heterogeneity", "1", "x < 1"],
    ),
    "malformed --set": (
        ["--set", "levers.service_level"],
        ["--set", "levers.service_level", "SECTION.NAME=VALUE"],
    ),
    # (TINY gives --clients and --months: a --set of the same parameter must agree, not vanish)
    "--set beside its shortcut": (
        ["--set", "market.clients=abc"],
        ["market.clients", "'abc'", "is not allowed"],  # (the --set's own error, as alone)
    ),
    "--set disagreeing with its shortcut": (
        ["--set", "market.clients=200"],
        ["--set market.clients=200", "--clients 100", "different values"],
    ),
    "two --set of one parameter disagreeing": (
        ["--set", "levers.ad_budget=100", "--set", "levers.ad_budget=200"],
        ["--set levers.ad_budget=100", "--set levers.ad_budget=200", "different values"],
    ),
    "--set true beside --seed 1": (
        ["--seed", "1", "--set", "run.seed=true"],
        ["run.seed", "True", "is not allowed"],
    ),
    "unknown option": (["--bogus"], ["--bogus"]),
    "missing file": (["{tmp}/missing.toml"], ["missing.toml", "does not exist"]),
    "a folder for a file": (["{tmp}/a_folder"], ["a_folder", "is a folder", "a TOML file"]),
    "malformed TOML": (["{tmp}/broken.toml"], ["broken.toml", "not valid TOML", "line 3"]),
    "unknown key in file": (
        ["{tmp}/typo.toml"],
        ["levers.service_leve", "unknown parameter", "did you mean 'service_level'?"],
    ),
    "unknown section in file": (
        ["{tmp}/section.toml"],
        ["levrs", "unknown section", "did you mean 'levers'?"],
    ),
    "a mistyped array of tables": (
        ["{tmp}/steps.toml"],
        ["schedul", "unknown section", "did you mean 'schedule'?"],
    ),
    "--set of the schedule": (
        ["--set", "schedule.month=3"],
        ["schedule.month", "'schedule' is not a section an override sets"],
    ),
    "unknown section in --set": (
        ["--set", "levrs.service_level=0.5"],
        ["levrs.service_level", "unknown section 'levrs'", "did you mean 'levers.service_level'?"],
    ),
    "a preset's name misspelt": (
        ["delighte"],
        ["'delighte'", "did you mean 'teaching/delighter'?"],
    ),
    "out of range in file": (["{tmp}/zero.toml"], ["run.months", "0", "1 ≤ x ≤ 1200"]),
    "binary file": (["{tmp}/binary.toml"], ["binary.toml", "UTF-8"]),
    "unwritable output": (["--out", "{tmp}/a_file/res"], ["--out", "a_file", "is a file"]),
}


@pytest.mark.parametrize("kind", list(BAD_INPUT))
def test_bad_input_is_one_line_exit_2_and_writes_nothing(kind, tmp_path, capsys):
    _bad_toml(tmp_path, "broken.toml", 'name = "b"\n[run]\nmonths = = 3\n')
    _bad_toml(tmp_path, "typo.toml", "[levers]\nservice_leve = 0.5\n")
    _bad_toml(tmp_path, "section.toml", "[levrs]\nservice_level = 0.5\n")
    _bad_toml(tmp_path, "steps.toml", "[[schedul]]\nmonth = 3\n")
    _bad_toml(tmp_path, "zero.toml", "[run]\nmonths = 0\n")
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe[run]\n")
    (tmp_path / "a_file").write_text("not a folder")
    (tmp_path / "a_folder").mkdir()
    args, words = BAD_INPUT[kind]
    out = tmp_path / "res"
    argv = ["run", *TINY, "--out", out, *(a.format(tmp=tmp_path) for a in args)]

    assert run_cli(*argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert captured.out == ""
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_params_lists_every_declared_parameter(capsys):
    assert run_cli("params") == 0
    printed = capsys.readouterr().out.splitlines()
    keys = [line.split()[0] for line in printed[1:] if not line.startswith(" ")]
    assert keys == [row["key"] for row in parameter_table()]
    assert run_cli("params", "--section", "levers") == 0
    rows = [r for r in capsys.readouterr().out.splitlines()[1:] if not r.startswith(" ")]
    assert rows and all(r.startswith("levers.") for r in rows)
    assert any("0 ≤ x ≤ 1" in r and r.startswith("levers.service_level") for r in rows)


def test_params_unknown_section(capsys):
    assert run_cli("params", "--section", "nope") == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "'nope'" in err and "levers" in err


# -------------------------------------------------------------------------- as a real process
def _retention(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "model", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_subprocess_run_and_error(tmp_path):
    out = tmp_path / "res"
    done = _retention("run", BASELINE, *SMALL, "--out", out, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "active clients at the end" in done.stdout
    assert len(pd.read_csv(out / "timeseries.csv")) == 12
    assert json.loads((out / "summary.json").read_text())["seed"] == 1
    assert len(list(out.glob("*.png"))) == len(STANDARD_FIGURES)

    bad = tmp_path / "bad"
    failed = _retention("run", *SMALL, "--set", "levers.service_level=2", "--out", bad, cwd=REPO)
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert failed.stderr.strip().count("\n") == 0
    assert "levers.service_level" in failed.stderr and "0 ≤ x ≤ 1" in failed.stderr
    assert not bad.exists()


# ------------------------------------------------------------------------------------ figures
def test_figures_draw_on_given_axes_and_show_inline():
    from matplotlib.figure import Figure

    from model.interfaces.figures import money, satisfaction_nps, stage_flow

    ts = simulate(clients=200, months=4).timeseries
    assert stage_flow(ts)._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # what Jupyter displays
    own = Figure()
    axes = own.subplots(2, 1)
    assert satisfaction_nps(ts, axes) is own
    assert axes[1].get_ylabel() == "NPS (points)"
    with pytest.raises(ValueError, match="3 Axes"):
        money(ts, axes)


def test_the_parser_is_built_without_the_engine_or_scipy():
    """Help pages and argument errors come before any heavy import: building the parser (every
    subcommand, plugins included) loads neither the engine nor scipy, pandas or matplotlib."""
    heavy = ("model.engine.retention_model", "scipy", "pandas", "matplotlib", "mesa", "numba")
    code = (
        "import sys; from model.interfaces.cli.main import build_parser; build_parser(); "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_lazily_loaded_names_are_listed_without_loading_them():
    """``dir()`` (tab completion in a notebook) lists the names that load on first use."""
    code = (
        "import sys, model, model.studies.optimize as o; "
        "print('RetentionModel' in dir(model), 'SPEND_LEVERS' in dir(o), 'optimize' in dir(o), "
        "'model.engine.retention_model' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True", "False"], done.stdout + done.stderr


# ------------------------------------------------------------------------ first compile
@pytest.mark.parametrize(("on_disk", "quiet", "said"), [(False, False, True), (True, False, False),
                                                        (None, False, False), (False, True, False)])  # fmt: skip
def test_a_run_says_when_it_must_compile_the_kernels_first(
    tmp_path, monkeypatch, capsys, on_disk, quiet, said
):
    """A first run compiles for about 30 s before its first month: it says so (unless quiet, or
    when it cannot tell), instead of looking hung."""
    import model.engine.kernels as kernels

    monkeypatch.setattr(kernels, "compiled_on_disk", lambda: on_disk)
    monkeypatch.setattr(kernels, "_said", False)  # (as in a new process)
    quiet_flag = ("--quiet",) if quiet else ()
    assert run_cli("run", BASELINE, *SMALL, "--out", tmp_path / "o", *quiet_flag) == 0
    assert (kernels.FIRST_COMPILE_NOTE in capsys.readouterr().err) == said


@pytest.mark.skipif(not Path("/proc/self/ns/pid").exists(), reason="PID namespaces (Linux)")
def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path):
    """SIGKILL leaves the staging folder (no handler runs); the next run into the same folder
    removes it if its process is gone from this machine's PID namespace, and leaves alone a
    live process's, another machine's and a ``.old-`` folder (the previous results, if the
    killed run was between its two renames)."""
    out = tmp_path / "res"
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        prefix = staging._staging_prefix(out, "partial")
        me = f"-{os.getpid()}-"
        left = tmp_path / (prefix.replace(me, f"-{killed.pid}-") + "abc")
        running = tmp_path / (prefix.replace(me, f"-{live.pid}-") + "xyz")
        elsewhere = tmp_path / f".res.partial-otherhost_ns1-{killed.pid}-abc"
        old = tmp_path / (staging._staging_prefix(out, "old").replace(me, f"-{killed.pid}-") + "q")
        for folder in (left, running, elsewhere, old):
            folder.mkdir()
            (folder / "timeseries.csv").write_text("half")
        assert (
            main(["run", str(BASELINE), *TINY, "--out", str(out), "--quiet", "--no-figures"]) == 0
        )
        assert not left.exists()
        assert running.exists() and elsewhere.exists() and old.exists()
        assert (out / "summary.json").is_file()
    finally:
        live.kill()
        live.wait()


@pytest.mark.parametrize("written", ["100", "1_00", "+100", "0100"])
def test_a_set_that_agrees_with_its_shortcut_is_allowed(tmp_path, written):
    """The same value, however TOML writes it, is no disagreement."""
    out = tmp_path / "res"
    assert run_cli("run", *TINY, "--set", f"market.clients={written}", "--out", out, "--quiet") == 0
    assert json.loads((out / "summary.json").read_text())["scenario"]["market"]["clients"] == 100


@pytest.mark.parametrize(
    ("sets", "key", "expected"),
    [
        # one value written two ways: a level name and its number
        (["levers.service_level=wow", "levers.service_level=0.9"], "levers.service_level", 0.9),
        # read alone, 9.2 is above the default promoter threshold (9.0): the order of the two
        # thresholds is the scenario's check, made once every --set is in
        (
            [
                "satisfaction.promoter_threshold=9.5",
                "satisfaction.detractor_threshold=9.2",
                "satisfaction.detractor_threshold=9.2",
            ],
            "satisfaction.detractor_threshold",
            9.2,
        ),
    ],
)
def test_two_sets_that_agree_are_allowed(tmp_path, sets, key, expected):
    """Two ``--set`` of one parameter that read as one value are no disagreement."""
    out = tmp_path / "res"
    argv = [a for item in sets for a in ("--set", item)]
    assert run_cli("run", *TINY, *argv, "--out", out, "--quiet") == 0
    section, name = key.split(".")
    scenario = json.loads((out / "summary.json").read_text())["scenario"]
    assert scenario[section][name] == expected


@pytest.mark.parametrize(
    "argv",
    [
        ("run", "--seed", "-1"),
        ("run", "--replications", "0"),
        ("compare", "baseline", "delighter", "--workers", "0"),
        ("optimize", "--grid", "-1"),
    ],
)
def test_a_ranged_flag_is_named_once(argv, capsys):
    """``argument --seed: value '-1' is not allowed; …`` — argparse names the flag; the message
    did too (``argument --seed: --seed: value …``)."""
    assert run_cli(*argv) == 2
    err = capsys.readouterr().err
    flag = next(a for a in argv if a.startswith("--"))
    assert f"argument {flag}: value " in err and err.count(f"{flag}:") == 1, err


def test_help_shows_percent_signs_once(capsys):
    """argparse %-formats help strings, not descriptions: a description's "95%%" showed as is."""
    for command in ("calibrate", "compare", "run"):
        assert run_cli(command, "--help") == 0
        text = capsys.readouterr().out
        assert "%%" not in text and "95%" in text, command


@pytest.mark.parametrize("command", ["compare", "replications"])
def test_steps_after_the_horizon_are_told_once_in_the_commands_words(command, tmp_path, capsys):
    """A shortened horizon that drops a schedule's steps: the command tells of them itself (a
    warning line, or a note of the comparison; nothing with ``--quiet``) and no raw Python
    warning repeats it."""
    import warnings

    args = {
        "compare": ["compare", "no_cut", "service_cut", "--replications", "2", *TINY],
        "replications": ["run", "service_cut", "--replications", "2", *TINY],
    }[command]
    for quiet in ([], ["--quiet"]):
        out = ["--out", tmp_path / f"out{len(quiet)}"] if command == "replications" else []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert run_cli(*args, *out, *quiet) == 0
        told = capsys.readouterr()
        assert not [w for w in caught if "horizon" in str(w.message)], command
        said = told.out + told.err
        # Told once, in one line: a raw warning repeated would be a second line of it (the
        # command's warnings print as lines; recorders no longer see them, so count lines).
        told_lines = [ln for ln in said.splitlines() if "month 12" in ln]
        assert len(told_lines) == (0 if quiet else 1), (command, quiet, told_lines)


def test_an_empty_out_is_refused_not_taken_for_the_current_folder(tmp_path, capsys, monkeypatch):
    """``--out ""`` ran into the current folder (``Path("")`` is ``.``): a user's report."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--months", "1", "--clients", "100", "--out", ""]) == 2
    assert "--out: value '' is not allowed (an empty path)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("runs", "told"), [(2, True), (5, False)])
def test_run_replications_says_when_few_runs_make_its_intervals_wide(
    runs: int, told: bool, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    assert run_cli("run", "--replications", runs, *TINY, "--no-figures", "--out", out) == 0
    said = capsys.readouterr().out
    assert ("behind a 95% interval, it is the mean ±" in said) == told, said
    assert (
        "note: with 2 replications behind a 95% interval, it is the mean ± 12.7 s / √2" in said
    ) == told
    # (the note is the table's reading, not a result: summary.json keeps the intervals)
    assert "12.7" not in (out / "summary.json").read_text(encoding="utf-8")


def test_a_first_runs_time_says_the_compile_is_in_it(tmp_path, monkeypatch, capsys):
    """A first run printed "(simulated in 32.6 s)", about 30 of them numba compiling the
    kernels: read as the model's speed."""
    import model.engine.kernels as kernels

    args = ["run", "--clients", "100", "--months", "2", "--no-figures"]
    monkeypatch.setattr(kernels, "compiled_on_disk", lambda: True)  # (loaded, not compiled)
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.endswith(" s)") and "compile" not in head
    monkeypatch.setattr(kernels, "compiled_on_disk", lambda: False)  # (as after installing)
    for extra in ([], ["--replications", "2"]):
        assert main([*args, *extra, "--out", str(tmp_path / f"b{len(extra)}")]) == 0
        head = capsys.readouterr().out.splitlines()[0]
        assert head.endswith(" s, the kernels' first compile included)"), head


def test_counts_as_integers_leaves_fractions_and_gaps():
    """Only count columns whose every value is whole become integers (a mean over runs or a
    month with no value stays float); the frame given is not changed."""
    from model.studies.units import counts_as_integers

    frame = pd.DataFrame(
        {"active": [3.0, 4.0], "churned": [1.5, 2.0], "incidents": [np.nan, 1.0],
         "escalated": [np.inf, 1.0],
         "npv": [1.0, 2.0], "month": [1.0, 2.0]}
    )  # fmt: skip
    out = counts_as_integers(frame)
    assert out.dtypes.to_dict() == {
        "active": np.int64, "churned": np.float64, "incidents": np.float64, "escalated": np.float64,
        "npv": np.float64, "month": np.float64,
    }  # fmt: skip
    assert frame["active"].dtype == np.float64
