"""The command that writes a folder of claim reports again, for the index to print.

A report's summary records the study that wrote it (its size, the worlds wanted, the deep
replications, the seed, its pins and splits); the index repeats them and the folder, so that
running the command it prints rewrites the same reports where they are.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from experiments.reporting.outputs import is_committed, reports_folder
from experiments.reporting.report import REPORTS
from experiments.running.pins import Pins, pin_flags, pins_slug

__all__ = ["regenerate_lines", "study_flags", "summary_pins"]


def regenerate_lines(summaries: list[dict], reports: Path) -> list[str]:
    """The command that writes the reports in ``reports`` (their ``summaries``) and their index
    again.

    Reports of several studies (other flags: :func:`study_flags`) have no one command: each
    study's flags are named instead. ``--out`` is added where the folder the command's reports
    go under (above ``pinned/KEY=VALUE`` and ``split/SPLIT``, where it puts a control study's and
    a split's) is not the one it writes to when run from here; where the command would put the
    reports elsewhere than ``reports`` (written by Python into a folder of their own), that is
    said.
    """
    studies = {study_flags(s) for s in summaries}
    first = summaries[0] if summaries else {}
    pins, splits = summary_pins(first), _split_texts(first)
    # The folder above the layout the command makes: DIR[/pinned/PINS][/split/SPLITS].
    layout = Path(*(["pinned", pins_slug(pins)] if pins else []))
    layout = layout / "split" / "+".join(splits) if splits else layout
    parts = len(layout.parts)
    laid_out = parts == 0 or Path(*reports.parts[-parts:]) == layout
    base = Path(*reports.parts[:-parts]) if laid_out and parts else reports
    here = base.resolve() in (
        reports_folder(committed=_committed(first)).resolve(),
        REPORTS.resolve(),
    )
    out = "" if here else f"--out {shlex.quote(str(base))}"
    if len(studies) > 1:
        return [
            "These reports were written by studies of different sizes, seeds, pins or splits ("
            + "; ".join(f"`{f}`" if f else "the default" for f in sorted(studies))
            + f"): regenerate each with `{_joined('retention experiment NAME', out)}` and those "
            "flags.",
        ]
    command = _joined("retention experiment --all --workers 2", study_flags(first), out)
    if not laid_out:
        where = f"it writes them to `{base / layout}`, not here"
    elif pins:
        where = "it also runs, or resumes, the drawn study it is compared with"
    elif splits:
        where = "it also runs, or resumes, the study the splits are read from"
    else:
        index = _joined(
            "python -m experiments.reporting.index", "" if here else shlex.quote(str(reports))
        )
        where = f"this page alone: `{index}`"
    return ["Regenerate every report and this page with", f"`{command}` ({where})."]


def _committed(summary: dict) -> bool:
    """Whether a report's study is the committed one (:func:`is_committed`), by its summary."""
    from experiments.running.sizes import SIZES, study_size

    name, seed = summary.get("size", "default"), summary.get("seed", 1)
    if name not in SIZES:
        return False
    own = SIZES[name]
    wanted = summary.get("wanted", own.target)  # (a summary says the size's own target too)
    worlds = None if wanted == own.target else wanted
    return is_committed(name, seed, study_size(name, (), worlds, summary.get("deep_reps")))


def study_flags(summary: dict) -> str:
    """``--size S --worlds N --deep-reps N --seed S --pin K=V --split S``: the flags of the study
    that wrote a report, each only where it differs from the default (older summaries lack some;
    a size the command line lacks: none of the size's own)."""
    from experiments.running.sizes import SIZES

    name = summary.get("size", "default")
    flags = []
    if name in SIZES:  # (a size made in Python: no command repeats it)
        size = SIZES[name]
        flags += [] if name == "default" else [f"--size {name}"]
        if summary.get("wanted", size.target) != size.target:
            flags.append(f"--worlds {summary['wanted']}")
        if summary.get("deep_reps", size.deep_reps) != size.deep_reps:
            flags.append(f"--deep-reps {summary['deep_reps']}")
    if summary.get("seed", 1) != 1:
        flags.append(f"--seed {summary['seed']}")
    flags.append(pin_flags(summary_pins(summary)))
    flags += [f"--split {shlex.quote(text)}" for text in _split_texts(summary)]
    return _joined(*flags)


def summary_pins(summary: dict) -> Pins:
    """A report's pins (``summary["pin"]["pins"]``) as :data:`experiments.running.pins.Pins`; none for
    a drawn study's."""
    pin = summary.get("pin") or {}
    return tuple((k, v) for k, v in pin.get("pins", []))


def _split_texts(summary: dict) -> list[str]:
    """The ``--split`` arguments of a report's study, in their order (none: not split)."""
    return list(dict.fromkeys(str(s["split"]) for s in summary.get("split", [])))


def _joined(*parts: str) -> str:
    """The non-empty ``parts`` with a space between each."""
    return " ".join(part for part in parts if part)
