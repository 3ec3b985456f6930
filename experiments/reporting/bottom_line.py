"""Each claim's bottom line: what its readings' verdicts say, and which of them stand every check.

A report judges a reading over the plausible worlds and then checks the verdict four ways — its
band's assumed margin halved and doubled (:mod:`experiments.verdicts.margins`), the facts'
narrower ranges, where along its deciding uncertainties it turns, the market's size — and a
control study judges it again with one parameter pinned. A strategist (or a board, or a class)
asks the sum of them: does the claim hold, and would that answer survive a reader's other
choices? :func:`bottom_lines` answers in a few lines a claim, from the committed summaries alone
(each report's JSON and its control studies'), with the index's levels: the README and the
index print the same lines, checked against the summaries by ``tests/test_bottom_line.py``.

A verdict *hangs on* a check where the check's verdict contradicts it: no answer is left that
both allow. *Supported*, *depends on the world* and *not supported* each allow one answer; an
*undetermined* verdict allows the two on either side of its cut-off (more worlds would decide
between them), so a verdict that only becomes undetermined under a check — often because the
check's fewer worlds widen the interval — does not hang on it; one that reads *supported* under a
check where it read *depends on the world* does. Sides (*stronger* / *weaker than claimed*,
*dispersed*) are left aside: what a verdict says of P(holds) is what a decision would rest on
(:func:`~experiments.verdicts.verdict_words.without_side`). Along an uncertainty only *turns
whole* counts (*not supported* where it holds least, *supported* where it holds most, at the
index's level), and the market's size only where the index finds a size effect beyond chance and
noise. A verdict that hangs on nothing *stands*: it is the model's over the plausible worlds,
whatever margin, fact range, size or pinned value a reader picks among those checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from experiments.reporting.conditional_section import index_level, index_turn_marks
from experiments.reporting.scale_index import size_dependent
from experiments.verdicts.verdict_words import without_side

__all__ = ["BOTTOM_LINE_HEAD", "bottom_lines", "claim_bottom_line", "contradicts", "verdict_class"]

#: The heading both the README and the index give the lines (the README's copy is found by it).
BOTTOM_LINE_HEAD = "The bottom line, claim by claim"

#: What each verdict says of P(holds), in the order the lines list them, with the answers it
#: leaves open: S supported, D depends on the world, N not supported.
_ALLOWS = {
    "supported": frozenset("S"),
    "undetermined: its interval spans 0.8": frozenset("DS"),
    "depends on the world": frozenset("D"),
    "undetermined: its interval spans 0.2": frozenset("ND"),
    "not supported": frozenset("N"),
}
#: Each of them as the lines say it.
_SAID = {
    "supported": "supported",
    "undetermined: its interval spans 0.8": "undetermined at 0.8",
    "depends on the world": "depends on the world",
    "undetermined: its interval spans 0.2": "undetermined at 0.2",
    "not supported": "not supported",
}


def verdict_class(words: str) -> str:
    """What a verdict says of P(holds): its words without their side, and without the marks a
    report adds after them.

    >>> verdict_class("not supported: weaker than claimed")
    'not supported'
    >>> verdict_class("undetermined: its interval spans 0.8 (stronger than claimed) · turns along x")
    'undetermined: its interval spans 0.8'
    """
    return without_side(words.split(" · ")[0]).strip()


def contradicts(words: str, other: str) -> bool:
    """Whether two verdicts leave no answer both allow (module docstring); words outside the
    five classes (no plausible worlds, undefined in most) contradict nothing.

    >>> contradicts("depends on the world", "undetermined: its interval spans 0.8")
    False
    >>> contradicts("depends on the world (weaker than claimed)", "supported")
    True
    >>> contradicts("not supported", "undetermined: its interval spans 0.2")
    False
    """
    a, b = (_ALLOWS.get(verdict_class(w)) for w in (words, other))
    return a is not None and b is not None and not a & b


def _said(words: str) -> str:
    """A verdict's class as the lines say it."""
    c = verdict_class(words)
    return _SAID.get(c, c)


def _side(words: str) -> str:
    """The side a verdict names (``weaker than claimed``), or ``""``."""
    first = words.split(" · ")[0]
    return first[len(verdict_class(first)) :].strip(" :()")


def _p(p: float | None) -> str:
    """A P(holds) of a summary's numbers: two decimals, "—" where nothing was measured."""
    return "—" if p is None or p != p else f"{p:.2f}"


