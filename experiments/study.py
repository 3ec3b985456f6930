"""A claim study: draw worlds, keep the plausible ones, measure every reading in each, resumably.

Two stages, both on the sweep machinery (:func:`model.studies.sweep.runner.executor`'s process
pool; every batch written atomically by :func:`model.studies.sweep.store.write_parquet`, so an
interrupted study resumes where it stopped):

1. **Worlds** (shared by every claim): :func:`model.studies.worlds.draw_worlds` draws the worlds;
   each world's *baseline* (its declared levers, nothing changed) runs once, instrumented
   (:func:`baseline_run`), and the stylised facts (:data:`model.studies.worlds.FACTS`) decide
   whether it is plausible. Baselines are kept, so a claim's control arm is not run again.
2. **Claims**: a claim module's ``measure(baseline, seed)`` runs its other arms on the world's seed
   (paired with the baseline) and returns every reading's value. Replication 0 runs in every
   plausible world; replication 1 in the first ``pilot`` worlds, which measures the within-world
   noise the verdict allows for (:func:`experiments.framework.judge`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from model import Scenario
from model.engine.metrics import top_share
from model.engine.retention_model import RetentionModel
from model.studies.run import RunResult
from model.studies.sweep.store import write_parquet
from model.studies.worlds import (
    FACTS,
    declared_uncertainties,
    draw_worlds,
    fact_values,
    judge_worlds,
    world_scenario,
)

__all__ = [
    "SIZES",
    "Baseline",
    "Size",
    "baseline_run",
    "claim_values",
    "defaults_values",
    "shared_pool",
    "world_table",
]


@dataclass(frozen=True)
class Size:
    """How big a study is.

    Attributes
    ----------
    waves : tuple of int
        Worlds drawn in each wave (the plausible ones are kept).
    clients : int
        People in each simulated market (``market.clients``).
    months : int
        Horizon of every run.
    pilot : int
        Worlds (the first plausible ones) that also run a second replication, to measure the
        within-world Monte-Carlo noise.
    defaults : int
        Replications of the declared defaults, the value reported beside the verdict.
    batch : int
        Worlds per task.
    """

    waves: tuple[int, ...]
    clients: int
    months: int
    pilot: int
    defaults: int
    batch: int

    def settings(self) -> dict[str, Any]:
        """The run settings every arm shares."""
        return {"market.clients": self.clients, "run.months": self.months}


SIZES: dict[str, Size] = {
    "quick": Size(waves=(40,), clients=300, months=24, pilot=4, defaults=2, batch=10),
    "default": Size(
        waves=(1000, 500, 1000), clients=800, months=60, pilot=32, defaults=4, batch=12
    ),
}


@dataclass(frozen=True)
class Baseline:
    """A world's baseline run and the per-client numbers the claims read from it.

    Attributes
    ----------
    run : RunResult
        The run (its scenario carries the world and the seed).
    extras : dict
        ``top20_profit_1y`` / ``top20_profit_all``: top-fifth share of attributed profit among
        clients served in the last 12 months / the whole run (%, NaN if total ≤ 0);
        ``stayer_ratio``: revenue of clients served in every month over the whole run divided by
        their first-year revenue; ``cohort_ratio`` and ``cohort_profit_ratio``: revenue and
        attributed profit over the whole run of the clients active at the start (churn and
        win-back included) divided by their first-year revenue.
    """

    run: RunResult
    extras: dict[str, float]


def baseline_run(scenario: Scenario) -> Baseline:
    """Run ``scenario`` once, snapshotting per-client revenue and profit for the claims."""
    model = RetentionModel(scenario, rng=scenario.run.seed)
    c = model.clients
    end = model.months
    start_active = c.active_mask().copy()
    stayed = np.ones(c.n, bool)
    served_all = np.zeros(c.n, bool)
    served_last = np.zeros(c.n, bool)
    rev0, val0 = c.revenue_total.copy(), c.value.copy()
    snap: dict[str, np.ndarray] = {}
    while model.month < end:
        if model.month == end - 12:
            snap["rev_last"], snap["val_last"] = c.revenue_total.copy(), c.value.copy()
        model.step()
        served = model.ctx.served
        stayed &= served
        served_all |= served | c.joins
        if model.month > end - 12:
            served_last |= served | c.joins
        if model.month == 12:
            snap["rev_12"] = c.revenue_total.copy()
    rev, val = c.revenue_total - rev0, c.value - val0
    first = snap.get("rev_12", c.revenue_total) - rev0

    def ratio(num: np.ndarray, den: np.ndarray) -> float:
        d = float(den.sum())
        return float(num.sum()) / d if d > 0 else float("nan")

    last_val = c.value - snap.get("val_last", val0)
    extras = {
        "top20_profit_1y": 100.0 * _top_fifth(last_val[served_last]),
        "top20_profit_all": 100.0 * _top_fifth(val[served_all]),
        "stayer_ratio": ratio(rev[stayed & start_active], first[stayed & start_active]),
        "cohort_ratio": ratio(rev[start_active], first[start_active]),
        "cohort_profit_ratio": ratio(val[start_active], first[start_active]),
    }
    run = RunResult(scenario=scenario, timeseries=model.timeseries(), summary=model.summary())
    return Baseline(run=run, extras=extras)


def _top_fifth(values: np.ndarray) -> float:
    """Top-fifth share of the total; +inf (a bound) when the total is ≤ 0 but the top fifth's > 0."""
    share = top_share(values)
    if np.isnan(share) and values.size:
        k = max(round(0.2 * values.size), 1)
        top = float(np.sort(values)[-k:].sum())
        return float("inf") if top > 0 else float("nan")
    return share


