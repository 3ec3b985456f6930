"""What a committed study found along its deciding uncertainties, read at one world's values.

A claim's report splits its kept worlds along the uncertainties that spread each reading most
(PAWN) and judges each bin as the study judges all its worlds (the report's section *Where along
its deciding uncertainties the verdict turns*; its summary's ``along`` rows). A strategist who
has measured the claim in their own world (``retention experiment NAME --world``) can then read
the study's verdict over the plausible worlds that share their value of each such uncertainty:
the reading's answer beside the world's own, and a pointer to the values that decide it — a fix
cost left at its default in a firm whose clients spend 25 times the default's, say. It is a
conditional over the study's worlds, not a control: within a bin every other uncertainty is as
drawn.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from experiments.running.pins import exact_text
from experiments.verdicts.verdict_words import interval_text
from model import Scenario
from model.scenario import PARAMS
from model.version import checkout_root

__all__ = ["along_lines", "committed_report"]


def committed_report(name: str) -> tuple[Path, dict[str, Any]] | None:
    """The committed report of claim ``name`` (``experiments/reports/NAME.json`` in the checkout
    the package comes from) and its summary, or None (an installed wheel has none; a summary
    that cannot be read is none either)."""
    root = checkout_root()
    if root is None:
        return None
    path = root / "experiments" / "reports" / f"{name}.json"
    try:
        return path.with_suffix(".md"), json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def along_lines(report: dict[str, Any], scenario: Scenario, where: str) -> list[str]:
    """For each reading and each uncertainty the study split it along, the study's verdict over
    its worlds that share ``scenario``'s value of that uncertainty (the bin holding it), or
    where the value lies beyond every world; empty where the report split none.

    Parameters
    ----------
    report : dict
        A claim report's summary (its ``along`` rows, its kept worlds' count).
    scenario : Scenario
        The world whose values are read.
    where : str
        The report, as the reader finds it (a path).
    """
    rows = report.get("along") or []
    if not rows:
        return []
    values = scenario.flat()
    lines = [
        f"What the study of this claim found along the uncertainties that spread each reading "
        f"most ({where}: {report.get('kept', '?')} kept plausible worlds), in its worlds that "
        f"share this world's value (a conditional over its worlds, every other value as drawn; "
        f"--vary KEY moves one in this world):"
    ]
    spend, declared = values["market.spend_mean"], PARAMS["market.spend_mean"].default
    if spend != declared:  # (a cost's bin is in currency, as the study drew it)
        lines.append(
            f"  (its worlds' clients spend {exact_text(declared)} a month on average, this "
            f"world's {exact_text(spend)}: a cost here is placed among theirs as an amount, "
            "not in proportion to what clients spend)"
        )
    for row in rows:
        key = row["uncertainty"]
        mine = values.get(key)
        place, found = _place(row["bins"], mine)
        head = f"  {row['reading']} along {key} = {exact_text(mine)}: "
        if found is None:
            lines.append(head + place)
            continue
        p = interval_text(found["p"], found["ci_low"], found["ci_high"])
        lines.append(f"{head}{place} ({found['worlds']}): {found['words']}, P(holds) {p}")
    return lines


def _place(bins: list[dict[str, Any]], value: Any) -> tuple[str, dict[str, Any] | None]:
    """Where ``value`` lies among a split's bins: the words and the bin, or the words alone
    where no bin holds it (beyond the study's worlds, or an alternative none was split on)."""
    named = [b for b in bins if b.get("value") is not None]
    if named:
        for b in named:
            if str(b["value"]) == str(value):
                return f"the study's worlds at {b['value']}", b
        return f"no bin of the study's worlds is {exact_text(value)} (too few worlds there)", None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return "not a number the study split on", None
    lowest, highest = bins[0], bins[-1]
    if value < lowest["low"]:
        return f"below every world of the study (its lowest {lowest['values']})", None
    if value > highest["high"]:
        return f"above every world of the study (its highest {highest['values']})", None
    # (bins hold the drawn values: a value between two bins goes to the nearer one)
    nearest = min(bins, key=lambda b: max(b["low"] - value, value - b["high"], 0.0))
    return f"the study's worlds with {nearest['values']}", nearest
