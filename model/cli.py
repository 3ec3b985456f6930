"""The ``retention`` command (also ``python -m model``).

One subcommand is one pair of functions: ``_add_<name>(subparsers)`` declares its arguments and
``_cmd_<name>(args) -> int`` does the work; the pair is registered by adding ``_add_<name>`` to
:data:`SUBCOMMANDS`. Bad input — a scenario or override the parameters refuse, a missing or
malformed file, an output folder that cannot be written — is reported as one line on stderr with
exit status 2 and no traceback (raise :class:`CliError` or let :class:`ScenarioError` through).

Outputs are written into a temporary folder beside the target and renamed into place at the end,
so an interrupted or failed run never leaves a half-written results folder.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from model.params import SECTIONS, Scenario, ScenarioError, parameter_table

__all__ = ["SUBCOMMANDS", "CliError", "main", "staging_folder"]

PROG = "retention"
DEFAULT_SCENARIO = Path("scenarios/baseline.toml")
#: Files a previous ``retention run`` may have left; only such a folder is replaced by a new run.
RUN_OUTPUTS = (
    "timeseries.csv",
    "summary.json",
    "report.html",
    "tracked.parquet",
    "clients.parquet",
)
#: Progress bars appear only when a run lasts longer than this (seconds) and stderr is a terminal.
PROGRESS_DELAY_S = 1.0


class CliError(Exception):
    """Bad command-line input; the message is one line naming the field, the value and what is allowed."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (like every other input error)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{message} (see '{self.prog} --help')")


# ============================================================================================ run
def _add_run(subparsers: argparse._SubParsersAction) -> None:
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
        help=f"scenario TOML file (default: {DEFAULT_SCENARIO} if it exists, else built-in defaults)",
    )
    p.add_argument(
        "--clients", metavar="N", help="market size, prospects included (market.clients)"
    )
    p.add_argument("--months", metavar="N", help="horizon in months (run.months)")
    p.add_argument("--seed", metavar="S", help="random seed (run.seed)")
    add_set_option(
        p,
        "override any parameter (repeatable), e.g. --set levers.service_level=wow; "
        "'retention params' lists them",
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: out/<name>)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument(
        "--clients-table",
        action="store_true",
        help="also write DIR/clients.parquet: every client ever served, one row each, at the end",
    )
    p.add_argument(
        "--track",
        metavar="N",
        help="follow N random market members month by month into DIR/tracked.parquet "
        "(run.track_clients)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(handler=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = _load_scenario(args.scenario)
    scenario = scenario.with_overrides(_overrides(args))
    outdir = args.out if args.out is not None else Path("out") / scenario.name
    started = time.perf_counter()
    with staging_folder(outdir) as staging:  # validated (writable) before anything runs
        model = _simulate(scenario, progress=not args.quiet)
        ts, summary = model.timeseries(), model.summary()
        wall = time.perf_counter() - started
        ts.to_csv(staging / "timeseries.csv", index=False)
        meta = _run_metadata(scenario, summary, wall, args.argv)
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
    from model.report import write_run_report

    images = {f.stem: f.read_bytes() for f in figures}
    return write_run_report(folder / "report.html", scenario, ts, summary, images, meta)


def _save_agent_tables(model: Any, folder: Path, everyone: bool) -> list[Path]:
    """Agent-level Parquet tables: the followed sample by month, and (if asked) every client."""
    import numpy as np

    from model.state import Stage

    written = []
    if model.tracked_rows.size:
        model.tracked().to_parquet(folder / "tracked.parquet", index=False)
        written.append(folder / "tracked.parquet")
    if everyone:
        ever = np.flatnonzero(model.clients.stage != Stage.PROSPECT)
        model.clients_frame(ever).to_parquet(folder / "clients.parquet")
        written.append(folder / "clients.parquet")
    return written


def add_set_option(p: argparse.ArgumentParser, help: str) -> None:
    """``--set SECTION.NAME=VALUE`` (repeatable) into ``args.overrides``, read by ``_overrides``."""
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        help=help,
    )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """``--set`` pairs, then the shortcut options (which win), as raw strings for the scenario."""
    overrides: dict[str, Any] = {}
    for item in args.overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CliError(
                f"--set {item!r}: expected SECTION.NAME=VALUE, e.g. levers.service_level=wow"
            )
        overrides[key.strip()] = value.strip()
    for key, value in (
        ("market.clients", args.clients),
        ("run.months", args.months),
        ("run.seed", args.seed),
        ("run.track_clients", getattr(args, "track", None)),
    ):
        if value is not None:
            overrides[key] = value
    return overrides


