"""The command that writes a folder of claim reports again, for the index to print.

A report's summary records the study that wrote it (its size, the worlds wanted, the deep
replications, the seed); the index repeats them, the pins of a control study and the folder, so
that running the command it prints rewrites the same reports.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from experiments.outputs import reports_folder
from experiments.pins import pin_flags

__all__ = ["regenerate_lines", "size_flags"]


def regenerate_lines(pins: list[dict], studies: set[str], reports: Path) -> list[str]:
    """The command that writes these reports and this page again.

    ``pins``: each control study's report's ``pin`` (none for a drawn study); ``studies``: each
    report's study flags (:func:`size_flags`): reports of several studies have no one command.
    ``--out`` is added where the reports' folder (a control study's: the one above its
    ``pinned/KEY=VALUE``, where the command puts it) is not the folder the command writes to
    when run from here.
    """
    base = reports.parent.parent if pins and reports.parent.name == "pinned" else reports
    here = base.resolve() == reports_folder().resolve()
    out = "" if here else f"--out {shlex.quote(str(base))}"
    if len(studies) > 1:
        return [
            "These reports were written by studies of different sizes or seeds ("
            + "; ".join(f"`{f}`" if f else "the default" for f in sorted(studies))
            + f"): regenerate each with `{_joined('retention experiment NAME', out)}` and those "
            "flags.",
        ]
    pinned = pin_flags(tuple((k, v) for k, v in pins[0]["pins"])) if pins else ""
    command = _joined(
        "retention experiment --all --workers 2", next(iter(studies), ""), pinned, out
    )
    index = _joined("python -m experiments.index", "" if here else shlex.quote(str(reports)))
    then = "it also runs, or resumes, the drawn study it is compared with"
    then = then if pins else f"this page alone: `{index}`"
    return ["Regenerate every report and this page with", f"`{command}` ({then})."]


def _joined(*parts: str) -> str:
    """The non-empty ``parts`` with a space between each."""
    return " ".join(part for part in parts if part)


def size_flags(summary: dict) -> str:
    """``--size S --worlds N --deep-reps N --seed S``, each only where a report's study differs
    from the default (older summaries lack them; a size the command line lacks: none)."""
    from experiments.sizes import SIZES

    name = summary.get("size", "default")
    if name not in SIZES:  # (a size made in Python: no command repeats it)
        return ""
    size = SIZES[name]
    flags = [] if name == "default" else [f"--size {name}"]
    if summary.get("wanted", size.target) != size.target:
        flags.append(f"--worlds {summary['wanted']}")
    if summary.get("deep_reps", size.deep_reps) != size.deep_reps:
        flags.append(f"--deep-reps {summary['deep_reps']}")
    if summary.get("seed", 1) != 1:
        flags.append(f"--seed {summary['seed']}")
    return " ".join(flags)
