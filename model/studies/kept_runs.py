"""Runs kept on disk as they finish, so that a stopped study resumes: ``with keep_runs(folder):``.

Inside the block every run made by :func:`run_all` — the runs of ``compare``, ``optimize`` (its
search and its hold-out) and ``run --replications`` — has its monthly table written to
``folder`` as soon as its chunk finishes (one ``.npz`` file a chunk, written atomically: 2 ms
where Parquet took 8 on this project's machine, which matters for evaluations of a few small
runs), under a key made of everything that decides its numbers: the whole scenario, seed
included, the simulation's source code, the numerics class and the numpy, scipy and numba
versions (:func:`run_key`). A run whose key is kept is read back
instead of run again, so the same study started again after a stop (Ctrl+C, SIGTERM, a killed
process, a full disk) redoes only the chunks that were running; a run of another scenario or
other code is never read back. The headline numbers are recomputed from the table
(:func:`model.engine.summary.summarize`, as the model computes them), so a kept run gives the
same :class:`~model.studies.run.RunResult` as a fresh one, bit for bit.

:func:`run_all` is also where the runs of a study go out: in this process many small markets
step together (:func:`~model.studies.run.simulate_many`, the runs of one seed sharing their
draws), or on an executor's workers in chunks.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from contextvars import ContextVar
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.engine.metrics import METRICS
from model.engine.summary import summarize
from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import executor_or_none, hook
from model.studies.files import atomic_file, raise_unless_damaged
from model.studies.run import (
    TOGETHER,
    TOGETHER_MAX_CLIENTS,
    RunResult,
    run_many,
    simulate_many,
    warn_after_horizon,
)
from model.studies.sweep.lock import writer_lock
from model.studies.sweep.store import code_version

__all__ = [
    "KeptRuns",
    "active",
    "chunk_size",
    "deciding_code",
    "keep_runs",
    "run_all",
    "run_key",
]

#: A chunk's file: ``runs-NNNNN.npz``, the metrics' names (``columns``) and every run's
#: (months × metrics) float64 table as ``k<key>``.
_FILE = re.compile(r"^runs-(\d{5,})\.npz$")
#: A temporary file of a write cut short (:func:`model.studies.files.atomic_file`).
_TEMP = re.compile(r"^\.runs-\d{5,}\.npz\..+\.tmp$")
#: The columns of a run's monthly table, in order (:meth:`RetentionModel.timeseries`).
_COLUMNS = ["month", *METRICS]
_ACTIVE: ContextVar[KeptRuns | None] = ContextVar("kept_runs", default=None)


def run_key(scenario: Scenario, code: dict[str, Any] | None = None) -> str:
    """The key a run of ``scenario`` is kept under: a SHA-256 (hex) of the scenario's every
    parameter (seed included) and of what decides its numbers besides (``code``:
    :func:`deciding_code`, taken now if not given)."""
    what = [scenario.to_toml_dict(), code or deciding_code()]
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def deciding_code() -> dict[str, Any]:
    """What decides a run's numbers besides its scenario: the simulation's sources, the numerics
    class (:func:`model.studies.sweep.store.code_version`) and the versions of the libraries
    whose arithmetic it uses (an upgrade between a stop and a resume could change last bits)."""
    code = code_version()
    return {
        "source_hash": code["source_hash"],
        "numerics": code["numerics"],
        **{name: version(name) for name in ("numpy", "scipy", "numba")},
    }


class KeptRuns:
    """The runs kept in one folder: their monthly tables by :func:`run_key` (use
    :func:`keep_runs`, which holds the folder for one writer and makes it the active one)."""

    def __init__(self, folder: str | Path, fresh: bool = False) -> None:
        self.folder = Path(folder)
        self.code = deciding_code()
        self._code_text = json.dumps(self.code, sort_keys=True)  # (as each kept file records it)
        # By key: a (months × metrics) float64 table read back, or the file of one kept by this
        # store (read again if asked for: the caller holds the run it just made).
        self.tables: dict[str, np.ndarray | Path] = {}
        self._next = 0
        #: Runs :meth:`get` has found kept (read back instead of run again).
        self.read_back = 0
        #: Kept files found damaged when the folder was opened, removed (their runs run again).
        self.damaged: list[str] = []
        # Each whole file's keys, the files kept under other code (no run of theirs can be
        # read back by this code: a key holds the code), and the keys this block has read back
        # or kept: what :meth:`release` may remove.
        self._files: dict[Path, set[str]] = {}
        self._stale: set[Path] = set()
        self._used: set[str] = set()
        self._open(fresh)

    def __len__(self) -> int:
        return len(self.tables)

    def key(self, scenario: Scenario) -> str:
        """:func:`run_key` of ``scenario`` with this store's code."""
        return run_key(scenario, self.code)

    def get(self, scenario: Scenario, key: str | None = None) -> RunResult | None:
        """The kept run of ``scenario`` (seed included), or None (``key``: its :meth:`key`, if
        the caller has it)."""
        key = key or self.key(scenario)
        table = self.tables.get(key)
        if isinstance(table, Path):
            table = (_read(table) or {}).get(key)
        if table is None:
            return None
        self.read_back += 1
        self._used.add(key)
        return _result(scenario, table)

    def put(self, results: Sequence[RunResult], keys: Sequence[str] | None = None) -> None:
        """Keep ``results`` (one file, written atomically; ``keys``: their :meth:`key`, if the
        caller has them)."""
        keys = keys or [self.key(r.scenario) for r in results]
        arrays = {"columns": np.array(list(METRICS)), "code": np.array(self._code_text)}
        for r, key in zip(results, keys, strict=True):
            if list(r.timeseries.columns) != _COLUMNS:
                raise ValueError("a kept run's table must be the model's timeseries, as it is")
            arrays[f"k{key}"] = r.timeseries[list(METRICS)].to_numpy(np.float64)
        path = self.folder / f"runs-{self._next:05d}.npz"
        with atomic_file(path) as handle:
            np.savez(handle, **arrays)
        self._next += 1
        self._files[path] = {name[1:] for name in arrays if name.startswith("k")}
        self._used |= self._files[path]
        self.tables.update(dict.fromkeys(self._files[path], path))

    def release(self) -> int:
        """Remove the files whose every run this block read back or kept, and those kept under
        other code (never to be read back), and say how many runs the others hold that this
        block did not use: runs another study kept in the same folder and was stopped, which it
        reads back when started again (not this block's to remove)."""
        left = 0
        for path, keys in list(self._files.items()):
            if keys <= self._used or path in self._stale:
                path.unlink(missing_ok=True)
                del self._files[path]
            else:
                left += len(keys - self._used)
        return left

    def _open(self, fresh: bool) -> None:
        """Read the folder's whole files; remove damaged ones and temporary files of writes cut
        short (everything with ``fresh``); refuse a folder holding anything else."""
        self.folder.mkdir(parents=True, exist_ok=True)
        entries = sorted(self.folder.iterdir())
        strangers = [e.name for e in entries if not (_FILE.match(e.name) or _TEMP.match(e.name))]
        if strangers:
            raise ScenarioError(
                f"{str(self.folder)!r}: holds {strangers[0]!r}, which no study kept there; "
                "allowed: a folder of kept runs only (move the file away)"
            )
        for entry in entries:
            found = _FILE.match(entry.name)
            tables = None if fresh or not found else _read(entry)
            if tables is None:
                if found and not fresh:  # (said by the caller: it was removed silently)
                    self.damaged.append(entry.name)
                entry.unlink()
                continue
            self._next = max(self._next, int(found.group(1)) + 1)
            code = tables.pop("", None)  # (files kept before the code was stamped have none)
            if code is not None and str(code) != self._code_text:
                self._stale.add(entry)
            self.tables.update(tables)
            self._files[entry] = set(tables)