def claim_bottom_line(
    summary: Mapping,
    whole: Mapping[str, list[str]],
    sized: Mapping[str, str],
    pinned: Mapping[str, list[tuple[str, str, float]]],
) -> str:
    """One claim's bottom line, from its report's summary and what the index found.

    Parameters
    ----------
    summary : mapping
        The report's JSON summary (``rows``, ``diagnostics``, ``facts``, ``margins``).
    whole : mapping of str to list of str
        Per reading, the uncertainties along which it turns whole at the index's level, each as
        ``KEY (assumed)`` or ``KEY (published)``.
    sized : mapping of str to str
        Per reading with a size effect at the index's level, its words (``holds less often
        with 8,000 people``).
    pinned : mapping of str to list of (str, str, float)
        Per reading, each control study's pins in words, the verdict's words there and its
        P(holds).

    Returns
    -------
    str
        A Markdown paragraph: the verdicts grouped by what they say, those that stand every
        check, and what each of the others hangs on.
    """
    diagnostic = set(summary.get("diagnostics") or {})
    rows = [r for r in summary["rows"] if r["reading"] not in diagnostic]
    if not rows:
        return "No reading judged."
    own = {r["reading"]: r["verdict"] for r in rows}
    # What each verdict says, grouped; the side each names beside its P(holds).
    groups: dict[str, list[str]] = {}
    for r in rows:
        side = _side(r["verdict"])
        p = r["P(holds) [95%]"].split(" ")[0].rstrip(";")
        groups.setdefault(verdict_class(r["verdict"]), []).append(
            f"{r['reading']} {p}" + (f" ({side})" if side else "")
        )
    order = [*_ALLOWS, *sorted(set(groups) - set(_ALLOWS))]
    said = "; ".join(f"*{_SAID.get(c, c)}*: {', '.join(groups[c])}" for c in order if c in groups)
    if len(groups) > 1:
        lead = f"**Its {len(rows)} readings disagree**"
    else:
        every = {1: "its one reading", 2: "both readings"}.get(
            len(rows), f"all {len(rows)} readings"
        )
        lead = f"**{_said(rows[0]['verdict']).capitalize()}** under {every}"
    # What each verdict hangs on, by the check whose verdict contradicts it.
    causes: dict[str, list[str]] = {}

    # (an undetermined verdict's checks that decide it, by the answer each gives)
    decided: dict[str, dict[str, list[tuple[str, str]]]] = {}

    def hangs(cause: str, reading: str, words: str, p: float | None, how: str = "") -> None:
        cell = f"{reading} {_said(words)}{how} ({_p(p)})"
        allows, gives = (_ALLOWS.get(verdict_class(w)) for w in (own[reading], words))
        if allows is None or gives is None:
            return
        if contradicts(own[reading], words):
            causes.setdefault(cause, []).append(cell)
        elif len(allows) == 2 and len(gives) == 1:
            decided.setdefault(reading, {}).setdefault(next(iter(gives)), []).append((cause, cell))

    for m in summary.get("margins", []):
        if m["reading"] in own:
            for b, how in zip(
                m["bands"][1:], (" with it halved", " with it doubled"), strict=False
            ):
                hangs("the band's assumed margin", m["reading"], b["words"], b["p"], how)
    for f in summary.get("facts", []):
        for b in f.get("bounds", [])[1:] if f["reading"] in own else []:
            if b.get("label"):
                hangs(f"the facts' range *{b['label']}*", f["reading"], b["words"], b["p"])
    for reading in own:
        for key in whole.get(reading, []):
            causes.setdefault(f"where a world lies along {key}", []).append(
                f"{reading} turns whole"
            )
        if reading in sized:
            causes.setdefault("the market's size", []).append(f"{reading}{sized[reading]}")
        for pins, words, p in pinned.get(reading, []):
            hangs(f"{pins} (a control study)", reading, words, p)
    # An undetermined verdict that checks decide both ways hangs on them.
    for answers in decided.values():
        if len(answers) > 1:
            for cause, cell in (x for cells in answers.values() for x in cells):
                causes.setdefault(cause, []).append(cell)
    hanging = {cell.split(" ")[0] for cells in causes.values() for cell in cells}
    standing = [r for r in own if r not in hanging]
    stands = (
        "Every verdict stands every check."
        if not hanging
        else f"Standing every check: {', '.join(standing)}."
        if standing
        else "No verdict stands every check."
    )
    hung = "".join(f" Hangs on {cause}: {'; '.join(cells)}." for cause, cells in causes.items())
    # A check the summary lacks was not made (a report of older code, a study without a larger
    # market or a control study): its verdicts stand the others only.
    missing = [
        what
        for what, made in (
            ("the band's assumed margin", "margins" in summary),
            (
                "the facts' ranges",
                any(len(f.get("bounds", [])) > 1 for f in summary.get("facts", [])),
            ),
            ("the larger market", bool(summary.get("scale"))),
            ("a control study", bool(pinned)),
        )
        if not made
    ]
    unchecked = f" Not checked here: {', '.join(missing)}." if missing else ""
    return f"{lead} — {said}. {stands}{hung}{unchecked}"


