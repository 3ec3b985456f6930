"""The report's section for the splits the reader chose (``--split``): its text, table, figure
and JSON (:mod:`experiments.analysis.split` computes them)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.analysis.conditional import RESAMPLES
from experiments.analysis.evidence import ClaimEvidence
from experiments.analysis.split import SplitReading, split_level, together
from experiments.reporting.cells import markdown_table
from experiments.reporting.conditional_section import along_figure, profile_record, profile_rows
from experiments.verdicts.framework import CUTOFFS
from experiments.verdicts.verdict_words import how_many

__all__ = [
    "split_figure",
    "split_intro",
    "split_lines",
    "split_numbers",
    "split_rows",
    "together_rows",
]


def _level(found: list[SplitReading]) -> float:
    return split_level(len({id(f.reading) for f in found}), len({f.split for f in found}))


def split_intro(found: list[SplitReading]) -> str:
    """The section's opening paragraph: what the groups are, what they are not, and the level."""
    readings = len({id(f.reading) for f in found})
    splits = list(dict.fromkeys(f.split.text for f in found))  # (in the order given)
    return (
        "The verdict over the kept worlds where each reading is defined, in groups of the "
        f"uncertainties chosen on the command line ({', '.join(f'`{s}`' for s in splits)}): "
        "fifths of a numeric one's values or one group per alternative (`KEY`), the reader's "
        "range and the worlds below and above it (`KEY=LOW..HIGH`), or the reader's alternatives "
        "and the others (`KEY=A,B`), each judged by the study's rule (P(holds) and its 95% interval "
        f"against {CUTOFFS[0]} and {CUTOFFS[1]}). Read it as: *if your world's value lies here, "
        "this is the verdict over the plausible worlds that share it.* It is a conditional, not "
        "a control: within a group every other uncertainty is as drawn, and the facts kept "
        "worlds by all of them together (`retention experiment --pin` holds one uncertainty and "
        "changes nothing else). The last column tests whether holding differs between the "
        "groups: for fifths, Mann–Whitney's U between the values of the worlds that hold and "
        "those that fail; for alternatives, or a range with the worlds below and above it (all "
        "three groups at once, so a verdict that differs only between the two outer groups "
        "counts too), χ² where every expected count is at least 5, else Fisher–Freeman–Halton's "
        f"exact test by Monte Carlo ({RESAMPLES:,} tables, printed ≤ at its floor). Splits "
        "chosen before the report is read are one question per reading each, so a p is read "
        f"against 0.05 ÷ ({how_many(readings, 'reading')} × "
        f"{how_many(len(splits), 'split')}) = {_level(found):.2g} (marked *below the level*). "
        "That level counts only the splits of this command: a split chosen after reading a "
        "report (an uncertainty its own profiles already show, whose level covers every one "
        "PAWN could have picked), tried again with other ranges, or asked of every claim at once "
        "(`--all`: this level is per claim) needs a stricter one."
    )


def split_rows(found: list[SplitReading]) -> list[dict[str, object]]:
    """One row per group, grouped by reading and split (a row saying why where there are no
    groups)."""
    level = _level(found)
    rows: list[dict[str, object]] = []
    for f in found:
        if f.profile is None:
            rows.append(
                {
                    "reading": f.reading.verdict.reading.name,
                    "uncertainty": f.split.key,
                    "its values": f"(no groups: {f.why})",
                    "worlds": "",
                    "P(holds) [95%]": "",
                    "verdict": "",
                    "does holding shift with it? p": "",
                }
            )
            continue
        rows += profile_rows(f.reading, f.profile, level)
    return rows


def split_numbers(found: list[SplitReading]) -> list[dict[str, object]]:
    """The JSON's ``split``: each reading under each split, its groups as the report prints them
    (``profile`` null, and ``why``, where there are none) and the level."""
    level = _level(found)
    return [
        {
            "reading": f.reading.verdict.reading.name,
            "split": f.split.text,
            "key": f.split.key,
            "low": f.split.low,
            "high": f.split.high,
            "values": list(f.split.values),
            "level": level,
            "why": f.why,
            "profile": None if f.profile is None else profile_record(f.reading, f.profile),
        }
        for f in found
    ]


def split_figure(ev: ClaimEvidence, found: list[SplitReading], path: Path) -> bool:
    """P(holds) with its interval, group by group, one panel per reading and split (PNG at
    ``path``); False, and no figure, where no split has groups."""
    panels = [(f.reading, f.profile) for f in found if f.profile is not None]
    return along_figure(ev, path, panels)


def together_rows(ev: ClaimEvidence, found: list[SplitReading]) -> list[dict[str, object]]:
    """One row per reading over the worlds inside all of the reader's ranges and alternatives at
    once (:func:`experiments.analysis.split.together`); none with fewer than two of them."""
    splits = list(dict.fromkeys(f.split for f in found))
    return [
        {
            "reading": r.verdict.reading.name,
            "worlds": b.worlds if b is not None else 0,
            "P(holds) [95%]": b.p_text() if b is not None else "",
            "verdict": r.not_judged
            or (b.words if b is not None else "(the reading is defined in none of them)"),
        }
        for r, b in together(ev, splits)
    ]


def split_lines(ev: ClaimEvidence, splits: list[SplitReading], out: Path) -> list[str]:
    """The report's section for the reader's splits, its figure written to ``out`` (no lines
    without splits, and an old figure removed)."""
    figure = f"{ev.claim.name}_split.png"
    drawn = split_figure(ev, splits, out / figure)
    if not splits:
        return []
    both = together_rows(ev, splits)
    return [
        "## Split by the uncertainties you chose",
        "",
        split_intro(splits),
        "",
        markdown_table(pd.DataFrame(split_rows(splits))),
        "",
        *([f"![P(holds) group by group]({figure})", ""] if drawn else []),
        *(
            [
                "All your ranges and alternatives at once: each reading over the kept worlds "
                "inside every one of them where it is defined (the worlds most like yours; a "
                "smaller group, so a wider interval):",
                "",
                markdown_table(pd.DataFrame(both)),
                "",
            ]
            if both
            else []
        ),
    ]
