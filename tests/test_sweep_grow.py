"""More replications grow a sweep's store: the runs done are kept, and the grown store holds
exactly what a new sweep with that many replications would (model.studies.sweep.layers).

Before, asking for more replications refused the store as "a different spec", and --fresh threw
every finished run away (a user's report)."""

from __future__ import annotations

import json

import pytest
from conftest import SWEEP_GRID
from pandas.testing import assert_frame_equal

from model.interfaces.cli import main as cli_main
from model.studies.sweep import SweepError, load, load_series, parse_spec, run_sweep
from model.studies.sweep.status import status
from model.studies.sweep.store import batch_name

#: A 2 x 2 grid, 8 runs of 2 replications in tasks of 3 (the last task short).
GRID = {**SWEEP_GRID, "name": "grow"}


def sweep(store, **changes):
    return run_sweep(parse_spec({**GRID, **changes}), store, progress=False)


def test_more_replications_keep_the_runs_done_and_equal_a_new_sweep(tmp_path):
    grown, fresh = tmp_path / "grown", tmp_path / "fresh"
    sweep(grown)
    before = {p.name: p.read_bytes() for p in (grown / "batches").iterdir()}
    first = load(grown)
    run = sweep(grown, replications=5, batch_size=4)
    assert (run.skipped, run.ran, run.runs) == (3, 3, 4 * 5)  # 12 new runs in tasks of 4
    after = {p.name: p.read_bytes() for p in (grown / "batches").iterdir()}
    assert all(after[name] == data for name, data in before.items())  # not run again
    sweep(fresh, replications=5)
    assert_frame_equal(load(grown), load(fresh))  # the same runs, numbers and seeds
    assert_frame_equal(load_series(grown), load_series(fresh))
    kept = load(grown).merge(first, on=["point", "replicate"], suffixes=("", "_before"))
    assert len(kept) == len(first) and (kept["npv"] == kept["npv_before"]).all()
    st = status(grown)
    assert (st.runs, st.runs_done, st.batches, st.batches_done) == (20, 20, 6, 6)
    manifest = json.loads((grown / "manifest.json").read_text())
    assert manifest["grown"] == [{"from": 2, "to": 5}] and manifest["replications"] == 5
    assert json.loads((grown / "spec.json").read_text())["replications"] == 5
    said: list[str] = []
    sweep_spec = parse_spec({**GRID, "replications": 5, "batch_size": 4})
    run_sweep(sweep_spec, grown, progress=False, log=said.append)  # resumes as any other
    # (its tasks hold 3 runs in the first layer, 4 in the second: the run count says both)
    assert "= 20 runs of 300 clients x 6 months, 3 or 4 runs per task" in said[0], said


def test_a_grown_store_resumes_a_lost_task_and_refuses_fewer_replications(tmp_path):
    store = tmp_path / "s"
    sweep(store)
    sweep(store, replications=3)  # 4 more runs: one task of 3 and one of 1
    truth = load(store)
    layer_task = 3 + 1  # the second task of the new layer (the first layer has tasks 0-2)
    (store / "batches" / batch_name(layer_task)).write_bytes(b"truncated")
    (store / "series" / batch_name(layer_task)).unlink()
    assert status(store).runs_done == 4 * 3 - 1  # a damaged file is not read as done...
    run = sweep(store, replications=3)
    assert (run.ran, run.skipped) == (1, 4)  # ...and is redone alone
    assert_frame_equal(load(store), truth)
    # Another task's file in its place, whole and of its size, holds other runs: damaged too (it
    # was counted done, and the store held one run twice and lacked three).
    for sub in ("batches", "series"):
        (store / sub / batch_name(1)).write_bytes((store / sub / batch_name(0)).read_bytes())
    assert status(store).runs_done == 4 * 3 - 3 and status(store).damaged == (batch_name(1),)
    run = sweep(store, replications=3)
    assert (run.ran, run.skipped) == (1, 4)
    assert_frame_equal(load(store), truth)
    # (its series alone, too)
    (store / "series" / batch_name(2)).write_bytes((store / "series" / batch_name(0)).read_bytes())
    assert status(store).damaged == (batch_name(2),)
    with pytest.raises(SweepError, match=r"replications 3 → 2\).*can grow \(3 → more"):
        sweep(store, replications=2)
    with pytest.raises(SweepError, match=r"replications 3 → 4, seed 5 → 6\); refusing"):
        sweep(store, replications=4, seed=6)  # more replications of another sweep: no
    # The batch size alone: said how to resume (an analyst read only "a different spec").
    with pytest.raises(SweepError, match=r"batches of 3: set batch_size = 3 in the spec to resu"):
        sweep(store, replications=3, batch_size=5)