def _read(path: Path) -> dict[str, np.ndarray] | None:
    """A kept file's tables by key (and, under the key ``""``, the code it was kept under, where
    the file records it), or None if it is damaged (cut short, emptied) or holds other metrics
    than this code's."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if list(z["columns"]) != list(METRICS):
                return None
            tables = {name[1:]: z[name] for name in z.files if name.startswith("k")}
            code = z["code"][()] if "code" in z.files else None
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise_unless_damaged(exc, path)  # (the system's error: the file may be whole)
        return None
    whole = all(
        t.dtype == np.float64 and t.ndim == 2 and t.shape[1] == len(METRICS) and len(t)
        for t in tables.values()
    )
    if not whole:
        return None
    return tables if code is None else {**tables, "": code}


@contextmanager
def keep_runs(
    folder: str | Path, fresh: bool = False, busy: str | None = None
) -> Iterator[KeptRuns]:
    """Keep every run of :func:`run_all` in ``folder`` while the block runs, and read back the
    runs it already holds (one writer at a time; ``fresh`` discards what it holds; ``busy``:
    the error's message when another process holds the folder).

    Examples
    --------
    >>> import tempfile
    >>> from model.studies.replications import run_replications
    >>> tiny = Scenario().with_overrides({"market.clients": 100, "run.months": 3})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with keep_runs(folder):
    ...         first = run_replications(tiny, 2)
    ...     with keep_runs(folder):  # the same call again (after a stop, say): read back
    ...         again = run_replications(tiny, 2)
    >>> again.resumed, again.runs.equals(first.runs)
    (2, True)
    """
    busy = busy or (
        f"{str(folder)!r}: another process keeps its runs here now; allowed: one at a time"
    )
    with writer_lock(folder, busy):
        kept = KeptRuns(folder, fresh)
        token = _ACTIVE.set(kept)
        try:
            yield kept
        finally:
            _ACTIVE.reset(token)


def active() -> KeptRuns | None:
    """The store of the enclosing :func:`keep_runs` block, or None."""
    return _ACTIVE.get()


# ================================================================================ the runs
def chunk_size(clients: int, runs: int, parallel: bool) -> int:
    """Runs a chunk holds: four lockstep groups of a small market (a kept file every few seconds
    at the default size), one run of a large one, fewer where ``runs`` spread over a pool's
    workers would otherwise leave some idle (at least eight chunks then)."""
    size = 4 * TOGETHER if clients <= TOGETHER_MAX_CLIENTS else 1
    if parallel:
        size = min(size, max(1, math.ceil(runs / 8)))
    return size


def run_all(
    scenarios: Sequence[Scenario],
    executor: Executor | None = None,
    on_done: Callable[[int], None] | None = None,
    chunk: int | None = None,
) -> list[RunResult]:
    """Run ``scenarios`` (each with its own seed); results in the same order.

    Runs the active :func:`keep_runs` store holds are read back; the others run in chunks, in
    seed order (the runs of one seed share their draws), in this process
    (:func:`~model.studies.run.simulate_many`) or on ``executor``; each finished chunk is kept
    (if a store is active) and counted to ``on_done`` at once. The results equal
    :func:`~model.studies.run.simulate`'s, however they were cut, spread or read back.
    """
    executor = executor_or_none("executor", executor)
    on_done = hook("on_done", on_done)
    kept = active()
    keys = [kept.key(s) for s in scenarios] if kept is not None else []  # (each hashed once)
    results: list[RunResult | None] = [None] * len(scenarios)
    missing = []
    for i, s in enumerate(scenarios):
        results[i] = kept.get(s, keys[i]) if kept is not None else None
        if results[i] is None:
            missing.append(i)
    if on_done is not None and len(scenarios) > len(missing):
        on_done(len(scenarios) - len(missing))
    missing.sort(key=lambda i: (scenarios[i].run.seed, i))
    size = chunk or chunk_size(
        max((scenarios[i].market.clients for i in missing), default=1),
        len(missing),
        executor is not None,
    )
    chunks = [missing[a : a + size] for a in range(0, len(missing), size)]

    def finished(rows: list[int], done: list[RunResult]) -> None:
        if kept is not None:
            kept.put(done, [keys[i] for i in rows])
        for i, r in zip(rows, done, strict=True):
            results[i] = r
        if on_done is not None:
            on_done(len(rows))

    if executor is None:
        for rows in chunks:
            finished(rows, simulate_many([scenarios[i] for i in rows]))
    else:
        _on_executor(executor, scenarios, chunks, finished)
    return results  # type: ignore[return-value]


def _on_executor(
    executor: Executor,
    scenarios: Sequence[Scenario],
    chunks: list[list[int]],
    finished: Callable[[list[int], list[RunResult]], None],
) -> None:
    """The chunks on ``executor``, each handed to ``finished`` as it finishes (so each is kept
    as soon as it can be, whatever the order); the rest cancelled if one fails.

    A worker does not share this process's warning filters (a spawned one starts afresh, and
    printed the note of a step after the horizon that its caller had told of already), so the
    notes are given here, once each, where the caller's filters apply, and the chunks run by
    :func:`~model.studies.run.run_many`, which gives none (so no worker, process or thread,
    touches its warning filters: a thread's ``catch_warnings`` would change every thread's).
    """
    # (from run_all, as simulate_many's are)
    warn_after_horizon((scenarios[i] for rows in chunks for i in rows), stacklevel=2)
    pending: dict[Future, list[int]] = {
        executor.submit(run_many, [scenarios[i] for i in rows], RunResult.of): rows
        for rows in chunks
    }
    try:
        while pending:
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            failed = None
            for future in ready:  # every finished chunk kept before a failure is raised
                rows = pending.pop(future)
                if future.exception() is None:
                    finished(rows, future.result())
                else:
                    failed = failed or future
            if failed is not None:
                failed.result()
    finally:
        for future in pending:
            future.cancel()


def _result(scenario: Scenario, table: np.ndarray) -> RunResult:
    """The :class:`RunResult` of a kept table: its monthly frame as the model makes it
    (:meth:`RetentionModel.timeseries`) and its headlines as the model computes them."""
    frame = pd.DataFrame(table, columns=list(METRICS), copy=True)
    frame.insert(0, "month", np.arange(1, len(table) + 1))
    columns = {name: table[:, i] for i, name in enumerate(METRICS)}
    summary = summarize(columns, len(table), scenario.market.clients)
    return RunResult(scenario=scenario, timeseries=frame, summary=summary)
