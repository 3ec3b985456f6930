"""Print a Python program that imports every name of the package that README.md uses.

``scripts/wheel_smoke.sh`` runs the program with ``python -c`` in a clean environment holding only
the installed wheel, so a name the README shows but the wheel lacks fails CI. The names are read
from the README, never listed by hand: ``from model… import …`` statements (in code blocks and
inline code) and dotted references such as ``model.studies.wom_value.ad_money_saved``.

Usage: ``python scripts/readme_api.py README.md``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_FROM = re.compile(r"from\s+(model(?:\.\w+)*)\s+import\s+(\([^)]*\)|[\w ,]+)")
_DOTTED = re.compile(r"(?<![\w./])(model(?:\.\w+)+)")
#: File suffixes, not attributes (``stage_flow.png`` names a figure file).
_SUFFIXES = frozenset({"png", "csv", "json", "html", "parquet", "toml", "md", "py"})
_IMPORT_AS = re.compile(r"import\s+(model(?:\.\w+)*)\s+as\s+(\w+)")


def api_names(text: str) -> list[tuple[str, str | None]]:
    """``(module, name)`` pairs the text imports or refers to (``name`` None: the module itself)."""
    found: set[tuple[str, str | None]] = set()
    aliases: dict[str, str] = {}  # a name the README binds -> its dotted path
    for module, names in _FROM.findall(text):
        for name in names.strip("()").replace("\n", " ").split(","):
            name = name.split("#")[0].strip().split(" as ")[0].strip()
            if name:
                found.add((module, name))
                aliases[name] = f"{module}.{name}"
    for module, alias in _IMPORT_AS.findall(text):
        aliases[alias] = module
    for dotted in _DOTTED.findall(text):
        if dotted.rsplit(".", 1)[-1] not in _SUFFIXES:  # (``model.py`` is a file's name)
            found.add((dotted, None))
    for alias, dotted in aliases.items():  # e.g. sw.load(…), Scenario.preset(…)
        for attr in re.findall(rf"(?<![\w.]){re.escape(alias)}\.([A-Za-z_]\w*)", text):
            if attr not in _SUFFIXES:
                found.add((f"{dotted}.{attr}", None))
    return sorted(found, key=lambda pair: (pair[0], pair[1] or ""))


def program(pairs: list[tuple[str, str | None]]) -> str:
    """A program that imports each pair (a dotted reference may end in an attribute)."""
    lines = ["import importlib", "n = 0"]
    for module, name in pairs:
        if name is not None:
            lines.append(f"from {module} import {name}; n += 1")
        else:
            lines.append(f"_p = {module!r}.split('.')")
            lines.append(
                "for _i in range(len(_p), 0, -1):\n"
                "    try:\n"
                "        _obj = importlib.import_module('.'.join(_p[:_i])); break\n"
                "    except ModuleNotFoundError:\n"
                "        if _i == 1: raise\n"
                "for _a in _p[_i:]:\n"
                "    _obj = getattr(_obj, _a)\n"
                "n += 1"
            )
    lines.append("print(f'README API: {n} names import from the installed wheel')")
    return "\n".join(lines)


if __name__ == "__main__":
    pairs = api_names(Path(sys.argv[1]).read_text(encoding="utf-8"))
    if not pairs:
        sys.exit("readme_api: no model names found in the README")
    print(program(pairs))
