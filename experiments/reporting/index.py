"""Write ``experiments/README.md``: every claim and reading with its computed P(holds).

The rows are read from the reports' ``NAME.json`` (written with each report), never typed:
``python -m experiments.reporting.index`` after regenerating reports, or ``retention experiment --all``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from experiments import EXPERIMENTS, load
from experiments.analysis.scale_check import Flips
from experiments.reporting.bottom_line import bottom_lines
from experiments.reporting.cells import run_p_text
from experiments.reporting.conditional_section import (
    along_index_lines,
    index_level,
    index_turn_marks,
)
from experiments.reporting.margin_section import margin_index_lines
from experiments.reporting.older_words import older_lines, older_words
from experiments.reporting.outputs import reports_folder
from experiments.reporting.pin_section import control_lines, pin_paragraph
from experiments.reporting.prim_section import index_level_lines
from experiments.reporting.regenerate import regenerate_lines, summary_pins
from experiments.reporting.report import REPORTS
from experiments.reporting.scale_index import index_lines, size_dependent, sized_words
from experiments.reporting.scale_section import flips_text
from experiments.running.pins import (
    Pins,
    arm_conflict_sentence,
    arm_conflicts,
    check_pins,
    pins_text,
)
from experiments.verdicts.framework import CUTOFFS
from model.studies.files import write_atomic

__all__ = ["INDEX_HEAD", "MIN_WORLDS", "index_path", "main", "write_index"]

#: How every index begins (a README in a report folder that does not is someone else's).
INDEX_HEAD = "# The claims, tested as evidence"

#: Plausible worlds a verdict should rest on (issue 16).
MIN_WORLDS = 500
#: A report row's share of worlds near an edge and its count still too noisy to place (older
#: summaries lack it: an empty cell).
_EDGE = "near an edge (unresolved)"
#: The PAWN column (named "top driver (PAWN)" in reports written before 2026-12-05).
_SPREADS = "spreads the effect most (PAWN)"
_BLANK = " | | | | | | |"  # the cells after a claim with no summary


def index_path(reports: Path) -> Path:
    """Where the index of ``reports`` goes: beside the committed reports (experiments/README.md),
    inside any other folder."""
    committed = reports.resolve() == REPORTS.resolve()
    return reports.parent / "README.md" if committed else reports / "README.md"


def write_index(reports: Path | None = None, out: Path | None = None, took: str = "") -> Path:
    """Rebuild the experiments README from the summaries in ``reports``; returns its path.

    ``reports`` defaults to :func:`experiments.reporting.outputs.reports_folder`. ``out``: where to write it
    (default: ``experiments/README.md`` for the committed reports, else ``README.md`` inside
    ``reports``, never beside it); ``took``: a sentence on how long the run took.
    """
    reports = reports_folder(reports)
    out = index_path(reports) if out is None else out
    if not took:  # the index alone, rebuilt: the last full run's timing still stands
        took = _last_took(out)
    rows, worlds, facts, scale, ranges, pins, along, boxes = [], set(), [], [], [], [], [], []
    margins: list[tuple[str, str, dict]] = []  # readings judged with their margin halved, doubled
    unboxed: list[str] = []  # reports whose summaries keep no PRIM boxes (older code)
    older: list[str] = []  # reports whose words predate their claim's declarations
    pairs = 0  # (reading, uncertainty) pairs PAWN could pick from, every report together
    checked: dict | None = None  # the scale check's worlds, and how many the facts keep there
    summaries: list[dict] = []  # each report's summary (the command that writes them again)
    folder_pins = _folder_pins(reports)
    for name in EXPERIMENTS:
        path = reports / f"{name}.json"
        rel = Path(os.path.relpath(reports / f"{name}.md", out.parent)).as_posix()
        now = load(name).CLAIM  # (the claim as this code declares it)
        conflicts = arm_conflicts(now.arm_keys, folder_pins) if folder_pins else []
        if conflicts:  # a control study that cannot run this claim (a report left here is stale)
            why = arm_conflict_sentence(name, conflicts)
            rows.append((None, f"| {name}: {now.title} | (not run with this pin: {why})", _BLANK))
            continue
        if not path.exists():
            title = now.title
            if (reports / f"{name}.md").exists():  # a report without its summary (older code)
                rows.append(
                    (None, f"| [{name}]({rel}): {title} | (no summary: regenerate)", _BLANK)
                )
            else:
                rows.append((None, f"| {name}: {title} | (no report yet)", _BLANK))
            continue
        s = json.loads(path.read_text(encoding="utf-8"))
        worlds.add((s["drawn"], s["kept"]))
        facts = facts or s.get("rejections", [])
        scale += [(name, rel, c) for c in s.get("scale", [])]
        ranges += [(name, rel, r) for r in s.get("facts", [])]
        along += [(name, rel, a) for a in s.get("along", [])]
        boxes += [(name, rel, b) for b in s.get("boxes", [])]
        unboxed += [] if "boxes" in s else [name]
        # Scope and diagnostics are the claim's declarations, not the runs': the claim's own
        # too (a control study's report written before one was declared would omit it here).
        older += [f"[{name}]({rel})"] * older_words(now, s)
        s["scope"] = s.get("scope") or now.scope
        s["diagnostics"] = {**(s.get("diagnostics") or {}), **now.diagnostics}
        margins += [
            (name, rel, {**m, "diagnostic": m["reading"] in s["diagnostics"]})
            for m in s.get("margins", [])
        ]
        pairs += len(s["rows"]) * s.get("uncertainties", 0)
        checked = checked or s.get("scale_worlds")
        summaries.append(s)
        if s.get("pin"):
            pins.append((name, rel, s["pin"]))
        for i, r in enumerate(s["rows"]):
            scope = f" (tested as: {s['scope']})" if s.get("scope") else ""
            claim = f"[{name}]({rel}): {s['title']}{scope}" if i == 0 else ""
            role = "; a diagnostic" if r["reading"] in s.get("diagnostics", {}) else ""
            rows.append(
                (
                    (name, r["reading"]),
                    f"| {claim} | {r['reading']} ({r['band']}{role}) | {r['P(holds) [95%]']} | "
                    f"{r['verdict']}",
                    f" | {r.get(_EDGE, '')} | {r['at the defaults']} | "
                    f"{r['where it holds (PRIM)']} | "
                    f"{r.get(_SPREADS, r.get('top driver (PAWN)', ''))} |",
                )
            )
    # A reading whose size test stands out says, in its own verdict cell, which way the larger
    # market moves it (rows are split after the verdict: the check is known only once every
    # report is read). The words may be the same at both sizes; the share is not.
    sized = {(name, c["reading"]): sized_words(c, f) for name, c, f in size_dependent(scale)}
    # Likewise where a verdict turns along a deciding uncertainty, at the index's own level
    # (every report's pairs together: stricter than a report's).
    marks = index_turn_marks(along, index_level(summaries))
    table = [head + sized.get(key, "") + marks.get(key, "") + rest for key, head, rest in rows]
    drawn = ", ".join(f"{d} drawn, {k} kept" for d, k in sorted(worlds)) or "none yet"
    fewer = ""
    if worlds and min(k for _, k in worlds) < MIN_WORLDS:
        d, k = min(worlds, key=lambda w: w[1])
        fewer = (
            f"Fewer than {MIN_WORLDS} plausible worlds: only {k / d:.0%} of the worlds drawn from "
            "the declared ranges reproduce every fact (ABC rejection keeps no other), and drawing "
            f"the ~{int(MIN_WORLDS * d / k):,} worlds that {MIN_WORLDS} would need is more "
            "than this study size draws (a larger --size draws more). The intervals say what "
            "that costs."
            if k
            else f"No plausible world: none of the {d:,} worlds drawn from the declared ranges "
            "reproduces every fact (ABC rejection keeps no other), so no reading is judged; a "
            "larger study draws more."
        )
    fact_rows = [
        f"| {f['fact']} | {f['range']} | {f['rejects']:.0%} | {f['rejects alone']:.0%} |"
        for f in facts
    ]
    control = f" — control study: {_pins_words(pins[0][2])}" if pins else ""
    # The bottom lines link each report from here (the index is written beside, or inside, the
    # reports' folder).
    folder = Path(os.path.relpath(reports, out.parent)).as_posix()
    named = {s["name"]: s for s in summaries}
    lines = [
        f"{INDEX_HEAD}{control}",
        "",
        *bottom_lines(reports, list(named), "" if folder == "." else f"{folder}/", 2, named),
        "One experiment per claim of the practitioner articles (docs/ODD.md §1.2). Each claim is read",
        "as its source means it — every fair reading its own row, the source's estimand quoted in",
        "the report — and judged over every *plausible world*: a Latin-hypercube draw of all the",
        "uncertainties the scenario declares (`retention params`), kept only when its baseline",
        "reproduces stylised facts from the literature (annual retention, CAC, retention rising as",
        "the base ages, the top fifth's revenue share, referral share, NPS, an operating margin a",
        "real firm could have; none a claim's estimand, though a reading's effect can move with",
        "one: each report names the fact its effects rank with most closely).",
        "",
        "**P(holds)** is the share of plausible worlds whose paired effect lies in the reading's",
        "band among the worlds where it is defined — the count of measured effects in band with",
        "each world's own Monte-Carlo noise taken out (simulation–extrapolation, `experiments/verdicts/holds.py`;",
        "`experiments/verdicts/noise.py`) — with a 95% interval that carries both the sampling of worlds and",
        "each world's noise, a world near an edge as noisy as the band replicated up to twelve",
        "times and, if still too noisy to place, counted out at its low end and in at its high end",
        "(*bounds* where most worlds near an edge are such; *near an edge (unresolved)* gives",
        "the share of worlds within their margin of an edge and how many are still unplaced);",
        "the share *undefined* beside it is of all plausible worlds (nothing to measure: a",
        "percentage of a profit the baseline firm did not make, or a link whose cause did not",
        "move), as are the shares in band, above and below beside it (the four add up to all",
        "of them; the share of measured effects in band is in band ÷ (1 − undefined), and",
        "P(holds) is that share with each world's noise taken out). Where a",
        "reading is undefined in many worlds, its report gives a PRIM box of where it is defined.",
        "A *diagnostic* is judged as every reading is but is not a reading of the claim: it shows",
        "what a choice of measurement does to the answer (its report says which), and its",
        "verdict is not the claim's.",
        "Each report also judges every",
        "reading again under narrower ranges of the operating margin and of the referral share",
        "and names the fact its effects rank with most closely: where a fact's range decides a",
        "verdict, it says so.",
        f"Words by declared cut-offs on the interval: wholly ≥ {CUTOFFS[1]} *supported*,",
        f"wholly ≤ {CUTOFFS[0]} *not supported*, between *depends on the world*, across a cut-off",
        "*undetermined*; for a two-sided band, *dispersed around the claim* when at least a",
        "quarter of the worlds lie above it and a quarter below (the band inside the middle half",
        "of the worlds' measured effects, which spread wider than it), else *stronger* or *weaker",
        "than claimed* when at least half lie above or below it; *undefined in most plausible worlds* when fewer than half define",
        "it (P(holds) is still shown). The value at the declared defaults is shown beside it, never",
        "instead of it: the mean of its own replications [their 95% Student-t interval] (*near an",
        "edge* when a band edge lies within that interval, with the side of the band the mean is",
        "on). *Where it holds* is a PRIM",
        "box (EMA Workbench) found on half the worlds and confirmed on the other half (coverage and",
        "density held out), or where it fails when only that box is confirmed; *what spreads it",
        "most* is the uncertainty ranked first by PAWN (SALib), when it is above a pure-noise",
        "column: the one whose value moves the effect's distribution most, which need not move the",
        "verdict (each report's verdict along its drivers' bins says whether it turns).",
        "Replications per world follow a stated precision rule: one everywhere, two in a pilot,",
        "more (four at the default size) in every world whose effect lies within its 95%",
        "Monte-Carlo margin of a band edge, by the typical noise or by its own, and more again",
        "(twelve) in those then still too noisy to place. docs/ODD.md §1.2 gives every rule.",
        "",
        f"Worlds: {drawn}." + (f" {fewer}" if fewer else ""),
        "",
        "| stylised fact | accepted range | rejects | rejects alone |",
        "|---|---|---|---|",
        *fact_rows,
        "",
        "Sources and units of each fact: `model/studies/worlds.py` and every report's last table.",
        *regenerate_lines(summaries, reports),
        took,
        "",
        "| claim | reading (band) | P(holds) [95%] | verdict | near an edge (unresolved) "
        "| at the defaults | where it holds | what spreads it most |",
        "|---|---|---|---|---|---|---|---|",
        *table,
        "",
        *older_lines(older),
        *index_level_lines(boxes, unboxed),
        *_pin_lines(pins),
        *along_index_lines(along, pairs),
        *_range_lines(ranges),
        *margin_index_lines(margins),
        *index_lines(scale, checked),
        *control_lines(reports, out, EXPERIMENTS),
    ]
    write_atomic(out, "\n".join(lines))
    return out


def _folder_pins(reports: Path) -> Pins:
    """The pins of a control study's folder, from the first of its summaries that has them, else
    from its name (``pinned/KEY=VALUE``, :func:`~experiments.running.pins.pins_slug`: a folder
    where every claim tried was refused has no summary to say it); none for the drawn study's."""
    for name in EXPERIMENTS:
        path = reports / f"{name}.json"
        if path.exists():
            pin = json.loads(path.read_text(encoding="utf-8")).get("pin")
            if pin:
                return summary_pins({"pin": pin})
    if reports.parent.name != "pinned":
        return ()
    try:
        return check_pins(text.partition("=")[::2] for text in reports.name.split("+"))
    except ValueError:  # (a folder named otherwise: no pins known)
        return ()


