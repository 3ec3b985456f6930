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
    load_scenario,
    overrides,
)
from model.interfaces.cli.inputs import (
    check_scenario_memory,
    output_path,
    param_int,
    safe_name,
    seed,
)
from model.interfaces.cli.outputs import run_metadata, staging_folder
from model.scenario import Scenario

__all__ = ["add_run"]

#: Progress bars appear only when a run lasts longer than this (seconds) and stderr is a terminal.
PROGRESS_DELAY_S = 1.0


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
        type=Path,
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
        "--out", type=output_path(), metavar="DIR", help="output folder (default: out/<name>)"
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


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    scenario = scenario.with_overrides(overrides(args))
    check_scenario_memory(scenario)
    outdir = args.out if args.out is not None else Path("out") / safe_name(scenario.name)
    started = time.perf_counter()
    with staging_folder(outdir) as staging:  # validated (writable) before anything runs
        model = _simulate(scenario, progress=not args.quiet)
        ts, summary = model.timeseries(), model.summary()
        wall = time.perf_counter() - started
        ts.to_csv(staging / "timeseries.csv", index=False)
        meta = run_metadata(scenario, summary, wall, args.argv)
        (staging / "summary.json").write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n")
        written = [staging / "timeseries.csv", staging / "summary.json"]
        written += _save_agent_tables(model, staging, everyone=args.clients_table)
        figures = [] if args.no_figures else _save_figures(ts, staging)
        written += [*figures, _save_report(scenario, ts, summary, figures, meta, staging)]
    if not args.quiet:
        print(_summary_table(scenario, summary, wall))
        print(f"\nwrote {outdir}/: {', '.join(f.name for f in written)}")
    return 0


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


def _simulate(scenario: Scenario, progress: bool) -> Any:
    """Run the model month by month, with a progress bar on a terminal for runs that take a while."""
    from tqdm import tqdm

    from model.engine.retention_model import RetentionModel

    model = RetentionModel(scenario)
    show = progress and sys.stderr.isatty()
    for _ in tqdm(
        range(model.months),
        desc="months",
        unit="month",
        disable=not show,
        delay=PROGRESS_DELAY_S,
        leave=False,
    ):
        model.step()
    return model


def _save_figures(ts: Any, outdir: Path) -> list[Path]:
    from model.interfaces.figures import save_standard_figures

    return save_standard_figures(ts, outdir)


def _summary_table(scenario: Scenario, s: dict[str, float], wall: float) -> str:
    head = (
        f"{scenario.name}: {scenario.market.clients:,} people x {scenario.run.months} months, "
        f"seed {scenario.run.seed} (simulated in {wall:.1f} s)"
    )
    from model.interfaces.html_report import summary_rows

    rows = summary_rows(s)
    width = max(len(label) for label, _ in rows)
    return "\n".join([head, *(f"  {label:<{width}}  {value:>22}" for label, value in rows)])
