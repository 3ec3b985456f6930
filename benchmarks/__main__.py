"""Benchmarks: runs per second, client-steps per second and bytes per client, beside a yardstick.

Run ``bash scripts/benchmark.sh`` (= ``.venv/bin/python -m benchmarks``); ``--quick`` for a fast
run, ``--huge`` to add 10⁷ clients, ``--no-process`` to skip the whole-process row, ``--repeat N``
for N rounds of every row in turn, each row keeping its fastest (:func:`fastest`), ``--out FILE``
for the JSON (default benchmarks/results.json). After its table it reads the throughput targets
off the rows (:mod:`benchmarks.targets`: each target's value, bar and verdict; JSON ``targets``).

Rows (``engine``):

* ``array`` — :func:`model.studies.run.simulate`, every mechanism on: runs one after another at
  10³, 3·10³, 10⁴ clients × 120 months (``runs``, ``ms_per_run``, ``runs_per_s``), one run at 10⁵
  and 10⁶ (10⁷);
* ``array_ensemble[64]`` — :func:`model.studies.run.simulate_many` over 64 runs at 10³, 3·10³,
  10⁴ clients × 120 months: four parameter points (:data:`ARMS`) × 16 seeds, as a paired study
  runs them (the solo rows use a new seed for every run, so nothing can be shared);
* ``process`` — ``retention run --clients 1000000 --months 120 --no-figures`` as a whole process
  (start-up, build, run, outputs), timed from outside, with its peak memory per client;
* ``reference`` — :class:`model.engine.reference.ReferenceModel` (one Mesa agent per client) at 10³,
  10⁴;
* ``lifecycle_kernel`` — the yardstick at every size above (:func:`benchmarks.yardstick.lifecycle_kernel`:
  a bare numpy lifecycle of about twenty passes a month). Each model row is also run between two
  runs of the yardstick at its own size and horizon (:func:`bracketed`), and its
  ``yardstick_ratio`` is its client-steps/s over their mean, the median over rounds
  (``yardstick_ratio_rounds``; ``yardstick_beside_rounds``: each round's two yardstick rates,
  ``yardstick_beside`` the fastest round's): model and yardstick measured seconds apart (about
  17 s around the process row), where a ratio of two rows' fastest rounds compared runs minutes
  apart on a machine whose speed drifts within minutes (not a steadier ratio: the rounds'
  ratios still spread, up to 1.8-fold at 10⁵ clients in one run);
* ``numpy_kernel`` — ``--kernel-passes`` float32 multiply-adds over every client a month (the
  cheapest possible pass: the machine's memory-bandwidth limit).

The scenario (:data:`BASE`) has 80% of the market served (``market.initial_active_share = 0.8``),
so idle prospects do not flatter the figures, and turns on every mechanism that is off by default. A
client-step is one client (market member) for one month; ``active_clients`` is the mean number of
clients who are not prospects. ``init_s`` (state and network) is reported apart from ``step_s``
(the months) for single runs; for runs/s rows ``step_s`` is the wall time of all of them, build and
outputs included; the compiled kernels' one-off load (or first compile) in a new process is
timed apart as ``meta.kernels_load_s``, and the ``process`` row includes it. Bytes per client are
the state arrays and the network (CSR) divided by the market size; for the ``process`` row, the
process's peak resident memory less a 1,000-client process's, per client (everything the market
holds at its peak: work arrays, draw buffers and the build's temporaries too); for the reference
engine, the traced Python heap. Timings scale with the machine's load: ``meta.load_average``
records it (1, 5 and 15 minutes) at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numba
import numpy as np

from benchmarks.targets import report, verdicts
from benchmarks.yardstick import lifecycle_kernel, multiply_add_kernel
from model import RetentionModel, Scenario
from model.engine import sharing
from model.engine.numerics import numerics_class, simd_features
from model.engine.reference import ReferenceModel
from model.studies.run import simulate, simulate_many
from model.version import version_record

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


def scenario(clients: int, months: int, seed: int = 1) -> Scenario:
    """The benchmark scenario at a size, horizon and seed."""
    overrides = {**BASE, "market.clients": clients, "run.months": months, "run.seed": seed}
    return Scenario().with_overrides(overrides)


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


#: The parameter points of the ensemble rows (a paired study's arms), each run on the same seeds.
ARMS: tuple[dict, ...] = (
    {},
    {"levers.loyalty_discount": 0.0},
    {"levers.service_level": "wow"},
    {"levers.empowerment_budget": 0.0},
)


def bench_runs(clients: int, months: int, runs: int, ensemble: bool) -> dict:
    """``runs`` whole runs, build and outputs included.

    Solo: ``runs`` different seeds one after another (nothing to share: what one run costs).
    Ensemble: one ``simulate_many`` over :data:`ARMS` × ``runs / 4`` seeds (a paired study).
    Either starts with nothing shared (:func:`model.engine.sharing.clear`), whatever ran before.
    """
    if ensemble:
        seeds = range(1, runs // len(ARMS) + 1)
        base = [scenario(clients, months, seed) for seed in seeds]
        scenarios = [s.with_overrides(arm) if arm else s for arm in ARMS for s in base]
    else:
        scenarios = [scenario(clients, months, seed) for seed in range(1001, 1001 + runs)]
    runs = len(scenarios)
    # Each round runs the same seeds: without this, a round after the first would find its
    # markets (and seed words) built by the one before and time runs without their build.
    sharing.clear()
    t0 = time.perf_counter()
    results = simulate_many(scenarios) if ensemble else [simulate(s) for s in scenarios]
    wall = time.perf_counter() - t0
    active = np.mean([clients - r.timeseries["prospects"].mean() for r in results])
    nbytes = RetentionModel(scenarios[0]).nbytes() / clients
    engine = f"array_ensemble[{runs}]" if ensemble else "array"
    r = row(engine, clients, float(active), months, 0.0, wall, nbytes, runs=runs)
    return r


def bench_process(clients: int, months: int) -> dict:
    """``retention run`` as a whole process (start-up, build, run, outputs; no figures).

    Its memory is the process's peak resident set less that of the same command with a
    1,000-client market for one month (the interpreter, libraries and compiled kernels), per
    client: everything the market holds at its peak, work arrays and draw buffers included.
    """
    wall, peak = _run_process(clients, months)
    _, base = _run_process(1_000, 1)
    per_client = (peak - base) / (clients - 1_000)
    return row("process", clients, float("nan"), months, 0.0, wall, per_client, runs=1)


#: Runs a command and prints its wall seconds and peak resident kilobytes. The command starts
#: from this small process, not from the benchmark's own (a forked child counts its parent's pages
#: as resident until it execs, so the benchmark's large heap would set every child's peak).
_MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
subprocess.run(sys.argv[1:], check=True)
wall = time.perf_counter() - t0
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _run_process(clients: int, months: int) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of one ``retention run`` of the benchmark scenario."""
    exe = Path(sys.executable).with_name("retention")
    overrides = [arg for key, value in BASE.items() for arg in ("--set", f"{key}={value}")]
    with tempfile.TemporaryDirectory() as out:
        cmd = [str(exe), "run", "--clients", str(clients), "--months", str(months), "--quiet",
               "--no-figures", "--out", out, *overrides]  # fmt: skip
        done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], check=True,
                              cwd=tempfile.gettempdir(), capture_output=True, text=True)  # fmt: skip
    wall, peak = done.stdout.split()[-2:]
    kib = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return float(wall), int(peak) * kib


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