def _pin_lines(pins: list[tuple[str, str, dict]]) -> list[str]:
    """A control study's section: what the pinned values changed, reading by reading (each
    report's ``pin``); none in a drawn study's index."""
    if not pins:
        return []
    first = pins[0][2]
    rows, n = [], 0
    for name, rel, pin in pins:
        for r in pin["readings"]:
            n += 1
            rows.append(
                f"| [{name}]({rel}) | {r['reading']} | "
                + " | ".join(run_p_text(r, i) for i in range(4))
                + f" | {flips_text(Flips(**r['effect']))} | {flips_text(Flips(**r['defined']))} |"
            )
    return [
        "## What pinning changed",
        "",
        pin_paragraph(_pins_words(first), first, tests=n),
        "",
        "| claim | reading | drawn | pinned | both keep, drawn | both keep, pinned | effect: "
        "flips; p | defined: flips; p |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _pins_words(pin: dict) -> str:
    """``economics.overhead_share = 0``: a report's ``pin`` in words."""
    return pins_text(summary_pins({"pin": pin}))


def _range_lines(ranges: list[tuple[str, str, dict]]) -> list[str]:
    """The section on the facts' ranges: every reading whose verdict words change under a
    narrower range of a fact (each report's ``facts``), with P(holds) over each set of worlds;
    none when no report judged a narrower range."""
    # Reports of older code named only the margin's bounds (no "fact", no "label"): left out.
    judged = [
        (name, rel, r)
        for name, rel, r in ranges
        if len(r.get("bounds", [])) > 1 and all("label" in b for b in r["bounds"])
    ]
    if not judged:
        return []
    # The columns: every narrower range any report judged, in the order first met (a report
    # whose worlds lack a fact has no cell for its ranges).
    columns: dict[tuple, str] = {}
    for _, _, r in judged:
        for b in r["bounds"][1:]:
            columns.setdefault((b["fact"], b["low"], b["high"]), b["label"])
    rows = []
    for name, rel, r in judged:
        if len({b["words"] for b in r["bounds"]}) == 1:
            continue
        by_key = {(b["fact"], b["low"], b["high"]): b for b in r["bounds"][1:]}
        cells = [_range_cell(b) for b in (r["bounds"][0], *(by_key.get(k) for k in columns))]
        rows.append(f"| [{name}]({rel}) | {r['reading']} | " + " | ".join(cells) + " |")
    sets = list(columns.values())
    moved = (
        f"{len(rows)} of the {len(judged)} readings change their words under some narrower range:"
        if rows
        else f"None of the {len(judged)} readings changes its words under a narrower range."
    )
    return [
        "## Where a fact's range moves the verdict",
        "",
        "A fact keeps worlds, so where a reading's effect moves with a fact's value, where the "
        "fact's range ends can decide the verdict. Each report judges every reading again over the "
        "kept worlds within narrower ranges of the two facts found to decide effects (the operating "
        "margin; the referral share, whose range is an assumption) — only narrower, since the "
        "worlds a wider range would add were never run. Fewer worlds also widen the interval, "
        "so compare P(holds), not only the words (worlds in parentheses). " + moved,
        *(
            [
                "",
                "| claim | reading | as kept | " + " | ".join(sets) + " |",
                "|---|---|---|" + "---|" * len(sets),
                *rows,
            ]
            if rows
            else []
        ),
        "",
    ]


def _range_cell(b: dict | None) -> str:
    """``0.79 (566): undetermined: …``: P(holds), worlds and words over one set of worlds."""
    if b is None or b["p"] != b["p"]:  # not judged, or no world defined
        return "—"
    return f"{b['p']:.2f} ({b['worlds']}): {b['words']}"


def _last_took(index: Path) -> str:
    """The sentence on how long the last full run took, from an index already written."""
    try:
        lines = index.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return next((line for line in lines if line.startswith(_TOOK)), "")


#: How the sentence on the last full run's timing begins (``retention experiment --all``).
_TOOK = "The last `retention experiment --all"


#: A claim's report files: its summary, or its report alone (older code wrote no summary).
_KINDS = (".json", ".md")


def main(argv: list[str] | None = None) -> int:
    """``python -m experiments.reporting.index [REPORTS]``: rebuild the index of a reports folder."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m experiments.reporting.index",
        description="Rebuild the experiments index (README.md) from a reports folder's NAME.json "
        "summaries: the committed experiments/reports inside the checkout (its index is "
        "experiments/README.md), else ./experiments-reports.",
    )
    parser.add_argument(
        "reports",
        nargs="?",
        type=Path,
        help="a folder of reports (a --out of 'retention experiment')",
    )
    args = parser.parse_args(argv)
    reports = reports_folder(args.reports)
    if not reports.is_dir():
        parser.error(
            f"{str(reports)!r}: no such folder of reports; give the --out folder of "
            "'retention experiment' (run from inside the checkout for the committed ones)"
        )
    if not any((reports / f"{name}{ext}").exists() for name in EXPERIMENTS for ext in _KINDS):
        parser.error(
            f"{str(reports)!r}: no claim's report (NAME.json or NAME.md) in it; give the --out "
            "folder of 'retention experiment'"
        )
    print(write_index(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