def test_the_command_says_the_store_grew(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    text = (
        'months = 3\nclients = 200\nreplications = {}\n[parameters]\n"levers.ad_budget" = '
        "[500.0, 2000.0]\n"
    )
    spec.write_text(text.format(1), encoding="utf-8")
    out = str(tmp_path / "out")
    assert cli_main(["sweep", str(spec), "--out", out, "--workers", "1"]) == 0
    capsys.readouterr()
    spec.write_text(text.format(3), encoding="utf-8")
    assert cli_main(["sweep", str(spec), "--out", out, "--workers", "1"]) == 0
    said = capsys.readouterr().out
    assert "grown from 1 to 3 replications; the runs done are kept" in said
    assert len(load(out)) == 2 * 3


def test_growth_killed_before_its_manifest_grows_again_and_leaves_no_stale_files(
    tmp_path, monkeypatch
):
    """A kill after the spec files are written and before the manifest (review): the same
    command grows the store again. Growth through the API leaves no spec.toml of the old
    file, and removes what was read off the old runs (report, sensitivity table)."""
    import model.studies.sweep.store as store_module
    from model.studies.sweep.runner import plan

    store = tmp_path / "s"
    spec_file = tmp_path / "spec.toml"
    data = {"name": "g", "seed": 5, "months": 6, "clients": 300, "replications": 2,
            "batch_size": 3, "parameters": {"levers.ad_budget": [500.0, 2000.0]}}  # fmt: skip
    spec_file.write_text(
        'name = "g"\nseed = 5\nmonths = 6\nclients = 300\nreplications = 2\nbatch_size = 3\n'
        '[parameters]\n"levers.ad_budget" = [500.0, 2000.0]\n',
        encoding="utf-8",
    )
    from model.studies.sweep import load_spec

    run_sweep(load_spec(spec_file), store, progress=False)
    (store / "report.html").write_text("old runs")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    real = store_module.write_atomic
    monkeypatch.setattr(
        store_module,
        "write_atomic",
        lambda path, text: killed() if path.name == "manifest.json" else real(path, text),
    )
    grown_spec = parse_spec({**data, "replications": 3})  # (no file text: the API's way)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(grown_spec, store, progress=False)
    monkeypatch.undo()
    assert json.loads((store / "manifest.json").read_text())["replications"] == 2
    assert not (store / "spec.toml").exists() and not (store / "report.html").exists()
    run = run_sweep(grown_spec, store, progress=False)
    assert run.runs == 2 * 3 and len(load(store)) == 6
    assert json.loads((store / "spec.json").read_text())["replications"] == 3
    # A plan made without layers reads the grown store's own: its tasks are the store's.
    assert [t.batch for t in plan(grown_spec, load_design(store), store)] == list(range(3))


def load_design(store):
    import pandas as pd

    return pd.read_parquet(store / "design.parquet")


def test_a_damaged_layers_entry_is_one_line(tmp_path, capsys):
    store = tmp_path / "s"
    sweep(store)
    sweep(store, replications=3)
    manifest = json.loads((store / "manifest.json").read_text())
    manifest["layers"][1]["first_batch"] = "x"
    (store / "manifest.json").write_text(json.dumps(manifest))
    assert cli_main(["sweep", "--status", str(store)]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "layers" in err and "Traceback" not in err
