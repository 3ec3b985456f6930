"""``retention params``: every declared parameter with its default, unit, range and source."""

from __future__ import annotations

import argparse
from typing import Any

from model.interfaces.cli.errors import CliError
from model.scenario import SECTIONS, parameter_table

__all__ = ["add_params"]


def add_params(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "params",
        help="list every parameter: key, default, unit, allowed range, role, plausible range, source",
        description="List the declared parameters (the same names --set and scenario files use).",
    )
    p.add_argument("--section", metavar="S", help=f"only one section: {', '.join(SECTIONS)}")
    p.add_argument(
        "--role",
        choices=("lever", "uncertainty", "setting"),
        help="only one role: the firm's levers, the world's uncertainties, or the run's settings",
    )
    p.set_defaults(handler=_cmd_params)


def _cmd_params(args: argparse.Namespace) -> int:
    rows = parameter_table()
    if args.section is not None:
        if args.section not in SECTIONS:
            raise CliError(
                f"--section {args.section!r}: unknown section; allowed: {', '.join(SECTIONS)}"
            )
        rows = [r for r in rows if r["key"].startswith(args.section + ".")]
    if args.role is not None:
        rows = [r for r in rows if r["role"] == args.role]
    cells = [
        [r["key"], _show(r["default"]), r["unit"], r["allowed"], r["role"], r["plausible"] or "-"]
        for r in rows
    ]
    cells = [[*c, r["source"]] for c, r in zip(cells, rows, strict=True)]
    header = ["key", "default", "unit", "allowed", "role", "plausible", "source"]
    n = len(header) - 1
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(n)]
    for line in [header, *cells]:
        print("  ".join(c.ljust(w) for c, w in zip(line[:n], widths, strict=True)), line[n])
    return 0


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    return str(value)
