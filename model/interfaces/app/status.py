"""The app's status table: where each firm stands, its levers in force, its lever moves and raids."""

from __future__ import annotations

import html
from typing import Any

from model.scenario import PARAMS
from model.studies.axes import step_text

__all__ = ["status_table"]


def _raid_text(shock: Any) -> str:
    """A poaching shock in the status table: its month (or months), share and permanence."""
    last = shock.start + shock.months - 1
    when = f"month {shock.start}" if last == shock.start else f"months {shock.start}–{last}"
    return f"{when}: a raid takes {shock.size:.0%}" + (" for good" * shock.permanent)


def _service_level(firm: Any) -> str:
    """The service level the month shown ran at, and next month's where a move changes it
    (a class read a slider moved after month 13 as the level month 13 ran at)."""
    ahead = firm.levers_now()["service_level"]
    if not firm.month:
        return f"{ahead:g}"
    ran = firm.levers_at(firm.month)["service_level"]
    return f"{ran:g}" if ran == ahead or firm.month >= firm.months else f"{ran:g} (next: {ahead:g})"


def status_table(firms: dict) -> str:
    """Where each firm stands, its levers in force, and the lever moves and raids so far (HTML)."""
    head = [
        "firm",
        "month",
        "active clients",
        "NPV (currency)",
        "service level",
        "lever moves and raids",
    ]
    rows = []
    for name, m in firms.items():
        last = m.results
        active = f"{last['active'][m.month - 1]:,.0f}" if m.month else "–"
        npv = f"{last['npv'][m.month - 1]:,.0f}" if m.month else "–"
        moves = "; ".join(text for _, text in sorted(
            [(s.month, f"from month {s.month}: {step_text(s)}") for s in m.params.schedule]
            + [(k.start, _raid_text(k)) for k in m.params.shocks if k.kind == "poaching"],
            key=lambda entry: entry[0],
        )) or "none"  # fmt: skip
        cells = [name, f"{m.month} of {m.months}", active, npv, _service_level(m), moves]
        rows.append("".join(f"<td style='padding:2px 10px'>{html.escape(c)}</td>" for c in cells))
    a = firms["A"]
    unit = PARAMS["levers.service_level"].unit
    # Each firm's name (what its sliders changed from the preset), B's only where it differs.
    names = [f"{k}: {f.params.name}" for k, f in firms.items()] if len(firms) > 1 else []
    title = " · ".join(names) if len({f.params.name for f in firms.values()}) > 1 else a.params.name
    return (
        f"<p><b>{html.escape(title)}</b>: {a.params.market.clients:,} people, seed "
        f"{a.seed} (service level in {html.escape(unit)})</p><table class='status'><tr>"
        + "".join(f"<th style='padding:2px 10px'>{h}</th>" for h in head)
        + "</tr>"
        + "".join(f"<tr>{r}</tr>" for r in rows)
        + "</table>"
        + _outside_plausible(firms)
    )


def _outside_plausible(firms: dict) -> str:
    """A note of each firm's values no claim study's world has (an industry preset's onboarding
    cost, a slider moved past a study's range), so a class reads a claim's verdict beside them
    with care; empty when there are none."""
    notes = [
        (f"{name}: " if len(firms) > 1 else "") + line
        for name, m in firms.items()
        for line in m.params.outside_plausible()
    ]
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in dict.fromkeys(notes))
    return (
        "<p class='outside-plausible'>Values no world of a claim study has (its verdicts do not "
        f"speak for them):</p><ul>{items}</ul>"
    )
