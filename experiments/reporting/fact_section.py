"""How much a claim's verdict owes to the stylised facts: a report section, its table and JSON.

Each reading is judged again over the kept worlds within narrower ranges of two facts, the
operating margin and the referral share (:data:`experiments.analysis.fact_ranges.TIGHTER_BOUNDS`), and the
fact its effects rank with most closely is named (:func:`experiments.analysis.fact_ranges.closest_fact`);
docs/ODD.md §1.2 gives the rule.
"""

from __future__ import annotations

from experiments.analysis.evidence import ClaimEvidence, ReadingEvidence
from experiments.analysis.fact_ranges import CLOSE_TO_FACT, TIGHTER_BOUNDS, TighterBound
from experiments.reporting.cells import not_judged_numbers, not_judged_row, p_cell
from experiments.verdicts.framework import ReadingVerdict
from experiments.verdicts.verdict_words import how_many

__all__ = ["fact_numbers", "fact_rows", "facts_intro", "verdict_cell"]


def facts_intro() -> str:
    """The section's opening paragraph: what the table shows and what it cannot."""
    tested = sorted({b.fact.name for b in TIGHTER_BOUNDS})
    return (
        "A fact keeps worlds; where a reading's effect moves with a fact's value, the fact's "
        "range shapes the verdict. Below: the verdict over the kept worlds, and again over those "
        "of them within narrower ranges of "
        + " and ".join(tested)
        + " ("
        + "; ".join(f"{b.text}: {b.why}" for b in TIGHTER_BOUNDS)
        + ") — only narrower, since the worlds a wider range would add were never run. The last "
        "column names the fact whose values the reading's effects rank with most closely over "
        f"the kept worlds (|ρ| ≥ {CLOSE_TO_FACT:g}: close — the effect moves with that fact, so "
        "where its range ends can move the verdict; only "
        + " and ".join(tested)
        + " are narrowed here, so for another fact that is a warning, not a measurement)."
    )


def verdict_cell(v: ReadingVerdict) -> str:
    """P(holds) [interval] and its words over a set of worlds, and how many there are."""
    if not v.worlds:
        return "no plausible worlds"
    return f"{p_cell(v)}: {v.words} ({how_many(v.worlds, 'world')})"


def _judged_sets(r: ReadingEvidence) -> list[tuple[TighterBound | None, ReadingVerdict]]:
    """The reading's verdict per set of worlds: the kept ones (None), then those within each of
    :data:`~experiments.analysis.fact_ranges.TIGHTER_BOUNDS` that the worlds carry."""
    return [
        (None, r.verdict),
        *((b, r.bounded[b.key]) for b in TIGHTER_BOUNDS if b.key in r.bounded),
    ]


def fact_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """The report's table of how much each reading's verdict owes to the facts.

    Parameters
    ----------
    ev : ClaimEvidence
        The claim's evidence.

    Returns
    -------
    list of dict
        Per reading: its verdict over the kept worlds and over those within each of
        :data:`~experiments.analysis.fact_ranges.TIGHTER_BOUNDS` (P(holds) [95%], words, worlds), and the
        fact its effects rank with most closely, with Spearman's ρ.
    """
    rows = []
    for r in ev.readings:
        row: dict[str, object] = {"reading": r.verdict.reading.name}
        for b, v in _judged_sets(r):
            row["as kept" if b is None else b.text] = verdict_cell(v)
        if r.nearest_fact is None:
            row["nearest fact (Spearman ρ)"] = "—"
        else:
            name, rho = r.nearest_fact
            row["nearest fact (Spearman ρ)"] = f"{name} ({rho:+.2f})" + (
                ": close — the effect moves with this fact" if abs(rho) >= CLOSE_TO_FACT else ""
            )
        rows.append(not_judged_row(row, r.not_judged))
    return rows


def fact_numbers(ev: ClaimEvidence) -> list[dict[str, object]]:
    """:func:`fact_rows` as numbers (the report's JSON): per reading, its nearest fact and ρ
    and, per set of worlds (``bounds``: the kept worlds, ``fact`` None, then those within each
    narrower range, its fact, ``low``, ``high`` and the column's ``label``), how many worlds, P(holds) with its interval,
    the share undefined and the words."""

    def judged(b: TighterBound | None, v: ReadingVerdict) -> dict[str, object]:
        return {
            "fact": None if b is None else b.fact.name,
            "label": None if b is None else b.text,
            "low": None if b is None else b.low,
            "high": None if b is None else b.high,
            "worlds": v.worlds,
            "p": v.p,
            "p_low": v.low,
            "p_high": v.high,
            "undefined": v.shares["undefined"],
            "words": v.words,
        }

    return [
        not_judged_numbers(
            {
                "reading": r.verdict.reading.name,
                "nearest_fact": r.nearest_fact[0] if r.nearest_fact else None,
                "rho": r.nearest_fact[1] if r.nearest_fact else None,
                "bounds": [judged(b, v) for b, v in _judged_sets(r)],
            },
            r.not_judged,
        )
        for r in ev.readings
    ]
