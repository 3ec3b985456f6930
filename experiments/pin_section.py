"""What did pinning change? A control study's report section, its table and JSON.

A pinned study (:mod:`experiments.pins`) runs the drawn study's worlds with some uncertainties held
at one value; each reading is judged in both, over each one's kept worlds and over the worlds both
keep, paired (:mod:`experiments.pin_check`).
"""

from __future__ import annotations

from experiments.evidence import ClaimEvidence
from experiments.fact_section import verdict_cell
from experiments.pins import pins_text
from experiments.scale_section import flips_numbers, flips_text

__all__ = ["pin_intro", "pin_numbers", "pin_rows"]


def pin_intro(ev: ClaimEvidence) -> str:
    """The section's opening paragraph (empty in a drawn study)."""
    if not ev.size.pins:
        return ""
    w = ev.pin_worlds
    return (
        f"This is a control study: {pins_text(ev.size.pins)} in every world, every other "
        "parameter, seed and random number as in the study that draws it (the same Latin "
        f"hypercube). Of the {w['drawn']:,} worlds both drew, the facts keep {w['kept_drawn']} with "
        f"it drawn, {w['kept_pinned']} with it pinned and {w['kept_both']} in both. *Drawn* and "
        "*pinned*: each study's verdict over the worlds it keeps, so they differ by which worlds "
        "the facts keep (selection) and by what the pinned value does in them (effect). *Both "
        "keep*: the two studies' verdicts over the worlds both keep — the effect alone. *Effect*: "
        "those worlds paired, the worlds that hold with it drawn only / pinned only (of those where "
        "the reading is defined in both) and McNemar's exact test that flips either way are "
        "equally likely; the runs share every random number, so a flip is the pinned value's "
        "doing. *Defined*: the same worlds paired on whether the reading is defined at all. Each p "
        "is one test of many (one per reading in every report), so read it against 0.05 divided "
        "by how many are read together."
    )


def pin_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """The section's table: per reading, the four verdicts and the two paired tests (none in a
    drawn study)."""
    return [
        {
            "reading": r.verdict.reading.name,
            "drawn": verdict_cell(r.pinned.drawn),
            "pinned": verdict_cell(r.pinned.pinned),
            "both keep, drawn": verdict_cell(r.pinned.drawn_both),
            "both keep, pinned": verdict_cell(r.pinned.pinned_both),
            "effect: flips (drawn only / pinned only); McNemar p": flips_text(r.pinned.effect),
            "defined: flips (drawn only / pinned only); p": flips_text(r.pinned.defined),
        }
        for r in ev.readings
        if r.pinned is not None
    ]


def pin_numbers(ev: ClaimEvidence) -> dict[str, object] | None:
    """:func:`pin_rows` as numbers (the report's JSON ``pin``): the pins, the world counts and,
    per reading, each verdict's worlds, P(holds) [interval] and words, then the paired tests;
    None in a drawn study."""
    if not ev.size.pins:
        return None
    readings = []
    for r in ev.readings:
        c = r.pinned
        if c is None:
            continue
        runs = (c.drawn, c.pinned, c.drawn_both, c.pinned_both)
        readings.append(
            {
                "reading": r.verdict.reading.name,
                "runs": ["drawn", "pinned", "both_drawn", "both_pinned"],
                "worlds": [v.worlds for v in runs],
                "p": [v.p for v in runs],
                "p_low": [v.low for v in runs],
                "p_high": [v.high for v in runs],
                "undefined": [v.shares["undefined"] for v in runs],
                "words": [v.words for v in runs],
                "effect": flips_numbers(c.effect),
                "defined": flips_numbers(c.defined),
            }
        )
    return {"pins": [[k, v] for k, v in ev.size.pins], **ev.pin_worlds, "readings": readings}
