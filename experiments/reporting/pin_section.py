"""What did pinning change? A control study's report section, its table and JSON.

A pinned study (:mod:`experiments.running.pins`) runs the drawn study's worlds with some uncertainties held
at one value; each reading is judged in both, over each one's kept worlds and over the worlds both
keep, paired (:mod:`experiments.analysis.pin_check`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from experiments.analysis.evidence import ClaimEvidence
from experiments.reporting.cells import not_judged_numbers, not_judged_row
from experiments.reporting.fact_section import verdict_cell
from experiments.reporting.scale_section import flips_numbers, flips_text, verdict_columns
from experiments.running.pins import pins_text

__all__ = ["control_lines", "pin_intro", "pin_numbers", "pin_paragraph", "pin_rows"]


def pin_intro(ev: ClaimEvidence) -> str:
    """The section's opening paragraph (empty in a drawn study)."""
    if not ev.size.pins:
        return ""
    return pin_paragraph(pins_text(ev.size.pins), ev.pin_worlds)


def pin_paragraph(what: str, worlds: Mapping[str, int], tests: int | None = None) -> str:
    """What a control study's comparison shows, in words: a report's section and the index's.

    Parameters
    ----------
    what : str
        The pins in words (:func:`experiments.running.pins.pins_text`).
    worlds : mapping of str to int
        ``drawn``, ``kept_drawn``, ``kept_pinned`` and ``kept_both``
        (:attr:`experiments.analysis.evidence.ClaimEvidence.pin_worlds`).
    tests : int, optional
        The readings compared, all reports together (the index knows; a report does not).
    """
    if tests:
        several = (
            f"There is one effect test per reading ({tests} here): below {0.05 / tests:.2g} "
            f"(0.05 ÷ {tests}, Bonferroni) a reading's change stands out from all of them; "
            f"likewise for the definedness tests, and below {0.05 / (2 * tests):.2g} for both "
            f"families together ({2 * tests} tests)."
        )
    else:
        several = (
            "Each p is one test of many (two per reading in every report; the control study's "
            "index counts them), so read it against 0.05 divided by how many are read together."
        )
    return (
        f"This is a control study: {what} in every world and at the defaults, every other "
        "parameter, seed and random number as in the study that draws it (the same Latin "
        "hypercube). Waves stop once enough worlds are kept, so the two studies can draw "
        f"different numbers of worlds: everything here is over the {worlds['drawn']:,} worlds "
        "both drew (the *drawn* column can differ a little from the drawn study's own report). "
        f"The facts keep {worlds['kept_drawn']} of them with it drawn (a setting: as the drawn "
        f"study holds it), {worlds['kept_pinned']} with it pinned and {worlds['kept_both']} in "
        "both. *Drawn* and *pinned*: each study's "
        "verdict over the worlds it keeps — which worlds the facts keep (selection) and what the "
        "pinned value does in them (effect) together. *Both keep, drawn* and *both keep, "
        "pinned*: the two studies' verdicts over the worlds both keep, each on the replications "
        "both ran (a world near a band edge in one study only has more there): what the pinned "
        "value does in the same worlds. *Effect*: those worlds paired — the worlds that hold "
        "with it drawn only / pinned only, of those where the reading is defined in both — and "
        "McNemar's exact test that flips either way are equally likely; the runs share every "
        "random number, so a flip is the pinned value's doing. *Defined*: the same worlds paired "
        "on whether the reading is defined at all (a percentage of a profit the pin removes or "
        "creates). " + several
    )


def pin_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """The section's table: per reading, the four verdicts and the two paired tests (none in a
    drawn study)."""
    return [
        not_judged_row(
            {
                "reading": r.verdict.reading.name,
                "drawn": verdict_cell(r.pinned.drawn),
                "pinned": verdict_cell(r.pinned.pinned),
                "both keep, drawn": verdict_cell(r.pinned.drawn_both),
                "both keep, pinned": verdict_cell(r.pinned.pinned_both),
                "effect: flips (drawn only / pinned only); McNemar p": flips_text(r.pinned.effect),
                "defined: flips (drawn only / pinned only); p": flips_text(r.pinned.defined),
            },
            r.not_judged,
        )
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
        readings.append(
            not_judged_numbers(
                {
                    "reading": r.verdict.reading.name,
                    "runs": ["drawn", "pinned", "both_drawn", "both_pinned"],
                    **verdict_columns((c.drawn, c.pinned, c.drawn_both, c.pinned_both)),
                    "effect": flips_numbers(c.effect),
                    "defined": flips_numbers(c.defined),
                },
                r.not_judged,
            )
        )
    return {"pins": [[k, v] for k, v in ev.size.pins], **ev.pin_worlds, "readings": readings}


def control_lines(reports: Path, out: Path, names: Iterable[str]) -> list[str]:
    """The control studies written beside these reports (``pinned/*/README.md``), linked, each
    with the readings it moves among the claims ``names`` (the index's); none when there are
    none."""
    found = sorted((reports / "pinned").glob("*/README.md"))
    if not found:
        return []
    links = [
        f"- [{p.parent.name}]({Path(os.path.relpath(p, out.parent)).as_posix()})"
        + _control_summary(p.parent, names)
        for p in found
    ]
    return [
        "## Control studies",
        "",
        "The same worlds with one uncertainty held at a value, or one setting moved "
        "(`retention experiment --all --pin KEY=VALUE`; docs/ODD.md §1.2 item 7): what that "
        "parameter does to each verdict, world by world. Beside each, the readings whose verdict "
        "it moves in the worlds both studies keep, by McNemar's exact test below the Bonferroni "
        "level of its one test per reading (0.05 ÷ readings), with P(holds) there with it drawn "
        "(a setting: at its default) → pinned.",
        "",
        *links,
        "",
    ]


def _control_summary(folder: Path, names: Iterable[str]) -> str:
    """``: 3 of 25 readings move — pareto profit_1y 0.09 → 0.18, …`` from a control study's
    reports (empty where it has none with a comparison)."""
    readings = []
    for name in names:
        path = folder / f"{name}.json"
        pin = json.loads(path.read_text(encoding="utf-8")).get("pin") if path.exists() else None
        readings += [(name, r) for r in (pin or {}).get("readings", [])]
    if not readings:
        return ""
    level = 0.05 / len(readings)
    moved = [
        f"{name} {r['reading']} {r['p'][2]:.2f} → {r['p'][3]:.2f}"
        for name, r in readings
        if r["effect"]["p_value"] < level
    ]
    return f": {len(moved)} of {len(readings)} readings move" + (
        f" — {', '.join(moved)}" if moved else ""
    )
