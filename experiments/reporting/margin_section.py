"""How much a claim's verdict owes to its bands' assumed margins: a report section and its JSON.

Where a source gives a figure and the band's reach either side of it is an assumption
(:attr:`~experiments.verdicts.claim.Reading.assumed_margin`), the reading is judged again with
that margin halved and doubled (:mod:`experiments.verdicts.margins`), over the same worlds and
their same replications.
"""

from __future__ import annotations

import pandas as pd

from experiments.analysis.evidence import ClaimEvidence, ReadingEvidence
from experiments.reporting.cells import markdown_table, not_judged_numbers, not_judged_row
from experiments.reporting.fact_section import verdict_cell
from experiments.verdicts.claim import band_words
from experiments.verdicts.framework import ReadingVerdict
from experiments.verdicts.verdict_words import interval_text, without_side

__all__ = [
    "margin_changes",
    "margin_index_lines",
    "margin_intro",
    "margin_lines",
    "margin_numbers",
    "margin_rows",
]

_KIND = {"difference": "in the effect's unit", "ratio": "a factor either way"}


def margin_intro() -> str:
    """The section's opening paragraph: what the table shows and what it cannot."""
    return (
        "Where a source gives a figure and the band's reach either side of it is ours (five "
        "± 20%, a threshold of −10%: the reading's source calls it an "
        "assumption), the reading is judged again with that margin halved and doubled: a "
        "two-sided band's half-width about "
        "its middle (or, for a margin that is a factor, the factor's logarithm about the "
        "geometric middle), a one-sided threshold's distance from zero — so a halved two-sided "
        "margin is the harder band to meet and a halved threshold the easier. The worlds and "
        "their replications are the study's: those near the stated band's edges ran more "
        "replications than those near the others' edges, so each other band's P(holds) is found "
        "as the verdict's is (each world's noise taken out), and a world near its edge too "
        "noisy to place beside the stated band's worlds near an edge is counted out, then in, "
        "as above. A verdict that reads the "
        "same in all three columns is the model's, whatever margin a reader allows; one whose "
        "words change hangs on the margin too (the index marks those that change other than by "
        "the side they name). Readings whose band is the "
        "source's own range, or a sign, are not listed."
    )


def _judged(r: ReadingEvidence) -> list[tuple[str, ReadingVerdict]]:
    """The reading's verdict under its stated band, its margin halved and doubled (none where
    the band is the source's own)."""
    if r.margins is None:
        return []
    return [
        ("as stated", r.verdict),
        ("margin halved", r.margins[0]),
        ("margin doubled", r.margins[1]),
    ]


def margin_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """The section's table: per reading with an assumed margin, its verdict under the band as
    stated, with the margin halved and with it doubled (each: the band, P(holds) [95%], words,
    worlds)."""
    rows = []
    for r in ev.readings:
        if r.margins is None:
            continue
        kind = _KIND[r.verdict.reading.assumed_margin]
        row: dict[str, object] = {"reading": r.verdict.reading.name, "margin": kind}
        for label, v in _judged(r):
            row[label] = f"{v.reading.band_text()}: {verdict_cell(v)}"
        rows.append(not_judged_row(row, r.not_judged, keep=2))
    return rows


def margin_lines(ev: ClaimEvidence) -> list[str]:
    """The report's section (none where no reading's margin is assumed: [])."""
    rows = margin_rows(ev)
    if not rows:
        return []
    return [
        "## How much the verdict owes to the bands' assumed margins",
        "",
        margin_intro(),
        "",
        markdown_table(pd.DataFrame(rows)),
        "",
    ]


def margin_changes(r: ReadingEvidence) -> bool:
    """Whether what the reading's verdict says of P(holds) differs with its margin halved or
    doubled (:func:`~experiments.verdicts.verdict_words.without_side`: a side named or dropped
    alone is no change, since a two-sided band halved leaves more worlds on both sides); False
    where the band is the source's own or the study does not judge it."""
    if r.margins is None or r.not_judged:
        return False
    said = without_side(r.verdict.words)
    return any(without_side(v.words) != said for v in r.margins)


