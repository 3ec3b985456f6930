"""Which verdicts' side words rest on a share within the worlds' sampling of its cut-off.

A two-sided reading that is not supported says on which side its worlds miss the band
(:func:`experiments.verdicts.verdict_words.side_words`: a quarter above and a quarter below,
*dispersed*; else half on one side). Those shares are counts of worlds, with the sampling of
any count: where another side lies within their exact 95% intervals
(:func:`~experiments.verdicts.verdict_words.near_sides`), a report says so under its verdict
table, so that a side read at 25.1% below is not taken for one read at 40%.
"""

from __future__ import annotations

from experiments.analysis.evidence import ClaimEvidence, ReadingEvidence
from experiments.reporting.cells import share_text
from experiments.verdicts.verdict_words import near_sides, side_words

__all__ = ["side_lines", "side_numbers"]


def _counts(r: ReadingEvidence) -> tuple[int, int, int]:
    """Worlds above, below and where the reading is defined (its measured effects)."""
    status = r.per_world["status"]
    above, below = int((status == "above").sum()), int((status == "below").sum())
    return above, below, int(status.isin(("in band", "above", "below")).sum())


def _checked(ev: ClaimEvidence) -> list[tuple[ReadingEvidence, tuple[int, int, int], list[str]]]:
    """The readings whose verdict carries a side (or none) that their worlds' sampling could
    change: two-sided, judged, neither supported nor undefined in most worlds."""
    found = []
    for r in ev.readings:
        v = r.verdict
        if r.not_judged or not v.reading.two_sided or v.defined < v.worlds / 2 or not v.defined:
            continue
        if v.words == "supported":  # (a supported verdict names no side)
            continue
        above, below, n = _counts(r)
        near = near_sides(above, below, n)
        if near:
            found.append((r, (above, below, n), near))
    return found


def _side(words: str) -> str:
    return f"*{words}*" if words else "no side"


def side_lines(ev: ClaimEvidence) -> list[str]:
    """The note under a report's verdict table (none where no side is near its cut-off: [])."""
    found = _checked(ev)
    if not found:
        return []
    parts = [
        f"{r.verdict.reading.name} ({share_text(a / n)} above, {share_text(b / n)} below of "
        f"the {n:,} worlds where it is defined: {_side(side_words(a / n, b / n))}; within their "
        f"sampling, {' or '.join(_side(s) for s in near)})"
        for r, (a, b, n), near in found
    ]
    return [
        "*Sides near their cut-offs.* A side in a verdict rests on the shares of worlds above "
        "and below the band, counts with a sampling error of their own; where a share's exact "
        "95% interval reaches across its cut-off (a quarter for *dispersed*, a half for "
        "*stronger* or *weaker*), a few worlds more or fewer would name another side: "
        + "; ".join(parts)
        + ". The verdict's P(holds) does not hang on it.",
        "",
    ]


def side_numbers(ev: ClaimEvidence) -> list[dict[str, object]]:
    """:func:`side_lines` as numbers (the report's JSON): per reading whose side is near its
    cut-off, the worlds above, below and defined, its side and the others within sampling."""
    return [
        {
            "reading": r.verdict.reading.name,
            "above": a,
            "below": b,
            "defined": n,
            "side": side_words(a / n, b / n),
            "near": near,
        }
        for r, (a, b, n), near in _checked(ev)
    ]
