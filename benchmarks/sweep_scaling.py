"""Sweep throughput: replicates per minute in this process, in N local processes and on a Dask
LocalCluster(N), and the scaling efficiency against linear (``rate_N / (N x rate_serial)``).

Run::

    python -m benchmarks.sweep_scaling                 # 2 workers, 64 runs of 10,000 x 120
    python -m benchmarks.sweep_scaling --workers 4 --runs 96 --json out/bench/sweep.json

Worker start-up (spawning processes, importing numpy/Mesa) is timed apart from the sweep itself:
each pool is warmed with one small task per worker first, so the rates are steady-state throughput,
the number that matters for sweeps lasting minutes to hours. The three stores are also checked to be
identical. Timings depend on what else the machine is doing: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from pandas.testing import assert_frame_equal


def _warm(_: int) -> float:
    """Import the model and run a tiny simulation, then hold the worker so each gets one task."""
    from model.studies.run import simulate

    simulate(clients=200, months=3, seed=1)
    time.sleep(1.0)
    return time.time()


def _spec(runs: int, clients: int, months: int, tasks: int):
    from model.studies.sweep import parse_spec

    replications = 2
    return parse_spec(
        {
            "name": "bench",
            "seed": 1,
            "months": months,
            "clients": clients,
            "replications": replications,
            "batch_size": max(1, runs // tasks),
            "design": {"kind": "lhs", "samples": runs // replications},
            "parameters": {
                "levers.service_level": [0.35, 0.9],
                "retain.satisfaction_sensitivity": [0.0, 6.0],
            },
        }
    )


def measure(mode: str, n: int, spec, root: Path) -> dict:
    """Start an executor, warm it, run the sweep; returns start-up and sweep seconds and the rate."""
    from model.studies.sweep import executor, load, run_sweep

    how = {"serial": {"workers": 1}, "processes": {"workers": n}, "dask": {"dask_local": n}}[mode]
    t0 = time.perf_counter()
    with executor(**how) as (pool, slots, where):
        list(pool.map(_warm, range(slots)))
        t1 = time.perf_counter()
        run = run_sweep(spec, root / mode, pool=pool, slots=slots, progress=False)
        t2 = time.perf_counter()
    runs = run.runs
    return {
        "mode": mode,
        "where": where,
        "workers": slots,
        "startup_s": round(t1 - t0, 2),
        "sweep_s": round(t2 - t1, 2),
        "runs": runs,
        "runs_per_min": round(60 * runs / (t2 - t1), 1),
        # Share of worker time spent inside tasks: 1.0 means no executor or scheduling overhead.
        "busy": round(run.task_seconds / (slots * (t2 - t1)), 3),
        "task_s": round(run.task_seconds / run.batches, 3),
        "frame": load(root / mode),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.sweep_scaling", description=__doc__)
    p.add_argument("--workers", type=int, default=2, help="processes / Dask workers (default 2)")
    p.add_argument("--runs", type=int, default=64, help="replicates in the sweep (default 64)")
    p.add_argument("--clients", type=int, default=10_000, help="market size per run")
    p.add_argument("--months", type=int, default=120, help="months per run")
    p.add_argument("--tasks", type=int, default=16, help="tasks the runs are cut into")
    p.add_argument("--skip-dask", action="store_true", help="only serial and processes")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args(argv)
    from model.engine.elementwise import usable_cores

    spec = _spec(args.runs, args.clients, args.months, args.tasks)
    root = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
    modes = ["serial", "processes"] + ([] if args.skip_dask else ["dask"])
    load_before = os.getloadavg()
    try:
        results = [measure(m, args.workers, spec, root) for m in modes]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for r in results[1:]:
        assert_frame_equal(results[0]["frame"], r["frame"], check_exact=True)
    serial = results[0]["runs_per_min"]
    print(
        f"{spec.replications * spec.design.samples} runs of {args.clients:,} clients x "
        f"{args.months} months, {spec.batch_size} runs per task; "
        f"{usable_cores()} usable cores; load average before {load_before[0]:.1f}, "
        f"after {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'mode':<28}{'start-up s':>11}{'sweep s':>9}{'runs/min':>10}{'speed-up':>10}"
        f"{'efficiency':>12}{'busy':>7}{'s/task':>8}"
    )
    rows = []
    for r in results:
        speedup = r["runs_per_min"] / serial
        eff = speedup / r["workers"]
        print(
            f"{r['where']:<28}{r['startup_s']:>11.2f}{r['sweep_s']:>9.2f}{r['runs_per_min']:>10.1f}"
            f"{speedup:>10.2f}{eff:>11.0%}{r['busy']:>7.0%}{r['task_s']:>8.2f}"
        )
        rows.append(
            {k: v for k, v in r.items() if k != "frame"}
            | {"speedup": round(speedup, 3), "efficiency": round(eff, 3)}
        )
    print(
        "stores identical across modes: yes. busy = time inside tasks / (workers x sweep time); "
        "s/task above the serial one means the cores slowed each other (memory, other load)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"results": rows, "load_before": load_before}, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
