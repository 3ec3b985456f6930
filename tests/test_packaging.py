"""Installed like any Python package: presets by name, outputs where the user is, a citable version.

The presets are package data (``model/presets``), reachable by name wherever a scenario file is
accepted; every command writes under the current folder (or ``--out``), never inside the package.
``scripts/wheel_smoke.sh`` (run by ``.ci/run``) checks the same on a built wheel in a clean venv.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import model
from experiments.reporting.outputs import USER_REPORTS, reports_folder
from model.interfaces.cli.main import main
from model.scenario import Scenario, ScenarioError, copy_preset, list_presets, resolve
from model.scenario import presets as presets_module
from model.version import checkout_root, git_commit, shown_version

REPO = Path(__file__).resolve().parents[1]
PACKAGES = (Path(model.__file__).parent, REPO / "experiments")
TINY = ("--clients", "150", "--months", "3")
#: Tests of what a git checkout does need one: an unpacked sdist has no .git, and its tests of
#: the package itself run all the same.
needs_checkout = pytest.mark.skipif(
    not (REPO / ".git").exists(), reason="a git checkout's behaviour; this tree has no .git"
)


def run_cli(*args: object) -> int:
    try:
        return main([str(a) for a in args])
    except SystemExit as exc:
        return int(exc.code or 0)


# ------------------------------------------------------------------------------------ presets
def test_every_preset_is_listed_with_a_one_line_description() -> None:
    scenarios = {p.name: p for p in list_presets()}
    sweeps = {p.name for p in list_presets("sweep")}
    assert {"baseline", "teaching/delighter", "industries/software", "policies/no_cut"} <= set(
        scenarios
    )
    assert len([n for n in scenarios if n.startswith("industries/")]) == 9
    assert len([n for n in scenarios if n.startswith("teaching/")]) == 4
    assert sweeps == {"sweeps/example"}
    assert "industries/targets" not in scenarios  # calibration targets, not a scenario
    for preset in list_presets(None):
        assert preset.path.is_file() and preset.path.is_relative_to(presets_module.PRESETS_DIR)
        assert preset.description and "\n" not in preset.description, preset.name
        assert tuple(preset) == (preset.name, preset.description, preset.path)  # for pickers


@pytest.mark.parametrize("name", ["delighter", "teaching/delighter", "teaching/delighter.toml"])
def test_a_preset_is_reached_by_its_name_with_or_without_its_folder(name: str) -> None:
    scenario = Scenario.preset(name)
    assert scenario == Scenario.from_toml(presets_module.PRESETS_DIR / "teaching/delighter.toml")
    assert scenario.name == "delighter" and scenario.levers.service_level == 0.9


def test_paths_of_the_old_scenarios_folder_still_resolve() -> None:
    old = resolve("scenarios/industries/software.toml")
    assert old == presets_module.PRESETS_DIR / "industries" / "software.toml"


def test_an_existing_file_wins_over_a_preset_of_the_same_name(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("delighter").write_text('name = "mine"\n[levers]\nservice_level = "low"\n')
    assert resolve("delighter") == Path("delighter")
    assert run_cli("run", "delighter", *TINY, "--no-figures", "--quiet", "--out", "o") == 0
    meta = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert meta["scenario"]["name"].startswith("mine")  # the file's name, with the overrides
    assert meta["scenario"]["levers"]["service_level"] == 0.35


def test_unknown_kind_and_ambiguous_names_are_one_clear_line(tmp_path, monkeypatch) -> None:
    with pytest.raises(ScenarioError, match=r"'nowhere\.toml' does not exist.*teaching/delighter"):
        resolve("nowhere.toml")
    with pytest.raises(ScenarioError, match="is a sweep spec, not a scenario file"):
        Scenario.preset("sweeps/example")
    with pytest.raises(ScenarioError, match="is a scenario, not a sweep spec"):
        resolve("delighter", kind="sweep")
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "twin.toml").write_text('description = "x"\n')
    monkeypatch.setattr(presets_module, "PRESETS_DIR", tmp_path)
    with pytest.raises(ScenarioError, match="'twin' is ambiguous; allowed: one of a/twin, b/twin"):
        resolve("twin")
    assert resolve("b/twin") == tmp_path / "b" / "twin.toml"


def test_copy_writes_an_editable_copy_and_never_overwrites(tmp_path) -> None:
    copy = copy_preset("delighter", tmp_path / "mine")
    assert copy == tmp_path / "mine" / "delighter.toml"
    assert (
        copy.read_bytes() == (presets_module.PRESETS_DIR / "teaching/delighter.toml").read_bytes()
    )
    assert Scenario.from_toml(copy) == Scenario.preset("delighter")
    copy.write_text(copy.read_text() + "\n# edited\n")
    with pytest.raises(ScenarioError, match="already exists"):
        copy_preset("delighter", tmp_path / "mine")
    assert copy.read_text().endswith("# edited\n")


def test_a_copied_sweep_spec_still_finds_its_base_scenario(tmp_path) -> None:
    from model.studies.sweep import load_spec

    spec = load_spec(copy_preset("sweeps/example", tmp_path))
    assert spec.base_scenario().levers.ad_budget == 300.0  # the baseline, with the spec's set
    assert spec.base_scenario().description == Scenario.preset("baseline").description


# ----------------------------------------------------------------------------- the commands
def test_presets_command_lists_names_and_descriptions(capsys) -> None:
    assert run_cli("presets") == 0
    out = capsys.readouterr().out
    for preset in list_presets(None):
        assert any(
            line.split()[:1] == [preset.name] and line.rstrip().endswith(preset.description)
            for line in out.splitlines()
        ), preset.name


def test_presets_copy_command(tmp_path, capsys) -> None:
    assert run_cli("presets", "--copy", "industries/software", tmp_path) == 0
    assert (tmp_path / "software.toml").is_file()
    assert f"retention run {tmp_path / 'software.toml'}" in capsys.readouterr().out
    assert run_cli("presets", "--copy", "industries/software", tmp_path) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_run_and_compare_take_preset_names(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert (
        run_cli("run", "industries/software", *TINY, "--no-figures", "--quiet", "--out", "o") == 0
    )
    meta = json.loads(Path("o/summary.json").read_text())
    expected = Scenario.preset("software").with_overrides({"market.clients": 150, "run.months": 3})
    assert Scenario.build(meta["scenario"]).flat() == expected.flat()
    assert meta["version"] == shown_version()  # (as --version shows it)
    args = ("compare", "no_cut", "service_cut", *TINY, "--replications", "2", "--out", "cmp")
    assert run_cli(*args) == 0
    assert Path("cmp/runs.csv").is_file()


# --------------------------------------------------------------------- outputs where the user is
@needs_checkout
def test_experiment_reports_go_under_the_current_folder_outside_the_checkout(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert reports_folder() == USER_REPORTS
    assert reports_folder(tmp_path / "x") == tmp_path / "x"
    monkeypatch.chdir(REPO / "model")  # anywhere inside the checkout: the committed reports
    assert reports_folder() == REPO / "experiments" / "reports"
    # ... for the committed study only: a quick one replaced them, and the README described them.
    from types import SimpleNamespace

    from experiments.cli import _folder
    from experiments.reporting.outputs import is_committed
    from experiments.running.sizes import SIZES

    committed, elsewhere = REPO / "experiments" / "reports", REPO / "experiments-reports"
    for size, seed, worlds, deep, where in (
        ("default", 1, None, None, committed),
        ("quick", 1, None, None, elsewhere),
        ("default", 2, None, None, elsewhere),
        ("default", 1, 50, None, elsewhere),  # (a 50-world study is not the committed one)
        ("default", 1, None, 32, elsewhere),
    ):
        args = SimpleNamespace(
            out=None, size=size, seed=seed, worlds=worlds, deep_reps=deep, pins=()
        )
        assert _folder(args) == where, (size, seed, worlds, deep)
    assert "experiments-reports" in (REPO / ".gitignore").read_text()
    # Python's write_report decides the same way from the study it is given.
    default = SIZES["default"]
    assert is_committed("default", 1, default.pinned({"economics.discount_rate": 0.05}))
    assert not is_committed("default", 1, default.wanting(50))
    assert not is_committed("default", 1, SIZES["quick"])  # (a size made in Python, named default)


def test_the_index_of_a_user_report_folder_stays_inside_it(tmp_path) -> None:
    from experiments.reporting.index import write_index

    (tmp_path / "pareto.md").write_text("# x\n\n## Verdict\n\n**Supported.** Yes.\n")
    index = write_index(tmp_path)
    assert index == tmp_path / "README.md"
    assert "[pareto](pareto.md)" in index.read_text()


@needs_checkout
def test_git_commit_is_recorded_only_for_a_checkout(monkeypatch) -> None:
    assert checkout_root() == REPO
    monkeypatch.setattr("model.version.checkout_root", lambda: None)
    assert git_commit() is None  # a wheel inside someone else's git repository records none


def _git(folder: Path, *args: str) -> str:
    import subprocess

    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_git_commit_is_dirty_for_changed_code_anywhere_in_the_package(tmp_path, monkeypatch):
    """``+dirty`` for an uncommitted change to any file of the package or the runners' sources,
    whatever folder it is in, a new one included; not for documents, nor for what a run itself
    rewrites (the committed reports, the benchmark results)."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    # A scratch repository under git's defaults: no user or system configuration (signing,
    # hooks, status settings) and no repository of a calling hook's environment.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)  # (git ≥ 2.32; older ones read HOME's)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    repo = tmp_path / "repo"
    files = ["model/engine/x.py", "model/interfaces/cli/y.py", "experiments/z.py",
             "experiments/reports/r.md", "benchmarks/results.json", "README.md"]  # fmt: skip
    for name in files:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("1\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", "commit",
         "--no-verify", "-q", "-m", "c")  # fmt: skip
    monkeypatch.setattr("model.version.checkout_root", lambda: repo)
    head = _git(repo, "rev-parse", "HEAD")
    assert git_commit() == head
    assert git_commit(short=True) == _git(repo, "rev-parse", "--short", "HEAD")
    for name in ("experiments/reports/r.md", "benchmarks/results.json", "README.md"):
        (repo / name).write_text("2\n")
    (repo / "experiments" / "reports" / "new.md").write_text("a new report\n")
    assert git_commit() == head
    for name in ("model/engine/x.py", "model/interfaces/cli/y.py", "experiments/z.py"):
        (repo / name).write_text("2\n")
        assert git_commit() == head + "+dirty", name
        assert git_commit(short=True).endswith("+dirty")
        _git(repo, "checkout", "-q", "--", name)
    assert git_commit() == head
    # A new module counts even where the user's git hides new files from `git status`.
    _git(repo, "config", "status.showUntrackedFiles", "no")
    (repo / "model" / "new.py").write_text("a module not yet committed\n")
    assert git_commit() == head + "+dirty"


