"""``retention optimize``: the split of a fixed monthly budget across spend levers that maximises NPV.

Outputs go to a fresh folder written atomically (a temporary folder beside it, renamed into place).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING, Any

from model.interfaces.cli.arguments import (
    add_study_options,
    as_given,
    copy_mark,
    load_scenario,
    overrides,
    study_folder,
)
from model.interfaces.cli.errors import CliError
from model.interfaces.cli.inputs import (
    check_scenario_memory,
    finite_float,
    ranged_int,
    reference,
    safe_name,
)
from model.interfaces.cli.outputs import (
    check_replace,
    study_inputs,
    study_metadata,
)
from model.interfaces.cli.workers import study_places
from model.studies.optimize.levers import DEFAULT_LEVERS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["add_optimize", "cmd_optimize"]

OPTIMIZE_OUTPUTS = (
    "split.csv",
    "flatness.csv",
    "evaluations.csv",
    "columns.csv",
    "split.png",
    "split.json",
    "report.html",
)


#: the levers split when --levers is not given


def add_optimize(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention optimize``."""
    from model.studies.optimize.checks import MAX_GRID_POINTS
    from model.studies.optimize.levers import SPEND_LEVERS

    p = subparsers.add_parser(
        "optimize",
        help="the split of a fixed monthly budget across levers that maximises NPV",
        description="Split BUDGET (currency per month) across the chosen spend levers to "
        "maximise mean NPV over fixed seeds (a simplex grid, then COBYQA). Reports the split, "
        "its NPV gain over the scenario's own split (same budget) on fresh seeds with a 95% "
        "interval, and how flat the optimum is. Writes DIR/split.csv, flatness.csv, "
        "evaluations.csv, split.png, split.json and report.html (all of it on one page).",
    )
    p.add_argument(
        "scenario", type=reference(), metavar="SCENARIO", help="a preset name or a TOML file"
    )
    p.add_argument(
        "--budget",
        type=finite_float("--budget", 0.0, open_lo=True),  # (nothing to split at 0)
        metavar="B",
        help="currency per month to split (default: what the scenario's own settings cost)",
    )
    p.add_argument(
        "--levers",
        default=",".join(DEFAULT_LEVERS),
        metavar="L1,L2,...",
        help=f"two or more of: {', '.join(SPEND_LEVERS)} (default %(default)s)",
    )
    p.add_argument(
        "--grid",
        type=ranged_int("--grid", 0, 1000, also=f"with at most {MAX_GRID_POINTS:,} grid points"),
        default=4,
        metavar="K",
        help="divisions of the first coarse grid over the simplex (0 skips it; default 4)",
    )
    p.add_argument(
        "--robust",
        action="append",  # (so that a second one is refused, not silently the one used)
        metavar="SECTION.NAME=V1,V2,...",
        help="maximise over two or more values of one assumption, e.g. "
        "retain.satisfaction_sensitivity=1,3,5",
    )
    p.add_argument(
        "--criterion",
        choices=("mean", "worst"),
        default="mean",
        help="with --robust: maximise the mean (default) or the worst case",
    )
    add_study_options(
        p,
        replications=4,
        out="out/optimize_NAME--OPTIONS: the size, seed and --set values given, the other "
        "options given that change the numbers (--budget, --levers, --grid, --robust, "
        "--criterion) and the replications (copy=<digest> for a file whose name = is a preset's)",
    )
    p.set_defaults(handler=cmd_optimize)