def _world_batch(rows: list[dict[str, Any]], settings: dict[str, Any], path: str) -> None:
    """Stage 1 task: each world's baseline and facts, written to ``path`` (and its series)."""
    out, series = [], []
    series_path = str(Path(path).with_suffix(".series.parquet"))
    for row in rows:
        scn = world_scenario(Scenario(), row, {**settings, "run.seed": int(row["seed"])})
        b = baseline_run(scn)
        out.append({**row, **fact_values(b.run.timeseries), **b.extras, "series": series_path})
        ts = b.run.timeseries.copy()
        ts.insert(0, "world", row["world"])
        series.append(ts)
    write_parquet(pd.concat(series, ignore_index=True), series_path)
    write_parquet(pd.DataFrame(out), path)


_POOL: list[Any] = []  # the pool :func:`shared_pool` keeps open for several studies


@contextmanager
def shared_pool(workers: int) -> Iterator[None]:
    """Keep one process pool open for every study run inside (``--all``: one start-up, not ten)."""
    from model.studies.sweep.runner import executor

    with executor(workers=workers) as (pool, _, _):
        _POOL.append(pool)
        try:
            yield
        finally:
            _POOL.pop()


def _run_tasks(tasks: list[tuple[Callable, tuple]], workers: int, label: str) -> None:
    if not tasks:
        return
    with shared_pool(workers) if not _POOL else nullcontext():
        pool = _POOL[-1]
        futures = [pool.submit(fn, *args) for fn, args in tasks]
        for i, f in enumerate(futures, 1):
            f.result()
            print(f"  {label}: {i}/{len(futures)} batches", flush=True)


def _stage(worlds: pd.DataFrame, size: Size, folder: Path, workers: int) -> pd.DataFrame:
    folder.mkdir(parents=True, exist_ok=True)
    tasks = []
    for b, start in enumerate(range(0, len(worlds), size.batch)):
        path = folder / f"batch-{b:05d}.parquet"
        if not path.exists():
            rows = worlds.iloc[start : start + size.batch].to_dict("records")
            tasks.append((_world_batch, (rows, size.settings(), str(path))))
    _run_tasks(tasks, workers, folder.name)
    table = pd.concat(
        [pd.read_parquet(p) for p in sorted(folder.glob("batch-*[0-9].parquet"))],
        ignore_index=True,
    )
    return judge_worlds(table.sort_values("world", ignore_index=True), FACTS)


def world_table(size: Size, seed: int, store: Path, workers: int = 1) -> pd.DataFrame:
    """Every drawn world, its facts, ``plausible`` and ``kept`` (resumable under ``store``).

    Waves of ``size.waves`` worlds, each an independent Latin hypercube over the declared ranges
    (seeds ``seed``, ``seed + 1``, …), so a study can be extended without redrawing; the worlds
    kept are the plausible ones (ABC rejection by the facts, each with its tolerance).
    """
    unc = declared_uncertainties()
    tables, offset = [], 0
    for i, n in enumerate(size.waves):
        drawn = draw_worlds(n, seed=seed + i, uncertainties=unc)
        drawn["world"] += offset
        offset += n
        folder = store / ("worlds" if i == 0 else f"worlds{i + 1}")
        table = _stage(drawn, size, folder, workers)
        table["wave"] = i + 1
        tables.append(table)
    out = pd.concat(tables, ignore_index=True)
    out["kept"] = out["plausible"]
    return out