def _load_scenario(path: Path | None) -> Scenario:
    if path is not None:
        return Scenario.from_toml(path)  # file errors are ScenarioErrors (params.read_toml)
    return Scenario.from_toml(DEFAULT_SCENARIO) if DEFAULT_SCENARIO.is_file() else Scenario()


def _simulate(scenario: Scenario, progress: bool) -> Any:
    """Run the model month by month, with a progress bar on a terminal for runs that take a while."""
    from tqdm import tqdm

    from model.model import RetentionModel

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
    from model.plots import save_standard_figures

    return save_standard_figures(ts, outdir)


def _run_metadata(
    scenario: Scenario, summary: dict[str, float], wall: float, argv: list[str]
) -> dict[str, Any]:
    """Everything needed to reproduce and cite the run (JSON-ready; NaN becomes null)."""
    from model import __version__

    return {
        "scenario": scenario.to_toml_dict(),
        "seed": scenario.run.seed,
        "version": __version__,
        "git_commit": _git_commit(),
        "command": shlex.join([PROG, *argv]),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "wall_seconds": round(wall, 3),
        "results": {k: _json_number(v) for k, v in summary.items()},
    }


def _json_number(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _git_commit() -> str | None:
    """The commit of the code that ran (``+dirty`` if it had uncommitted changes), if known."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "."],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


#: (label, summary key, format) rows of the printed summary.
def _summary_table(scenario: Scenario, s: dict[str, float], wall: float) -> str:
    head = (
        f"{scenario.name}: {scenario.market.clients:,} people x {scenario.run.months} months, "
        f"seed {scenario.run.seed} (simulated in {wall:.1f} s)"
    )
    from model.report import summary_rows

    rows = summary_rows(s)
    width = max(len(label) for label, _ in rows)
    return "\n".join([head, *(f"  {label:<{width}}  {value:>22}" for label, value in rows)])


# ======================================================================================== params
def _add_params(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "params",
        help="list every parameter: key, default, unit, allowed range, source",
        description="List the declared parameters (the same names --set and scenario files use).",
    )
    p.add_argument("--section", metavar="S", help=f"only one section: {', '.join(SECTIONS)}")
    p.set_defaults(handler=_cmd_params)


def _cmd_params(args: argparse.Namespace) -> int:
    rows = parameter_table()
    if args.section is not None:
        if args.section not in SECTIONS:
            raise CliError(
                f"--section {args.section!r}: unknown section; allowed: {', '.join(SECTIONS)}"
            )
        rows = [r for r in rows if r["key"].startswith(args.section + ".")]
    cells = [[r["key"], _show(r["default"]), r["unit"], r["allowed"], r["source"]] for r in rows]
    header = ["key", "default", "unit", "allowed", "source"]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(4)]
    for line in [header, *cells]:
        print("  ".join(c.ljust(w) for c, w in zip(line[:4], widths, strict=True)), line[4])
    return 0


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    return str(value)


# ================================================================= compare, optimize
def _add_compare(subparsers: argparse._SubParsersAction) -> None:
    from model.policies_cli import add_compare  # the policies CLI lives beside its module

    add_compare(subparsers)


def _add_optimize(subparsers: argparse._SubParsersAction) -> None:
    from model.policies_cli import add_optimize

    add_optimize(subparsers)


# ================================================================= sweep, sensitivity
def _add_sweep(subparsers: argparse._SubParsersAction) -> None:
    from model.sweep.cli import add_sweep  # the sweep CLI lives beside its package

    add_sweep(subparsers)


def _add_sensitivity(subparsers: argparse._SubParsersAction) -> None:
    from model.sweep.cli import add_sensitivity

    add_sensitivity(subparsers)


# ================================================================= calibrate
def _add_calibrate(subparsers: argparse._SubParsersAction) -> None:
    from model.calibration.cli import add_calibrate  # the calibration CLI lives beside its package

    add_calibrate(subparsers)


# ================================================================= experiment
def _add_experiment(subparsers: argparse._SubParsersAction) -> None:
    from experiments.cli import add_experiment  # the claims live in the experiments package

    add_experiment(subparsers)


# ================================================================= app
def _add_app(subparsers: argparse._SubParsersAction) -> None:
    from model.app_launch import add_app  # light; the app itself loads in the server process

    add_app(subparsers)


# ================================================================================ the command
#: One entry per subcommand: ``_add_<name>`` declares its parser and sets ``handler=_cmd_<name>``.
SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_run,
    _add_params,
    _add_compare,
    _add_optimize,
    _add_sweep,
    _add_sensitivity,
    _add_calibrate,
    _add_experiment,
    _add_app,
)


def build_parser() -> argparse.ArgumentParser:
    """The full parser: one subparser per :data:`SUBCOMMANDS` entry."""
    from model import __version__

    parser = _Parser(
        prog=PROG,
        description="Retention Lab: an agent-based simulation of the economics of keeping clients.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``retention`` command; returns the exit status (2 for bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        args.argv = argv
        return args.handler(args)
    except (CliError, ScenarioError) as exc:
        print(f"{PROG}: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _one_line(message: str) -> str:
    return " ".join(message.split())


# ================================================================================= outputs
@contextmanager
def staging_folder(
    outdir: Path, outputs: tuple[str, ...] = RUN_OUTPUTS, made_by: str = "retention run"
) -> Iterator[Path]:
    """A temporary folder beside ``outdir``, renamed to ``outdir`` only if the block succeeds.

    Checks before yielding that ``outdir`` can be written: its parent is created if missing, and
    an existing ``outdir`` is replaced only if it is empty or holds a previous ``made_by``'s
    outputs — the named ``outputs`` and PNG figures — (so ``--out .`` cannot wipe a folder of
    other files). Every subcommand that writes a results folder uses it.
    """
    outdir = Path(outdir)
    if outdir.exists():
        if not outdir.is_dir():
            raise CliError(f"--out {str(outdir)!r}: exists and is not a folder")
        entries = {p.name for p in outdir.iterdir()}
        ours = entries & set(outputs) and all(_is_output(outdir / e, outputs) for e in entries)
        if entries and not ours:
            raise CliError(
                f"--out {str(outdir)!r}: folder exists and is not a previous output of "
                f"'{made_by}'; allowed: a new or empty folder, or one written by '{made_by}'"
            )
    try:
        outdir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.partial-", dir=outdir.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary files
    except (FileExistsError, NotADirectoryError):
        raise CliError(
            f"--out {str(outdir)!r}: cannot be written, part of its path is a file; "
            "allowed: a folder path you can write to"
        ) from None
    except OSError as exc:
        raise CliError(
            f"--out {str(outdir)!r}: cannot be written ({exc.strerror or exc}); "
            "allowed: a folder path you can write to"
        ) from None
    try:
        yield staging
        _swap_into_place(staging, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _is_output(path: Path, outputs: tuple[str, ...]) -> bool:
    return path.is_file() and (path.name in outputs or path.suffix == ".png")


def _swap_into_place(staging: Path, outdir: Path) -> None:
    """Rename ``staging`` to ``outdir``; a previous ``outdir`` is moved aside first, then removed."""
    old = None
    if outdir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=outdir.parent))
        os.replace(outdir, old / outdir.name)
    try:
        os.replace(staging, outdir)
    except OSError:
        if old is not None:  # put the previous results back
            os.replace(old / outdir.name, outdir)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