def bench_lifecycle(clients: int, months: int) -> dict:
    """The yardstick: best of three bare lifecycle runs (a few ms each at small sizes)."""
    repeats = 3 if clients * months <= 2_000_000 else 1
    step_s = min(lifecycle_kernel(clients, months) for _ in range(repeats))
    return row("lifecycle_kernel", clients, float(clients), months, 0.0, step_s, 19.0, runs=1)


def bench_kernel(clients: int, months: int, passes: int) -> dict:
    """``passes`` in-place float32 multiply-adds over ``clients`` elements per month."""
    step_s = multiply_add_kernel(clients, months, passes)
    return row(f"numpy_kernel[{passes} passes]", clients, float(clients), months, 0.0, step_s,
               8.0)  # fmt: skip


def row(engine, clients, active, months, init_s, step_s, bytes_per_client, runs=None) -> dict:
    out = {
        "engine": engine,
        "clients": int(clients),
        "active_clients": round(active, 1) if active == active else None,
        "months": int(months),
        "client_steps_per_s": clients * months * (runs or 1) / step_s,
        "bytes_per_client": round(float(bytes_per_client), 1)
        if bytes_per_client == bytes_per_client
        else None,
        # Microseconds: a --quick row now takes tens of milliseconds, where rounding to the
        # millisecond moved runs/s by over 1%.
        "init_s": round(init_s, 6),
        "step_s": round(step_s, 6),
    }
    if runs is not None:
        out.update(runs=runs, ms_per_run=1000.0 * step_s / runs, runs_per_s=runs / step_s)
    return out


SMALL = (1_000, 3_000, 10_000)


