"""``retention compare`` and ``retention optimize``: the CLI side of :mod:`model.policies`.

Registered in :data:`model.cli.SUBCOMMANDS` like every subcommand (``add_*`` declares the
arguments, ``cmd_*`` does the work and returns the exit status). Outputs go to a fresh folder
written atomically: a temporary folder beside it, renamed into place at the end.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from model.cli import CliError, _overrides, add_set_option, staging_folder
from model.params import Scenario

__all__ = ["add_compare", "add_optimize", "cmd_compare", "cmd_optimize"]

COMPARE_OUTPUTS = ("comparison.csv", "runs.csv", "comparison.png", "comparison.json")
OPTIMIZE_OUTPUTS = ("split.csv", "flatness.csv", "evaluations.csv", "split.png", "split.json")


def _common(p: argparse.ArgumentParser, replications: int) -> None:
    p.add_argument(
        "--replications",
        type=_positive_int("--replications"),
        default=replications,
        metavar="R",
        help=f"seeds per policy, the same for every policy (default {replications})",
    )
    p.add_argument("--clients", metavar="N", help="market size, prospects included")
    p.add_argument("--months", metavar="N", help="horizon in months")
    p.add_argument("--seed", metavar="S", help="first seed (default: the scenario's run.seed)")
    add_set_option(p, "override a parameter in every policy (repeatable)")
    p.add_argument(
        "--workers",
        type=_positive_int("--workers"),
        default=1,
        metavar="N",
        help="local processes to run replications in (default 1: this process)",
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder")


def _positive_int(flag: str) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(
                f"{flag}: value {text!r} is not allowed; allowed: an integer >= 1"
            )
        return value

    return parse


# ======================================================================================= compare
def add_compare(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention compare``."""
    p = subparsers.add_parser(
        "compare",
        help="run two or more policies on the same seeds; differences with 95%% intervals",
        description="Run each scenario file with the same seeds and random streams (common "
        "random numbers) and report each policy's paired difference from the FIRST one: NPV, "
        "profit, active clients at the end, NPS, CAC, annual retention, total spend, with 95% "
        "paired-t intervals. Writes DIR/comparison.csv, runs.csv, comparison.png, comparison.json.",
    )
    p.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO", help="TOML files")
    _common(p, replications=5)
    p.set_defaults(handler=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    """Run ``retention compare``."""
    from model.policies import compare

    if len(args.scenarios) < 2:
        raise CliError("compare: give at least two scenario files (the first is the reference)")
    scenarios = [Scenario.from_toml(path) for path in args.scenarios]
    over = _overrides(args)
    seed = over.pop("run.seed", None)
    # Validate every override before any run starts.
    scenarios = [s.with_overrides(over) for s in scenarios]
    outdir = args.out or Path("out") / ("compare_" + "_vs_".join(s.name for s in scenarios[1:3]))
    started = time.perf_counter()
    with (
        staging_folder(outdir, COMPARE_OUTPUTS, "retention compare") as staging,
        _executor(args.workers) as pool,
    ):
        result = compare(
            scenarios,
            replications=args.replications,
            seed=None if seed is None else int(seed),
            executor=pool,
        )
        result.save(staging)
        meta = _meta(args, time.perf_counter() - started)
        meta.update(policies=result.names, seeds=result.seeds, notes=result.notes)
        (staging / "comparison.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(result.format_table())
    print(f"\nwrote {outdir}/: {', '.join(COMPARE_OUTPUTS)}")
    return 0


# ====================================================================================== optimize
def add_optimize(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention optimize``."""
    from model.budget import SPEND_LEVERS

    p = subparsers.add_parser(
        "optimize",
        help="the split of a fixed monthly budget across levers that maximises NPV",
        description="Split BUDGET (currency per month) across the chosen spend levers to "
        "maximise mean NPV over fixed seeds (a simplex grid, then COBYQA). Reports the split, "
        "its NPV gain over the scenario's own split (same budget) on fresh seeds with a 95% "
        "interval, and how flat the optimum is. Writes DIR/split.csv, flatness.csv, "
        "evaluations.csv, split.png, split.json.",
    )
    p.add_argument("scenario", type=Path, metavar="SCENARIO", help="TOML file")
    p.add_argument(
        "--budget",
        type=float,
        metavar="B",
        help="currency per month to split (default: what the scenario's own settings cost)",
    )
    p.add_argument(
        "--levers",
        default="ad_budget,winback_spend,service_level,training_spend",
        metavar="L1,L2,...",
        help=f"two or more of: {', '.join(SPEND_LEVERS)} (default %(default)s)",
    )
    p.add_argument(
        "--grid",
        type=int,
        default=4,
        metavar="K",
        help="divisions of the first coarse grid over the simplex (0 skips it; default 4)",
    )
    p.add_argument(
        "--robust",
        metavar="SECTION.NAME=V1,V2,...",
        help="maximise over several values of an assumption, e.g. "
        "retain.satisfaction_sensitivity=1,3,5",
    )
    p.add_argument(
        "--criterion",
        choices=("mean", "worst"),
        default="mean",
        help="with --robust: maximise the mean (default) or the worst case",
    )
    _common(p, replications=4)
    p.set_defaults(handler=cmd_optimize)


def cmd_optimize(args: argparse.Namespace) -> int:
    """Run ``retention optimize``."""
    from model.budget import optimize

    scenario = Scenario.from_toml(args.scenario)
    over = _overrides(args)
    seed = over.pop("run.seed", None)
    scenario = scenario.with_overrides(over)
    assumption, values = None, []
    if args.robust:
        key, sep, text = args.robust.partition("=")
        values = [v.strip() for v in text.split(",") if v.strip()]
        if not sep or not values:
            raise CliError(f"--robust {args.robust!r}: expected SECTION.NAME=V1,V2,...")
        assumption = key.strip()
        for v in values:
            scenario.with_overrides({assumption: v})  # each value validated up front
    if args.grid < 0:
        raise CliError(f"--grid: value {args.grid} is not allowed; allowed: an integer >= 0")
    outdir = args.out or Path("out") / f"optimize_{scenario.name}"
    started = time.perf_counter()
    with (
        staging_folder(outdir, OPTIMIZE_OUTPUTS, "retention optimize") as staging,
        _executor(args.workers) as pool,
    ):
        result = optimize(
            scenario,
            budget=args.budget,
            levers=[v.strip() for v in args.levers.split(",") if v.strip()],
            replications=args.replications,
            seed=None if seed is None else int(seed),
            grid=args.grid,
            assumption=assumption,
            values=values,
            criterion=args.criterion,
            executor=pool,
        )
        result.save(staging)
        meta = _meta(args, time.perf_counter() - started)
        meta.update(
            budget=result.budget,
            best=result.best_values,
            own=result.own_values,
            gain=result.gain,
            notes=result.notes,
        )
        (staging / "split.json").write_text(json.dumps(meta, indent=2, default=float) + "\n")
    print(result.format())
    print(f"\nwrote {outdir}/: {', '.join(OPTIMIZE_OUTPUTS)}")
    return 0


# ======================================================================================= helpers
def _meta(args: argparse.Namespace, wall: float) -> dict[str, Any]:
    import shlex

    from model import __version__
    from model.cli import PROG, _git_commit

    return {
        "command": shlex.join([PROG, *args.argv]),
        "version": __version__,
        "git_commit": _git_commit(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "wall_seconds": round(wall, 3),
    }


@contextmanager
def _executor(workers: int) -> Iterator[Executor | None]:
    """A local process pool for ``workers`` > 1, else None (runs in this process)."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool
