"""Many seeds of one scenario, together and resumable: the runs behind ``run --replications``.

Replication ``i`` of a scenario is its run with seed ``run.seed + i``
(:func:`~model.scenario.sections.run.consecutive_seeds`), whatever else runs beside it. The runs go
out in chunks of consecutive replications: each chunk is one :func:`~model.studies.run.simulate_many`
(small markets eight at a time, phase by phase), in this process or on an executor's workers.
With a ``store`` folder every finished chunk is written there at once (its series first, its
headlines last, each file atomically), and a later call with the same scenario and code reads
those runs back instead of running them again: an interrupted call loses at most the chunks that
were running. The numbers do not depend on the chunks, the executor or the resuming.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import count
from model.scenario.sections.run import consecutive_seeds
from model.studies.files import parquet_rows, write_atomic
from model.studies.run import TOGETHER, TOGETHER_MAX_CLIENTS, simulate_many
from model.studies.sweep.lock import writer_lock
from model.studies.sweep.store import code_version, write_parquet

__all__ = ["Replicated", "chunk_size", "run_replications"]

#: A finished chunk's files: replications ``start`` up to (not including) ``stop``.
_CHUNK = re.compile(r"^(runs|series)-(\d{5,})-(\d{5,})\.parquet$")
_INPUTS = "inputs.json"
#: A temporary file of a write cut short (:func:`model.studies.files.atomic_file`).
_TEMP = re.compile(r"^\.(inputs\.json|(runs|series)-\d+-\d+\.parquet)\..+\.tmp$")


@dataclass(frozen=True)
class Replicated:
    """What :func:`run_replications` produced.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per replication, in order: ``seed`` and the headline results
        (:meth:`~model.engine.retention_model.RetentionModel.summary`).
    series : pandas.DataFrame
        Every replication's monthly table, stacked in the same order, with a ``seed`` column.
    seeds : list of int
        The seeds, in order.
    resumed : int
        Replications read back from the store rather than run now.
    """

    runs: pd.DataFrame
    series: pd.DataFrame
    seeds: list[int]
    resumed: int = 0


def chunk_size(clients: int, runs: int, parallel: bool) -> int:
    """Replications a chunk holds: four lockstep groups of a small market (a store's file every
    few seconds at the default size), one run of a large one, fewer where ``runs`` spread over
    a pool's workers would otherwise leave some idle (at least eight chunks then)."""
    size = 4 * TOGETHER if clients <= TOGETHER_MAX_CLIENTS else 1
    if parallel:
        size = min(size, max(1, math.ceil(runs / 8)))
    return size