def plan(quick: bool, huge: bool, process: bool) -> list[tuple]:
    """(kind, clients, months, runs) in the order they run."""
    if quick:
        rows = [("solo", n, 12, 2) for n in SMALL[:2]] + [("ensemble", 1_000, 12, 8)]
        rows += [("array", 10_000, 24, 1), ("array", 100_000, 12, 1), ("reference", 1_000, 6, 1)]
        rows += [("lifecycle", n, m, 1) for n, m in ((1_000, 12), (3_000, 12), (10_000, 24),
                                                     (100_000, 12))]  # fmt: skip
        return [*rows, ("kernel", 100_000, 12, 1)]
    rows = [("solo", n, 120, 16 if n < 10_000 else 8) for n in SMALL]
    rows += [("ensemble", n, 120, 64) for n in SMALL]
    rows += [("array", 100_000, 120, 1), ("array", 1_000_000, 120, 1)]
    if huge:
        rows.append(("array", 10_000_000, 12, 1))
    if process:
        rows.append(("process", 1_000_000, 120, 1))
    rows += [("reference", 1_000, 24, 1), ("reference", 10_000, 6, 1)]
    rows += [("lifecycle", n, 120, 1) for n in (*SMALL, 100_000, 1_000_000)]
    if huge:
        rows.append(("lifecycle", 10_000_000, 12, 1))
    return [*rows, ("kernel", 1_000_000, 120, 1)]


def measure(kind: str, n: int, months: int, runs: int, passes: int) -> dict:
    if kind == "solo":
        return bench_runs(n, months, runs, ensemble=False)
    if kind == "ensemble":
        return bench_runs(n, months, runs, ensemble=True)
    if kind == "array":
        return bench_array(n, months)
    if kind == "process":
        return bench_process(n, months)
    if kind == "reference":
        return bench_reference(n, months)
    if kind == "lifecycle":
        return bench_lifecycle(n, months)
    return bench_kernel(n, months, passes)


#: The rows run between two runs of the yardstick (the model's: :func:`bracketed`).
MODEL_KINDS = frozenset({"solo", "ensemble", "array", "process"})


def bracketed(kind: str, n: int, months: int, runs: int, passes: int) -> dict:
    """A model row measured between two yardstick runs of its size and horizon, with its ratio
    to their mean rate (``yardstick_ratio``) and the two rates (``yardstick_beside``)."""
    before = bench_lifecycle(n, months)["client_steps_per_s"]
    r = measure(kind, n, months, runs, passes)
    after = bench_lifecycle(n, months)["client_steps_per_s"]
    r["yardstick_beside"] = [before, after]
    r["yardstick_ratio"] = r["client_steps_per_s"] / ((before + after) / 2)
    return r


def fastest(rounds: list[list[dict]]) -> list[dict]:
    """Each row's fastest round (the most client-steps a second), with every round's rate, and
    a model row's median ratio to the yardstick beside it over the rounds, with each round's.

    This shared machine's speed drifts by a fifth or more within minutes, the model rows and
    the yardstick alike; rounds run in turn, so a row's fastest round is its time on the
    machine at its quietest, and each round's ratio compares measurements seconds apart (the
    median: one disturbed round does not set it).
    """
    if len(rounds) == 1:
        return rounds[0]
    out = []
    for same in zip(*rounds, strict=True):
        best = dict(max(same, key=lambda r: r["client_steps_per_s"]))
        best["client_steps_per_s_rounds"] = [r["client_steps_per_s"] for r in same]
        if "yardstick_ratio" in best:
            ratios = [r["yardstick_ratio"] for r in same]
            best["yardstick_ratio_rounds"] = ratios
            best["yardstick_beside_rounds"] = [r["yardstick_beside"] for r in same]
            best["yardstick_ratio"] = float(np.median(ratios))
        out.append(best)
    return out


def side_by_side(rows: list[dict]) -> list[str]:
    """The model beside the yardstick at each size: runs/s, M client-steps/s, the yardstick's
    fastest round there and the model's ratio to the yardstick run beside it (:func:`bracketed`)."""
    yard = {
        r["clients"]: r["client_steps_per_s"] for r in rows if r["engine"] == "lifecycle_kernel"
    }
    lines = [f"{'engine':<22}{'clients':>11}{'ms/run':>9}{'runs/s':>9}{'M steps/s':>11}"
             f"{'yardstick':>11}{'ratio':>7}"]  # fmt: skip
    for r in rows:
        if not (r["engine"].startswith("array") or r["engine"] == "process"):
            continue
        y = yard.get(r["clients"])
        ms = f"{r['ms_per_run']:9.1f}{r['runs_per_s']:9.2f}" if "runs" in r else f"{'':9}{'':9}"
        ys = f"{y / 1e6 if y else float('nan'):11.2f}{r['yardstick_ratio']:7.3f}"
        lines.append(f"{r['engine']:<22}{r['clients']:>11,}{ms}"
                     f"{r['client_steps_per_s'] / 1e6:11.2f}{ys}")  # fmt: skip
    return lines


