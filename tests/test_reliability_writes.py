"""Every subcommand, run for real with ``--out`` in a fresh folder, writes nothing outside it.

The commands run from an empty working folder beside the output folder; afterwards the working
folder, the inputs and the repository's files must be as they were.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model.interfaces.cli.main import main

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "model" / "presets" / "baseline.toml"
POLICY = REPO / "model" / "presets" / "policies" / "no_cut.toml"
TINY = ["--clients", "100", "--months", "3"]
SPEC = """name = "w"
seed = 1
months = 3
clients = 100
replications = 2
[design]
kind = "morris"
samples = 2
[parameters]
"levers.service_level" = [0.2, 0.9]
"""


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


#: What a stray write would most likely hit: the default outputs, the reports, the READMEs.
WATCHED = ("out", "experiments", "model/presets", "README.md", "docs")


def repo_state() -> dict[str, tuple[int, int]]:
    state = {}
    for name in WATCHED:
        path = REPO / name
        if path.is_file():
            state[name] = (path.stat().st_size, path.stat().st_mtime_ns)
        elif path.is_dir():
            state.update(
                {f"{name}/{k}": v for k, v in tree(path).items() if "__pycache__" not in k}
            )
    return state


def commands(inputs: Path, out: Path) -> list[list[str]]:
    spec = inputs / "spec.toml"
    spec.write_text(SPEC)
    targets = inputs / "targets.toml"
    targets.write_text("survival = [1000, 800, 700, 650]\n")
    return [
        ["run", BASELINE, *TINY, "--no-figures", "--out", out / "run"],
        ["compare", BASELINE, POLICY, *TINY, "--replications", "2", "--out", out / "cmp"],
        ["sweep", spec, "--out", out / "store", "--workers", "1", "--quiet"],
        ["sensitivity", out / "store", "--metric", "npv", "--quiet", "--out", out / "sens"],
        ["calibrate", "--targets", targets, "--out", out / "fit.toml"],
        ["params", "--section", "run"],
        ["experiment", "--list", "--out", out / "exp"],
    ]


@pytest.mark.slow
def test_every_subcommand_writes_only_inside_out(tmp_path, monkeypatch):
    inputs, out, work = tmp_path / "inputs", tmp_path / "out", tmp_path / "work"
    for folder in (inputs, out, work):
        folder.mkdir()
    argvs = commands(inputs, out)
    before_inputs, before_repo = tree(inputs), repo_state()
    monkeypatch.chdir(work)
    for argv in argvs:
        assert main([str(a) for a in argv]) == 0, argv
    assert tree(work) == {}
    assert tree(inputs) == before_inputs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "out", "work"]
    assert repo_state() == before_repo
    assert {p.name for p in out.iterdir()} >= {"run", "cmp", "store", "sens", "fit.toml"}
    assert not [p for p in out.rglob("*") if ".partial-" in p.name or p.name.endswith(".tmp")]
