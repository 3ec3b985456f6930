"""A stored file the operating system could not read is not a damaged one.

The stores remove a damaged result file (cut short, emptied, corrupt inside its data) so that its
task runs again. A file that could not be read for the system's reasons — permission denied, an
I/O fault, a network mount gone — may be whole: it must be kept and the error raised, or one
hiccup of a shared disk deletes finished work. pyarrow tells the two apart by ``errno``
(:func:`model.studies.files.damaged_content`); these tests raise each kind where a store reads.
"""

from __future__ import annotations

import errno
import os
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import model.studies.sweep.store as sweep_store
from model.scenario import Scenario
from model.studies.files import damaged_content, parquet_rows
from model.studies.kept_runs import keep_runs
from model.studies.replications import run_replications
from model.studies.sweep import load, parse_spec, run_sweep

SPEC = {"parameters": {"levers.service_level": [0.4, 0.8]}, "clients": 100, "months": 2}


def _denied(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied", str(args[0]) if args else "")


def _io_fault(*args, **kwargs):
    raise OSError(errno.EIO, "Input/output error")


def test_corrupt_bytes_are_damage_and_the_systems_errors_are_not(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": np.arange(5_000), "b": np.linspace(0, 1, 5_000)}), path)
    data = bytearray(path.read_bytes())
    rng = random.Random(0)
    for _ in range(50):  # bytes damaged inside the data, the footer intact
        data[rng.randrange(8, len(data) // 2)] = rng.randrange(256)
    path.write_bytes(bytes(data))
    with pytest.raises(OSError) as corrupt:
        pd.read_parquet(path)
    assert damaged_content(corrupt.value)  # pyarrow's own OSError: no errno
    path.write_bytes(b"PAR1 cut short")
    with pytest.raises(ValueError) as cut:
        pq.read_metadata(path)
    assert damaged_content(cut.value)
    assert parquet_rows(path) is None
    assert not damaged_content(PermissionError(errno.EACCES, "Permission denied"))
    assert not damaged_content(OSError(errno.EIO, "Input/output error"))
    assert not damaged_content(RuntimeError("not a read at all"))


def test_parquet_rows_raises_what_the_system_refused(tmp_path, monkeypatch):
    path = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"a": [1, 2, 3]}), path)
    assert parquet_rows(path) == 3
    assert parquet_rows(tmp_path / "missing.parquet") is None  # missing: not done, nothing lost
    monkeypatch.setattr(pq, "read_metadata", _denied)
    with pytest.raises(PermissionError):
        parquet_rows(path)


def test_a_sweep_keeps_its_files_when_the_system_cannot_read_them(tmp_path, monkeypatch):
    store = tmp_path / "store"
    run_sweep(parse_spec(SPEC), store, progress=False)
    batches = sorted((store / "batches").glob("*.parquet"))
    assert batches
    before = load(store)
    # Reading the results back (load removes a batch damaged inside its data, so that the
    # sweep redoes it): an I/O fault is raised and every batch stays.
    monkeypatch.setattr(sweep_store.pd, "read_parquet", _io_fault)
    with pytest.raises(OSError, match="Input/output error") as fault:
        load(store)
    assert fault.value.filename == str(batches[0])  # (named: it said only "Input/output error")
    assert sorted((store / "batches").glob("*.parquet")) == batches
    monkeypatch.undo()
    # Resuming (the finished tasks' footers are checked, damaged ones removed): the same.
    monkeypatch.setattr(pq, "read_metadata", _denied)
    with pytest.raises(PermissionError):
        run_sweep(parse_spec(SPEC), store, progress=False)
    monkeypatch.undo()
    assert sorted((store / "batches").glob("*.parquet")) == batches
    pd.testing.assert_frame_equal(load(store), before)


def test_kept_runs_are_kept_when_the_system_cannot_read_them(tmp_path, monkeypatch):
    import model.studies.kept_runs as kept_runs

    scenario = Scenario().with_overrides({"market.clients": 200, "run.months": 6, "run.seed": 3})
    store = tmp_path / "kept"
    with keep_runs(store):
        run_replications(scenario, 2, chunk=2)
    files = sorted(store.glob("runs-*.npz"))
    assert files
    monkeypatch.setattr(kept_runs.np, "load", _denied)
    with pytest.raises(PermissionError), keep_runs(store):
        pass
    monkeypatch.undo()
    assert sorted(store.glob("runs-*.npz")) == files
    with keep_runs(store) as kept:
        assert run_replications(scenario, 2, chunk=2).resumed == 2
        assert kept.damaged == []


def test_a_claim_studys_batches_are_kept_when_the_system_cannot_read_them(tmp_path, monkeypatch):
    from experiments.running.store import drop_damaged, read_batch

    folder = tmp_path / "stage"
    folder.mkdir()
    batch = folder / "batch-00000.parquet"
    pd.DataFrame({"a": [1.0, 2.0]}).to_parquet(batch)
    monkeypatch.setattr(pd, "read_parquet", _io_fault)
    with pytest.raises(OSError, match="Input/output error"):
        read_batch(batch)
    monkeypatch.setattr(pq, "read_metadata", _denied)
    with pytest.raises(PermissionError):
        drop_damaged(folder)
    monkeypatch.undo()
    assert batch.exists() and len(read_batch(batch)) == 2


def _read_as_nobody(path: str) -> str:
    """In a fresh process: give up root for ``nobody`` (root reads any file), then read ``path``
    as a store does; what happened, in words."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    try:
        parquet_rows(path)
    except PermissionError as exc:
        return f"refused, errno {exc.errno}"
    except Exception as exc:  # (reported, not raised: the parent asserts on it)
        return f"{type(exc).__name__}: {exc}"
    return "read"


def test_a_file_the_system_refuses_is_kept_and_named(tmp_path):
    """pyarrow's own error for a file the operating system will not open (not a stand-in): read
    by a process that is not root (the file's mode 0, and the folder's 0700, refuse it), and the
    file stays."""
    import multiprocessing

    store = tmp_path / "store"
    run_sweep(parse_spec(SPEC), store, progress=False)
    batch = sorted((store / "batches").glob("*.parquet"))[0]
    batch.chmod(0)
    try:  # (a fresh interpreter: a fork of this threaded process could deadlock)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            said = pool.apply(_read_as_nobody, (str(batch),))
        assert said == f"refused, errno {errno.EACCES}"
        assert batch.exists()
    finally:
        batch.chmod(0o644)


def test_a_missing_file_counts_as_damaged_wherever_it_is_read():
    """pandas raises FileNotFoundError without an errno, pyarrow with one: both are no file."""
    assert damaged_content(FileNotFoundError("gone.parquet"))
    assert damaged_content(FileNotFoundError(errno.ENOENT, "No such file", "gone.parquet"))
