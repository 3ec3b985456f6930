"""``retention params``: every declared parameter with its default, unit, range and source."""

from __future__ import annotations

import argparse
import shutil
import textwrap
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
    # One block per parameter, wrapped to the terminal (COLUMNS, else 100 in a pipe).
    width = max(40, shutil.get_terminal_size((100, 24)).columns)
    print("key = default unit | allowed | role | plausible | source (indented below)")
    for r in rows:
        unit = "" if r["unit"] in ("", "-") else f" {r['unit']}"
        parts = [f"allowed: {r['allowed']};", f"role: {r['role']};",
                 f"plausible: {r['plausible'] or '-'})"]  # fmt: skip
        head = f"{r['key']} = {_show(r['default'])}{unit}  (" + " ".join(
            p.replace(" ", "\u00a0") for p in parts)  # fmt: skip
        # Wrapped between "name: value" parts, never inside one (no-break spaces while wrapping).
        print(textwrap.fill(head, width, subsequent_indent="    ").replace("\u00a0", " "))
        print(textwrap.fill(f"source: {r['source']}", width, initial_indent="    ",
                            subsequent_indent="      "))  # fmt: skip
    return 0


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    return str(value)