def bottom_lines(
    reports: Path,
    names: list[str],
    link: str = "",
    level: int = 3,
    summaries: Mapping[str, dict] | None = None,
) -> list[str]:
    """The README's and the index's section: a bullet a claim, from ``reports``' summaries.

    Parameters
    ----------
    reports : Path
        The folder of the reports' ``NAME.json`` (its control studies under ``pinned/``).
    names : list of str
        The claims, in the order to list them (those without a summary are left out).
    link : str
        The folder the bullets link each report in, ending in ``/`` (``""``: beside them).
    level : int
        The heading's level (3 in the README, under its section on the claims; 2 in the index).
    summaries : mapping of str to dict, optional
        The summaries already read (the index's, with the claims' present declarations); by
        default each ``NAME.json`` in ``reports``.
    """
    if summaries is None:
        summaries = {
            name: json.loads((reports / f"{name}.json").read_text(encoding="utf-8"))
            for name in names
            if (reports / f"{name}.json").exists()
        }
    summaries = {name: summaries[name] for name in names if name in summaries}
    if not summaries:
        return []
    turn_level = index_level(list(summaries.values()))
    along = [(n, "", a) for n, s in summaries.items() for a in s.get("along", [])]
    whole: dict[str, dict[str, list[str]]] = {}
    for (name, reading), marks in index_turn_marks(along, turn_level).items():
        for mark in marks.split(" · "):
            if mark.startswith("turns whole along "):
                whole.setdefault(name, {}).setdefault(reading, []).append(
                    mark.removeprefix("turns whole along ")
                )
    scale = [(n, "", c) for n, s in summaries.items() for c in s.get("scale", [])]
    sized: dict[str, dict[str, str]] = {}
    for name, check, flips in size_dependent(scale):
        more = flips.only_second > flips.only_first
        sized.setdefault(name, {})[check["reading"]] = (
            f" holds {'more' if more else 'less'} often with {check['clients'][2]:,} people"
        )
    pinned: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for folder in sorted((reports / "pinned").glob("*")):
        for name in summaries:
            path = folder / f"{name}.json"
            pin = json.loads(path.read_text(encoding="utf-8")).get("pin") if path.exists() else None
            for r in (pin or {}).get("readings", []):
                words = folder.name.replace("=", " = ")
                pinned.setdefault(name, {}).setdefault(r["reading"], []).append(
                    (words, r["words"][1], r["p"][1])
                )
    lines = [f"{'#' * level} {BOTTOM_LINE_HEAD}", "", _INTRO, ""]
    for name, s in summaries.items():
        title = f"[{s['title']}]({link}{name}.md)"
        line = claim_bottom_line(s, whole.get(name, {}), sized.get(name, {}), pinned.get(name, {}))
        lines.append(f"- {title}: {line}")
    return [*lines, ""]


_INTRO = (
    "Each claim's verdicts (diagnostics aside) grouped by what they say of P(holds), each with "
    "P(holds) and the side its failing worlds lie on; then which verdicts *stand every check* and "
    "what each of the others *hangs on*. The checks: the band's assumed margin halved and "
    "doubled, the facts' narrower ranges, where a world lies along each deciding uncertainty, the "
    "larger market and each control study with one parameter pinned. A verdict hangs on a check "
    "whose verdict contradicts it, leaving no answer both allow (*undetermined* allows the two "
    "either side of its cut-off, so a verdict that only becomes undetermined, often because fewer "
    "worlds widen the interval, still stands), P(holds) there in brackets; along an uncertainty, "
    "where it *turns whole* (not supported where it holds least, supported where most); in the "
    "larger market, where the size effect stands out from chance and noise. A verdict that hangs "
    "on an assumed margin or range is partly ours; one that turns whole along a published range "
    "depends on where a firm lies along it. Other changes of words (a verdict becoming "
    "undetermined, a side) are in the reports and the index's sections, with the numbers."
)
