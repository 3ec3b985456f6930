"""Where a month's time goes: wall time per phase, in ms a month, for the benchmark scenario.

``python -m benchmarks.phases`` (``--clients``, ``--months``, ``--profile`` for a pyinstrument
call tree of the same run). Each phase of :data:`model.engine.phases.PHASES` is wrapped in a timer through
the model's ``phases`` argument; what is left of a month (metrics, Mesa's DataCollector, staff
agents) is reported as "metrics and bookkeeping". The numbers name what limits the engine; the
benchmark itself (``python -m benchmarks``) reports throughput.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from benchmarks.__main__ import scenario
from model import RetentionModel
from model.engine.context import Context
from model.engine.phases import PHASES


def _timed(name: str, step: Callable[[Context], None], spent: dict[str, float]):
    def run(ctx: Context) -> None:
        start = time.perf_counter()
        step(ctx)
        spent[name] += time.perf_counter() - start

    return run


def phase_times(clients: int, months: int) -> tuple[dict[str, float], float, float]:
    """Seconds spent in each phase over the run, the whole run's seconds, and the build's."""
    spent = dict.fromkeys((name for name, _ in PHASES), 0.0)
    # Warm up: the compiled kernels load (or compile) once per process, not once per run.
    RetentionModel(scenario(2_000, 6)).run()
    start = time.perf_counter()
    model = RetentionModel(
        scenario(clients, months),
        phases=tuple((name, _timed(name, step, spent)) for name, step in PHASES),
    )
    built = time.perf_counter()
    model.run()
    return spent, time.perf_counter() - built, built - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks.phases", description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=1_000_000, help="market size (default 10^6)")
    ap.add_argument("--months", type=int, default=24, help="months simulated (default 24)")
    ap.add_argument("--profile", action="store_true", help="also print a pyinstrument call tree")
    args = ap.parse_args(argv)
    if args.clients < 10 or args.months < 1:
        ap.error(f"--clients {args.clients} / --months {args.months}: allowed: ≥ 10 and ≥ 1")
    spent, total, built = phase_times(args.clients, args.months)
    per_month = 1000.0 / args.months
    print(f"{args.clients:,} clients x {args.months} months: build {built:.2f} s, "
          f"{total * per_month:.1f} ms a month")  # fmt: skip
    rows = sorted(spent.items(), key=lambda kv: -kv[1])
    rows.append(("metrics and bookkeeping", total - sum(spent.values())))
    for name, seconds in rows:
        print(f"  {name:<24}{seconds * per_month:8.2f} ms  {seconds / total:6.1%}")
    if args.profile:
        from pyinstrument import Profiler

        model = RetentionModel(scenario(args.clients, args.months))
        with Profiler(interval=0.0005) as profiler:
            model.run()
        print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
