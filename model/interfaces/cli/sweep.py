"""``retention sweep``: a design of scenarios × replications into a resumable results store.

The sweep machinery (pandas, Dask) is imported only when the command runs. Bad input raises :class:`~model.studies.sweep.spec.SweepError` (a ScenarioError), which the command
reports as one line with exit status 2.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from pathlib import Path

from model.interfaces.cli.inputs import check_design_memory, check_out, output_path, reference
from model.interfaces.cli.where import add_where, where_given, where_of

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
        type=reference("a sweep spec's preset name or a TOML file"),
        help="sweep spec: a TOML file or a preset name, e.g. sweeps/example; left out, --out "
        "STORE resumes that store from its own spec (spec.json, its base scenario resolved)",
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
    add_where(
        p,
        workers="local single-threaded worker processes (default: one per core; 1 = in this "
        "process)",
        shared="STORE",
    )
    p.add_argument("--fresh", action="store_true", help="discard STORE's previous results first")
    p.add_argument(
        "--reuse",
        type=Path,
        metavar="OLD_STORE",
        help="take each run that OLD_STORE (a sweep of this code) holds for the same scenario and "
        "seed instead of running it again: for a design refined after a first sweep",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar or messages")
    p.set_defaults(handler=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run or resume a sweep, or show a store's status."""
    import pyarrow.parquet as pq

    from model.interfaces.cli.outputs import study_metadata
    from model.interfaces.cli.staging import FRESHENED, RESUMABLE
    from model.interfaces.progress import watched
    from model.interfaces.sweep_columns import write_sweep_columns
    from model.interfaces.sweep_report import write_sweep_report
    from model.studies.sweep import SweepError, executor, load_spec, run_sweep, status
    from model.studies.sweep.runner import SweepRun

    if args.status is not None:
        if args.spec is not None or args.out is not None:
            raise SweepError("--status STORE takes no SPEC or --out")
        ignored = ["--fresh"] * args.fresh + ["--reuse"] * (args.reuse is not None)
        ignored += where_given(args)
        if ignored:  # (--fresh here discarded nothing, and said nothing of it)
            raise SweepError(
                f"{ignored[0]}: not allowed with --status (it only reads the store; it would "
                "be ignored)"
            )
        print(status(args.status))
        return 0
    if args.out is None:
        raise SweepError(
            "sweep needs --out STORE and a SPEC file (or only --out STORE to resume a store from "
            "its own spec, or --status STORE)"
        )
    from model.scenario import resolve
    from model.studies.sweep.stored import stored_spec

    where = where_of(args)
    if args.spec is None:  # resume STORE from its spec.json (its base scenario resolved)
        if args.fresh:
            raise SweepError(
                "--fresh: not allowed without a SPEC (it would discard the store's "
                "results and then rerun them from its own spec; give the SPEC)"
            )
        spec = stored_spec(args.out)
    else:
        spec = load_spec(resolve(args.spec, kind="sweep"))  # validated before any worker starts
    check_out(args.out)
    from model.engine.elementwise import usable_cores
    from model.studies.sweep.designs import build_design

    # As many runs at a time as will run on this machine: the default is one per core, and never
    # more than there are tasks; a remote scheduler's workers have their own memory.
    design = build_design(spec)
    tasks = math.ceil(len(design) * spec.replications / spec.batch_size)
    at_once = args.workers or args.dask_local or (1 if args.scheduler else usable_cores())
    check_design_memory(spec.base_scenario(), design, max(1, min(at_once, tasks)))
    log = None if args.quiet else print
    started = time.perf_counter()
    RESUMABLE.append(args.out)
    batches = Path(args.out) / "batches"
    if args.fresh and batches.is_dir():  # (a stop then says whether --fresh emptied it)
        FRESHENED[Path(args.out)] = frozenset(p.name for p in batches.iterdir())
    written: list[tuple[Path, float]] = []

    def report(run: SweepRun) -> None:
        # Under the store's lock (run_sweep's ``then``): a sweep started into --out meanwhile
        # cannot change or (--fresh) delete the results this report is read from.
        wall = time.perf_counter() - started
        # (this command's time and tasks: a resumed sweep's report showed 0.09 s for 31.6 s of
        # runs, said as if it were the sweep's)
        meta = {**study_metadata(args, wall), "tasks_run_now": run.ran}
        meta.update(tasks_already_done=run.skipped, task_seconds_now=round(run.task_seconds, 3))
        meta.update(runs_reused_now=run.reused)  # (--reuse: copied, not run, in those tasks)
        written.append((write_sweep_report(args.out, spec, meta), wall))
        first = min((Path(args.out) / "batches").glob("batch-*.parquet"))  # (every one alike)
        write_sweep_columns(args.out, pq.read_schema(first).names, spec.series)

    with executor(**where) as (pool, slots, place), warnings.catch_warnings():
        # (the sweep's warnings, steps after the horizon once a sweep, print as one line each:
        # cli.main; none with --quiet, as `retention run --quiet` prints none)
        if args.quiet:
            warnings.simplefilter("ignore", UserWarning)
        if log:
            log(f"running on {place}")
        run = run_sweep(
            spec,
            args.out,
            pool=pool,
            slots=slots,
            fresh=args.fresh,
            progress=watched(not args.quiet),
            log=log,
            then=report,
            reuse=args.reuse,
        )
    path, wall = written[0]  # (run_sweep returned: its ``then`` ran)
    if log:
        print(f"wrote {path} and {Path(args.out) / 'columns.csv'} (each column's unit)")
        # (Tasks written now may hold runs taken from --reuse: those are said apart, as runs, so
        # the first line does not read as if every run of the tasks were simulated now.)
        taken = f" of their runs {run.reused:,} taken from {args.reuse}, not run again;" * (
            args.reuse is not None
        )
        print(
            f"{args.out}: all {run.runs:,} runs done ({run.ran:,} tasks written now,{taken} "
            f"{run.skipped:,} already done) in {wall:.1f} s; read with "
            f"model.studies.sweep.load({str(args.out)!r})"
        )
    return 0
