"""Runs of another store that a sweep takes instead of running them again (``--reuse OLD``).

A design refined after a first look — a grid that gains a value, a parameter range widened, a
point added — is another spec, so it needs a store of its own; but many of its runs are runs the
old store holds already. A run is the same run when it simulates the same scenario, every
parameter and the seed included, with the same code: its numbers are then the same, bit for
bit, wherever and beside whatever it ran (:func:`model.studies.run.run_many`). So each run of the
new sweep is keyed by its whole scenario and the code that runs it
(:func:`model.studies.kept_runs.run_key`, as kept runs are) and, where the old store holds a run of that key, its
summary and series are copied instead of simulated. A grid keeps its seeds across points
(``common_random_numbers``, the default for grids), so a grid that gains values finds every run
of the values it kept; a sampled design's seeds follow the point's number, so few of its runs
match. The new store equals the one a sweep without ``--reuse`` would write, row for row
(``tests/test_sweep_reuse.py``).
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from model.scenario import Scenario
from model.studies.kept_runs import deciding_code, run_key
from model.studies.sweep.batch import BatchTask, replicate_scenario
from model.studies.sweep.results import load, load_series
from model.studies.sweep.spec import SweepError, SweepSpec
from model.studies.sweep.store import code_version, read_manifest, same_code

__all__ = ["Reusable", "open_reusable"]

#: The columns of a store's summary rows that say which run it is, not what it gave.
_IDS = ("point", "replicate", "seed")


@dataclass(frozen=True)
class Reusable:
    """The finished runs of a store, by :func:`~model.studies.kept_runs.run_key`.

    Attributes
    ----------
    source : Path
        The store they come from.
    code : dict
        What decides a run's numbers besides its scenario
        (:func:`~model.studies.kept_runs.deciding_code`), taken once: part of every key.
    runs : dict of str to (dict, DataFrame or None)
        Run key → (its summary: metric → value, its monthly series: ``month`` and the series
        the new sweep records, or None when it records none).
    """

    source: Path
    code: dict[str, Any]
    runs: dict[str, tuple[dict[str, Any], pd.DataFrame | None]]

    def known(self, task: BatchTask, base: Scenario) -> tuple:
        """``task.known`` for a :class:`~model.studies.sweep.batch.BatchTask`: each row's run
        from this store, or None (to be run); empty when none of them is here."""
        found = []
        for row in task.rows:
            params = {k: row[k] for k in task.keys}
            key = run_key(replicate_scenario(base, params, row["seed"]), self.code)
            found.append(self.runs.get(key))
        return tuple(found) if any(f is not None for f in found) else ()

    def fill(self, task: BatchTask, base: Scenario) -> BatchTask:
        """``task`` carrying the runs this store holds (:meth:`known`)."""
        known = self.known(task, base)
        return replace(task, known=known) if known else task


def open_reusable(source: str | Path, spec: SweepSpec, store: str | Path) -> Reusable:
    """The finished runs of the store ``source`` that a sweep of ``spec`` into ``store`` may
    take.

    Raises
    ------
    SweepError
        ``source`` is not a sweep store, is ``store`` itself, was written by other model code or
        another numerics class (its numbers would not be this code's), or records fewer monthly
        series than ``spec`` asks for.
    """
    source = Path(source)
    if source.resolve() == Path(store).resolve():
        raise SweepError(
            f"--reuse {str(source)!r}: is --out itself; allowed: another store (a store resumes "
            "its own runs without --reuse)"
        )
    try:
        manifest = read_manifest(source)
    except SweepError as exc:  # (its advice, to sweep into the folder, is not --reuse's)
        said = re.split(r"; (?:run |allowed)", str(exc))[0].removeprefix(f"{str(source)!r}: ")
        raise SweepError(
            f"--reuse {str(source)!r}: {said}; allowed: the folder of a finished sweep (its "
            "--out), whose runs this sweep may take"
        ) from None
    if not same_code(manifest["code"], code_version()):
        raise SweepError(
            f"--reuse {str(source)!r}: written by other model code (or another numerics class); "
            "its runs would not be this code's numbers, so none can be reused"
        )
    try:
        old = json.loads((source / "spec.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SweepError(
            f"--reuse {str(source)!r}: its spec.json cannot be read ({exc}); allowed: a whole "
            "sweep store"
        ) from None
    wanted = set(spec.series)
    missing = sorted(wanted - set(old.get("series") or ()))
    if missing:
        raise SweepError(
            f"--reuse {str(source)!r}: records no monthly {', '.join(missing)} (its spec's "
            f"series: {', '.join(old.get('series') or ()) or 'none'}); allowed: a store that "
            "records every series this spec asks for"
        )
    code = deciding_code()
    return Reusable(source, code, _runs(source, old, spec.series, code))


def _runs(
    source: Path, old: dict[str, Any], series: tuple[str, ...], code: dict[str, Any]
) -> dict[str, tuple[dict[str, Any], pd.DataFrame | None]]:
    """The store's finished runs by key (:class:`Reusable`'s ``runs``)."""
    with warnings.catch_warnings():  # (an unfinished store: its finished runs are reused)
        warnings.simplefilter("ignore", UserWarning)
        frame = load(source)
    keys = [p["key"] for p in old["parameters"]]
    metrics = [c for c in frame.columns if c not in (*_IDS, *keys)]
    by_run = {}
    if series and len(frame):
        with warnings.catch_warnings():  # (as above: the finished runs' series)
            warnings.simplefilter("ignore", UserWarning)
            monthly = load_series(source).groupby(["point", "replicate"], sort=False)
        by_run = {k: part[["month", *series]] for k, part in monthly}
    base = Scenario.build(old["base"], origin="base")
    runs = {}
    for row in frame.to_dict("records"):
        params = {k: row[k] for k in keys}
        key = run_key(replicate_scenario(base, params, int(row["seed"])), code)
        ts = by_run.get((row["point"], row["replicate"])) if series else None
        if series and ts is None:
            continue  # (a run whose series file is lost: run again)
        runs[key] = ({m: row[m] for m in metrics}, ts)
    return runs