def _snapshot(folders: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    """Every file under ``folders`` (bytecode caches aside) with its mtime and size."""
    files = {}
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in names:
                stat = os.stat(os.path.join(root, name))
                files[os.path.join(root, name)] = (stat.st_mtime_ns, stat.st_size)
    return files


def test_no_command_writes_inside_the_package(tmp_path, monkeypatch) -> None:
    """Every command, run from a user's folder, leaves the package's files exactly as they were."""
    monkeypatch.chdir(tmp_path)
    before = _snapshot(PACKAGES)
    spec = tmp_path / "tiny_sweep.toml"
    spec.write_text(
        'seed = 1\nmonths = 3\nclients = 150\nreplications = 2\n[base]\nscenario = "delighter"\n'
        '[design]\nkind = "grid"\n[parameters]\n"levers.ad_budget" = [100.0, 200.0]\n'
    )
    commands = [
        ("params", "--section", "levers"),
        ("presets",),
        ("presets", "--copy", "baseline", "mine"),
        ("run", *TINY, "--quiet"),
        ("run", "mine/baseline.toml", *TINY, "--quiet", "--out", "out/mine"),
        ("compare", "delighter", "cost_cutter", *TINY, "--replications", "2"),
        ("sweep", spec, "--out", "store", "--workers", "1", "--quiet"),
        ("experiment", "lost_client", "--size", "quick"),
    ]
    for command in commands:
        assert run_cli(*command) == 0, command
    assert (tmp_path / USER_REPORTS / "lost_client.md").is_file()
    assert _snapshot(PACKAGES) == before


def test_a_plugin_that_cannot_load_is_named_and_the_rest_runs(monkeypatch, capsys) -> None:
    """A broken ``retention.subcommands`` plugin (another package's, say) stopped every command
    with a traceback, ``--version`` included (a packaging pass)."""
    import importlib
    from importlib.metadata import EntryPoint

    cli_main = importlib.import_module("model.interfaces.cli.main")  # (the module, not main())

    broken = EntryPoint("broken", "no_such_module_here:add", cli_main.PLUGIN_GROUP)
    real = cli_main.entry_points
    monkeypatch.setattr(cli_main, "entry_points", lambda group: [*real(group=group), broken])
    assert run_cli("presets") == 0
    err = capsys.readouterr().err
    assert "the subcommand 'broken' (no_such_module_here:add) cannot be loaded" in err
    assert "ModuleNotFoundError" in err and "Traceback" not in err


def test_every_name_the_readme_uses_imports() -> None:
    """What the wheel smoke test runs on the installed wheel (scripts/readme_api.py), here on
    the checkout, so a README edit naming something that does not exist fails before CI's wheel
    step (a README sentence on `model.py` in the working folder was read as an attribute)."""
    import subprocess
    import sys

    program = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_api.py"), str(REPO / "README.md")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    namespace: dict = {}
    exec(compile(program, "readme_api", "exec"), namespace)
    assert namespace["n"] >= 25


def test_a_clone_without_tags_counts_from_the_changelogs_latest_release():
    """A repository handed on without its tags built as 0.2.0.devN, below the 0.2.0 the
    changelog had released: setuptools-scm counts a tagless clone from fallback_version."""
    import re
    import tomllib

    root = Path(__file__).resolve().parents[1]
    scm = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools_scm"]
    released = re.findall(r"^## (\d+\.\d+\.\d+)\b", (root / "CHANGELOG.md").read_text(), re.M)
    assert released and scm["fallback_version"] == released[0]
