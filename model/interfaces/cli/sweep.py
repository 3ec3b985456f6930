"""``retention sweep``: a design of scenarios × replications into a resumable results store.

The sweep machinery (pandas, Dask) is imported only when the command runs. Bad input raises :class:`~model.studies.sweep.spec.SweepError` (a ScenarioError), which the command
reports as one line with exit status 2.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from model.interfaces.cli.inputs import (
    address,
    check_design_memory,
    check_out,
    output_path,
    ranged_int,
)

__all__ = ["add_sweep", "cmd_sweep"]


def add_sweep(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention sweep SPEC --out STORE [--workers N | --scheduler A | --dask-local N]``."""
    p = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep (a design of scenarios x replications) into a results store",
        description="Run the design of a sweep spec (TOML) and write one Parquet file per finished "
        "task into STORE. Re-running the same command resumes: done tasks are skipped. A store is "
        "never mixed with results of another spec or other model code (use --fresh to discard). "
        "Read the results with model.studies.sweep.load(STORE).",
    )
    p.add_argument(
        "spec",
        nargs="?",
        type=Path,
        help="sweep spec: a TOML file or a preset name, e.g. sweeps/example",
    )
    p.add_argument(
        "--out", type=output_path(), metavar="STORE", help="results folder (created or resumed)"
    )
    p.add_argument(
        "--status",
        type=Path,
        metavar="STORE",
        help="show what is done and left in STORE, then exit",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=ranged_int("--workers", 1, 1024),
        metavar="N",
        help="local single-threaded worker processes (default: one per core; 1 = in this process)",
    )
    where.add_argument(
        "--scheduler",
        type=address(),
        metavar="ADDRESS",
        help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (workers must see STORE)",
    )
    where.add_argument(
        "--dask-local",
        type=ranged_int("--dask-local", 1, 1024),
        metavar="N",
        help="start a Dask LocalCluster of N single-threaded workers on 127.0.0.1",
    )
    p.add_argument("--fresh", action="store_true", help="discard STORE's previous results first")
    p.add_argument("--quiet", action="store_true", help="no progress bar or messages")
    p.set_defaults(handler=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run or resume a sweep, or show a store's status."""
    from model.interfaces.progress import watched
    from model.studies.sweep import SweepError, executor, load_spec, run_sweep, status

    if args.status is not None:
        if args.spec is not None or args.out is not None:
            raise SweepError("--status STORE takes no SPEC or --out")
        print(status(args.status))
        return 0
    if args.spec is None or args.out is None:
        raise SweepError("sweep needs a SPEC file and --out STORE (or --status STORE)")
    from model.scenario import resolve

    spec = load_spec(resolve(args.spec, kind="sweep"))  # validated before any worker starts
    check_out(args.out)
    from model.studies.sweep.designs import build_design

    check_design_memory(
        spec.base_scenario(), build_design(spec), args.workers or args.dask_local or 1
    )
    log = None if args.quiet else print
    started = time.perf_counter()
    with executor(args.workers, args.scheduler, args.dask_local) as (pool, slots, where):
        if log:
            log(f"running on {where}")
        run = run_sweep(
            spec,
            args.out,
            pool=pool,
            slots=slots,
            fresh=args.fresh,
            progress=watched(not args.quiet),
            log=log,
        )
    wall = time.perf_counter() - started
    report = write_sweep_report(args.out, spec)
    if log:
        print(f"wrote {report}")
        print(
            f"{args.out}: all {run.runs:,} runs done ({run.ran:,} tasks run now, {run.skipped:,} "
            f"already done) in {wall:.1f} s; read with model.studies.sweep.load({str(args.out)!r})"
        )
    return 0


#: Headline metrics the sweep report tabulates per design point (those the store has).
REPORT_METRICS = ("npv", "profit_total", "active_end", "nps_end", "retention_annual_mean")


def write_sweep_report(store: Path, spec) -> Path:
    """``STORE/report.html``: each design point's mean headline results with 95% intervals."""
    import io

    import pandas as pd
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from model.interfaces.html_report import study_report
    from model.studies.stats import mean_interval
    from model.studies.sweep import load

    frame = load(store)
    keys = [k for k in spec.keys if k in frame.columns]
    metrics = [m for m in REPORT_METRICS if m in frame.columns]
    rows = []
    for point, runs in frame.groupby("point", sort=True):
        row = {"point": int(point), **{k: runs[k].iloc[0] for k in keys}, "runs": len(runs)}
        for m in metrics:
            iv = mean_interval(runs[m].to_numpy(dtype=float))
            row |= {m: iv.mean, f"{m} low": iv.low, f"{m} high": iv.high}
        rows.append(row)
    table = pd.DataFrame(rows)
    figures = {}
    if "npv" in table:
        fig = Figure(figsize=(8, 0.8 + 0.32 * len(table)), layout="constrained")
        ax = fig.subplots()
        labels = [", ".join(f"{k.rpartition('.')[2]}={r[k]:.3g}" if isinstance(r[k], float)
                            else f"{k.rpartition('.')[2]}={r[k]}" for k in keys)
                  for _, r in table.iterrows()]  # fmt: skip
        err = [table["npv"] - table["npv low"], table["npv high"] - table["npv"]]
        ax.errorbar(table["npv"], range(len(table)), xerr=err, fmt="o", capsize=3)
        ax.set_yticks(range(len(table)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
        ax.set_xlabel("NPV, mean over replicates with 95% interval")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        figures["npv_by_point"] = buffer.getvalue()
    crn = "common random numbers (the same seeds at every point)" if spec.common_random_numbers \
        else "independent seeds per point"  # fmt: skip
    lead = (f"{spec.description or spec.name}: {len(table)} design points × {spec.replications} "
            f"replicates, {spec.clients:,} people × {spec.months} months, {crn}.")  # fmt: skip
    path = Path(store) / "report.html"
    path.write_text(study_report(f"sweep: {spec.name}", lead, {"design points": table}, figures),
                    encoding="utf-8")  # fmt: skip
    return path
