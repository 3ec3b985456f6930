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
