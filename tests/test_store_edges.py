"""Edges of the results stores.

* A sweep's report is written while the sweep still holds its store: a second sweep started
  into the same ``--out`` between the last task and the report (a ``--fresh`` one would delete
  the results being reported) is refused until the report is written.
* A stored Parquet file counts as readable by one check (:func:`model.studies.files.parquet_rows`),
  shared by a resumed sweep (:func:`model.studies.sweep.verify.verify_batches`) and a resumed
  claim study (:func:`experiments.running.store.drop_damaged`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import cli

from model.studies.files import parquet_rows
from model.studies.sweep import SweepError, parse_spec, run_sweep

fcntl = pytest.importorskip("fcntl")  # (no lock is taken where there is no flock)

SPEC = {"parameters": {"levers.service_level": [0.4, 0.8]}, "clients": 100, "months": 2}


def _held(store: Path) -> bool:
    """Whether some writer holds ``store``'s lock now (asked on a fd of its own)."""
    fd = os.open(store, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # (closing the fd drops a lock it took)
    return False


def test_the_sweep_report_is_written_while_the_store_is_held(tmp_path, monkeypatch):
    import model.interfaces.sweep_report as sweep_report

    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(
        'name = "edge"\nclients = 100\nmonths = 2\nreplications = 1\n'
        '[parameters]\n"levers.service_level" = [0.4, 0.8]\n'
    )
    store = tmp_path / "store"
    real = sweep_report.write_sweep_report
    seen: dict[str, object] = {}

    def report(out: Path, spec: object, meta: object = None) -> Path:
        seen["held"] = _held(Path(out))
        # A second sweep started now, --fresh (it would empty the store under this report):
        try:
            run_sweep(parse_spec(SPEC), out, progress=False, fresh=True)
        except SweepError as exc:
            seen["second"] = str(exc)
        return real(out, spec, meta)

    monkeypatch.setattr(sweep_report, "write_sweep_report", report)
    assert cli("sweep", spec_file, "--out", store, "--workers", "1", "--quiet") == 0
    assert seen["held"] is True
    assert "another sweep is writing this store now" in str(seen.get("second"))
    assert (store / "report.html").is_file()
    assert "edge" in (store / "report.html").read_text()  # (this sweep's results, not the other's)
    assert not _held(store)  # released once the command is done


def test_run_sweeps_then_runs_with_the_store_held(tmp_path):
    store = tmp_path / "s"
    calls = []
    run = run_sweep(
        parse_spec(SPEC), store, progress=False, then=lambda r: calls.append((r, _held(store)))
    )
    assert calls == [(run, True)]
    assert not _held(store)


def test_parquet_rows_counts_a_whole_file_and_nothing_else(tmp_path):
    path = tmp_path / "f.parquet"
    pd.DataFrame({"x": [1, 2, 3]}).to_parquet(path)
    assert parquet_rows(path) == 3
    pd.DataFrame({"x": []}).to_parquet(tmp_path / "empty.parquet")
    assert parquet_rows(tmp_path / "empty.parquet") == 0
    assert parquet_rows(tmp_path / "missing.parquet") is None
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # truncated
    assert parquet_rows(path) is None
    path.write_bytes(b"")  # emptied
    assert parquet_rows(path) is None


def test_verify_redoes_a_batch_of_another_size_and_one_whose_series_is_damaged(tmp_path):
    """(The branches of a resumed sweep's check that the sweep tests do not reach.)"""
    from model.studies.sweep.verify import verify_batches

    for sub in ("batches", "series"):
        (tmp_path / sub).mkdir()
    two, one = pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1]})
    for b, frame in enumerate((two, one, two)):  # batch 1 has 1 row of 2
        frame.to_parquet(tmp_path / "batches" / f"batch-{b:06d}.parquet")
        frame.to_parquet(tmp_path / "series" / f"batch-{b:06d}.parquet")
    (tmp_path / "series" / "batch-000002.parquet").write_bytes(b"PAR1")
    manifest = {"batch_size": 2, "runs": 6, "series": ["active"]}
    assert verify_batches(tmp_path, manifest) == [1, 2]
    assert sorted(p.name for p in (tmp_path / "batches").iterdir()) == ["batch-000000.parquet"]
    assert sorted(p.name for p in (tmp_path / "series").iterdir()) == ["batch-000000.parquet"]


def test_drop_damaged_drops_a_batch_without_rows(tmp_path):
    """(Unlike a sweep's task, a claim batch's size is not recorded: any rows will do.)"""
    from experiments.running.store import drop_damaged

    folder = tmp_path / "claims"
    folder.mkdir()
    pd.DataFrame({"x": [1]}).to_parquet(folder / "batch-00000.parquet")
    pd.DataFrame({"x": []}).to_parquet(folder / "batch-00001.parquet")
    assert drop_damaged(folder) == 1
    assert [p.name for p in folder.iterdir()] == ["batch-00000.parquet"]
