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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from experiments.analysis.conditional import show_value
from experiments.running.pins import exact_text
from experiments.running.sizes import SIZES
from experiments.running.store import claim_fingerprint
from experiments.verdicts.verdict_words import interval_text
from model import Scenario
from model.scenario import PARAMS
from model.scenario.catalogue import ParamInfo
from model.studies.spend_scale import other_spend
from model.version import checkout_root

__all__ = ["along_lines", "committed_report", "other_code_note"]


def committed_report(name: str) -> tuple[Path, dict[str, Any]] | None:
    """The committed report of claim ``name`` (``experiments/reports/NAME.md``, relative to the
    checkout the package comes from, as a reader finds it) and its summary (``NAME.json``), or
    None (an installed wheel has none; a summary that cannot be read is none either)."""
    root = checkout_root()
    if root is None:
        return None
    report = Path("experiments") / "reports" / f"{name}.md"
    try:
        return report, json.loads((root / report).with_suffix(".json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def other_code_note(name: str, report: dict[str, Any], where: str) -> list[str]:
    """A line saying that the report ``where`` of claim ``name`` (its summary ``report``) was
    written by other code than this checkout's — the code that makes its runs has changed since
    (:func:`~experiments.running.store.claim_fingerprint`) — or none (the same code, or a summary
    too old to record its code)."""
    code = report.get("code")
    if code is None or code == claim_fingerprint(name):
        return []
    return [
        f"(Other code than this checkout's wrote {where}: the code that makes its runs has "
        f"changed since, so its verdicts are that code's; `retention experiment {name}` writes "
        "it again.)"
    ]


def along_lines(
    report: dict[str, Any], scenario: Scenario, where: str, unjudged: Iterable[str] = ()
) -> list[str]:
    """For each reading and each uncertainty the study split it along, the study's verdict over
    its worlds that share ``scenario``'s value of that uncertainty (the bin holding it, or the
    nearest where the value lies between two bins inside the plausible range), or that no world
    of the study has it (outside the plausible range, an alternative none was split on); empty
    where the report split none.

    Parameters
    ----------
    report : dict
        A claim report's summary (its ``along`` rows, its kept worlds' count and size).
    scenario : Scenario
        The world whose values are read.
    where : str
        The report, as the reader finds it (a path).
    unjudged : iterable of str
        The readings this world's answer did not judge (its runs too short for them): the
        study's verdict is marked as the study's alone.
    """
    rows = report.get("along") or []
    if not rows:
        return []
    values, unjudged = scenario.flat(), set(unjudged)
    size = SIZES.get(report.get("size", ""))
    runs = f", runs of {size.clients:,} people x {size.months} months" if size else ""
    lines = [
        f"What the study of this claim found along the uncertainties that spread each reading "
        f"most ({where}: {report.get('kept', '?')} kept plausible worlds{runs}), in its worlds "
        f"that share this world's value (a conditional over its worlds, every other value as "
        f"drawn; --vary KEY moves one in this world):"
    ]
    if spends := other_spend(scenario):  # (a cost's bin is in currency, as the study drew it)
        lines.append(
            f"  (its worlds' clients spend {exact_text(spends[0])} a month on average, this "
            f"world's {exact_text(spends[1])}: a cost here is placed among theirs as an amount, "
            "not in proportion to what clients spend)"
        )
    for row in rows:
        key = row["uncertainty"]
        mine = values.get(key)
        place, found = _place(row["bins"], mine, PARAMS[key])
        head = f"  {row['reading']} along {key} = {exact_text(mine)}: "
        if found is None:
            lines.append(head + place)
            continue
        p = interval_text(found["p"], found["ci_low"], found["ci_high"])
        alone = (
            " (not judged in this world: the study's alone)" if row["reading"] in unjudged else ""
        )
        lines.append(f"{head}{place} ({found['worlds']}): {found['words']}, P(holds) {p}{alone}")
    return lines


def _place(
    bins: list[dict[str, Any]], value: Any, info: ParamInfo
) -> tuple[str, dict[str, Any] | None]:
    """Where ``value`` lies among a split's bins: the words and the bin, or the words alone
    where no bin holds it (outside the plausible range the study draws, or an alternative no
    bin was split on)."""
    if not info.is_plausible(value):
        shown = info.plausible_text().removesuffix(" (log)")
        return f"outside the plausible range the study draws ({shown}): no world of it", None
    named = [b for b in bins if b.get("value") is not None]
    if named:  # (the report shows each alternative as show_value does: true, wow)
        for b in named:
            if str(b["value"]) == show_value(value):
                return f"the study's worlds at {b['value']}", b
        return f"no bin of the study's worlds is {show_value(value)} (too few worlds there)", None
    # Inside the plausible range: the bin holding it, or the nearer of two around it (the bins
    # hold the drawn values, so the range's ends and the gaps between bins fall outside them).
    nearest = min(bins, key=lambda b: max(b["low"] - value, value - b["high"], 0.0))
    return f"the study's worlds with {nearest['values']}", nearest
