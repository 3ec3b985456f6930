"""``retention run``: one scenario → a monthly table, a summary, figures and an HTML report."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from model.interfaces.cli.arguments import (
    DEFAULT_SCENARIO,
    add_set_option,
    add_workers_option,
    copy_mark,
    load_scenario,
    overrides,
)
from model.interfaces.cli.errors import PROG, CliError
from model.interfaces.cli.inputs import (
    check_scenario_memory,
    output_path,
    param_int,
    ranged_int,
    reference,
    safe_name,
    seed,
)
from model.interfaces.cli.outputs import check_replace, run_metadata, simulated_in
from model.interfaces.cli.staging import staging_folder
from model.scenario import Scenario
from model.scenario.schedule import set_again
from model.studies.spend_scale import costs_against_spend
from model.studies.yearly_rates import yearly_rate_mistakes

__all__ = ["add_run"]


def add_run(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="run a scenario; write a monthly table, a summary and figures",
        description="Run a scenario and write DIR/timeseries.csv (one row per month), "
        "DIR/summary.json (the scenario as run, seed, versions, headline results), PNG figures "
        "and DIR/report.html (all of it on one self-contained page).",
    )
    p.add_argument(
        "scenario",
        nargs="?",
        type=reference(),
        help=f"a preset name ('retention presets' lists them) or a scenario TOML file "
        f"(default: {DEFAULT_SCENARIO})",
    )
    p.add_argument(
        "--clients",
        type=param_int("market.clients"),
        metavar="N",
        help="market size, prospects included (market.clients)",
    )
    p.add_argument(
        "--months",
        type=param_int("run.months"),
        metavar="N",
        help="horizon in months (run.months)",
    )
    p.add_argument("--seed", type=seed(), metavar="S", help="random seed (run.seed)")
    add_set_option(
        p,
        "override any parameter (repeatable), e.g. --set levers.service_level=wow; "
        "'retention params' lists them",
    )
    p.add_argument(
        "--out",
        type=output_path(),
        metavar="DIR",
        help="output folder (default: out/<name>, plus the overrides, e.g. "
        "out/baseline--service_level=wow, and copy=<digest> for a file whose name = is a preset's)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an output folder that holds the results of a different run",
    )
    p.add_argument(
        "--replications",
        type=ranged_int("--replications", 1, 10_000),
        default=1,
        metavar="R",
        help="run R seeds (run.seed, +1, ...); report each headline as a mean with its 95%% "
        "interval and draw the figures with bands (default 1). Finished runs are kept beside DIR "
        "(inside it where its parent cannot be written) as they finish: the same command, "
        "interrupted, resumes from them",
    )
    add_workers_option(
        p, "with --replications: local processes to run them in (default 1: this process)"
    )
    p.add_argument(
        "--fresh",
        action="store_true",
        help="with --replications: discard the runs an interrupted run of the same command kept",
    )
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument(
        "--clients-table",
        action="store_true",
        help="also write DIR/clients.parquet: every client ever served, one row each, at the end",
    )
    p.add_argument(
        "--track",
        type=param_int("run.track_clients"),
        metavar="N",
        help="follow N random market members month by month into DIR/tracked.parquet "
        "(run.track_clients)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(handler=_cmd_run)


def _untracked(scenario: Scenario, replications: int) -> list[str]:
    """A line when the scenario's file follows clients (``run.track_clients``) but replications
    write no followed sample (one run's table)."""
    track = scenario.run.track_clients
    if track and replications > 1:
        return [
            f"run.track_clients = {track:,} (the scenario's) is not written with --replications "
            f"{replications}: the followed sample is one run's (run once to write tracked.parquet)"
        ]
    return []


def _cmd_run(args: argparse.Namespace) -> int:
    """``retention run``; with ``--quiet`` the model's warnings are not printed either (as the
    command's own are not: :func:`model.interfaces.cli.main.main` filters them)."""
    from model.interfaces.labels import default_folder, labelled
    from model.studies.units import column_units, counts_as_integers

    for given, flag in ((args.workers != 1, f"--workers {args.workers}"), (args.fresh, "--fresh")):
        if given and args.replications == 1:
            raise CliError(
                f"{flag}: not allowed with one run (it would be ignored); allowed: with "
                "--replications R, R >= 2"
            )
    tables = ((args.clients_table, "--clients-table"), (args.track is not None, "--track"))
    for given, flag in tables:
        if given and args.replications > 1:
            raise CliError(
                f"{flag}: not allowed with --replications {args.replications} (it would be "
                "ignored: the agent tables are one run's); allowed: with one run"
            )
    loaded = load_scenario(args.scenario)
    over = overrides(args)
    scenario = labelled(loaded.with_overrides(over), over)
    if "run.track_clients" in over and scenario.run.track_clients and args.replications > 1:
        raise CliError(  # (--set, as --track; 0 is allowed: it follows no one)
            f"--set run.track_clients: not allowed with --replications {args.replications} (it "
            "would be ignored: the followed sample is one run's); allowed: with one run, or 0"
        )
    check_scenario_memory(scenario, copies=args.workers)
    # Replications have a folder of their own: a single run's results are other results, which
    # the check below would not replace. So has a preset's copy (copy_mark).
    copy = copy_mark([args.scenario], [loaded])
    tail = ",".join(
        [
            *([f"copy={copy}"] if copy else []),
            *([f"replications={args.replications}"] * (args.replications > 1)),
        ]
    )
    outdir = (
        args.out if args.out is not None else default_folder(scenario, over, safe_name, tail=tail)
    )
    # The same scenario (every parameter, seed included) with as many replications may be rerun
    # into its folder: it reproduces the same numbers (5 replications and 1 run are different).
    check_replace(
        outdir,
        "summary.json",
        [scenario.to_toml_dict(), args.replications],
        args.force,
        read=lambda meta: [meta.get("scenario"), meta.get("replications", 1)],
        kind="run",
    )
    if not args.quiet:
        for line in [
            *_after_horizon(scenario),
            *set_again(scenario.schedule, over),
            *_set_twice(scenario),
            *_untracked(scenario, args.replications),
            *yearly_rate_mistakes(scenario),
        ]:
            print(f"{PROG}: warning: {line}", file=sys.stderr)
        for line in [*_outside_plausible(scenario), *costs_against_spend(scenario)]:
            print(f"{PROG}: note: {line}", file=sys.stderr)
        from model.engine.kernels import note_first_compile

        note_first_compile()  # (a silent 20 s before the first month looks like a hang)
    if args.replications > 1:
        from model.interfaces.cli.replications import run_replicated

        return run_replicated(args, scenario, outdir)
    # Loaded before the clock starts: "simulated in" is the simulation, not the imports (the
    # parser is built without the engine, so that help and argument errors come at once).
    from model.engine.kernels import compiled_on_disk
    from model.engine.retention_model import RetentionModel

    compiling = compiled_on_disk() is False
    started = time.perf_counter()
    with staging_folder(outdir) as staging:  # validated (writable) before anything runs
        model = _simulate(RetentionModel, scenario, progress=not args.quiet)
        ts, summary = model.timeseries(), model.summary()
        wall = time.perf_counter() - started
        counts_as_integers(ts).to_csv(staging / "timeseries.csv", index=False)
        column_units(list(ts.columns)).to_csv(staging / "columns.csv", index=False)
        meta = run_metadata(scenario, summary, wall, args.argv)
        (staging / "summary.json").write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n")
        written = [staging / name for name in ("timeseries.csv", "columns.csv", "summary.json")]
        written += _save_agent_tables(model, staging, everyone=args.clients_table)
        figures = [] if args.no_figures else _save_figures(ts, staging, scenario)
        written += [*figures, _save_report(scenario, ts, summary, figures, meta, staging)]
    if not args.quiet:
        print(_summary_table(scenario, summary, simulated_in(wall, compiling)))
        print(f"\nwrote {outdir}/: {', '.join(f.name for f in written)}")
    return 0


def _after_horizon(scenario: Scenario) -> list[str]:
    """A line for each schedule step or shock that starts after the run ends (it changes
    nothing: often a horizon shortened with --months, sometimes a typo)."""
    months = scenario.run.months
    late = scenario.after_horizon()
    horizon = f"{months} month{'s' * (months != 1)}"
    return [f"{what} is after the run's {horizon}: it changes nothing" for what in late]


def _outside_plausible(scenario: Scenario) -> list[str]:
    """A line for each value outside the plausible range a claim study draws (allowed, and
    perhaps the firm's own, but no study's verdict speaks for it; far outside, perhaps another
    unit than the one meant), and then what speaks for it."""
    lines = scenario.outside_plausible()
    if lines:
        lines.append(
            "a claim's verdict is over worlds inside these ranges; `retention experiment NAME "
            "--world SCENARIO` with the same values (--set; --clients N as --set "
            "market.clients=N) measures a claim in this one; a value far outside may be in "
            "another unit than its own (ranges, units and sources: retention params)"
        )
    return lines


def _set_twice(scenario: Scenario) -> list[str]:
    """A line for each lever two steps of the same month set (the later in the file holds: easy
    to miss in a long schedule)."""
    first: dict[tuple[int, str], int] = {}
    lines = []
    for i, step in enumerate(scenario.schedule):
        for name in step.set:
            j = first.setdefault((step.month, name), i)
            if j != i:
                lines.append(
                    f"schedule: {name} is set in month {step.month} by steps {j + 1} and {i + 1}; "
                    f"step {i + 1}'s value, {step.set[name]!r}, holds"
                )
    return lines


def _save_report(
    scenario: Scenario, ts: Any, summary: dict, figures: list[Path], meta: dict, folder: Path
) -> Path:
    """``report.html``: the run on one self-contained page, with the figures just drawn."""
    from model.interfaces.html_report import write_run_report

    images = {f.stem: f.read_bytes() for f in figures}
    return write_run_report(folder / "report.html", scenario, ts, summary, images, meta)


def _save_agent_tables(model: Any, folder: Path, everyone: bool) -> list[Path]:
    """Agent-level Parquet tables: the followed sample by month, and (if asked) every client."""
    import numpy as np

    from model.engine.state import Stage

    written = []
    if model.tracked_rows.size:
        model.tracked().to_parquet(folder / "tracked.parquet", index=False)
        written.append(folder / "tracked.parquet")
    if everyone:
        ever = np.flatnonzero(model.clients.stage != Stage.PROSPECT)
        model.clients_frame(ever).to_parquet(folder / "clients.parquet")
        written.append(folder / "clients.parquet")
    return written


def _simulate(model_class: type, scenario: Scenario, progress: bool) -> Any:
    """Run ``model_class(scenario)`` (the engine's model) month by month; on a terminal a bar
    shows from the first second.

    The bar starts before the market is built (which takes seconds for millions of clients), so
    a large run is never silent.
    """
    from model.interfaces.progress import bar

    with bar(scenario.run.months, "building the market", unit="month", enabled=progress) as b:
        b.refresh()
        model = model_class(scenario)
        b.set_description("months")
        for _ in range(model.months):
            model.step()
            b.update(1)
    return model


def _save_figures(ts: Any, outdir: Path, scenario: Scenario | None = None) -> list[Path]:
    from model.interfaces.figures import save_standard_figures

    return save_standard_figures(ts, outdir, scenario=scenario)


def _summary_table(scenario: Scenario, s: dict[str, float], took: str) -> str:
    months = scenario.run.months
    head = (
        f"{scenario.name}: {scenario.market.clients:,} people x {months} month{'s' * (months != 1)}, "
        f"seed {scenario.run.seed} ({took})"
    )
    from model.interfaces.html_report import summary_rows

    rows = summary_rows(s)
    width = max(len(label) for label, _ in rows)
    return "\n".join([head, *(f"  {label:<{width}}  {value:>22}" for label, value in rows)])
