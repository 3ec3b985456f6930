"""Benchmarks: client-steps per second and bytes per client, per engine and market size.

Run ``bash scripts/benchmark.sh`` (= ``.venv/bin/python -m benchmarks``); ``--quick`` for a fast
run, ``--huge`` to add 10⁷ clients, ``--out FILE`` for the JSON (default benchmarks/results.json).

Rows:

* ``array`` — :class:`model.RetentionModel`, every mechanism on, at 10⁴, 10⁵, 10⁶ (10⁷) clients;
* ``reference`` — :class:`model.engine.reference.ReferenceModel` (one Mesa agent per client) at 10³, 10⁴;
* ``numpy_kernel`` — a yardstick for the machine: ``--kernel-passes`` float32 passes over every
  client per month (a multiply-add each, no Python per client), i.e. what the array engine would
  reach if each of its array passes cost no more than the cheapest possible one.

The scenario (:data:`BASE`) has 80% of the market served (``market.initial_active_share = 0.8``),
so idle prospects do not flatter the figures, and turns on every mechanism that is off by default. A client-step is one client (market member) for one month;
``active_clients`` is the mean number of clients who are not prospects. ``init_s`` (state and
network) is reported apart from ``step_s`` (the months). Bytes per client are the state arrays and
the network (CSR) divided by the market size; for the reference engine, the traced Python heap.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from model import RetentionModel, Scenario
from model.engine.reference import ReferenceModel

#: The benchmark scenario: the defaults, with 80% of the market served and every mechanism that is
#: off by default switched on (loyalty programme, loyalty economics, a direct tenure effect), so
#: no phase takes its "nothing to do" shortcut.
BASE = {
    "market.initial_active_share": 0.8,
    "levers.loyalty_discount": 0.05,
    "loyalty_economics.spend_growth": 0.05,
    "loyalty_economics.serve_cost_trend": -0.03,
    "loyalty_economics.price_premium": 0.02,
    "retain.tenure_slope": -0.05,
}


def scenario(clients: int, months: int) -> Scenario:
    return Scenario().with_overrides({**BASE, "market.clients": clients, "run.months": months})


def bench_array(clients: int, months: int) -> dict:
    t0 = time.perf_counter()
    m = RetentionModel(scenario(clients, months))
    t1 = time.perf_counter()
    m.run()
    t2 = time.perf_counter()
    ts = m.timeseries()
    not_prospects = clients - ts["prospects"]
    return row("array", clients, float(not_prospects.mean()), months, t1 - t0, t2 - t1,
               m.nbytes() / clients)  # fmt: skip


def bench_reference(clients: int, months: int) -> dict:
    tracemalloc.start()
    t0 = time.perf_counter()
    m = ReferenceModel(scenario(clients, months))
    t1 = time.perf_counter()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()  # tracing would slow the months down
    m.run()
    t2 = time.perf_counter()
    ts = m.timeseries()
    return row("reference", clients, float((clients - ts["prospects"]).mean()), months, t1 - t0,
               t2 - t1, held / clients)  # fmt: skip


def bench_kernel(clients: int, months: int, passes: int) -> dict:
    """``passes`` in-place float32 multiply-adds over ``clients`` elements per month."""
    a = np.random.default_rng(0).random(clients, dtype=np.float32)
    b = np.ones(clients, dtype=np.float32)
    t0 = time.perf_counter()
    for _ in range(months):
        for _ in range(passes):
            np.multiply(a, np.float32(0.999), out=b)
            b += np.float32(1e-3)
    t1 = time.perf_counter()
    return row(f"numpy_kernel[{passes} passes]", clients, float(clients), months, 0.0, t1 - t0,
               (a.nbytes + b.nbytes) / clients)  # fmt: skip


def row(engine, clients, active, months, init_s, step_s, bytes_per_client) -> dict:
    return {
        "engine": engine,
        "clients": int(clients),
        "active_clients": round(active, 1),
        "months": int(months),
        "client_steps_per_s": clients * months / step_s,
        "bytes_per_client": round(float(bytes_per_client), 1),
        "init_s": round(init_s, 3),
        "step_s": round(step_s, 3),
    }


def plan(quick: bool, huge: bool) -> list[tuple[str, int, int]]:
    if quick:
        return [("array", 10_000, 24), ("array", 100_000, 12), ("reference", 1_000, 6),
                ("kernel", 100_000, 12)]  # fmt: skip
    rows = [
        ("array", 1_000, 24),
        ("array", 10_000, 120),
        ("array", 100_000, 120),
        ("array", 1_000_000, 120),
        ("reference", 1_000, 24),
        ("reference", 10_000, 6),
        ("kernel", 1_000_000, 120),
    ]
    if huge:
        rows.insert(3, ("array", 10_000_000, 12))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    ap.add_argument("--huge", action="store_true", help="add 10^7 clients (needs ~2 GB)")
    ap.add_argument("--out", default="benchmarks/results.json", help="JSON results file")
    ap.add_argument("--kernel-passes", type=int, default=60, help="passes per month (yardstick)")
    args = ap.parse_args(argv)
    if args.kernel_passes < 1:
        print(
            f"--kernel-passes: {args.kernel_passes} is not allowed; allowed: >= 1", file=sys.stderr
        )
        return 2
    rows = []
    header = f"{'engine':<26}{'clients':>11}{'active':>11}{'months':>7}{'M steps/s':>11}"
    header += f"{'B/client':>10}{'init s':>8}{'step s':>8}"
    print(header)
    for kind, n, months in plan(args.quick, args.huge):
        if kind == "array":
            r = bench_array(n, months)
        elif kind == "reference":
            r = bench_reference(n, months)
        else:
            r = bench_kernel(n, months, args.kernel_passes)
        rows.append(r)
        print(f"{r['engine']:<26}{r['clients']:>11,}{r['active_clients']:>11,.0f}{r['months']:>7}"
              f"{r['client_steps_per_s'] / 1e6:>11.3f}{r['bytes_per_client']:>10.0f}"
              f"{r['init_s']:>8.2f}{r['step_s']:>8.2f}", flush=True)  # fmt: skip
    speed = {(r["engine"], r["clients"]): r["client_steps_per_s"] for r in rows}
    for n in (1_000, 10_000):
        if ("reference", n) in speed and ("array", n) in speed:
            print(
                f"array / reference at {n:,} clients: {speed['array', n] / speed['reference', n]:.0f}x"
            )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "numpy": np.__version__,
            "machine": platform.machine(), "processor": platform.processor(), "baseline": BASE}  # fmt: skip
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