def margin_numbers(ev: ClaimEvidence) -> list[dict[str, object]]:
    """:func:`margin_rows` as numbers (the report's JSON): per reading with an assumed margin,
    its kind and, per band (``as stated``, ``margin halved``, ``margin doubled``), the band's
    ``low`` and ``high`` (None for an open end), how many worlds, P(holds) with its interval,
    the share undefined and the words; ``changes`` whether what the words say of P(holds)
    differs (:func:`margin_changes`)."""

    def edge(x: float) -> float | None:
        return None if abs(x) == float("inf") else x

    def _number(x: float) -> float | None:  # (JSON has no NaN: nothing measured is None)
        return None if x != x else x

    return [
        not_judged_numbers(
            {
                "reading": r.verdict.reading.name,
                "margin": r.verdict.reading.assumed_margin,
                "changes": margin_changes(r),
                "bands": [
                    {
                        "label": label,
                        "low": edge(v.reading.band[0]),
                        "high": edge(v.reading.band[1]),
                        "worlds": v.worlds,
                        "p": _number(v.p),
                        "p_low": _number(v.low),
                        "p_high": _number(v.high),
                        "undefined": _number(v.shares["undefined"]),
                        "words": v.words,
                    }
                    for label, v in _judged(r)
                ],
            },
            r.not_judged,
        )
        for r in ev.readings
        if r.margins is not None
    ]


def margin_index_lines(entries: list[tuple[str, str, dict]]) -> list[str]:
    """The index's section on assumed margins (none where no report has one: []): each
    reading's verdict as stated, with its margin halved and doubled, those whose words change
    first; ``entries``: (claim, the report's link, one of its :func:`margin_numbers`, with
    ``diagnostic`` true where the claim declares the reading one)."""
    judged = [(n, rel, e) for n, rel, e in entries if "not_judged" not in e]
    if not judged:
        return []

    def cell(b: dict) -> str:
        inf = float("inf")
        band = band_words(
            (-inf if b["low"] is None else b["low"], inf if b["high"] is None else b["high"])
        )
        if b["p"] is None or b["p"] != b["p"]:  # (no world where it is defined)
            return f"{band}: {b['words']}"
        return f"{band}: {interval_text(b['p'], b['p_low'], b['p_high'])} {b['words']}"

    changing = sum(e["changes"] for _, _, e in judged)
    rows = [
        f"| [{n}]({rel}) | {e['reading']}{'; a diagnostic' * e.get('diagnostic', False)}"
        f"{' (changes)' * e['changes']} | " + " | ".join(cell(b) for b in e["bands"]) + " |"
        for n, rel, e in sorted(judged, key=lambda t: not t[2]["changes"])
    ]
    return [
        "## How much the verdicts owe to the bands' assumed margins",
        "",
        f"{len(judged)} readings' bands reach a margin of ours about the source's figure, or "
        "stand at a threshold of ours (the source gives neither); each report judges them again "
        "with that margin halved and doubled (docs/ODD.md §1.2: a two-sided band's half-width "
        "or factor, a one-sided threshold's distance from zero, so halved is the harder band "
        "for a two-sided reading and the easier for a one-sided one). "
        + (
            f"What the verdict says of P(holds) changes with the margin in {changing} of them "
            "(*changes*, listed first; a side named or dropped alone is no change): there the "
            "verdict hangs on the margin a reader allows as well as on the model; the others say "
            "the same of P(holds) whatever margin from half to twice ours a reader allows."
            if changing
            else "No verdict says otherwise of P(holds) with the margin halved or doubled: each "
            "says the same whatever margin from half to twice ours a reader allows."
        ),
        "",
        "| claim | reading | as stated | margin halved | margin doubled |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
