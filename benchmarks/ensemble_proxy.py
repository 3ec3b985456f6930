"""What an ensemble run as one array program could reach, measured on a proxy.

The throughput targets ask 64 runs of 3,000 clients × 120 months for ≥ 40 runs/s and ≥ 0.30 of
the yardstick's client-steps/s. Two routes are open (docs/performance.md): a compiled month (one
call a month, each run on its own) or one array program over the runs (each run a block of rows,
one pass a phase for all of them). This measures the second route's ceiling on a proxy that
exists today: **one market of 64 × 3,000 clients**, whose month runs every per-client pass over
all the rows with one month's Python. Its months, the fastest of a few, give runs/s and the
ratio to the yardstick at 3,000 clients, in interleaved rounds (this machine drifts within
minutes).

What the proxy leaves out, so its numbers are a ceiling, not a prediction: the 64 markets'
builds (about 8 ms each at 3,000 clients, shared by a seed's four arms: about 2 ms a run), each
run's own firm-level decisions (vectorized over the runs, or a compiled loop over them), and its
own random streams (64 fills a draw instead of one: the same numbers of uniforms, more calls).
It has one network over all rows, not 64, and one staff.

Run ``python -m benchmarks.ensemble_proxy`` (``--runs``, ``--clients``, ``--months``,
``--rounds``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from benchmarks.__main__ import BASE
from benchmarks.yardstick import lifecycle_kernel
from model import RetentionModel, Scenario

__all__ = ["fastest_month_ms", "main"]

#: A run's build at 3,000 clients shared by a seed's four arms, ms (README's Benchmarks).
BUILD_SHARE_MS = 2.0


def fastest_month_ms(clients: int, months: int) -> float:
    """The fastest of ``months`` months of the benchmark scenario at ``clients``, in ms."""
    scenario = Scenario().with_overrides({**BASE, "market.clients": clients, "run.months": months})
    model = RetentionModel(scenario)
    best = float("inf")
    for _ in range(months):
        start = time.perf_counter()
        model.step()
        best = min(best, time.perf_counter() - start)
    return 1e3 * best


def main(argv: Sequence[str] | None = None) -> int:
    """Print, round by round, the yardstick's rate and the proxy's runs/s and ratio."""
    p = argparse.ArgumentParser(prog="benchmarks.ensemble_proxy", description=__doc__)
    p.add_argument("--runs", type=int, default=64, help="runs in the ensemble (default 64)")
    p.add_argument("--clients", type=int, default=3000, help="clients a run (default 3,000)")
    p.add_argument("--months", type=int, default=120, help="months a run (default 120)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    p.add_argument("--timed-months", type=int, default=8, help="proxy months timed a round")
    args = p.parse_args(argv)
    lifecycle_kernel(args.clients, 2)  # (numpy warm)
    for rnd in range(args.rounds):
        seconds = min(lifecycle_kernel(args.clients, args.months) for _ in range(3))
        yardstick = args.clients * args.months / seconds / 1e6
        month = fastest_month_ms(args.runs * args.clients, args.timed_months)
        run_s = args.months * month / 1e3 / args.runs + BUILD_SHARE_MS / 1e3
        steps = args.clients * args.months / run_s / 1e6
        print(
            f"round {rnd + 1}: yardstick {yardstick:.1f} M client-steps/s at {args.clients:,}; "
            f"one market of {args.runs} x {args.clients:,}: {month:.2f} ms a month -> "
            f"{1 / run_s:.1f} runs/s with a {BUILD_SHARE_MS:g} ms build share, "
            f"{steps:.1f} M client-steps/s = {steps / yardstick:.2f} of the yardstick"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
