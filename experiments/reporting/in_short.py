"""Every claim's verdicts in one short table, for the README's readers (a class, a strategist).

The index (``experiments/README.md``) gives each reading's verdict beside its noise, PRIM box,
PAWN ranking and the values at the defaults, and each report opens with the rules; a teacher
found no place that said, in a few lines, what each claim came to. :func:`in_short_table`
writes that table from the committed reports' summaries, so the README's copy can be checked
against them (``tests/test_readme_numbers.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

from experiments import EXPERIMENTS, load
from experiments.reporting.conditional_section import index_level, index_turn_marks

__all__ = ["in_short_table"]


def _p(p: float | None) -> str:
    """A P(holds) of the margins' JSON: two decimals, "—" where nothing was measured."""
    return "—" if p is None or p != p else f"{p:.2f}"


def in_short_table(reports: Path) -> list[str]:
    """A Markdown table: each claim, each reading with its band, P(holds) and verdict (the words,
    and where it *turns whole* along an uncertainty at the index's level, not where it merely
    *turns*), diagnostics, claims tested narrower than stated and verdicts whose words change
    with the band's assumed margin halved or doubled given P(holds) then; from ``reports``' ``NAME.json``."""
    lines = [
        "| claim | reading (band) | P(holds) | verdict |",
        "|---|---|---|---|",
    ]
    summaries = {
        name: json.loads((reports / f"{name}.json").read_text(encoding="utf-8"))
        for name in EXPERIMENTS
    }
    # Where a verdict turns whole along an uncertainty, at the index's level (every report's
    # pairs together): its P(holds) over every world mostly says where that range ends.
    along = [(n, "", a) for n, s in summaries.items() for a in s.get("along", [])]
    whole = {
        key: "".join(f" · {m}" for m in mark.split(" · ") if m.startswith("turns whole"))
        for key, mark in index_turn_marks(along, index_level(list(summaries.values()))).items()
    }
    for name, summary in summaries.items():
        diagnostic = summary.get("diagnostics") or {}
        # (a claim tested narrower than its source states it says so, as its report does)
        narrower = (
            " (tested narrower than stated: its report says how)" if load(name).CLAIM.scope else ""
        )
        first = f"[{summary['title']}](experiments/reports/{name}.md){narrower}"
        changes = {m["reading"]: m["bands"] for m in summary.get("margins", []) if m["changes"]}
        for i, row in enumerate(summary["rows"]):
            claim = first if i == 0 else ""
            note = "; a diagnostic" if row["reading"] in diagnostic else ""
            # (the share undefined is the table's preamble's; an interval that is mostly bounds
            # is said, as the report says it)
            p, *rest = row["P(holds) [95%]"].split("; ")
            p += " (bounds)" * any(part.startswith("bounds") for part in rest)
            verdict = row["verdict"].split(" · ")[0]
            verdict += whole.get((name, row["reading"]), "")
            # (its words change with the band's assumed margin halved or doubled: P(holds) then;
            # the report's section on margins says more)
            if row["reading"] in changes:
                _, halved, doubled = (_p(b["p"]) for b in changes[row["reading"]])
                verdict += f" · its margin halved / doubled: {halved} / {doubled}"
            lines.append(f"| {claim} | {row['reading']} ({row['band']}{note}) | {p} | {verdict} |")
    return lines
