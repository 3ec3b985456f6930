"""A refined design takes the runs another store holds (model.studies.sweep.reuse): each run of
the same scenario and seed is copied, not run again, and the new store equals a sweep run
without it, row for row.

Before, a grid that gained a value was another spec: a store of its own, every run run again."""

from __future__ import annotations

import json

import pytest
from conftest import SWEEP_GRID
from pandas.testing import assert_frame_equal

from model.interfaces.cli import main as cli_main
from model.studies.sweep import SweepError, load, load_series, parse_spec, run_sweep

#: A 2 x 2 grid of 2 replications in tasks of 3; its series recorded.
GRID = {**SWEEP_GRID, "name": "reuse", "output": {"series": ["active", "revenue"]}}
#: The grid refined: a value added to each parameter (9 points), another batch size.
FINER = {
    **GRID,
    "batch_size": 4,
    "parameters": {
        "levers.ad_budget": [500.0, 1000.0, 2000.0],
        "levers.service_level": ["low", "standard", "wow"],
    },
}


def sweep(spec, store, **options):
    return run_sweep(parse_spec(spec), store, progress=False, **options)


def test_a_finer_grid_takes_the_runs_it_shares_and_equals_a_new_sweep(tmp_path):
    sweep(GRID, tmp_path / "first")
    run = sweep(FINER, tmp_path / "finer", reuse=tmp_path / "first")
    assert run.reused == 2 * 2 * 2  # every run of the four points kept, both replicates
    assert run.runs == 9 * 2
    sweep(FINER, tmp_path / "fresh")
    assert_frame_equal(load(tmp_path / "finer"), load(tmp_path / "fresh"))
    assert_frame_equal(load_series(tmp_path / "finer"), load_series(tmp_path / "fresh"))
    # Fewer series than recorded are taken; the reused store may itself be grown or partial.
    fewer = {**FINER, "output": {"series": ["active"]}}
    again = sweep(fewer, tmp_path / "fewer", reuse=tmp_path / "finer")
    assert again.reused == again.runs == 18
    assert_frame_equal(load_series(tmp_path / "fewer"), load_series(tmp_path / "fresh")[
        ["point", "replicate", "month", "active"]
    ])  # fmt: skip


def test_a_run_is_taken_only_where_its_whole_scenario_and_seed_are_the_same(tmp_path):
    sweep(GRID, tmp_path / "first")
    # Another base market size: no run is the same, so none is taken.
    run = sweep({**GRID, "clients": 400}, tmp_path / "other", reuse=tmp_path / "first")
    assert run.reused == 0 and run.runs == 8
    # Another seed: the same.
    assert sweep({**GRID, "seed": 6}, tmp_path / "seed", reuse=tmp_path / "first").reused == 0
    # A parameter fixed in the base at a value the first sweep varied: those runs are taken.
    fixed = {
        **GRID,
        "base": {"set": {"levers.ad_budget": 2000.0}},
        "parameters": {"levers.service_level": ["low", "wow"]},
    }
    assert sweep(fixed, tmp_path / "fixed", reuse=tmp_path / "first").reused == 4


def test_a_store_that_cannot_give_its_runs_is_refused_in_one_line(tmp_path, capsys):
    first = tmp_path / "first"
    sweep({**GRID, "output": {"series": ["active"]}}, first)
    with pytest.raises(SweepError, match=r"records no monthly revenue \(its spec's series: active"):
        sweep(GRID, tmp_path / "more-series", reuse=first)
    with pytest.raises(SweepError, match="is --out itself"):
        sweep(GRID, first, reuse=first)
    manifest = json.loads((first / "manifest.json").read_text())
    manifest["code"]["source_hash"] = "0" * 64
    (first / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SweepError, match="written by other model code"):
        sweep(GRID, tmp_path / "stale", reuse=first)
    with pytest.raises(SweepError, match="not a sweep store"):
        sweep(GRID, tmp_path / "new", reuse=tmp_path / "nothing")
    assert not (tmp_path / "stale").exists()  # (refused before the store is made)


def test_the_command_reuses_and_says_how_many(tmp_path, capsys):
    first, spec_file = tmp_path / "first", tmp_path / "finer.toml"
    sweep(GRID, first)
    lines = [
        'name = "reuse"', "seed = 5", "months = 6", "clients = 300", "replications = 2",
        "batch_size = 4", "[design]", 'kind = "grid"', "[parameters]",
        '"levers.ad_budget" = [500.0, 1000.0, 2000.0]',
        '"levers.service_level" = ["low", "standard", "wow"]',
        "[output]", 'series = ["active", "revenue"]',
    ]  # fmt: skip
    spec_file.write_text("\n".join(lines) + "\n")
    out = tmp_path / "finer"
    argv = ["sweep", str(spec_file), "--out", str(out), "--workers", "1", "--reuse", str(first)]
    assert cli_main(argv) == 0
    said = capsys.readouterr().out
    assert str(first) in said
    # One line: the tasks written now hold the runs taken (it said "5 tasks run now", then
    # "8 runs taken from ..." on a line of its own, as if every run had been simulated).
    [done] = [line for line in said.splitlines() if "runs done" in line]
    assert "tasks written now, of their runs 8 taken from" in done
    assert load(out)["seed"].size == 18
    # --status only reads a store: --reuse there would be ignored, so it is refused.
    assert cli_main(["sweep", "--status", str(out), "--reuse", str(first)]) == 2
    assert "--reuse: not allowed with --status" in capsys.readouterr().err


def test_reuse_of_a_folder_that_is_no_store_names_reuse(tmp_path, capsys):
    """It said "not a sweep store; run 'retention sweep SPEC --out DIR' first", which would then
    be refused (the folder holds other files), and named no option (an analyst's run)."""
    mine = tmp_path / "mydir"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(
        'name = "r"\nseed = 5\nmonths = 2\nclients = 50\nreplications = 1\n[design]\n'
        'kind = "grid"\n[parameters]\n"levers.ad_budget" = [500.0]\n'
    )
    argv = ["sweep", str(spec_file), "--out", str(tmp_path / "o"), "--reuse", str(mine)]
    assert cli_main([*argv, "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        f"--reuse {str(mine)!r}: not a sweep store (no manifest.json); allowed: the folder" in err
    )
    assert "run 'retention sweep" not in err
    # A damaged manifest's own words are kept whole (a cut at its first ";" split them).
    (mine / "manifest.json").write_text("{}")
    assert cli_main([*argv, "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "manifest.json': damaged (not a sweep manifest; missing " in err
    assert "); allowed: the folder of a finished sweep" in err
