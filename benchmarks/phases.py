"""Where a month's time goes: wall time per phase, in ms a month, for the benchmark scenario.

``python -m benchmarks.phases`` (``--clients``, ``--months``, ``--profile`` for a pyinstrument
call tree of the same run, ``--kernels`` for each compiled pass's time, the bytes of the arrays
it is handed and the rate that makes, beside the machine's streaming rate, ``--split`` for each
phase's compiled passes and the Python around them apart, with the runs a second the passes
alone would allow: the bound that cutting Python can reach). Each step a month of
:data:`model.engine.phases.PHASES` runs (:func:`model.engine.month_end.fuse`: its phases, the
last two and the month's metrics as one, ``month_end``) is wrapped in a timer through the
model's ``phases`` argument; what is left of a month (opening it, Mesa's DataCollector, staff
agents) is reported as "metrics and bookkeeping". The numbers name what limits the engine; the
benchmark itself (``python -m benchmarks``) reports throughput.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from numba import njit
from numba.core.registry import CPUDispatcher

from benchmarks.__main__ import scenario
from model import RetentionModel
from model.engine.context import Context
from model.engine.month_end import fuse
from model.engine.phases import PHASES

#: The steps a month of the default phases runs, as the model runs them.
STEPS = fuse(PHASES)


def timed_phase(name: str, step: Callable[[Context], None], spent: dict[str, float]) -> Callable:
    """``step`` adding its wall seconds to ``spent[name]`` each call (a phase of the model's
    ``phases``; ``spent`` a dict holding ``name``, or a Counter)."""

    def run(ctx: Context) -> None:
        start = time.perf_counter()
        step(ctx)
        spent[name] += time.perf_counter() - start

    return run


def phase_times(clients: int, months: int) -> tuple[dict[str, float], float, float]:
    """Seconds spent in each phase over the run, the whole run's seconds, and the build's."""
    spent = dict.fromkeys((name for name, _ in STEPS), 0.0)
    # Warm up: the compiled kernels load (or compile) once per process, not once per run.
    RetentionModel(scenario(2_000, 6)).run()
    start = time.perf_counter()
    model = RetentionModel(
        scenario(clients, months),
        phases=tuple((name, timed_phase(name, step, spent)) for name, step in STEPS),
    )
    built = time.perf_counter()
    model.run()
    return spent, time.perf_counter() - built, built - start


#: What a wrapped compiled pass reports after each call: its name (``module.function``), the
#: call's seconds and its positional and keyword arguments.
Record = Callable[[str, float, tuple, dict], None]


@contextmanager
def _kernels_wrapped(record: Record) -> Iterator[None]:
    """Every compiled pass the engine's modules call, timed while the block runs and reported
    to ``record`` after each call (the passes put back after).

    A kernel module's helpers imported from another kernel module (``clip``, ``add_reduce``…) are
    left alone: other kernels call them, compiled, through those names. A kernel compiled
    anew inside the block would find its own module's callees wrapped, so the caller warms
    every kernel up first.
    """
    patched = []
    wrappers: dict[int, Callable] = {}
    try:
        for name, module in list(sys.modules.items()):
            if not name.startswith("model.engine") or module is None:
                continue
            kernels = name.startswith("model.engine.kernels")
            for attr, fn in list(vars(module).items()):
                if not isinstance(fn, CPUDispatcher) or (kernels and fn.__module__ != name):
                    continue
                if id(fn) not in wrappers:
                    wrappers[id(fn)] = _timed_kernel(fn, record)
                patched.append((module, attr, fn))
                setattr(module, attr, wrappers[id(fn)])
        yield
    finally:
        for module, attr, fn in patched:
            setattr(module, attr, fn)


def _timed_kernel(fn: CPUDispatcher, record: Record) -> Callable:
    key = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"

    def timed(*args, **kwargs):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        record(key, time.perf_counter() - start, args, kwargs)
        return out

    return timed


def _arrays(values: tuple) -> Iterator[np.ndarray]:
    """The arrays among ``values`` and inside the tuples among them (a pass such as
    ``work.work_month`` or ``month_end.month_end`` takes its arrays in tuples). Each array
    object once a call; views that share memory (work rows) are counted apart."""
    for value in values:
        if isinstance(value, np.ndarray):
            yield value
        elif isinstance(value, tuple):
            yield from _arrays(value)


def kernel_times(clients: int, months: int) -> tuple[dict[str, tuple], float, int]:
    """Each compiled pass's seconds, calls, array-argument bytes and, of those, the network's
    edge arrays' bytes over a run's months (the build's passes left out); the months' seconds
    in all; and the model's bytes (its state and network,
    :meth:`~model.engine.retention_model.RetentionModel.nbytes`).

    The bytes are those of the arrays handed over (in tuples too), each counted once a call:
    what a pass that
    streams its arguments once moves, an upper bound for one that reads a few rows (the
    speakers' walk and the referrer pick read the network's edges of a few clients only).
    Wrapping adds about a microsecond a call.
    """
    RetentionModel(scenario(2_000, 24)).run()  # every kernel compiled or loaded before the block
    model = RetentionModel(scenario(clients, months))
    network = model.ctx.network
    spent, calls, moved, apart = Counter(), Counter(), Counter(), Counter()
    skim = {id(network.indptr), id(network.indices)}

    def record(key: str, seconds: float, args: tuple, kwargs: dict) -> None:
        spent[key] += seconds
        calls[key] += 1
        arrays = list({id(a): a for a in _arrays((*args, *kwargs.values()))}.values())
        moved[key] += sum(a.nbytes for a in arrays)
        apart[key] += sum(a.nbytes for a in arrays if id(a) in skim)

    with _kernels_wrapped(record):
        start = time.perf_counter()
        model.run()
        total = time.perf_counter() - start
    passes = {k: (spent[k], calls[k], moved[k], apart[k]) for k in spent}
    return passes, total, model.nbytes()


#: The row of :func:`split_times` for what a month does outside its phases.
OUTSIDE = "metrics and bookkeeping"


def split_times(
    clients: int, months: int
) -> tuple[dict[str, tuple[float, float, int, float]], float]:
    """Each phase's seconds over a run's months split into its compiled passes and the Python
    around them, and the months' seconds in all.

    Returns ``{phase: (seconds, seconds in compiled passes, calls, seconds of dispatch)}`` in the
    phases' order, plus :data:`OUTSIDE` (opening and closing each month: the metrics, the
    collector, the clock). A pass's seconds are timed around each call (numba's dispatch of its
    arguments included); the timers' own cost (:func:`_timer_cost`, measured here: about a
    microsecond around a pass, a few tenths around a phase) is taken out of the row it lands
    in, so ``seconds − compiled`` is the Python the run would have had without the timers. The
    dispatch is an estimate of the part of the compiled seconds that only hands the arguments
    over: each pass's calls times what a compiled function that does nothing takes for the
    arguments of its first call (:func:`dispatch_cost`), the part a compiled month, which calls
    its passes from compiled code, would not pay.
    """
    RetentionModel(scenario(2_000, 24)).run()  # every kernel compiled or loaded before the block
    names = [name for name, _ in STEPS]
    total = dict.fromkeys([*names, OUTSIDE], 0.0)
    compiled = dict.fromkeys(total, 0.0)
    calls = dict.fromkeys(total, 0)
    current = [OUTSIDE]

    def in_phase(name: str, step: Callable[[Context], None]) -> Callable[[Context], None]:
        def run(ctx: Context) -> None:
            current[0] = name
            start = time.perf_counter()
            try:
                step(ctx)
            finally:
                total[name] += time.perf_counter() - start
                current[0] = OUTSIDE

        return run

    first_args: dict[str, tuple] = {}
    calls_of: Counter = Counter()  # (phase, pass) → calls

    def record(key: str, seconds: float, args: tuple, kwargs: dict) -> None:
        compiled[current[0]] += seconds
        calls[current[0]] += 1
        first_args.setdefault(key, (*args, *kwargs.values()))
        calls_of[current[0], key] += 1

    model = RetentionModel(
        scenario(clients, months), phases=tuple((n, in_phase(n, step)) for n, step in STEPS)
    )

    @njit(cache=False)
    def nothing(a: object) -> None:  # pragma: no cover - compiled
        pass

    nothing(None)
    pass_cost = _timer_cost(_timed_kernel(nothing, lambda *_: None), nothing)
    phase_cost = _timer_cost(in_phase(OUTSIDE, lambda ctx: None), lambda ctx: None)
    with _kernels_wrapped(record):
        start = time.perf_counter()
        model.run()
        months_s = time.perf_counter() - start
    # The phases' timers run outside the phases: their cost lands in OUTSIDE.
    total[OUTSIDE] = months_s - sum(total[n] for n in names) - phase_cost * len(names) * months
    months_s -= pass_cost * sum(calls.values()) + phase_cost * len(names) * months
    handing = {key: dispatch_cost(args) for key, args in first_args.items()}
    dispatch = dict.fromkeys(total, 0.0)
    for (phase, key), n in calls_of.items():
        dispatch[phase] += n * handing[key]
    rows = {
        k: (total[k] - pass_cost * calls[k], compiled[k], calls[k], min(dispatch[k], compiled[k]))
        for k in total
    }
    return rows, months_s


_NOTHING: dict[int, Callable] = {}


def dispatch_cost(args: tuple) -> float:
    """Seconds numba's dispatcher takes to hand ``args`` to a compiled function that does
    nothing (typing and unboxing each argument): the fastest of seven rounds of 300 calls."""
    arity = len(args)
    if arity not in _NOTHING:
        names = ", ".join(f"a{i}" for i in range(arity))
        namespace: dict = {}
        exec(f"def nothing({names}):\n    return 0", namespace)
        _NOTHING[arity] = njit(cache=False)(namespace["nothing"])
    fn = _NOTHING[arity]
    fn(*args)  # (compiled for these types here, not timed)
    best = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(300):
            fn(*args)
        best = min(best, (time.perf_counter() - start) / 300)
    return best


def _timer_cost(wrapped: Callable[[object], None], bare: Callable[[object], None]) -> float:
    """Seconds a timer adds to a call: the fastest of many calls of ``wrapped`` (a do-nothing
    function in the timer) less the fastest of ``bare`` (the function alone), at least 0."""

    def fastest(fn: Callable[[object], None]) -> float:
        best = float("inf")
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(2_000):
                fn(None)
            best = min(best, (time.perf_counter() - start) / 2_000)
        return best

    return max(fastest(wrapped) - fastest(bare), 0.0)


def streaming_rate(nbytes: int) -> float:
    """Bytes a second of a float32 multiply (read and write) over arrays of ``nbytes`` in all:
    what a pass streaming that much memory can reach here (from the caches when the market's
    state fits in them, else from main memory)."""
    a = np.random.default_rng(0).random(max(nbytes // 8, 1024), dtype=np.float32)
    b = np.empty_like(a)
    repeats = max(5, 200_000_000 // a.nbytes)
    np.multiply(a, np.float32(0.999), out=b)
    start = time.perf_counter()
    for _ in range(repeats):
        np.multiply(a, np.float32(0.999), out=b)
    return 2 * a.nbytes * repeats / (time.perf_counter() - start)


def split_report(
    rows: dict[str, tuple[float, float, int, float]],
    months_s: float,
    clients: int,
    months: int,
    build_s: float,
) -> str:
    """:func:`split_times`' table, in ms a month, and the runs a second (and client-steps a
    second) its compiled passes alone would allow at this size and horizon, with and without
    their dispatch (the build, ``build_s``, added once a run)."""
    per = 1000.0 / months
    head = f"  {'phase':<24}{'ms a month':>11}{'compiled':>10}{'dispatch':>10}{'calls':>7}"
    lines = [head + f"{'Python':>9}"]
    for name, (seconds, in_passes, n, handing) in rows.items():
        lines.append(f"  {name:<24}{seconds * per:11.3f}{in_passes * per:10.3f}"
                     f"{handing * per:10.3f}{n / months:7.1f}"
                     f"{(seconds - in_passes) * per:9.3f}")  # fmt: skip
    passes = sum(r[1] for r in rows.values())
    handing = sum(r[3] for r in rows.values())
    python = months_s - passes
    lines.append(f"  {'month':<24}{months_s * per:11.3f}{passes * per:10.3f}{handing * per:10.3f}"
                 f"{sum(r[2] for r in rows.values()) / months:7.1f}{python * per:9.3f}")  # fmt: skip

    def rate(seconds: float) -> str:
        return (
            f"{1.0 / seconds:.2f} runs/s ({clients * months / seconds / 1e6:.1f} M client-steps/s)"
        )

    lines.append(
        f"compiled passes {passes / months_s:.0%} of the month (their dispatch "
        f"{handing / months_s:.0%}), the Python around them {python / months_s:.0%}; with this "
        f"build ({build_s * 1e3:.1f} ms), a run of passes alone: {rate(passes + build_s)}; "
        f"without their dispatch too (a compiled month): {rate(passes - handing + build_s)}; "
        f"with the Python: {rate(months_s + build_s)}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks.phases", description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=1_000_000, help="market size (default 10^6)")
    ap.add_argument("--months", type=int, default=24, help="months simulated (default 24)")
    ap.add_argument("--profile", action="store_true", help="also print a pyinstrument call tree")
    ap.add_argument("--kernels", action="store_true",
                    help="also time each compiled pass and the bytes it is handed")  # fmt: skip
    ap.add_argument("--split", action="store_true",
                    help="also split each phase into its compiled passes and its Python")  # fmt: skip
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
    if args.kernels:
        passes, months_s, state = kernel_times(args.clients, args.months)
        rate = streaming_rate(state)
        in_passes = sum(p[0] for p in passes.values())
        print(f"\ncompiled passes: {in_passes * per_month:.1f} ms of a {months_s * per_month:.1f} "
              f"ms month; streaming the model's {state / 1e6:.0f} MB here: {rate / 1e9:.1f} GB/s")  # fmt: skip
        handed = sum(p[2] for p in passes.values()) / args.months
        skimmed = sum(p[3] for p in passes.values()) / args.months
        print(f"handed {handed / 1e6:.0f} MB a month, {skimmed / 1e6:.0f} MB of it the network's "
              f"edge arrays (read in part): {(handed - skimmed) / rate * 1e3:.1f}–"
              f"{handed / rate * 1e3:.1f} ms at that rate if every pass streamed its arrays once "
              "and did nothing else")  # fmt: skip
        print(f"  {'pass':<34}{'ms a month':>11}{'calls':>7}{'MB handed':>11}{'GB/s':>7}")
        for key, (seconds, n, nbytes, _) in sorted(passes.items(), key=lambda kv: -kv[1][0]):
            gbs = nbytes / seconds / 1e9 if seconds else float("nan")
            print(f"  {key:<34}{seconds * per_month:11.3f}{n / args.months:7.1f}"
                  f"{nbytes / args.months / 1e6:11.1f}{gbs:7.1f}")  # fmt: skip
    if args.split:
        print()
        rows, months_s = split_times(args.clients, args.months)
        print(split_report(rows, months_s, args.clients, args.months, built))
    if args.profile:
        from pyinstrument import Profiler

        model = RetentionModel(scenario(args.clients, args.months))
        with Profiler(interval=0.0005) as profiler:
            model.run()
        print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
