"""Where a reading holds: the report's PRIM rows, and at the index's level each shown box against
every box tested.

A reading's boxes are confirmed at the reading's own level (docs/ODD.md §1.2 item 5: a one-sided
Fisher exact test on the held-out half, p < 0.025, two boxes a reading). Over all the readings
of the index many boxes are tested, and up to one in forty would pass that level by chance, so a
box shown in the index may be a chance finding. Holm's step-down correction (Holm 1979, Scand. J.
Statist. 6:65) over every box the readings tested says which shown boxes also hold at a
family-wise 0.05 over the whole index; the others are leads, not findings.

>>> holm([0.001, 0.04, 0.012, 0.3])
[True, False, True, False]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from experiments.analysis.discovery import ALPHA, MIN_LIFT, Box, lift_rule
from experiments.analysis.evidence import UNDEFINED_BOX_SHARE, ClaimEvidence, ReadingEvidence
from experiments.reporting.cells import not_judged_row

__all__ = [
    "FAMILY_ALPHA",
    "box_records",
    "discovery_rows",
    "holm",
    "index_level_lines",
    "shown_box",
    "where_text",
]

#: Family-wise error rate over every box of the index.
FAMILY_ALPHA = 0.05


def shown_box(r: ReadingEvidence) -> tuple[str, Box] | None:
    """The box a reading's report shows, with its side: the confirmed box of where it holds, else
    the confirmed box of where it fails; None when neither is confirmed."""
    if r.box is not None and r.box.confirmed:
        return "holds", r.box
    if r.fail_box is not None and r.fail_box.confirmed:
        return "fails", r.fail_box
    return None


def box_records(ev: ClaimEvidence) -> list[dict[str, object]]:
    """Every PRIM box a claim's readings tested (where it holds, where it fails), as the report's
    JSON keeps them: the reading, the side, the box in words, its held-out p-value and whether
    the report shows it (a confirmed box where it holds; else a confirmed one where it fails).
    """
    records = []
    for r in ev.readings:
        shown = shown_box(r)
        for side, box in (("holds", r.box), ("fails", r.fail_box)):
            if box is None or not np.isfinite(box.p_value):
                continue
            records.append(
                {
                    "reading": r.verdict.reading.name,
                    "side": side,
                    "box": box.text(),
                    "p": float(box.p_value),
                    # each limit's held-out check (p None: no world on one side; no NaN in JSON)
                    "limits": {
                        k: {
                            "inside": c.inside,
                            "inside_true": c.inside_true,
                            "outside": c.outside,
                            "outside_true": c.outside_true,
                            "p": float(c.p) if np.isfinite(c.p) else None,
                        }
                        for k, c in box.limit_checks.items()
                    },
                    "shown": shown is not None and shown[1] is box,
                }
            )
    return records


def holm(p_values: Sequence[float], alpha: float = FAMILY_ALPHA) -> list[bool]:
    """Holm's step-down test: which hypotheses are rejected at family-wise level ``alpha``.

    The p-values in ascending order, the i-th (from 0) compared with ``alpha / (m − i)``; the
    first that fails stops the procedure.
    """
    p = np.asarray(p_values, float)
    m = p.size
    rejected = [False] * m
    for rank, i in enumerate(np.argsort(p, kind="stable")):
        if not p[i] <= alpha / (m - rank):
            break
        rejected[int(i)] = True
    return rejected


def index_level_lines(boxes: list[tuple[str, str, dict]], unrecorded: Sequence[str]) -> list[str]:
    """The index's section on its shown boxes: each one's held-out p-value and whether it holds
    under Holm's correction over every box tested (``(claim, report link, record)`` from
    :func:`box_records`); none when no report kept its boxes.

    ``unrecorded``: the reports whose JSON keeps no boxes (written by older code). A family
    without their boxes would be smaller than the one tested, and the correction too lenient, so
    the section then names them instead of correcting.
    """
    if not boxes:
        return []
    if unrecorded:
        return [
            "## Where it holds, at the index's level",
            "",
            "Not judged: the summaries of "
            + ", ".join(unrecorded)
            + " keep no PRIM boxes (written by older code), and a correction over the other "
            "reports' boxes alone would be too lenient. Write them again (`retention experiment "
            "NAME` reads its stored runs) and then this page.",
            "",
        ]
    passed = holm([b["p"] for _, _, b in boxes])
    shown = [(n, rel, b, ok) for (n, rel, b), ok in zip(boxes, passed, strict=True) if b["shown"]]
    holding = sum(ok for *_, ok in shown)
    rows = [
        f"| [{n}]({rel}) | {b['reading']} | {'fails where ' if b['side'] == 'fails' else ''}"
        f"{b['box']} | {b['p']:.2g} | {'yes' if ok else 'no: a lead'} |"
        for n, rel, b, ok in shown
    ]
    return [
        "## Where it holds, at the index's level",
        "",
        f"Each box above is confirmed at its reading's level (held-out p < {ALPHA / 2:g}, two "
        f"boxes a reading). The readings tested {len(boxes)} boxes of where they hold or fail "
        f"in all (the boxes of where a reading is defined are not counted), of which at most "
        f"about {ALPHA / 2 * len(boxes):.1f} would pass that level by chance if none were real "
        "(Fisher's exact test is conservative, and a box must also close the gap). Under Holm's "
        f"correction over all {len(boxes)} (family-wise {FAMILY_ALPHA:g}; Holm 1979), "
        f"{holding} of the {len(shown)} boxes shown hold at the index's level; the others are "
        "leads for a study of their own, not findings.",
        "",
        *(
            [
                "| claim | reading | box | held-out p | at the index's level |",
                "|---|---|---|---|---|",
                *rows,
            ]
            if rows
            else ["No box is shown."]
        ),
        "",
    ]


def where_text(r: ReadingEvidence) -> str:
    """Where the reading holds, in words: a confirmed box, where it fails, or why neither."""
    from experiments.analysis.discovery import MAX_DIMS, MIN_CASES, MIN_LIFT

    v = r.verdict
    k = round(v.shares["in band"] * v.worlds) if v.defined else 0  # (measured, as PRIM reads)
    if r.not_judged:
        return "—"
    if v.worlds == 0:
        return "no plausible worlds"
    if v.defined == 0:
        return "undefined in every world"
    if k == 0:
        return "nowhere"
    if k == v.defined:
        return "everywhere"
    shown = shown_box(r)
    if shown is not None and shown[0] == "holds":
        b = shown[1]
        return (
            f"{b.text()} (held out: coverage {b.coverage:.0%}, density {b.density:.0%} "
            f"vs {b.base:.0%} overall)"
        )
    if shown is not None:
        b = shown[1]
        return (
            f"fails where {b.text()} (held out: {b.density:.0%} fail there vs {b.base:.0%} "
            f"overall; covers {b.coverage:.0%} of failures)"
        )
    if min(k, v.defined - k) < 2 * MIN_CASES:
        return f"too few worlds on one side for a box ({k} of {v.defined} hold)"
    if r.box is not None or r.fail_box is not None:
        return "no condition confirmed on the held-out half (the boxes found: in the report)"
    return (
        f"no condition found (no box of ≤ {MAX_DIMS} limits closes {MIN_LIFT:.0%} of the gap "
        "to certainty)"
    )


def discovery_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """Per reading: both PRIM boxes and the CART check, as the report's table shows them."""

    def box(b: Box | None) -> str:
        if b is None:
            return "none met the rule"
        if b.confirmed:
            verdict = "confirmed"
        elif b.p_value >= ALPHA / 2:
            verdict = f"not confirmed (p ≥ {ALPHA / 2:g})"
        elif lift_rule(b.density, b.base):
            verdict = f"not confirmed (noise-corrected, below base + {MIN_LIFT:.0%} of the gap)"
        else:
            verdict = f"not confirmed (held-out density below base + {MIN_LIFT:.0%} of the gap)"
        noise = ""
        if b.corrected_density is not None:
            noise = f" (noise-corrected {b.corrected_density:.0%} vs {b.corrected_base:.0%})"
        each = f"; each limit held out: {b.limits_text()}" if len(b.limits) > 1 else ""
        return (
            f"{b.text()}; found at density {b.train_density:.0%}; held out: coverage "
            f"{b.coverage:.0%}, density {b.density:.0%} vs base {b.base:.0%}{noise}, "
            f"p = {b.p_value:.2g}: {verdict}{each}"
        )

    rows = []
    for r in ev.readings:
        c = r.cart
        rows.append(
            {
                "reading": r.verdict.reading.name,
                "PRIM: where it holds": box(r.box),
                "PRIM: where it fails": box(r.fail_box),
                "PRIM: where it is defined": "—"
                if not r.verdict.worlds
                else box(r.defined_box)
                if r.verdict.shares["undefined"] >= UNDEFINED_BOX_SHARE
                else f"(defined in ≥ {1 - UNDEFINED_BOX_SHARE:.0%} of worlds: not searched)",
                "CART (depth 3), held-out accuracy vs guessing": "too few worlds"
                if c is None
                else f"{c.accuracy:.0%} vs {c.majority:.0%}"
                + (f"; first split {c.first_split}" if c.first_split else ""),
            }
        )
        rows[-1] = not_judged_row(rows[-1], r.not_judged)
    return rows