def _baselines(rows: list[dict[str, Any]]) -> dict[int, pd.DataFrame]:
    """The stored baseline series of these worlds (from the files their rows name)."""
    want, out = {int(r["world"]) for r in rows}, {}
    for path in sorted({str(r["series"]) for r in rows}):
        frame = pd.read_parquet(path)
        for w, ts in frame[frame["world"].isin(want)].groupby("world"):
            out[int(w)] = ts.drop(columns="world").reset_index(drop=True)  # type: ignore[call-overload]
    return out


def _claim_batch(
    module_name: str, rows: list[dict[str, Any]], settings: dict, pilot: set, store: str, path: str
) -> None:
    """Stage 2 task: the claim's readings in each world (replication 0, and 1 in pilot worlds)."""
    import importlib

    module = importlib.import_module(module_name)
    series = _baselines(rows)
    extras_cols = ("top20_profit_1y", "top20_profit_all", "stayer_ratio", "cohort_ratio")
    out = []
    for row in rows:
        world = {k: v for k, v in row.items() if "." in str(k)}
        for rep in (0, 1) if int(row["world"]) in pilot else (0,):
            seed = int(row["seed"]) + rep
            scn = world_scenario(Scenario(), world, {**settings, "run.seed": seed})
            if rep == 0 and int(row["world"]) in series:
                extras = {k: float(row[k]) for k in (*extras_cols, "cohort_profit_ratio")}
                base = Baseline(RunResult(scn, series[int(row["world"])], {}), extras)
            else:
                base = baseline_run(scn)
            out.append({"world": row["world"], "rep": rep, **module.measure(base, seed)})
    write_parquet(pd.DataFrame(out), path)


def claim_values(
    module: ModuleType,
    worlds: pd.DataFrame,
    size: Size,
    store: Path,
    workers: int = 1,
) -> pd.DataFrame:
    """Stage 2: one row per (plausible world, replication) with every reading's value.

    Resumable by world: only the kept worlds no stored batch holds are run (so a study extended
    by another wave runs only the new worlds).
    """
    folder = store / "claims" / module.CLAIM.name
    folder.mkdir(parents=True, exist_ok=True)
    kept = worlds[worlds["kept"]].reset_index(drop=True)
    pilot = set(int(w) for w in kept["world"].iloc[: size.pilot])
    done = _read(folder)
    todo = kept[~kept["world"].isin(set(done["world"]))] if len(done) else kept
    tasks = []
    for start in range(0, len(todo), size.batch):
        rows = todo.iloc[start : start + size.batch].to_dict("records")
        path = folder / f"batch-w{int(rows[0]['world']):06d}.parquet"
        args = (module.__name__, rows, size.settings(), pilot, str(store), str(path))
        tasks.append((_claim_batch, args))
    _run_tasks(tasks, workers, module.CLAIM.name)
    out = _read(folder)
    if out.empty:
        return pd.DataFrame(columns=["world", "rep", *module.CLAIM.names], dtype=float)
    return out[out["world"].isin(set(kept["world"]))].reset_index(drop=True)


def _read(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("batch-*.parquet"))
    return (
        pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
        if files
        else pd.DataFrame()
    )


def _defaults_task(module_name: str, settings: dict, seed: int, path: str) -> None:
    import importlib

    module = importlib.import_module(module_name)
    scn = Scenario().with_overrides({**settings, "run.seed": seed})
    row = {"world": -1, "rep": seed, **module.measure(baseline_run(scn), seed)}
    write_parquet(pd.DataFrame([row]), path)


def defaults_values(
    module: ModuleType, size: Size, seed: int, store: Path | None = None, workers: int = 1
) -> pd.DataFrame:
    """Every reading at the declared defaults, ``size.defaults`` replications (world ``-1``)."""
    import tempfile

    folder = (store or Path(tempfile.mkdtemp())) / "defaults" / module.CLAIM.name
    folder.mkdir(parents=True, exist_ok=True)
    tasks = []
    for rep in range(size.defaults):
        path = folder / f"rep-{rep:03d}.parquet"
        if not path.exists():
            args = (module.__name__, size.settings(), seed + rep, str(path))
            tasks.append((_defaults_task, args))
    _run_tasks(tasks, workers, f"{module.CLAIM.name} at the defaults")
    return pd.concat(
        [pd.read_parquet(p) for p in sorted(folder.glob("rep-*.parquet"))], ignore_index=True
    )


def clear(store: Path) -> None:
    """Remove a study's store (``--fresh``)."""
    if store.exists():
        shutil.rmtree(store)
