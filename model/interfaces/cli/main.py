"""The ``retention`` command (also ``python -m model``): one parser, one module per subcommand.

Each subcommand module has ``add_<name>(subparsers)``, which declares its arguments and sets
``handler``; the command's own entries are :data:`SUBCOMMANDS`. Packages installed beside the
model add subcommands through the ``retention.subcommands`` entry-point group — this is how
``retention experiment`` (the ``experiments`` package, which sits above the model) is added
without the model importing it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

from model.interfaces.cli.app import add_app
from model.interfaces.cli.calibrate import add_calibrate
from model.interfaces.cli.compare import add_compare
from model.interfaces.cli.errors import PROG, CliError, Parser, one_line
from model.interfaces.cli.optimize import add_optimize
from model.interfaces.cli.params import add_params
from model.interfaces.cli.run import add_run
from model.interfaces.cli.sensitivity import add_sensitivity
from model.interfaces.cli.sweep import add_sweep
from model.scenario import ScenarioError

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

AddSubcommand = Callable[[argparse._SubParsersAction], None]

#: The model's own subcommands, in the order ``retention --help`` lists them.
SUBCOMMANDS: tuple[AddSubcommand, ...] = (
    add_run,
    add_params,
    add_compare,
    add_optimize,
    add_sweep,
    add_sensitivity,
    add_calibrate,
    add_app,
)
#: Entry-point group through which installed packages add subcommands (``name = "pkg.mod:add"``).
PLUGIN_GROUP = "retention.subcommands"


def _plugins() -> list[AddSubcommand]:
    """``add_*`` functions registered by installed packages, in name order."""
    return [ep.load() for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name)]


def build_parser() -> argparse.ArgumentParser:
    """The full parser: one subparser per subcommand, the model's own first."""
    from model.version import __version__

    parser = Parser(
        prog=PROG,
        description="Retention Lab: an agent-based simulation of the economics of keeping clients.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )
    for add in (*SUBCOMMANDS, *_plugins()):
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
        print(f"{PROG}: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
