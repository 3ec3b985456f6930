"""Where an ensemble's time goes: each phase's wall time inside the benchmark's ensemble.

``python -m benchmarks.phases`` times the phases of one run alone; in an ensemble the models
step together (:func:`model.engine.lockstep.run_together`: each phase for every model in turn,
its code warm, the draws of a seed's arms lent), and a phase's time there is what the ensemble's
runs/s are made of. This rebuilds the benchmark's ensemble row — :data:`benchmarks.__main__.ARMS`
× ``runs / 4`` seeds at 3,000 clients × 120 months, grouped as
:func:`model.studies.run.run_many` groups them (seed by seed, ``TOGETHER`` at a time) — with
each step of the month wrapped in a timer (:data:`benchmarks.phases.STEPS`: the phases, the
last two and the month's metrics as one; one tuple for every model, as lockstep needs) and a
model whose ``open_month`` and ``close_month`` are timed (who is served; the staff agents and
the collector's row). What is left over is reported per run: the builds (a seed's
market is built once for its four arms), lockstep's own loop and each run's results
(:meth:`~model.studies.run.RunResult.of`). The timers add two clock reads a phase (about 0.1 µs
each); the rows are the fastest of ``--rounds`` (this machine drifts within minutes).

Run ``python -m benchmarks.ensemble_phases`` (``--runs``, ``--clients``, ``--months``,
``--rounds``).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence

from benchmarks.__main__ import ARMS, scenario
from benchmarks.phases import STEPS, timed_phase
from model.engine import sharing
from model.engine.lockstep import run_together
from model.engine.retention_model import RetentionModel
from model.studies.run import TOGETHER, RunResult

__all__ = ["ensemble_phase_times", "main"]


class _TimedModel(RetentionModel):
    """The model with its month's opening and closing timed into ``spent``."""

    spent: Counter

    def open_month(self) -> bool:
        start = time.perf_counter()
        opened = super().open_month()
        self.spent["open_month"] += time.perf_counter() - start
        return opened

    def close_month(self) -> None:
        start = time.perf_counter()
        super().close_month()
        self.spent["close_month (agents, row)"] += time.perf_counter() - start


def ensemble_phase_times(runs: int, clients: int, months: int) -> tuple[Counter, Counter, float]:
    """Seconds in each phase (and in opening and closing months) over an ensemble of ``runs``,
    seconds outside the months (``build``: the models made, a seed's market drawn once for its
    arms; ``results``: each run's :class:`~model.studies.run.RunResult`), and the ensemble's
    wall seconds, everything included."""
    seeds = range(1, max(runs // len(ARMS), 1) + 1)
    base = [scenario(clients, months, seed) for seed in seeds]
    scenarios = [s.with_overrides(arm) if arm else s for arm in ARMS for s in base]
    order = sorted(range(len(scenarios)), key=lambda i: (scenarios[i].run.seed, i))
    spent: Counter = Counter()
    outside: Counter = Counter()
    _TimedModel.spent = spent
    phases = tuple((name, timed_phase(name, step, spent)) for name, step in STEPS)
    sharing.clear()  # (each round builds its markets, as the benchmark's does)
    start = time.perf_counter()
    for k in range(0, len(order), TOGETHER):
        rows = order[k : k + TOGETHER]
        built = time.perf_counter()
        models = [_TimedModel(scenarios[i], phases=phases) for i in rows]
        outside["build"] += time.perf_counter() - built
        run_together(models)
        done = time.perf_counter()
        for i, model in zip(rows, models, strict=True):
            RunResult.of(scenarios[i], model)
        outside["results"] += time.perf_counter() - done
    return spent, outside, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    """Print the fastest round's phases (ms a month) and what a run costs outside its months."""
    p = argparse.ArgumentParser(prog="benchmarks.ensemble_phases", description=__doc__)
    p.add_argument("--runs", type=int, default=64, help="runs in the ensemble (default 64)")
    p.add_argument("--clients", type=int, default=3000, help="clients a run (default 3,000)")
    p.add_argument("--months", type=int, default=120, help="months a run (default 120)")
    p.add_argument("--rounds", type=int, default=3, help="rounds; the fastest is shown")
    args = p.parse_args(argv)
    if args.runs < len(ARMS) or args.clients < 10 or args.months < 1 or args.rounds < 1:
        p.error(f"allowed: --runs ≥ {len(ARMS)}, --clients ≥ 10, --months ≥ 1, --rounds ≥ 1")
    ensemble_phase_times(len(ARMS), 500, 2)  # (the compiled kernels loaded)
    spent, outside, wall = min(
        (ensemble_phase_times(args.runs, args.clients, args.months) for _ in range(args.rounds)),
        key=lambda result: result[2],
    )
    runs = len(ARMS) * max(args.runs // len(ARMS), 1)
    model_months = runs * args.months
    print(f"ensemble of {runs} runs, {args.clients:,} clients x {args.months} months: "
          f"{runs / wall:.1f} runs/s ({wall / runs * 1e3:.2f} ms a run)")  # fmt: skip
    for name, seconds in spent.most_common():
        print(f"  {name:<38}{seconds / model_months * 1e3:8.4f} ms a month")
    months_s = sum(spent.values())
    rest = wall - months_s - sum(outside.values())
    print(f"  {'a month, all of the above':<38}{months_s / model_months * 1e3:8.4f} ms")
    print(f"  outside the months: {(wall - months_s) / runs * 1e3:.2f} ms a run — builds "
          f"{outside['build'] / runs * 1e3:.2f}, results {outside['results'] / runs * 1e3:.2f}, "
          f"lockstep's own loop and the collectors {rest / runs * 1e3:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
