"""``retention experiment``: run a claim's experiment and write its report."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable

from experiments import EXPERIMENTS, load
from experiments.outputs import reports_folder
from model.interfaces.cli.inputs import check_out, output_path, seed

__all__ = ["add_experiment"]


def add_experiment(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention experiment NAME [--replications R] [--size N] [--seed S] [--out DIR]``."""
    p = subparsers.add_parser(
        "experiment",
        help="test one claim of the practitioner articles (docs/ODD.md §1.2) and write its report",
        description="Run a claim's experiment (paired runs across its assumptions) and write "
        "DIR/NAME.md with its figures and computed verdict. --list shows the claims.",
    )
    p.add_argument("name", nargs="?", help="the experiment (see --list)")
    p.add_argument("--list", action="store_true", help="list the experiments and exit")
    p.add_argument(
        "--all",
        action="store_true",
        help="run every experiment at its defaults, then rebuild the index (README.md)",
    )
    p.add_argument(
        "--replications", type=_replications, metavar="R", help="paired replications per point"
    )
    p.add_argument("--size", type=_positive, metavar="N", help="clients in each simulated market")
    p.add_argument("--seed", type=_seed, default=1, metavar="S", help="first seed (default 1)")
    p.add_argument(
        "--out",
        type=output_path(),
        metavar="DIR",
        help="report folder (default ./experiments-reports; inside the repository checkout, "
        "its experiments/reports)",
    )
    p.set_defaults(handler=_cmd_experiment)


def _at_least(minimum: int, why: str = "") -> Callable[[str], int]:
    """An argparse type: an integer ≥ ``minimum``; the error names the value and the range."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(
                f"value {text!r} is not allowed; allowed: an integer, {minimum} ≤ x{why}"
            )
        return value

    return parse


_seed = seed("--seed")
_positive = _at_least(1)
_replications = _at_least(2, " (an interval needs two replications)")


def _cmd_experiment(args: argparse.Namespace) -> int:
    from model.interfaces.cli.errors import CliError

    if args.out is not None:
        check_out(args.out)  # before any experiment runs

    if args.all:
        return _run_all(args)
    if args.list or not args.name:
        for name in EXPERIMENTS:
            module = load(name)
            print(f"{name:20s} {module.CLAIM.title}")
        return 0
    try:
        load(args.name)
    except ValueError as exc:
        raise CliError(f"experiment: {exc}") from None
    command = "retention " + shlex.join(getattr(args, "argv", ["experiment", args.name]))
    _run_one(args.name, args, command)
    return 0


def _run_one(name: str, args: argparse.Namespace, command: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from experiments.report import write_report

    module = load(name)
    size = args.size or module.DEFAULT_SIZE
    replications = args.replications or module.DEFAULT_REPLICATIONS
    print(f"{name}: {module.CLAIM.title}\nsize {size:,} clients, {replications} replications")
    result = module.run(size=size, replications=replications, seed=args.seed)
    path = write_report(result, reports_folder(args.out), command=command)
    print(f"verdict: {result.verdict.label}. {result.verdict.text}\nreport: {path}")


def _run_all(args: argparse.Namespace) -> int:
    from experiments.index import write_index

    for name in EXPERIMENTS:
        _run_one(name, args, f"retention experiment {name}")
    print(f"index: {write_index(reports_folder(args.out))}")
    return 0