def cmd_optimize(args: argparse.Namespace) -> int:
    """Run ``retention optimize``."""
    # Loaded here, not at import: the parser (and every --help) is built without them.
    from model.interfaces.labels import labelled
    from model.interfaces.study_report import write_study_report
    from model.scenario import ScenarioError
    from model.studies.optimize import optimize
    from model.studies.optimize.checks import check_grid, lever_names, robust_variants
    from model.studies.optimize.split import fresh_seeds

    scenario = load_scenario(args.scenario)
    copy = copy_mark([args.scenario], [scenario])  # (a preset's copy: a folder of its own)
    over = overrides(args)
    seed = over.pop("run.seed", None)
    scenario = scenario.with_overrides(over)
    if seed is not None:  # --seed or --set run.seed: checked against the declaration
        seed = scenario.with_overrides({"run.seed": seed}).run.seed
    assumption, values = None, []
    if args.criterion != "mean" and not args.robust:  # (it was ignored without one)
        raise CliError(
            f"--criterion {args.criterion}: goes with --robust SECTION.NAME=V1,V2,... (the worst "
            "case over an assumption's values); without it the mean over the seeds is maximised"
        )
    if args.robust:
        if len(args.robust) > 1:
            raise CliError(
                f"--robust: given {len(args.robust)} times; allowed: once (one assumption, "
                "SECTION.NAME=V1,V2,...)"
            )
        args.robust = args.robust[0]  # (recorded as one string, as before)
        key, sep, text = args.robust.partition("=")
        values = [v.strip() for v in text.split(",")]
        if not sep or not key.strip() or "" in values or len(values) < 2:
            raise CliError(
                f"--robust {args.robust!r}: not allowed; allowed: SECTION.NAME=V1,V2,... with "
                "two or more values and no empty one"
            )
        assumption = key.strip()
        try:  # each value validated up front, as it runs ("1" and "1.0" are one value)
            robust_variants(scenario, [], assumption, values)
        except ScenarioError as exc:
            raise CliError(f"--robust {args.robust!r}: {exc}") from None
    check_scenario_memory(scenario, copies=args.workers)
    levers = [v.strip() for v in args.levers.split(",")]
    if "" in levers:
        raise CliError(
            f"--levers {args.levers!r}: an empty name is not allowed; allowed: names separated "
            "by single commas"
        )
    try:  # (before its folder is made: a bad name left an empty out/ behind)
        lever_names(levers)
    except ScenarioError as exc:  # ("levers: value [...] is not allowed; allowed: ...")
        raise CliError(f"--{exc}") from None
    runs = args.replications * max(len(values), 1)
    check_grid(args.grid, len(levers), runs, name="--grid")  # (as the API does, before the run)
    outdir = args.out or study_folder(
        f"optimize_{safe_name(scenario.name)}",
        over,
        seed,
        args.replications,
        {**_choices(args, levers), **({"copy": copy} if copy else {})},
    )
    inputs = study_inputs(args, [scenario], seed)
    check_replace(outdir, "split.json", inputs, args.force, kind="optimization")
    title = "optimize: " + labelled(scenario, as_given(over, seed)).name
    started = time.perf_counter()
    with study_places(
        args, outdir, OPTIMIZE_OUTPUTS, "retention optimize", None, "optimize runs"
    ) as (staging, pool, b):
        result = optimize(
            scenario,
            budget=args.budget,
            levers=levers,
            replications=args.replications,
            seed=None if seed is None else int(seed),
            grid=args.grid,
            assumption=assumption,
            values=values,
            criterion=args.criterion,
            executor=pool,
            on_done=b.update,
        )
        result.save(staging)
        meta = study_metadata(args, time.perf_counter() - started)
        meta.update(
            budget=result.budget,
            best=result.best_values,
            own=result.own_values,
            gain=result.gain,
            notes=result.notes,
            inputs=inputs,
        )
        (staging / "split.json").write_text(json.dumps(meta, indent=2, default=float) + "\n")
        write_study_report(
            staging / "report.html",
            staging,
            title,
            f"Best split of {result.budget:,.0f} a month across {', '.join(result.levers)}; "
            f"mean NPV on {args.replications} seed{'s' * (args.replications != 1)}"
            + (f" ({result.over()} of the means)" if result.over() else "")
            + f", gain measured on {fresh_seeds(len(result.gain['seeds']))}{result.gain_over()}.",
            notes=result.notes,
            meta=meta,
            csvs=("split.csv", "flatness.csv"),
            first={"result": headline(result), "money really spent a month": result.spend},
        )
    if not args.quiet:
        print(title)
        print(result.format())
        print(f"\nwrote {outdir}/: {', '.join(OPTIMIZE_OUTPUTS)}")
    return 0


def _choices(args: argparse.Namespace, levers: list[str]) -> dict[str, str]:
    """The choices of this command that change its numbers, where not its defaults: its default
    folder names them (another --budget or --levers was refused in a folder never chosen)."""
    chosen = {
        "budget": None if args.budget is None else f"{args.budget:.17g}",  # (every digit)
        "levers": None if tuple(levers) == DEFAULT_LEVERS else "+".join(levers),
        "grid": None if args.grid == 4 else str(args.grid),
        "robust": args.robust or None,  # (one string by now: cmd_optimize checked it)
        "criterion": None if args.criterion == "mean" else args.criterion,
    }
    return {k: v for k, v in chosen.items() if v is not None}


def headline(result: Any) -> pd.DataFrame:
    """The report's first table: NPV of both splits on the search seeds, the gain on fresh ones
    (``result``: a :class:`~model.studies.optimize.split.BudgetSplit`)."""
    import pandas as pd

    from model.studies.optimize.split import fresh_seeds

    g, over = result.gain, result.over()
    searched = f"search seeds; {over} of the means" if over else "search seeds"
    per_value = g.get("per_value", [])
    nan = [float("nan")] * 2
    return pd.DataFrame(
        {
            "result": [
                f"mean NPV, the scenario's own split ({searched})",
                f"mean NPV, the best split ({searched})",
                f"NPV gain of the best split over the own, {fresh_seeds(len(g['seeds']))}"
                + result.gain_over(),
                *[f"  the gain at {g['assumption']} = {r['value']}" for r in per_value],
            ],
            "value": [result.npv_own, result.npv_best, g["mean"], *[r["mean"] for r in per_value]],
            "95% low": [*nan, g["low"], *[r["low"] for r in per_value]],
            "95% high": [*nan, g["high"], *[r["high"] for r in per_value]],
        }
    )
