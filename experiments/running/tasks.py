"""The runs a claim study makes: one task per batch of worlds, each written to its own file.

These functions decide the stored numbers (which scenario, which seed, which baseline a claim's
arms pair with), so :mod:`experiments.running.store` fingerprints this module; the orchestration around
them (:mod:`experiments.running.study`: sizes, waves, which replications to ask for, progress) does not
change a stored number and is not fingerprinted, so a study can be extended or its reports
rewritten without rerunning what is stored.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.running.baseline import EXTRAS, Baseline, baseline_run, baseline_runs
from experiments.running.store import read_batch
from experiments.running.together import measure_together
from model import Scenario
from model.studies.run import RunResult
from model.studies.sweep.store import write_parquet
from model.studies.worlds import fact_values, world_scenario

__all__ = ["claim_batch", "defaults_task", "world_batch"]


def world_batch(rows: list[dict[str, Any]], settings: dict[str, Any], path: str) -> None:
    """Each world's baseline and facts, written to ``path``; the series beside it.

    The rows name their series file by its name alone (``series``), resolved against the stage
    folder when read, so a store can be moved or resumed from another folder.
    """
    out, series = [], []
    series_path = Path(path).with_suffix(".series.parquet")
    scenarios = [
        world_scenario(Scenario(), row, {**settings, "run.seed": int(row["seed"])}) for row in rows
    ]
    for row, b in zip(rows, baseline_runs(scenarios), strict=True):
        out.append({**row, **fact_values(b.run.timeseries), **b.extras, "series": series_path.name})
        ts = b.run.timeseries.copy()
        ts.insert(0, "world", row["world"])
        series.append(ts)
    write_parquet(pd.concat(series, ignore_index=True), str(series_path))
    write_parquet(pd.DataFrame(out), path)


def _baselines(rows: list[dict[str, Any]]) -> dict[int, pd.DataFrame]:
    """The stored baseline series of these worlds (``series``: the file's full path here)."""
    want, out = {int(r["world"]) for r in rows}, {}
    for path in sorted({str(r["series"]) for r in rows if r.get("series")}):
        frame = read_batch(Path(path))  # (a damaged one removed and said)
        for w, ts in frame[frame["world"].isin(want)].groupby("world"):
            out[int(w)] = ts.drop(columns="world").reset_index(drop=True)  # type: ignore[call-overload]
    return out


def claim_batch(
    module_name: str, jobs: list[tuple[dict[str, Any], list[int]]], settings: dict, path: str
) -> None:
    """The claim's readings in each (world, replications) job, written to ``path``.

    Replication ``r`` runs on the world's seed + ``r``; replication 0 pairs with the stored
    baseline (its series and per-client extras), any other runs its own baseline.
    """
    module = importlib.import_module(module_name)
    series = _baselines([row for row, reps in jobs if 0 in reps])
    keys, bases, seeds, unrun = [], [], [], []
    for row, reps in jobs:
        world = {k: v for k, v in row.items() if "." in str(k)}
        for rep in reps:
            seed = int(row["seed"]) + rep
            scn = world_scenario(Scenario(), world, {**settings, "run.seed": seed})
            if rep == 0 and int(row["world"]) in series:
                extras = {k: float(row[k]) for k in EXTRAS}
                bases.append(Baseline(RunResult(scn, series[int(row["world"])], {}), extras))
            else:
                bases.append(scn)
                unrun.append(len(bases) - 1)
            keys.append({"world": row["world"], "rep": rep})
            seeds.append(seed)
    # The baselines not stored, then every job's arms, run together (each run's numbers its
    # solo run's).
    for i, base in zip(unrun, baseline_runs([bases[i] for i in unrun]), strict=True):
        bases[i] = base
    values = measure_together(module.measure, list(zip(bases, seeds, strict=True)))
    out = [{**key, **v} for key, v in zip(keys, values, strict=True)]
    write_parquet(pd.DataFrame(out), path)


def defaults_task(module_name: str, settings: dict, seed: int, rep: int, path: str) -> None:
    """Every reading at the declared defaults, one replication on ``seed``."""
    module = importlib.import_module(module_name)
    scn = Scenario().with_overrides({**settings, "run.seed": seed})
    row = {"world": -1, "rep": rep, **module.measure(baseline_run(scn), seed)}
    write_parquet(pd.DataFrame([row]), path)