def run_replications(
    scenario: Scenario,
    replications: int,
    *,
    store: str | Path | None = None,
    fresh: bool = False,
    executor: Executor | None = None,
    chunk: int | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Replicated:
    """Run ``scenario`` on ``replications`` consecutive seeds from its own.

    Parameters
    ----------
    scenario : Scenario
        The scenario; its ``run.seed`` is replication 0's seed.
    replications : int
        How many runs: a whole number ≥ 1.
    store : str or Path, optional
        A folder for finished chunks (created if missing; one writer at a time). Runs it holds
        for this scenario and this code are read back; runs of another scenario or code are
        discarded first.
    fresh : bool
        Discard the store's runs even where they are this scenario's.
    executor : concurrent.futures.Executor, optional
        Where the chunks run (a process pool); default this process.
    chunk : int, optional
        Replications per chunk; default :func:`chunk_size`.
    on_done : callable, optional
        Called with the number of replications each time some finish (or are read back).

    Returns
    -------
    Replicated
    """
    replications = count("replications", replications)
    if chunk is not None:
        chunk = count("chunk", chunk)
    seeds = consecutive_seeds(scenario.run.seed, replications)
    if store is None:
        return _collect(scenario, seeds, {}, executor, chunk, None, on_done)
    store = Path(store)
    with writer_lock(store, what="'retention run --replications'"):
        kept = _open(store, scenario, replications, fresh)
        return _collect(scenario, seeds, kept, executor, chunk, store, on_done)


# ================================================================================ the runs
def run_chunk(scenario: Scenario, seeds: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Headlines and stacked series of ``scenario`` on ``seeds`` (one task; any process)."""
    results = simulate_many([scenario.with_overrides({"run.seed": s}) for s in seeds])
    runs = pd.DataFrame([{"seed": r.seed, **r.summary} for r in results])
    series = pd.concat([r.timeseries.assign(seed=r.seed) for r in results], ignore_index=True)
    return runs, series


def _collect(
    scenario: Scenario,
    seeds: list[int],
    kept: dict[int, tuple[int, Path, Path]],
    executor: Executor | None,
    chunk: int | None,
    store: Path | None,
    on_done: Callable[[int], None] | None,
) -> Replicated:
    """Every replication: the kept ones read back, the others run chunk by chunk."""
    done: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
    resumed = 0
    for start, (stop, runs_file, series_file) in sorted(kept.items()):
        done[start] = (pd.read_parquet(runs_file), pd.read_parquet(series_file))
        resumed += stop - start
    if resumed and on_done is not None:
        on_done(resumed)
    missing = [i for i in range(len(seeds)) if not any(s <= i < e for s, (e, *_) in kept.items())]
    size = chunk or chunk_size(scenario.market.clients, len(missing), executor is not None)
    chunks = list(_runs_of(missing, size))

    def finished(start: int, stop: int, frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
        if store is not None:
            write_parquet(frames[1], store / _name("series", start, stop))
            write_parquet(frames[0], store / _name("runs", start, stop))  # last: marks it done
        done[start] = frames
        if on_done is not None:
            on_done(stop - start)

    if executor is None:
        for start, stop in chunks:
            finished(start, stop, run_chunk(scenario, seeds[start:stop]))
    else:
        _parallel(executor, scenario, seeds, chunks, finished)
    order = sorted(done)
    runs = pd.concat([done[s][0] for s in order], ignore_index=True)
    series = pd.concat([done[s][1] for s in order], ignore_index=True)
    return Replicated(runs, series, seeds, resumed)


def _parallel(
    executor: Executor,
    scenario: Scenario,
    seeds: list[int],
    chunks: list[tuple[int, int]],
    finished: Callable[[int, int, tuple[pd.DataFrame, pd.DataFrame]], None],
) -> None:
    """The chunks on ``executor``, each handed to ``finished`` as it finishes (so each is kept
    as soon as it can be, whatever the order)."""
    pending: dict[Future, tuple[int, int]] = {
        executor.submit(run_chunk, scenario, seeds[a:b]): (a, b) for a, b in chunks
    }
    try:
        while pending:
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in ready:
                a, b = pending.pop(future)
                finished(a, b, future.result())
    finally:
        for future in pending:
            future.cancel()


def _runs_of(indices: list[int], size: int) -> Iterator[tuple[int, int]]:
    """``indices`` (sorted) cut into (start, stop) ranges of consecutive replications, each at
    most ``size`` long."""
    i = 0
    while i < len(indices):
        start = stop = indices[i]
        while i < len(indices) and indices[i] == stop and stop - start < size:
            stop += 1
            i += 1
        yield start, stop


# ================================================================================ the store
def _name(kind: str, start: int, stop: int) -> str:
    return f"{kind}-{start:05d}-{stop:05d}.parquet"


def _inputs(scenario: Scenario) -> dict[str, Any]:
    """What makes a kept run this call's: the scenario (every parameter, the first seed
    included) and the simulation's code and numerics class. The number of replications is not
    among them: replication i is the same run whatever their number."""
    code = code_version()
    return {
        "scenario": scenario.to_toml_dict(),
        "source_hash": code["source_hash"],
        "numerics": code["numerics"],
    }


def _open(
    store: Path, scenario: Scenario, replications: int, fresh: bool
) -> dict[int, tuple[int, Path, Path]]:
    """The store's finished chunks for this scenario and code, by first replication:
    ``start -> (stop, runs file, series file)``. Anything else of ours in it is removed (another
    scenario's or code's runs, a chunk cut short); a file not of ours is refused."""
    entries = list(store.iterdir())
    strangers = [
        e.name
        for e in entries
        if not (e.is_file() and (e.name == _INPUTS or _CHUNK.match(e.name) or _TEMP.match(e.name)))
    ]
    if strangers:
        raise ScenarioError(
            f"{str(store)!r}: holds {strangers[0]!r}, which 'retention run --replications' did "
            "not write; allowed: a folder of kept replications only (move the file away)"
        )
    inputs = _inputs(scenario)
    try:
        same = json.loads((store / _INPUTS).read_text()) == json.loads(json.dumps(inputs))
    except (OSError, ValueError):
        same = False
    if fresh or not same:
        for e in entries:
            e.unlink()
        write_atomic(store / _INPUTS, json.dumps(inputs, indent=1) + "\n")
        return {}
    return _finished(store, scenario.run.months, replications)


def _finished(store: Path, months: int, replications: int) -> dict[int, tuple[int, Path, Path]]:
    """Chunks whose two files are whole (their footers count the rows they must hold), within
    the first ``replications``, not overlapping one kept before; the rest removed."""
    kept: dict[int, tuple[int, Path, Path]] = {}
    taken: set[int] = set()
    for path in sorted(store.iterdir()):
        found = _CHUNK.match(path.name)
        if not found:
            if path.name != _INPUTS:
                path.unlink()  # a temporary file of a write that was cut short
            continue
        kind, start, stop = found.group(1), int(found.group(2)), int(found.group(3))
        if kind != "runs":
            continue
        series = store / _name("series", start, stop)
        whole = (
            start < stop <= replications
            and parquet_rows(path) == stop - start
            and parquet_rows(series) == (stop - start) * months
            and not taken & set(range(start, stop))
        )
        if whole:
            kept[start] = (stop, path, series)
            taken.update(range(start, stop))
    for path in store.iterdir():
        found = _CHUNK.match(path.name)
        if found and kept.get(int(found.group(2)), (None,))[0] != int(found.group(3)):
            path.unlink()  # cut short, overlapping, or beyond this call's replications
    return kept
