"""Each claim's bottom line: what its readings answer together, and which verdicts stand every check.

A report judges a reading over the plausible worlds and then checks the verdict — its band's
assumed margin halved and doubled (:mod:`experiments.verdicts.margins`), the facts' narrower
ranges, its two deciding uncertainties, the market's size — and a control study judges it again
with one parameter pinned. A strategist (or a board, or a class) asks the sum of them: does the
claim hold, and would that answer survive a reader's other choices? :func:`bottom_lines` answers
in one line a claim, from the committed summaries alone (each report's JSON and its control
studies'), with the index's levels: the README and the index print the same lines, checked
against the summaries by ``tests/test_bottom_line.py``.

Each verdict allows one answer or two: *supported*, *depends on the world* and *not supported*
one each; *undetermined* the two either side of the cut-off its interval spans (more worlds would
decide between them). A line leads with the answers every reading allows, where one is common to
all. A check *changes* a verdict where the check's verdict contradicts it, no answer left that
both allow — so a verdict that only becomes undetermined under a check (fewer worlds widen the
interval) does not change — and an undetermined verdict changes where checks decide it both ways,
each with P(holds) outside the verdict's own interval. The side a verdict names (*stronger* /
*weaker than claimed*, *dispersed*) is left aside (:func:`~experiments.verdicts.verdict_words.
without_side`). Two checks differ in kind: along a deciding uncertainty the worlds are split, not
judged again, so only a verdict that *turns whole* (not supported where it holds least,
supported where most, at the index's level) changes there; and a control study is compared on
the worlds both studies keep, where only the pin differs, its flips below the Bonferroni level
of its readings (McNemar). A check a report lacks, or a control study written by another code version, is
named as not made, never counted as passed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from experiments import EXPERIMENTS, load
from experiments.reporting.conditional_section import (
    index_level,
    profile_ends,
    range_standing,
    record_turns,
    turns_whole,
)
from experiments.reporting.scale_index import size_dependent
from experiments.verdicts.verdict_words import CUTOFFS, without_side
from model.studies.worlds import declared_uncertainties

__all__ = ["BOTTOM_LINE_HEAD", "bottom_lines", "claim_bottom_line", "contradicts", "verdict_class"]

#: The heading both the README and the index give the lines (the README's copy is found by it).
BOTTOM_LINE_HEAD = "The bottom line, claim by claim"

#: What each verdict says of P(holds), with the answers it leaves open: S supported, D depends
#: on the world, N not supported.
_ALLOWS = {
    "supported": frozenset("S"),
    "undetermined: its interval spans 0.8": frozenset("DS"),
    "depends on the world": frozenset("D"),
    "undetermined: its interval spans 0.2": frozenset("ND"),
    "not supported": frozenset("N"),
}
#: Each verdict as the lines say it (an undetermined one by the answers it allows).
_SAID = {
    "supported": "supported",
    "undetermined: its interval spans 0.8": "supported or depends on the world (too near 0.8 to call)",
    "depends on the world": "depends on the world",
    "undetermined: its interval spans 0.2": "not supported or depends on the world (too near 0.2 to call)",
    "not supported": "not supported",
}
_ANSWER = {"S": "supported", "D": "depends on the world", "N": "not supported"}


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
    c = verdict_class(words)
    return _SAID.get(c, c)


def _side(words: str) -> str:
    """The side a verdict names (``weaker than claimed``), or ``""``."""
    first = words.split(" · ")[0]
    return first[len(verdict_class(first)) :].strip(" :()")


def _p(p: float | None, near: Sequence[float] = ()) -> str:
    """A P(holds) of a summary's numbers: two decimals, three where two would print it as one
    of ``near`` (its verdict's interval bounds, the cut-offs) that it is not; "—" where nothing
    was measured."""
    if p is None or p != p:
        return "—"
    close = any(f"{p:.2f}" == f"{x:.2f}" and p != x for x in (*near, *CUTOFFS))
    return f"{p:.3f}" if close else f"{p:.2f}"


def _lead(rows: Sequence[dict], judged: Sequence[dict]) -> str:
    """The answers every judged reading allows, and the range of their P(holds)."""
    if not judged:
        return "**No reading judged**"
    common = frozenset("SDN")
    for r in judged:
        common &= _ALLOWS[verdict_class(r["verdict"])]
    ps = sorted(float(r["P(holds) [95%]"].split(" ")[0].rstrip(";")) for r in judged)
    span = f"P(holds) {ps[0]:.2f}" + (f"–{ps[-1]:.2f}" if ps[-1] != ps[0] else "")
    every = {1: "its one reading", 2: "both readings"}.get(len(rows), f"all {len(rows)} readings")
    if len(judged) < len(rows):
        every = f"{len(judged)} of its {len(rows)} readings"
        span += f"; {len(rows) - len(judged)} not judged"
    if not common:
        return f"**Its readings answer differently** ({span})"
    exact = all(len(_ALLOWS[verdict_class(r["verdict"])]) == 1 for r in judged)
    if len(common) == 1:
        answer = _ANSWER[next(iter(common))]
        near = "" if exact else ", or too near a cut-off to call,"
        return f"**{answer.capitalize()}**{near} under {every} ({span})"
    both = " or ".join(_ANSWER[a] for a in "SDN" if a in common)
    cut = "0.8" if "S" in common else "0.2"
    return f"**{both.capitalize()}** (too near {cut} to call) under {every} ({span})"


def _inside(band: Mapping, other: Mapping) -> bool:
    """Whether a margins entry's band lies inside another's (a missing edge is infinite)."""
    inf = float("inf")
    low, high = (-inf if band.get("low") is None else band["low"]), band.get("high")
    other_low, other_high = other.get("low"), other.get("high")
    high, other_high = (inf if x is None else x for x in (high, other_high))
    return low >= (-inf if other_low is None else other_low) and high <= other_high


def _fact_label(label: str) -> str:
    """A fact range's label with the operating margin named as such (not the band's margin)."""
    return f"operating {label}" if label.startswith("margin ") else label


def claim_bottom_line(
    summary: Mapping,
    whole: Mapping[str, list[dict]],
    sized: Mapping[str, dict],
    pinned: Mapping[str, list[tuple[str, dict, float]]],
    older: Sequence[str] = (),
) -> str:
    """One claim's bottom line, from its report's summary and what the index found.

    Parameters
    ----------
    summary : mapping
        The report's JSON summary (``rows``, ``diagnostics``, ``facts``, ``margins``, ``scale``).
    whole : mapping of str to list of dict
        Per reading, its profiles along an uncertainty (the JSON's ``along``) that turn whole at
        the index's level.
    sized : mapping of str to dict
        Per reading with a size effect at the index's level, its size check (the JSON's
        ``scale``).
    pinned : mapping of str to list of (str, dict, float)
        Per reading, each control study's pins in words, its comparison (the control report's
        ``pin.readings``) and the Bonferroni level of its flips test.
    older : sequence of str
        The control studies (their pins in words) whose report of this claim another code version
        wrote.

    Returns
    -------
    str
        A Markdown paragraph: the answer the readings allow together, each reading's verdict,
        those that stand every check and what changes each of the others.
    """
    diagnostic = set(summary.get("diagnostics") or {})
    rows = [r for r in summary["rows"] if r["reading"] not in diagnostic]
    if not rows:
        return "No reading judged."
    judged = [r for r in rows if verdict_class(r["verdict"]) in _ALLOWS]
    own = {r["reading"]: r["verdict"] for r in judged}
    cells = []
    for r in rows:
        side = _side(r["verdict"])
        p = r["P(holds) [95%]"].split(";")[0]
        said = _said(r["verdict"])
        if side:  # (one bracket: "… (too near 0.2 to call; weaker than claimed)")
            said = f"{said[:-1]}; {side})" if said.endswith(")") else f"{said} ({side})"
        cells.append(" ".join(x for x in (r["reading"], p.strip(), said) if x))
    if not own:  # (nothing to check)
        return f"{_lead(rows, judged)}: {'; '.join(cells)}."
    # The verdict's own interval (an undetermined verdict's checks must reach beyond it).
    interval: dict[str, tuple[float, float]] = {}
    for entry, key in [*((m, "bands") for m in summary.get("margins", [])),
                       *((f, "bounds") for f in summary.get("facts", []))]:  # fmt: skip
        first = (entry.get(key) or [{}])[0]
        if "p_low" in first and first["p_low"] is not None:
            interval[entry["reading"]] = (first["p_low"], first["p_high"])
    for r in judged:  # (else the row's own, as printed)
        if r["reading"] not in interval and "[" in r["P(holds) [95%]"]:
            low, high = r["P(holds) [95%]"].split("[", 1)[1].split("]", 1)[0].split(", ")
            interval[r["reading"]] = (float(low), float(high))
    changes: dict[str, list[str]] = {}
    decided: dict[str, dict[str, list[str]]] = {}

    def check(reading: str, what: str, words: str, p: float | None) -> None:
        if reading not in own:
            return
        cell = f"{what}: {_said(words)} ({_p(p, interval.get(reading, ()))})"
        allows, gives = (_ALLOWS.get(verdict_class(w)) for w in (own[reading], words))
        if allows is None or gives is None:
            return
        if not allows & gives:
            changes.setdefault(reading, []).append(cell)
        elif len(allows) == 2 and len(gives) == 1:
            low, high = interval.get(reading, (float("inf"), float("-inf")))
            if p is None or not low <= p <= high:  # (within its own interval: noise)
                decided.setdefault(reading, {}).setdefault(next(iter(gives)), []).append(cell)

    for m in summary.get("margins", []):
        bands = {b["label"]: b for b in m["bands"]}
        stated = bands.get("as stated", {})
        for label in ("margin halved", "margin doubled"):
            if (b := bands.get(label)) is not None:
                kind = "stricter" if _inside(b, stated) else "looser"
                what = f"its band's margin {label.split()[1]} (a {kind} band)"
                check(m["reading"], what, b["words"], b["p"])
    for f in summary.get("facts", []):
        for b in f.get("bounds", [])[1:]:
            if b.get("label"):
                what = f"the facts kept at {_fact_label(b['label'])}"
                check(f["reading"], what, b["words"], b["p"])
    for reading, checks in sized.items():
        if "words" in checks:  # (a size check of older code recorded no words: nothing to judge)
            check(reading, f"{checks['clients'][2]:,} people", checks["words"][2], checks["p"][2])
    for reading, studies in pinned.items():
        for pins, r, level in studies:
            if r["effect"]["p_value"] < level and contradicts(r["words"][2], r["words"][3]):
                check(reading, f"{pins} (a control study)", r["words"][3], r["p"][3])
    for reading, answers in decided.items():
        if len(answers) > 1:  # (decided both ways)
            changes.setdefault(reading, []).extend(c for cs in answers.values() for c in cs)
    for reading, profiles in whole.items():
        for a in profiles:
            least, most = profile_ends(a)
            changes.setdefault(reading, []).append(
                f"{a['uncertainty']} ({a['standing']}) turns it whole: not supported at "
                f"{least['values']} ({_p(least['p'])}), supported at {most['values']} "
                f"({_p(most['p'])})"
            )
    # Which checks the summary has: one it lacks was not made, and passes nobody.
    missing = [
        what
        for what, made in (
            ("the band's margin", "margins" in summary),
            (
                "the facts' ranges",
                any(
                    len(f.get("bounds", [])) > 1 and all(b.get("label") for b in f["bounds"][1:])
                    for f in summary.get("facts", [])
                ),
            ),
            ("the larger market", any("words" in c for c in summary.get("scale", []))),
            ("a control study", any(pinned.values())),
        )
        if not made
    ] + [f"the control study at {pins} (another code version)" for pins in older]
    standing = [r for r in own if r not in changes]
    made = "the checks made" if missing else "every check"
    stands = (
        f"All stand {made}."
        if standing and len(standing) == len(rows)
        else f"Standing {made}: {', '.join(standing)}."
        if standing
        else f"None stands {made}."
    )
    changed = "".join(f" {r} changes with {'; '.join(cs)}." for r, cs in changes.items())
    unchecked = f" Not checked here: {', '.join(missing)}." if missing else ""
    return f"{_lead(rows, judged)}: {'; '.join(cells)}. {stands}{changed}{unchecked}"


def _whole(summaries: Mapping[str, dict]) -> dict[str, dict[str, list[dict]]]:
    """Per claim and reading, the profiles that turn whole at the index's level, each with its
    range's standing (``assumed`` or ``published``)."""
    level = index_level(list(summaries.values()))
    declared = declared_uncertainties()
    found: dict[str, dict[str, list[dict]]] = {}
    for name, s in summaries.items():
        for a in s.get("along", []):
            least, most = (b["words"] for b in profile_ends(a))
            if turns_whole(least, most) and record_turns(a, level):
                standing = range_standing(declared.get(a["uncertainty"]))
                found.setdefault(name, {}).setdefault(a["reading"], []).append(
                    {**a, "standing": standing}
                )
    return found


