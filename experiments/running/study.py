"""A claim study: draw worlds, keep the plausible ones, measure every reading in each, resumably.

Two stages, both on the sweep machinery (:func:`model.studies.sweep.runner.executor`'s process
pool; every batch written atomically by :func:`model.studies.sweep.store.write_parquet`, so an
interrupted study resumes where it stopped; each stage folder's manifest,
:mod:`experiments.running.store`, refuses runs made by other code or at another size):

1. **Worlds** (shared by every claim): :func:`model.studies.worlds.draw_worlds` draws waves of
   worlds until :attr:`Size.target` are plausible (or :attr:`Size.max_waves` waves are drawn — a
   stopping rule on the count alone, never on a claim's outcome); each world's *baseline* (its
   declared levers, nothing changed) runs once, instrumented (:func:`baseline_run`), and the
   stylised facts (:data:`model.studies.worlds.FACTS`) decide whether it is plausible. Baselines
   are kept, so a claim's control arm is not run again.
2. **Claims**: a claim module's ``measure(baseline, seed)`` runs its other arms on the world's seed
   (paired with the baseline) and returns every reading's value. Replications follow a stated
   precision rule (:mod:`experiments.running.looks`): one in every plausible world, a second in the first
   :attr:`Size.pilot`; up to :attr:`Size.max_reps` in a world within its 95% Monte-Carlo margin
   of a band edge on some reading, judged on their mean (:func:`experiments.verdicts.framework.judge`),
   and up to :attr:`Size.deep_reps` in one still too noisy to place.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Set
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from experiments.running.baseline import Baseline, baseline_run
from experiments.running.looks import asked_for, edge_worlds, further_look
from experiments.running.pins import check_claim_pins
from experiments.running.pool import run_tasks
from experiments.running.sizes import SIZES, Size
from experiments.running.stages import STAGES
from experiments.running.store import fingerprint, open_stage, read_batch
from experiments.running.tasks import claim_batch, defaults_task, world_batch
from model.studies.worlds import FACTS, declared_uncertainties, draw_worlds, judge_worlds

__all__ = [
    "SIZES",
    "Baseline",
    "Size",
    "baseline_run",
    "claim_values",
    "defaults_seed",
    "defaults_values",
    "scale_values",
    "scale_world_table",
    "world_table",
]


def _stage(worlds: pd.DataFrame, size: Size, folder: Path, workers: int, seed: int) -> pd.DataFrame:
    open_stage(folder, {**size.manifest(seed), "code": fingerprint()})
    tasks: list[tuple[Callable, tuple]] = []
    for b, start in enumerate(range(0, len(worlds), size.batch)):
        path = folder / f"batch-{b:05d}.parquet"
        if not path.exists():
            rows = worlds.iloc[start : start + size.batch].to_dict("records")
            tasks.append((world_batch, (rows, size.settings(), str(path))))
    run_tasks(tasks, workers, folder.name)
    table = _stage_table(folder)
    # The series file by its name, resolved here: the store can move between runs.
    table["series"] = [str(folder / Path(str(name)).name) for name in table["series"]]
    return judge_worlds(table.sort_values("world", ignore_index=True), FACTS)


def _stage_table(folder: Path) -> pd.DataFrame:
    """The stage's batches as one table (a copy of the one read before, if no batch changed).

    ``--all`` asks for the same worlds once per claim; reading a wave's batch files again
    (hundreds of small Parquet files) took about four seconds a claim. A batch is written
    atomically and never rewritten in place, so its name, size and modification time say whether
    it is the one read before.
    """
    files = sorted(folder.glob("batch-*[0-9].parquet"))
    stats = [p.stat() for p in files]
    key = (
        str(folder.resolve()),
        *((p.name, s.st_size, s.st_mtime_ns) for p, s in zip(files, stats, strict=True)),
    )
    return _read_batches(key).copy()


@lru_cache(maxsize=16)
def _read_batches(key: tuple) -> pd.DataFrame:
    """The batch files ``key`` names (folder, then (name, size, mtime) each), read and joined."""
    folder = Path(key[0])
    return pd.concat([read_batch(folder / name) for name, *_ in key[1:]], ignore_index=True)


def world_table(size: Size, seed: int, store: Path, workers: int = 1) -> pd.DataFrame:
    """Every drawn world, its facts, ``plausible`` and ``kept`` (resumable under ``store``).

    Waves of ``size.wave`` worlds, each an independent Latin hypercube over the declared ranges
    (seeded by ``(seed, wave)``, so studies with other seeds share no wave), until
    ``size.target`` worlds are plausible or
    ``size.max_waves`` waves are drawn; the worlds kept are the plausible ones (ABC rejection by
    the facts, each with its tolerance). With ``size.pins`` (a control study) the same hypercube
    and seeds are drawn and only the pinned columns hold their one value, so each world is the
    drawn study's world of the same number but for them.
    """
    # Absolute: the tasks write and read there from the workers' own working folders (Dask).
    store = Path(store).resolve()
    unc = declared_uncertainties()
    tables: list[pd.DataFrame] = []
    kept = 0
    for i in range(size.max_waves):
        if i and kept >= size.target:
            break
        drawn = draw_worlds(size.wave, seed=(seed, i), uncertainties=unc)
        drawn["world"] += i * size.wave
        for key, value in size.pins:
            drawn[key] = value
        folder = store / ("worlds" if i == 0 else f"worlds{i + 1}")
        table = _stage(drawn, size, folder, workers, seed)
        table["wave"] = i + 1
        tables.append(table)
        kept += int(table["plausible"].sum())
    out = pd.concat(tables, ignore_index=True)
    out["kept"] = out["plausible"]
    return out


def _submit_reps(
    module: ModuleType,
    want: dict[int, list[int]],
    kept: pd.DataFrame,
    size: Size,
    folder: Path,
    prefix: str,
    workers: int,
    stage: str = "",
) -> None:
    """Run the replications ``want`` (world → reps), ``size.batch`` worlds a task (``stage``:
    the progress lines' name of it; by default, the stage its file ``prefix`` marks)."""
    rows = {int(r["world"]): r for r in kept.to_dict("records")}
    worlds = [w for w in sorted(want) if want[w]]
    tasks = []
    for start in range(0, len(worlds), size.batch):
        jobs = [(rows[w], want[w]) for w in worlds[start : start + size.batch]]
        # Named by its first world and that world's first replication, which no earlier batch
        # ran: a later look, or more replications asked for, never replaces a stored batch.
        path = folder / f"{prefix}{worlds[start]:06d}-{want[worlds[start]][0]:02d}.parquet"
        tasks.append((claim_batch, (module.__name__, jobs, size.settings(), str(path))))
    run_tasks(tasks, workers, f"{module.CLAIM.name}, {stage or STAGES.get(prefix, prefix)}")


def claim_values(
    module: ModuleType,
    worlds: pd.DataFrame,
    size: Size,
    store: Path,
    workers: int = 1,
    seed: int = 1,
) -> pd.DataFrame:
    """Stage 2: one row per (plausible world, replication) with every reading's value.

    Replication 0 in every kept world and 1 in the first ``size.pilot``; then the worlds near a
    band edge on some reading run up to ``size.max_reps`` replications, by the typical noise and
    then by their own, and those still too noisy to place up to ``size.deep_reps``, until the
    looks ask for nothing new (:mod:`experiments.running.looks`). Resumable by (world, replication); a
    study extended by more worlds or replications returns what a fresh study of that size would.
    """
    check_claim_pins(module.CLAIM, size.pins)  # (its arms must not override a pin)
    folder = Path(store).resolve() / "claims" / module.CLAIM.name  # (absolute: as world_table)
    open_stage(folder, {**size.manifest(seed), "code": fingerprint([module])})
    kept = worlds[worlds["kept"]].reset_index(drop=True)
    pilot = {int(w) for w in kept["world"].iloc[: size.pilot]}

    def missing(stored: pd.DataFrame, reps_of: Callable[[int], range]) -> dict[int, list[int]]:
        have = set(zip(stored["world"], stored["rep"], strict=True)) if len(stored) else set()
        return {
            int(w): [r for r in reps_of(int(w)) if (int(w), r) not in have] for w in kept["world"]
        }

    def design(v: pd.DataFrame, replicated: set[int], deep: Set[int] = frozenset()) -> pd.DataFrame:
        return asked_for(v, size, pilot, replicated, deep)

    def run(want: dict[int, list[int]], prefix: str, stage: str = "") -> pd.DataFrame:
        """Run ``want`` and read the kept worlds' stored values back (once a pass)."""
        _submit_reps(module, want, kept, size, folder, prefix, workers, stage)
        return _kept_values(folder, kept)

    stored = _kept_values(folder, kept)
    stored = run(missing(stored, lambda w: range(2 if w in pilot else 1)), "batch-w")
    near = edge_worlds(module, design(stored, set()), own_noise=False)
    stored = run(missing(stored, lambda w: range(size.max_reps if w in near else 0)), "batch-x")
    # A second look with each world's own noise (experiments.verdicts.noise): near by it, replicated too.
    again = edge_worlds(module, design(stored, near), own_noise=True) - near
    stored = run(missing(stored, lambda w: range(size.max_reps if w in again else 0)), "batch-y")
    # A third: worlds still too noisy to place on some reading run up to size.deep_reps.
    deep = edge_worlds(module, design(stored, near | again), own_noise=True, unresolved=True)
    stored = run(missing(stored, lambda w: range(size.deep_reps if w in deep else 0)), "batch-z")
    replicated = near | again  # then more looks, until they ask for nothing new (further_look)
    for k in itertools.count(2):
        more, deeper = further_look(module, design(stored, replicated, deep), replicated, deep)
        if not more | deeper:
            break
        replicated, deep = replicated | more, deep | deeper

        def reps(w: int, more: Set[int] = more, deeper: Set[int] = deeper) -> range:
            return range(max(size.max_reps * (w in more), size.deep_reps * (w in deeper)))

        stored = run(missing(stored, reps), "batch-z", f"third look, round {k}")
    out = design(stored, replicated, deep)
    if out.empty:
        return pd.DataFrame(columns=["world", "rep", *module.CLAIM.names], dtype=float)
    return out


def scale_values(
    module: ModuleType,
    worlds: pd.DataFrame,
    size: Size,
    store: Path,
    workers: int = 1,
    seed: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scale check's runs: the first ``size.scale_worlds`` plausible worlds, each with a
    baseline of its own (not the one the facts screened), in both market sizes.

    Returns ``(again, large)``, rows per world and replication with every reading's value as
    :func:`claim_values` gives it: ``again`` replications 1 (the world's seed + 1: the noise
    yardstick and the size test's small side) and 2 (seed + 2: with 1, the smaller market's
    noise, neither run screened) in the study's market, ``large`` replications 0 (the world's
    seed; its baseline run anew there: the size test's large side) and 1 (the larger market's
    noise) in markets of ``size.scale_clients``. Both empty (with the columns) when the size has
    no check or no world is kept. Resumable, under ``store/scale-again``, ``scale-again-2``,
    ``scale`` and ``scale-large-again``.
    """
    kept = _checked(worlds, size)

    def or_empty(values: pd.DataFrame) -> pd.DataFrame:
        columns = ["world", "rep", *module.CLAIM.names]
        return values if not values.empty else pd.DataFrame(columns=columns, dtype=float)

    if kept.empty:
        return or_empty(pd.DataFrame()), or_empty(pd.DataFrame())
    # Without the stored series every baseline runs again, in its own market.
    rows = kept.drop(columns="series", errors="ignore").reset_index(drop=True)
    root = Path(store).resolve()  # (absolute: as world_table)
    again, large = (
        pd.concat([_one_rep(module, rows, at, root / f, r, seed, workers) for f, r in stages])
        for at, stages in ((size, (("scale-again", 1), ("scale-again-2", 2))),
                           (size.scaled(), (("scale", 0), ("scale-large-again", 1))))
    )  # fmt: skip
    return or_empty(again.reset_index(drop=True)), or_empty(large.reset_index(drop=True))


def _checked(worlds: pd.DataFrame, size: Size) -> pd.DataFrame:
    """The scale check's worlds: the first ``size.scale_worlds`` kept (none without a check)."""
    kept = worlds[worlds["kept"]].sort_values("world")
    return kept.head(size.scale_worlds) if size.scale_clients else worlds.iloc[:0]


def scale_world_table(
    worlds: pd.DataFrame, size: Size, store: Path, workers: int = 1, seed: int = 1
) -> pd.DataFrame:
    """The scale check's worlds judged by the stylised facts in the larger market.

    The first ``size.scale_worlds`` plausible worlds' baselines run instrumented with
    ``size.scale_clients`` people (replication 0's seed) and judged by each fact, a row per world
    as in :func:`world_table`. Empty without a check or a kept world. Resumable, under
    ``store/scale-worlds``.
    """
    kept = _checked(worlds, size)
    if kept.empty:
        return pd.DataFrame(columns=["world", "plausible"])
    drawn = kept[["world", "seed", *(c for c in kept.columns if "." in str(c))]]
    folder = Path(store).resolve() / "scale-worlds"  # (absolute: as world_table)
    return _stage(drawn.reset_index(drop=True), size.scaled(), folder, workers, seed)


def _one_rep(
    module: ModuleType,
    rows: pd.DataFrame,
    size: Size,
    stage: Path,
    rep: int,
    seed: int,
    workers: int,
) -> pd.DataFrame:
    """Replication ``rep`` of every world in ``rows`` at ``size``, stored under ``stage``."""
    folder = stage / module.CLAIM.name
    open_stage(folder, {**size.manifest(seed), "code": fingerprint([module])})
    done = _read(folder)
    have = set(done["world"]) if len(done) else set()
    want = {int(w): [rep] for w in rows["world"] if int(w) not in have}
    _submit_reps(module, want, rows, size, folder, "batch-s", workers, stage.name)
    return _kept_values(folder, rows)


def _kept_values(folder: Path, kept: pd.DataFrame) -> pd.DataFrame:
    out = _read(folder)
    if out.empty:
        return out
    out = out[out["world"].isin(set(kept["world"]))]
    return out.sort_values(["world", "rep"], ignore_index=True)


def _read(folder: Path) -> pd.DataFrame:
    frames = [read_batch(p) for p in sorted(folder.glob("batch-*.parquet"))]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def defaults_values(
    module: ModuleType, size: Size, seed: int, store: Path | None = None, workers: int = 1
) -> pd.DataFrame:
    """Every reading at the declared defaults, ``size.defaults`` replications (world ``-1``)."""
    check_claim_pins(module.CLAIM, size.pins)  # (its arms must not override a pin)
    import tempfile

    folder = Path(store or tempfile.mkdtemp()).resolve() / "defaults" / module.CLAIM.name
    open_stage(folder, {**size.manifest(seed), "code": fingerprint([module])})
    tasks: list[tuple[Callable, tuple]] = []
    for rep in range(size.defaults):
        path = folder / f"rep-{rep:03d}.parquet"
        if not path.exists():
            args = (module.__name__, size.settings(), defaults_seed(seed, rep), rep, str(path))
            tasks.append((defaults_task, args))
    run_tasks(tasks, workers, f"{module.CLAIM.name} at the defaults")
    return pd.concat(
        [read_batch(p) for p in sorted(folder.glob("rep-*.parquet"))], ignore_index=True
    )


def defaults_seed(seed: int, rep: int) -> int:
    """The run seed of the defaults' replication ``rep`` in a study seeded ``seed``.

    Drawn from ``SeedSequence([seed, 7, rep])``, so neighbouring study seeds share no replication
    (``seed + rep`` would: seed 1's second is seed 2's first).
    """
    return int(np.random.SeedSequence([seed, 7, rep]).generate_state(1, np.uint32)[0])


def clear(store: Path) -> None:
    """Remove a study's store (``--fresh``)."""
    if store.exists():
        shutil.rmtree(store)
