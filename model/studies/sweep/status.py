"""What a store holds and what is left to run (``retention sweep --status``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model.studies.sweep.layers import layers_of, task_runs
from model.studies.sweep.store import (
    batch_name,
    code_version,
    done_batches,
    read_manifest,
    same_code,
)
from model.studies.sweep.verify import damaged_batches

__all__ = ["StoreStatus", "status"]


@dataclass(frozen=True)
class StoreStatus:
    """Done and to-do counts of a store."""

    store: str
    name: str
    design: str
    points: int
    runs: int
    batches: int
    batches_done: int
    runs_done: int
    temp_files: int
    code_matches: bool
    #: Result files of tasks counted as not done because they are damaged (the next sweep
    #: redoes them).
    damaged: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every task has its file."""
        return self.batches_done == self.batches

    def __str__(self) -> str:
        code = "" if self.code_matches else "; NOTE: the model code has changed since"
        return (
            f"{self.store}: sweep {self.name!r}, {self.design} design, {self.points:,} points, "
            f"{self.runs:,} runs in {self.batches:,} tasks — done {self.batches_done:,} tasks "
            f"({self.runs_done:,} runs), to do {self.batches - self.batches_done:,} tasks "
            f"({self.runs - self.runs_done:,} runs)"
            + (f"; {self.temp_files} leftover temp files (ignored)" if self.temp_files else "")
            + (f"; damaged, to redo: {', '.join(self.damaged)}" if self.damaged else "")
            + code
        )


def status(store: str | Path) -> StoreStatus:
    """What is done and what is left in a store: a task counts as done only if its files are
    whole (:func:`~model.studies.sweep.verify.damaged_batches`; a truncated file was counted,
    and the next sweep then ran it again)."""
    m = read_manifest(store)
    damaged = damaged_batches(store, m)
    done = done_batches(store) - set(damaged)
    layers = layers_of(m)
    runs_done = sum(task_runs(layers, b) for b in done)
    temps = sum(len(list((Path(store) / s).glob(".*.tmp"))) for s in ("", "batches", "series"))
    return StoreStatus(
        store=str(store),
        name=m["name"],
        design=m["design"],
        points=m["points"],
        runs=m["runs"],
        batches=m["batches"],
        batches_done=sum(b < m["batches"] for b in done),
        runs_done=runs_done,
        temp_files=temps,
        code_matches=same_code(m["code"], code_version()),
        damaged=tuple(batch_name(b) for b in damaged),
    )