def _controls(reports: Path, summaries: Mapping[str, dict]) -> tuple[dict, dict]:
    """Per claim: each reading's control studies ``(pins in words, comparison, level)`` and the
    control studies whose report of it another code version wrote (its ``code`` not the drawn
    report's)."""
    pinned: dict[str, dict[str, list[tuple[str, dict, float]]]] = {}
    older: dict[str, list[str]] = {}
    for folder in sorted((reports / "pinned").glob("*")):
        written = {
            name: json.loads(path.read_text(encoding="utf-8"))
            for name in summaries
            if (path := folder / f"{name}.json").exists()
        }
        compared = [r for w in written.values() for r in (w.get("pin") or {}).get("readings", [])]
        level = 0.05 / max(len(compared), 1)  # (Bonferroni over the study's readings)
        for name, w in written.items():
            pin = w.get("pin") or {}
            words = ", ".join(
                f"{k} fixed at {v:g}" if isinstance(v, float) else f"{k} fixed at {v}"
                for k, v in pin.get("pins", [])
            )
            if w.get("code") is None or w.get("code") != summaries[name].get("code"):
                older.setdefault(name, []).append(words)
                continue
            for r in pin.get("readings", []):
                pinned.setdefault(name, {}).setdefault(r["reading"], []).append((words, r, level))
    return pinned, older


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
    # (each claim's diagnostics as it now declares them, as the index marks them)
    summaries = {
        name: {
            **summaries[name],
            "diagnostics": {
                **(summaries[name].get("diagnostics") or {}),
                **(load(name).CLAIM.diagnostics if name in EXPERIMENTS else {}),
            },
        }
        for name in names
        if name in summaries
    }
    if not summaries:
        return []
    whole = _whole(summaries)
    scale = [(n, "", c) for n, s in summaries.items() for c in s.get("scale", [])]
    sized: dict[str, dict[str, dict]] = {}
    for name, check, _flips in size_dependent(scale):
        sized.setdefault(name, {})[check["reading"]] = check
    pinned, older = _controls(reports, summaries)
    lines = [f"{'#' * level} {BOTTOM_LINE_HEAD}", "", _INTRO, ""]
    for name, s in summaries.items():
        line = claim_bottom_line(
            s, whole.get(name, {}), sized.get(name, {}), pinned.get(name, {}), older.get(name, [])
        )
        lines.append(f"- [{s['title']}]({link}{name}.md): {line}")
    return [*lines, ""]


_INTRO = (
    "Each claim in one line (docs/ODD.md §1.2 item 8): in bold, the answer every reading allows "
    "(diagnostics aside), with the range of their P(holds); then each reading's P(holds) [95%] "
    "and verdict, with the side its failing worlds lie on; then which verdicts stand every check "
    "— the band's margin, where ours, halved and doubled; the facts' narrower ranges; the larger "
    "market; each control study, on the worlds both studies keep; the two deciding "
    "uncertainties — and what changes each of the others, with P(holds) there. A check changes "
    "a verdict only where its verdict contradicts it (a verdict that merely becomes too near a "
    "cut-off to call has not changed; one too near to call changes where checks decide it both "
    "ways, beyond its own interval), and along an uncertainty only where it *turns whole*: not "
    "supported in one part of the range, supported in another. A verdict that changes with a "
    "margin or range of ours is partly ours; one that turns whole along a published range "
    "depends on where a firm lies along it. Every other change of words is in the reports and "
    "the index's sections, with the numbers."
)
