"""A sweep never empties a folder it did not half-create: a user's folder with a ``series/`` or
``batches/`` subfolder, or a finished store that lost its manifest, is refused and left as it
was; a creation interrupted before its manifest (nothing run yet) is still started again. And a
worker that dies says what was kept."""

from __future__ import annotations

import json
from concurrent.futures.process import BrokenProcessPool

import pandas as pd
import pytest

from model.interfaces.cli.main import _classify
from model.interfaces.cli.staging import RESUMABLE
from model.studies.sweep import SweepError, parse_spec, run_sweep
from model.studies.sweep.designs import build_design
from model.studies.sweep.store import SIMULATION, open_store

SPEC = {"parameters": {"levers.service_level": [0.4, 0.8]}, "clients": 100, "months": 3}


def _spec():
    return parse_spec(SPEC)


def test_a_users_folder_named_like_a_stores_parts_is_never_emptied(tmp_path):
    (tmp_path / "series").mkdir()
    (tmp_path / "series" / "my.csv").write_text("precious\n")
    for fresh in (False, True):  # (--fresh discards a sweep's results, not a user's files)
        with pytest.raises(SweepError, match="not a sweep store"):
            run_sweep(_spec(), tmp_path, progress=False, fresh=fresh)
        assert (tmp_path / "series" / "my.csv").read_text() == "precious\n"


def test_a_store_that_lost_its_manifest_keeps_its_results(tmp_path):
    run_sweep(_spec(), tmp_path, progress=False)
    batches = sorted((tmp_path / "batches").iterdir())
    assert batches
    (tmp_path / "manifest.json").unlink()
    (tmp_path / "report.html").unlink(missing_ok=True)
    with pytest.raises(SweepError, match="not a sweep store"):
        run_sweep(_spec(), tmp_path, progress=False)
    assert sorted((tmp_path / "batches").iterdir()) == batches  # nothing deleted


def test_an_interrupted_creation_is_started_again(tmp_path):
    spec = _spec()
    manifest = open_store(tmp_path, spec, build_design(spec))
    (tmp_path / "manifest.json").unlink()  # stopped before its last file, nothing run
    (tmp_path / ".design.parquet.x.tmp").write_text("")
    again = open_store(tmp_path, spec, build_design(spec))
    assert (
        json.loads((tmp_path / "manifest.json").read_text())["spec_digest"]
        == (manifest["spec_digest"])
    )
    assert again["spec_digest"] == manifest["spec_digest"]


def test_the_sweeps_runner_is_in_the_code_that_guards_a_store():
    # (each run's seed is decided in the runner, its scenario in the batch)
    assert {"studies/sweep/runner.py", "studies/sweep/batch.py"} <= set(SIMULATION)


def test_a_dead_worker_says_what_was_kept(tmp_path):
    before = list(RESUMABLE)  # (another command run in this process may have left some)
    RESUMABLE[:] = [tmp_path / "store"]
    try:
        status, line = _classify(BrokenProcessPool("gone"))
    finally:
        RESUMABLE[:] = before
    assert status == 2
    assert "nothing was written" not in line
    assert f"kept in {tmp_path / 'store'}" in line


def test_a_second_sweep_into_a_store_being_written_is_refused(tmp_path):
    from model.studies.sweep.lock import writer_lock

    store = tmp_path / "s"
    with writer_lock(store):  # (as another process's sweep holds it)
        with pytest.raises(SweepError, match="another sweep is writing this store now"):
            run_sweep(_spec(), store, progress=False)
        assert not any(store.iterdir())  # it touched nothing
    run = run_sweep(_spec(), store, progress=False)  # released: it runs
    assert run.ran == run.batches


def test_a_damaged_result_file_is_one_line_naming_it(tmp_path, capsys):
    from conftest import cli, tiny_sobol_store

    tiny_sobol_store(tmp_path)
    batch = sorted((tmp_path / "batches").iterdir())[1]
    batch.write_bytes(batch.read_bytes()[: batch.stat().st_size // 2])
    assert cli("sensitivity", tmp_path, "--out", tmp_path / "sa") == 2
    err = capsys.readouterr().err
    assert batch.name in err and "Traceback" not in err


def test_a_batch_damaged_inside_its_data_is_removed_so_the_sweep_redoes_it(tmp_path):
    """Bytes damaged inside a batch's data, its footer intact, passed the sweep's check of
    finished tasks: "run the same sweep again: it redoes that task" redid nothing, and every
    read failed again. The read that finds it now removes it, and the sweep redoes it."""
    from model.studies.sweep.results import load

    spec = _spec()
    run_sweep(spec, tmp_path, progress=False)
    before = load(tmp_path)
    batch = sorted((tmp_path / "batches").iterdir())[0]
    data = bytearray(batch.read_bytes())
    data[4:40] = b"\xff" * 36  # (the first page's header: the footer still reads)
    batch.write_bytes(bytes(data))
    with pytest.raises(SweepError, match=rf"(?s){batch.name}.*damaged.*removed: run the same"):
        load(tmp_path)
    assert not batch.exists()
    again = run_sweep(spec, tmp_path, progress=False)
    assert again.ran == 1
    pd.testing.assert_frame_equal(load(tmp_path), before)


def test_a_manifest_with_a_count_that_is_no_number_is_damaged(tmp_path):
    from model.studies.sweep.status import status

    run_sweep(_spec(), tmp_path, progress=False)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "runs": "a"}))
    with pytest.raises(SweepError, match="damaged"):
        status(tmp_path)


def test_a_store_that_lost_its_manifest_but_kept_its_report_is_emptied_on_fresh(tmp_path):
    """The command writes report.html beside the results: a store that lost its manifest still
    has it, and --fresh refused it as 'not a sweep store'."""
    run_sweep(_spec(), tmp_path, progress=False)
    (tmp_path / "manifest.json").unlink()
    (tmp_path / "report.html").write_text("<html></html>")
    (tmp_path / "sensitivity").mkdir()
    (tmp_path / "sensitivity" / "sensitivity.csv").write_text("x\n")
    run = run_sweep(_spec(), tmp_path, progress=False, fresh=True)
    assert run.ran == run.batches and not (tmp_path / "report.html").exists()


def test_a_refused_design_leaves_no_folder(tmp_path, monkeypatch):
    """The design is checked before the store's folder is made and locked (a refused one left
    an empty folder)."""
    import model.studies.sweep.runner as runner

    def refuse(spec, design):
        raise SweepError("a point is out of range")

    monkeypatch.setattr(runner, "validate_points", refuse)
    with pytest.raises(SweepError, match="out of range"):
        run_sweep(_spec(), tmp_path / "new", progress=False)
    assert not (tmp_path / "new").exists()


def test_numpy_whole_numbers_are_worker_counts():
    import numpy as np

    from model.studies.sweep import executor

    with executor(workers=np.int64(1)) as (_, slots, _what):
        assert slots == 1
