"""Does the verdict depend on the market's size? A claim report's section, its table and JSON.

The first plausible worlds run again in a larger market (:mod:`experiments.scale_check`); each
reading is judged on those worlds in both sizes, and the worlds judged differently are counted.
"""

from __future__ import annotations

from experiments.cells import share_text
from experiments.evidence import ClaimEvidence
from experiments.fact_section import verdict_cell
from experiments.scale_check import ScaleCheck

__all__ = ["scale_intro", "scale_numbers", "scale_rows"]


def scale_intro(ev: ClaimEvidence) -> str:
    """The section's opening paragraph (empty when the study's size has no scale check)."""
    s = ev.size
    if not s.scale_clients:
        return ""
    return (
        f"A market of {s.clients:,} people is a small firm: its staff come in whole heads (often "
        f"one), so costs per head move in steps. The first {s.scale_worlds} plausible worlds (in "
        f"the order drawn: a random subset of them) ran again with {s.scale_clients:,} people, "
        "replication 0 on the same seed (the baseline run again in that market), and each "
        "reading is judged on those worlds in both sizes, each from its one replication (so "
        "the first column need not match the verdict above, which averages replications near a "
        "band edge). *Flipped*: the worlds, of those where the reading is defined in both "
        "sizes, that hold in one size only (in the smaller only / in the larger only); *p*: "
        "McNemar's exact test that flips either way are equally likely — one test of many (one "
        "per reading in every report: experiments/README.md counts them), so read it against "
        "0.05 divided by how many are read together. The worlds are those "
        f"the facts kept at {s.clients:,} people; whether each would be kept at "
        f"{s.scale_clients:,} is not asked."
    )


def _flips(c: ScaleCheck) -> str:
    if not c.paired:
        return "—"
    return (
        f"{share_text(c.flipped)} of {c.paired} ({c.only_small} / {c.only_large}); "
        f"p = {c.p_value:.2g}"
    )


def scale_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """The section's table: per reading, its verdict on the checked worlds in each size and
    the worlds that flipped (none when the size has no scale check)."""
    s = ev.size
    return [
        {
            "reading": r.verdict.reading.name,
            f"{s.clients:,} people": verdict_cell(r.scale.small),
            f"{s.scale_clients:,} people": verdict_cell(r.scale.large),
            "flipped (smaller only / larger only); McNemar p": _flips(r.scale),
        }
        for r in ev.readings
        if r.scale is not None
    ]


def scale_numbers(ev: ClaimEvidence) -> list[dict[str, object]]:
    """:func:`scale_rows` as numbers (the report's JSON)."""
    out = []
    for r in ev.readings:
        c = r.scale
        if c is None:
            continue
        out.append(
            {
                "reading": r.verdict.reading.name,
                "clients": [ev.size.clients, c.clients],
                "worlds": [c.small.worlds, c.large.worlds],
                "p": [c.small.p, c.large.p],
                "p_low": [c.small.low, c.large.low],
                "p_high": [c.small.high, c.large.high],
                "undefined": [c.small.shares["undefined"], c.large.shares["undefined"]],
                "words": [c.small.words, c.large.words],
                "paired": c.paired,
                "only_small": c.only_small,
                "only_large": c.only_large,
                "p_value": c.p_value,
            }
        )
    return out
