"""What a results folder holds besides its results: the metadata that makes a run reproducible,
and the check that a folder holds the results of the same command before it is replaced.

How a results folder is written and put in place: :mod:`model.interfaces.cli.staging`.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.engine.numerics import numerics_class
from model.interfaces.cli.errors import PROG, CliError
from model.scenario import Scenario
from model.version import version_record

__all__ = [
    "RUN_OUTPUTS",
    "check_replace",
    "json_number",
    "run_metadata",
    "simulated_in",
    "study_inputs",
    "study_metadata",
]

#: Files a previous ``retention run`` may have left; only such a folder is replaced by a new run.
RUN_OUTPUTS = (
    "timeseries.csv",
    "columns.csv",
    "summary.json",
    "report.html",
    "tracked.parquet",
    "clients.parquet",
    "runs.csv",  # retention run --replications
)


def run_metadata(
    scenario: Scenario, summary: dict[str, float], wall: float, argv: list[str]
) -> dict[str, Any]:
    """Everything needed to reproduce and cite the run (JSON-ready; NaN becomes null)."""
    return {
        "scenario": scenario.to_toml_dict(),
        "seed": scenario.run.seed,
        # The version as `--version` shows it: an editable install's development number and
        # hash, once HEAD has moved on, name an older commit than git_commit (model.version).
        **version_record(),
        # Which last bits numpy's exp/log/... give here (the same seed, the same numbers only
        # within a class: docs/ODD.md §8, "Numerics across machines").
        "numerics": numerics_class(),
        "command": shlex.join([PROG, *argv]),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "wall_seconds": round(wall, 3),
        "results": {k: json_number(v) for k, v in summary.items()},
    }


def json_number(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def check_replace(
    outdir: Path,
    record: str,
    inputs: Any,
    force: bool,
    read: Callable[[dict[str, Any]], Any] | None = None,
    kind: str = "command",
) -> None:
    """Refuse to replace the results of a *different* command without ``--force``.

    ``record`` is the JSON file the command writes into ``outdir`` with its ``"inputs"`` (what
    decides its numbers: scenarios, seeds, options); a folder whose record holds the same inputs
    is replaced (the same command reproduces the same numbers), any other only with ``force``.

    Parameters
    ----------
    outdir : Path
        The results folder.
    record : str
        The file in it that keeps the inputs (``summary.json``, ``comparison.json``, …).
    inputs : JSON-ready
        This command's inputs, compared after a JSON round trip (as they were written).
    force : bool
        ``--force`` was given.
    read : callable, optional
        The inputs from the record's JSON, for a record that keeps them under other keys
        (default: its ``"inputs"``).
    kind : str
        What the results are of, for the message (``run``, ``comparison``, …).
    """
    old = outdir / record
    if force or not old.is_file():
        return
    try:
        meta = json.loads(old.read_text(encoding="utf-8"))
        previous = meta.get("inputs") if read is None else read(meta)
    except (OSError, ValueError, AttributeError):
        previous = None
    if _numbers(previous) != _numbers(json.loads(json.dumps(inputs, default=str))):
        raise CliError(
            f"--out {str(outdir)!r}: holds the results of a different {kind}; allowed: --force "
            "to replace them, or another --out"
        )


#: Options of a many-run command that do not decide its numbers (where and how it runs; the
#: scenario options are folded into the scenarios themselves).
_NOT_INPUTS = frozenset(
    {
        "out",
        "force",
        "fresh",
        "workers",
        "debug",
        "quiet",
        "argv",
        "scenario",
        "scenarios",
        "overrides",
        "clients",
        "months",
    }
)


def _numbers(inputs: Any) -> Any:
    """``inputs`` without each scenario's name and description (a scenario's TOML table: one
    with a ``run`` section): labels, not what decides the numbers, so a run named by an older
    version (``ad_budget=450.0``, now ``ad_budget=450``) may be rerun into its folder."""
    if isinstance(inputs, list):
        return [_numbers(item) for item in inputs]
    if isinstance(inputs, dict):
        labels = ("name", "description") if isinstance(inputs.get("run"), dict) else ()
        return {k: _numbers(v) for k, v in inputs.items() if k not in labels}
    return inputs


def study_inputs(
    args: argparse.Namespace, scenarios: list[Scenario], seed: int | None
) -> dict[str, Any]:
    """What decides a many-run command's numbers, JSON-ready: its scenarios (overrides included),
    the first seed it runs (``seed``, from ``--seed`` or ``--set run.seed``; else the first
    scenario's) and its other options (``--replications``, ``--levers``, …), for
    :func:`check_replace`."""
    options = {
        k: v for k, v in sorted(vars(args).items()) if k not in _NOT_INPUTS and not callable(v)
    }
    # (The seed as run: "--seed 1", "--set run.seed=1" and a scenario seeded 1 are one command.)
    options["seed"] = int(scenarios[0].run.seed if seed is None else seed)
    return {"scenarios": [s.to_toml_dict() for s in scenarios], "options": options}


def study_metadata(args: argparse.Namespace, wall: float) -> dict[str, Any]:
    """Command, version, commit, time and wall seconds of a many-run command (JSON-ready)."""
    return {
        "command": shlex.join([PROG, *args.argv]),
        **version_record(),
        "numerics": numerics_class(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "wall_seconds": round(wall, 3),
    }


def simulated_in(wall: float, compiling: bool) -> str:
    """How long a run took, in words: ``simulated in 0.4 s``, and, where the engine's kernels
    were compiled first (``compiling``: :func:`model.engine.kernels.compiled_on_disk` was False
    before it), that those 30 s are in it: a first run's "32.6 s" read as the model's speed."""
    said = f"simulated in {wall:.1f} s"
    return f"{said}, the kernels' first compile included" if compiling else said