def _progress_line(r: dict) -> str:
    """A measured row as the benchmark prints it while it runs."""
    active = f"{r['active_clients']:>11,.0f}" if r["active_clients"] is not None else f"{'':>11}"
    nbytes = f"{r['bytes_per_client']:>10.0f}" if r["bytes_per_client"] is not None else f"{'':>10}"
    return (f"{r['engine']:<26}{r['clients']:>11,}{active}{r['months']:>7}"
            f"{r['client_steps_per_s'] / 1e6:>11.3f}{nbytes}"
            f"{r['init_s']:>8.2f}{r['step_s']:>8.2f}")  # fmt: skip


def _cpu_name() -> str:
    """The processor's model name (Linux's /proc/cpuinfo; ``platform.processor()`` elsewhere):
    machines of one kind differ, and the yardstick alone does not say how (one presumably with AVX-512
    and one without ran it 2.0 times apart at 3,000 clients)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    ap.add_argument("--huge", action="store_true", help="add 10^7 clients (needs ~2 GB)")
    ap.add_argument("--no-process", action="store_true", help="skip the whole-process row")
    ap.add_argument("--out", default="benchmarks/results.json", help="JSON results file")
    ap.add_argument("--kernel-passes", type=int, default=60, help="passes per month (yardstick)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of every row, in turn; each row keeps its fastest round, and "
                         "a model row the median of its rounds' ratios to the yardstick")  # fmt: skip
    args = ap.parse_args(argv)
    for flag, value in (("--kernel-passes", args.kernel_passes), ("--repeat", args.repeat)):
        if value < 1:
            print(f"{flag}: {value} is not allowed; allowed: >= 1", file=sys.stderr)
            return 2
    load_start = os.getloadavg()
    # The compiled kernels load from numba's cache (or compile) once per process: that cost is
    # reported apart (``meta.kernels_load_s``) and kept out of the rows, as a long study pays it once.
    t0 = time.perf_counter()
    RetentionModel(scenario(2_000, 6)).run()
    kernels_load_s = time.perf_counter() - t0
    rounds: list[list[dict]] = []
    header = f"{'engine':<26}{'clients':>11}{'active':>11}{'months':>7}{'M steps/s':>11}"
    header += f"{'B/client':>10}{'init s':>8}{'step s':>8}"
    print(header)
    for _ in range(args.repeat):
        rounds.append([])
        for kind, n, months, runs in plan(args.quick, args.huge, not args.no_process):
            run = bracketed if kind in MODEL_KINDS else measure
            r = run(kind, n, months, runs, args.kernel_passes)
            rounds[-1].append(r)
            print(_progress_line(r), flush=True)
    rows = fastest(rounds)
    print()
    if args.repeat > 1:
        print(f"each row's fastest of {args.repeat} rounds (their spread: the JSON's "
              "client_steps_per_s_rounds); ratio: the median over rounds of the model's rate "
              "over the yardstick's run beside it")  # fmt: skip
    print("\n".join(side_by_side(rows)))
    targets = verdicts(rows)
    print("\n".join(report(targets)))
    speed = {(r["engine"], r["clients"]): r["client_steps_per_s"] for r in rows}
    for n in (1_000, 10_000):
        if ("reference", n) in speed and ("array", n) in speed:
            print(
                f"array / reference at {n:,} clients: {speed['array', n] / speed['reference', n]:.0f}x"
            )
    load = {"start": [round(x, 2) for x in load_start],
            "end": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}  # fmt: skip
    print(f"load average (1, 5, 15 min) at start {load['start']}, at end {load['end']}, "
          f"{load['cpus']} CPUs")  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    code = version_record()  # (the version as --version shows it)
    meta = {"code_version": code["version"], "git": code["git_commit"],
            "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__, "machine": platform.machine(),
            "processor": _cpu_name(), "simd": simd_features(), "numerics": numerics_class(),
            "baseline": BASE, "load_average": load,
            "kernels_load_s": round(kernels_load_s, 3)}  # fmt: skip
    out.write_text(
        json.dumps({"meta": meta, "rows": rows, "targets": targets}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
