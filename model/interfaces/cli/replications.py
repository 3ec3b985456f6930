"""``retention run --replications R``: one scenario on R seeds, headlines with 95% intervals.

One run is one draw: NPS at the end is −16.6 with seed 1 and −51.8 with seed 2 at the default size.
With R seeds (``run.seed``, ``run.seed + 1``, …) every headline is reported as a mean with its
95% t interval (:func:`model.studies.stats.mean_interval`), the monthly table holds the mean and
the 2.5% / 97.5% quantiles of every metric, and the figures are drawn with bands.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.interfaces.cli.outputs import json_number, run_metadata, simulated_in
from model.interfaces.cli.staging import staging_folder
from model.scenario import Scenario
from model.scenario.arguments import count
from model.studies.stats import few_runs_note

if TYPE_CHECKING:
    from model.studies.replications import Replicated

__all__ = ["replicated", "run_replicated"]


def replicated(
    scenario: Scenario, replications: int, progress: bool = False, *, workers: int = 1
) -> Replicated:
    """Run ``scenario`` on ``replications`` consecutive seeds from its own
    (:func:`model.studies.replications.run_replications`; inside a
    :func:`~model.studies.kept_runs.keep_runs` block, kept as they finish).

    Parameters
    ----------
    scenario : Scenario
        The scenario; its ``run.seed`` is the first seed.
    replications : int
        How many runs: a whole number ≥ 1 (anything else raises
        :class:`~model.scenario.ScenarioError` naming it, as ``--replications`` is refused).
    progress : bool
        Show a progress bar.
    workers : int
        Local worker processes (1: this process).

    Returns
    -------
    Replicated
        The runs' headlines and monthly tables, by seed.
    """
    from model.interfaces.cli.workers import local_executor
    from model.interfaces.progress import bar
    from model.studies.horizon_notes import horizon_notes_told
    from model.studies.replications import run_replications

    replications = count("replications", replications)  # (0 failed in pandas' concat)
    with (
        bar(replications, f"{replications} runs", enabled=progress) as b,
        local_executor(workers) as pool,
    ):
        b.refresh()
        with horizon_notes_told([scenario]):  # (the command has told of them, or is --quiet)
            return run_replications(scenario, replications, executor=pool, on_done=b.update)


def run_replicated(args: argparse.Namespace, scenario: Scenario, outdir: Path) -> int:
    """Write runs.csv, timeseries.csv (mean and band), summary.json, figures and report.html."""
    from model.engine.kernels import compiled_on_disk
    from model.interfaces.figures import save_standard_figures
    from model.interfaces.html_report import summary_rows, write_run_report
    from model.studies.units import column_units

    compiling = compiled_on_disk() is False
    started = time.perf_counter()
    with staging_folder(outdir, keep_runs=True, fresh=args.fresh, quiet=args.quiet) as staging:
        done = replicated(
            scenario, args.replications, progress=not args.quiet, workers=args.workers
        )
        runs, seeds = done.runs, done.seeds
        # Each headline cut to what it can be, over the runs where it is defined (a top-fifth
        # share of no profit is not), which the table says.
        heads = done.headlines()
        means = heads["mean"].to_dict()
        intervals = {m: (row.low, row.high) for m, row in heads.iterrows()}
        defined = {m: (int(row.defined), len(runs)) for m, row in heads.iterrows()
                   if row.defined < len(runs)}  # fmt: skip
        mean_ts, low, high = done.monthly()
        wall = time.perf_counter() - started
        runs.to_csv(staging / "runs.csv", index=False)
        wide = mean_ts.merge(low, on="month", suffixes=("", "_low")).merge(
            high.add_suffix("_high").rename(columns={"month_high": "month"}), on="month"
        )
        # (the metrics only: total_cost is the figure's band of revenue less profit)
        wide = wide.drop(columns=["total_cost", "total_cost_low", "total_cost_high"])
        wide.to_csv(staging / "timeseries.csv", index=False)
        column_units(list(wide.columns), replicated=True).to_csv(
            staging / "columns.csv", index=False
        )
        meta = run_metadata(scenario, means, wall, args.argv)
        meta.update(
            replications=args.replications,
            seeds=seeds,
            intervals={m: [json_number(a), json_number(b)] for m, (a, b) in intervals.items()},
            # Headlines some runs leave undefined: [runs where defined, runs] (their mean is theirs).
            defined_runs={m: list(kn) for m, kn in defined.items()},
        )
        (staging / "summary.json").write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n")
        figures: list[Path] = []
        if not args.no_figures:
            figures = save_standard_figures(mean_ts, staging, scenario=scenario, band=(low, high))
        images = {f.stem: f.read_bytes() for f in figures}
        write_run_report(staging / "report.html", scenario, mean_ts, means, images, meta)
    if not args.quiet:
        took = simulated_in(wall, compiling)
        print(_table(scenario, means, intervals, defined, seeds, took, summary_rows))
        written = ["runs.csv", "timeseries.csv", "columns.csv", "summary.json"]
        written += [f.name for f in figures]
        print(f"\nwrote {outdir}/: {', '.join([*written, 'report.html'])}")
    return 0


def _table(
    scenario: Scenario,
    means: dict[str, float],
    intervals: dict[str, tuple[float, float]],
    defined: dict[str, tuple[int, int]],
    seeds: list[int],
    took: str,
    summary_rows: Any,
) -> str:
    months = scenario.run.months
    head = (
        f"{scenario.name}: {scenario.market.clients:,} people x {months} month{'s' * (months != 1)}, "
        f"{len(seeds)} runs (seeds {seeds[0]}-{seeds[-1]}), means [95% interval] "
        f"({took})"
    )
    rows = summary_rows(means, intervals, defined)
    width = max(len(label) for label, _ in rows)
    few = few_runs_note(min([k for k, _ in defined.values() if k >= 2], default=len(seeds)))
    lines = [head, *(f"  {label:<{width}}  {value:>34}" for label, value in rows)]
    return "\n".join([*lines, *([f"note: {few}"] if few else [])])
