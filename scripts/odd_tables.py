"""Write docs/ODD.md's parameter tables from the declarations, or check that they match them.

The ODD's tables are copies of what ``model/scenario/sections`` declares: each submodel's table
of its parameters (default, unit, allowed range, source), §6.1's table of the uncertainties
(default, plausible range, scale, the range's source), §6.1's lists of the levers and the
settings, and §7.12's table of the metrics (``model.engine.metric_names.METRICS``: unit, meaning). Which parameters a submodel's table shows, and in what order, is the document's
choice (a lever sits beside the rules it drives); every cell after the key is the declaration's,
and every declared parameter must appear in one of those tables. The uncertainties' table and the
two lists hold every parameter of their role, and the metrics' table every metric, in
declaration order.

Usage::

    python scripts/odd_tables.py            # rewrite docs/ODD.md's rows in place
    python scripts/odd_tables.py --check    # exit 1, naming each row that differs

``tests/test_odd_tables.py`` runs the check.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path
from typing import Any

from model.engine.metric_names import METRICS
from model.scenario import PARAMS
from model.scenario.catalogue import ParamInfo

__all__ = ["ODD", "metric_row", "parameter_row", "problems", "refresh", "uncertainty_row"]

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"

#: The header lines that open the two kinds of table.
PARAMETER_HEADER = "| parameter | default | unit | range | source |"
UNCERTAINTY_HEADER = "| uncertainty | default | plausible | scale | source of the range |"
METRIC_HEADER = "| metric | unit | meaning |"
#: §6.1's lists: the line's opening word and the role it lists.
ROLE_LINES = {"Levers: ": "lever", "Settings: ": "setting"}

_KEY_ROW = re.compile(r"^\| `([a-z_]+\.[a-z_0-9]+)` \|")


def _value(v: Any) -> str:
    """A default as the tables show it: words quoted, flags in lower case, big counts grouped."""
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int) and abs(v) >= 10_000:
        return f"{v:,}"
    return f"{v:g}"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (a bare ``|`` would end the cell)."""
    return text.replace("|", "\\|")


def parameter_row(p: ParamInfo) -> str:
    """A submodel table's row: key, default, unit, allowed range, source."""
    cells = [f"`{p.key}`", _value(p.default), p.unit, p.allowed(), p.source]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def uncertainty_row(p: ParamInfo) -> str:
    """The uncertainties' table's row: key, default, plausible range, scale, the range's source."""
    if p.plausible is not None and any(isinstance(v, str | bool) for v in p.plausible):
        plausible = " / ".join(str(v).lower() if isinstance(v, bool) else v for v in p.plausible)
    else:
        plausible = p.plausible_text()
    cells = [f"`{p.key}`", _value(p.default), plausible, p.scale, p.plausible_source]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def metric_row(name: str) -> str:
    """The metrics' table's row: name, unit, meaning."""
    unit, meaning = METRICS[name]
    return "| " + " | ".join(_cell(c) for c in (f"`{name}`", unit, meaning)) + " |"


def _role_line(opening: str, role: str) -> str:
    keys = [f"`{key}`" for key, p in PARAMS.items() if p.role == role]
    return opening + ", ".join(keys) + "."


def refresh(text: str) -> str:
    """``text`` (the ODD) with every generated row and list written from the declarations.

    A submodel table's rows keep their keys and order; a row whose key is not declared is kept as
    it is (:func:`problems` names it). The uncertainties' and the metrics' tables are written
    whole.
    """
    lines = text.split("\n")
    out: list[str] = []
    table = None  # "parameter", "whole" (written whole, at its header) or None
    for line in lines:
        if line == PARAMETER_HEADER:
            table = "parameter"
        elif line in (UNCERTAINTY_HEADER, METRIC_HEADER):
            table = "whole"
            out.append(line)
            if line == UNCERTAINTY_HEADER:
                out.append("|---|---|---|---|---|")
                out.extend(uncertainty_row(p) for p in PARAMS.values() if p.role == "uncertainty")
            else:
                out.append("|---|---|---|")
                out.extend(metric_row(name) for name in METRICS)
            continue
        elif not line.startswith("|"):
            table = None
        if table == "whole":
            continue  # (written above)
        key = _KEY_ROW.match(line)
        if table == "parameter" and key and key.group(1) in PARAMS:
            line = parameter_row(PARAMS[key.group(1)])
        for opening, role in ROLE_LINES.items():
            if line.startswith(opening):
                line = _role_line(opening, role)
        out.append(line)
    return "\n".join(out)


def problems(text: str) -> list[str]:
    """What the tables cannot be written to fix: declared parameters no submodel table shows,
    keys shown twice or not declared, an uncertainty without a plausible range, a missing
    uncertainties' table or role list."""
    shown: list[str] = []
    table = False
    for line in text.split("\n"):
        if line == PARAMETER_HEADER:
            table = True
        elif not line.startswith("|"):
            table = False
        key = _KEY_ROW.match(line)
        if table and key:
            shown.append(key.group(1))
    found = []
    found += [  # (a key-only row is enough: the script writes the rest)
        f"{k}: declared, in no parameter table; add a row | `{k}` | to its submodel's table "
        "(ODD §7 or §5), then run scripts/odd_tables.py"
        for k in PARAMS
        if k not in shown
    ]
    found += [f"{k}: in a parameter table, not declared" for k in shown if k not in PARAMS]
    found += [f"{k}: in {shown.count(k)} parameter tables" for k in dict.fromkeys(shown)
              if shown.count(k) > 1]  # fmt: skip
    found += [  # (its §6.1 row would be written with empty cells)
        f"{k}: an uncertainty without a plausible range; declare plausible= and "
        "plausible_source=, or role='setting' (CONTRIBUTING, 'Adding a parameter')"
        for k, p in PARAMS.items()
        if p.role == "uncertainty" and p.plausible is None
    ]
    for header, what in ((UNCERTAINTY_HEADER, "uncertainties'"), (METRIC_HEADER, "metrics'")):
        if header not in text.split("\n"):
            found.append(f"no {what} table (a line {header!r})")
    for opening in ROLE_LINES:
        if not any(line.startswith(opening) for line in text.split("\n")):
            found.append(f"no line starting {opening!r} (§6.1's list)")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=ODD, help="the ODD (docs/ODD.md)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if it differs")
    args = ap.parse_args(argv)
    text = args.path.read_text(encoding="utf-8")
    new = refresh(text)
    issues = problems(new)
    for issue in issues:
        print(f"{args.path}: {issue}", file=sys.stderr)
    if args.check:
        diff = list(difflib.unified_diff(text.split("\n"), new.split("\n"), lineterm="", n=0))
        print("\n".join(diff), file=sys.stderr)
        return 1 if diff or issues else 0
    if new != text:
        args.path.write_text(new, encoding="utf-8")
        print(f"{args.path}: rows written from the declarations")
    return 1 if issues else 0


if __name__ == "__main__":
    raise SystemExit(main())
