"""Where in a deciding uncertainty's range a verdict turns: a report section, its table, figure
and JSON (:mod:`experiments.analysis.conditional` computes them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from experiments.analysis.conditional import (
    MIN_PER_BIN,
    N_BINS,
    RESAMPLES,
    TOP,
    Bin,
    Profile,
    show_value,
)
from experiments.analysis.evidence import ClaimEvidence, ReadingEvidence
from experiments.verdicts.framework import CUTOFFS, interval_text
from experiments.verdicts.verdict_words import how_many
from model.scenario import ParamInfo
from model.studies.files import atomic_file
from model.studies.worlds import declared_uncertainties

__all__ = [
    "along_figure",
    "along_index_lines",
    "along_intro",
    "along_level",
    "along_numbers",
    "along_rows",
    "index_turn_marks",
    "profile_ends",
    "profile_record",
    "profile_rows",
    "range_standing",
    "record_turns",
    "turn_mark",
    "turn_marks",
    "turns",
    "turns_whole",
]


def along_level(readings: int, uncertainties: int) -> float:
    """The level a profile's p is read against: 0.05 over every (reading, uncertainty) pair PAWN
    could have picked from (:mod:`experiments.analysis.conditional`; at least one)."""
    return 0.05 / max(readings * uncertainties, 1)


def index_level(summaries: list[dict]) -> float:
    """The index's level: :func:`along_level` over every (reading, uncertainty) pair PAWN could
    have picked from in all the reports' summaries together (stricter than a report's)."""
    return along_level(1, sum(len(s["rows"]) * s.get("uncertainties", 0) for s in summaries))


def along_intro(ev: ClaimEvidence) -> str:
    """The section's opening paragraph: what a row is, what it is not, and the test's level."""
    n = len(ev.readings)
    level = along_level(n, ev.uncertainties)
    pinned = (
        " In this control study the pinned parameters are constant, so they are never among them."
        if ev.size.pins
        else ""
    )
    return (
        f"For each reading, its first {TOP} deciding uncertainties by PAWN (above its noise "
        "floor; see the ranking below) and the verdict over the kept worlds where the reading is "
        f"defined, split by that uncertainty's value into {N_BINS} bins of about equal counts, "
        f"tied values together (fewer where a bin would hold under {MIN_PER_BIN} worlds; one per "
        f"alternative for a named or yes-no one, an alternative with fewer than {MIN_PER_BIN} "
        "such worlds left out), each judged by the study's rule (P(holds) and its 95% interval against "
        f"{CUTOFFS[0]} and {CUTOFFS[1]}). Read it as: *if your world's value lies here, this is "
        "the verdict over the plausible worlds that share it.* It is a conditional, not a "
        "control: within a bin every other uncertainty is as drawn and the facts kept worlds by "
        "all of them together, so a bin can differ from another through the other values its "
        "worlds were kept with (a control study holds one uncertainty and changes nothing else: "
        "`retention experiment --pin`). The bin whose values hold the uncertainty's declared "
        "default is marked; its verdict is not the defaults' (the other uncertainties are as "
        "drawn there). The last column tests, on the worlds themselves, whether holding shifts "
        "along the uncertainty — Mann–Whitney's U between the values of the worlds that hold and "
        "those that fail (a reading that holds only mid-range can go unnoticed) — or, for "
        "alternatives, differs between them: χ² where every expected count is at least 5, else "
        f"Fisher–Freeman–Halton's exact test by Monte Carlo ({RESAMPLES:,} tables: no p below "
        f"{1 / (RESAMPLES + 1):.0e}, printed ≤). PAWN picked each uncertainty from the "
        f"{ev.uncertainties} that vary, on the same worlds, so read a p against a level that "
        f"covers every pair it could have picked: 0.05 ÷ ({n} readings × {ev.uncertainties}) = "
        f"{level:.2g} in this report (marked *below the level*). The index, which reads every "
        "report together, divides 0.05 by all their pairs: a stricter level, so a p below this "
        "one may not be listed there." + pinned
    )


def along_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """One row per bin, grouped by reading and uncertainty (the test's p on each group's first
    row)."""
    level = along_level(len(ev.readings), ev.uncertainties)
    return [row for r in ev.readings for prof in r.along for row in profile_rows(r, prof, level)]


def profile_rows(r: ReadingEvidence, prof: Profile, level: float) -> list[dict[str, object]]:
    """A reading's bins along one uncertainty as table rows (the reading, the uncertainty and
    the test's p, against ``level``, on the first)."""
    texts = prof.values_texts()
    return [
        {
            "reading": r.verdict.reading.name if i == 0 else "",
            "uncertainty": _named(prof) if i == 0 else "",
            "its values": texts[i] + (_default_mark(b, prof) if i == prof.default_bin else ""),
            "worlds": b.worlds,
            "P(holds) [95%]": b.p_text(),
            "verdict": b.words,
            "does holding shift with it? p": _p_cell(prof, level) if i == 0 else "",
        }
        for i, b in enumerate(prof.bins)
    ]


def _default_mark(b: Bin, prof: Profile) -> str:
    """`` · the default`` for an alternative, `` · holds the default, 3`` for a range of values."""
    if b.value is not None or b.low == b.high:
        return " · the default"
    return f" · holds the default, {show_value(prof.default)}"


def _p_cell(prof: Profile, level: float) -> str:
    """The test's p, its name, the worlds left out, and whether it is below the level."""
    if np.isnan(prof.p_value):  # (a split of the reader's: one group, or nothing to test)
        return f"— ({prof.test})"
    out = f"{prof.p_text()} ({prof.test})"
    if prof.left_out:
        out += f"; {how_many(prof.left_out, 'world')} of rare alternatives left out"
    return out + ("; *below the level*" if prof.p_value < level else "")


def _named(prof: Profile) -> str:
    """The uncertainty and its unit: ``loyalty_economics.spend_growth (share/year of tenure)``."""
    return prof.uncertainty + (f" ({prof.unit})" if prof.unit not in ("-", "") else "")


def along_numbers(ev: ClaimEvidence) -> list[dict[str, object]]:
    """The JSON's ``along``: each reading's profiles with their bins (each bin's ``values`` as the
    report prints them)."""
    return [profile_record(r, prof) for r in ev.readings for prof in r.along]


def profile_record(r: ReadingEvidence, prof: Profile) -> dict[str, object]:
    """A reading's profile along one uncertainty as JSON: the test and each bin."""
    return {
        "reading": r.verdict.reading.name,
        "uncertainty": prof.uncertainty,
        "p_value": None if np.isnan(prof.p_value) else prof.p_value,  # (JSON has no NaN)
        "p_text": prof.p_text(),
        "test": prof.test,
        "left_out": prof.left_out,
        "words_differ": prof.words_differ,
        "unit": prof.unit,
        "default": prof.default,
        "default_bin": prof.default_bin,
        "bins": [
            {
                "low": None if np.isnan(b.low) else b.low,
                "high": None if np.isnan(b.high) else b.high,
                "value": None if b.value is None else b.values_text(),
                "values": text,
                "worlds": b.worlds,
                "holds": b.holds,
                "above": b.above,
                "p": b.p,
                "ci_low": b.ci_low,
                "ci_high": b.ci_high,
                "bounded": b.bounded,
                "words": b.words,
            }
            for b, text in zip(prof.bins, prof.values_texts(), strict=True)
        ],
    }


def along_figure(
    ev: ClaimEvidence,
    path: Path,
    panels: list[tuple[ReadingEvidence, Profile]] | None = None,
) -> bool:
    """P(holds) with its interval, bin by bin, one panel per reading and uncertainty; written to
    ``path`` (PNG). Returns False (and removes an old figure) where there is nothing to draw.

    ``panels``: the (reading, profile) pairs to draw; by default each reading's profiles along
    its deciding uncertainties (:attr:`~experiments.analysis.evidence.ReadingEvidence.along`).
    """
    if panels is None:
        panels = [(r, prof) for r in ev.readings for prof in r.along]
    if not panels:
        path.unlink(missing_ok=True)
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(len(panels), 3)
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (r, prof) in zip(axes.flat, panels, strict=False):
        at = np.arange(len(prof.bins))
        p = np.array([b.p for b in prof.bins])
        low = np.array([b.ci_low for b in prof.bins])
        high = np.array([b.ci_high for b in prof.bins])
        ax.axhspan(CUTOFFS[1], 1.0, color="tab:green", alpha=0.12, label="supported")
        ax.axhspan(0.0, CUTOFFS[0], color="tab:red", alpha=0.10, label="not supported")
        # (Alternatives have no order: points, not a line.)
        line = "o" if prof.bins[0].value is not None else "o-"
        ax.errorbar(at, p, yerr=[p - low, high - p], fmt=line, color="0.2", capsize=3)
        ax.axhline(r.verdict.p, color="tab:blue", lw=1, ls="--", label="over all kept worlds")
        ax.set_xticks(at, [t.replace(" to ", "–\n") for t in prof.values_texts()], fontsize=7)
        ax.set_ylim(0.0, 1.0)
        ax.set_title(f"{r.verdict.reading.name}", fontsize=9)
        if prof.default_bin is not None:
            ax.axvline(
                prof.default_bin, color="tab:red", lw=1, alpha=0.6, label="the defaults' bin"
            )
        ax.set_xlabel(_named(prof), fontsize=8)
        ax.set_ylabel("P(holds)", fontsize=8)
    axes.flat[0].legend(fontsize=6, loc="best")
    fig.tight_layout()
    with atomic_file(path) as handle:
        fig.savefig(handle, format="png", dpi=100)
    plt.close(fig)
    return True


def along_index_lines(along: list[tuple[str, str, dict]], pairs: int) -> list[str]:
    """The index's section: the readings whose verdict turns along a deciding uncertainty.

    Parameters
    ----------
    along : list of (claim, report link, profile)
        Every report's JSON ``along`` entries.
    pairs : int
        The (reading, uncertainty) pairs PAWN could have picked from, every report together.

    Those whose test is below :func:`along_level`'s level over ``pairs`` and whose words differ
    between the bins where the reading holds least and most are listed.
    """
    if not along:
        return []
    level = 0.05 / max(pairs, 1)
    turning = [(name, rel, a) for name, rel, a in along if record_turns(a, level)]
    lines = [
        "## Where verdicts turn along what decides them",
        "",
        "Every report splits the worlds where a reading is defined into about fifths along each of "
        "its first two deciding uncertainties (PAWN) and judges it in each: *if your world's "
        "value lies here, this is the verdict* (a conditional, not a control). Whether holding "
        "shifts along the uncertainty is tested on the worlds (Mann–Whitney; for alternatives χ², "
        "or Fisher–Freeman–Halton where counts are small). PAWN picked each uncertainty from "
        "every one that varies, on the same worlds, so a p counts only below a level that covers every pair it "
        f"could have picked, all reports together: 0.05 ÷ {pairs:,} = {level:.2g}. Of the "
        f"{len(along)} readings and uncertainties so split, these are below it and read "
        "differently where the reading holds least and where it holds most (each report has "
        "every bin):",
        "",
    ]
    if not turning:
        return [*lines, "(none)", ""]
    lines += [
        "| claim | reading | uncertainty | its plausible range | where it holds least "
        "| where it holds most | p |",
        "|---|---|---|---|---|---|---|",
    ]
    declared = declared_uncertainties()
    full = 0
    for name, rel, a in turning:
        unit = f" ({a['unit']})" if a.get("unit") not in (None, "-", "") else ""
        ends = profile_ends(a)
        whole = turns_whole(ends[0]["words"], ends[1]["words"])
        full += whole
        least, most = (_bin_cell(b) for b in ends)
        lines.append(
            f"| [{name}]({rel}) | {a['reading']} | {a['uncertainty']}{unit} | "
            f"{_range_cell(declared.get(a['uncertainty']))}{' · turns whole' if whole else ''} | "
            f"{least} | {most} | {a['p_text']} |"
        )
    lines += [
        "",
        f"{full} of these *turn whole*: *not supported* where the reading holds least and "
        "*supported* where it holds most, within one uncertainty's plausible range. There the "
        "verdict over every world mostly says where in that range the turn lies, and so carries "
        "the range's own standing: read it as *holds where the uncertainty lies where it holds "
        "most* (the two columns give both parts, which need not be the range's ends) — a "
        "conditional claim — wherever the range is an assumption "
        "(*assumed*: its declared source gives no published range for the value itself; "
        "`retention params` prints each source).",
    ]
    return [*lines, ""]


def turns(p_value: float | None, least: str, most: str, level: float) -> bool:
    """Whether a reading's verdict turns along an uncertainty: its test below ``level`` and the
    words differing where it holds least (``least``) and most (``most``). The one rule of the
    reports' verdict cells (:func:`turn_marks`, at the report's level) and the index's
    (:func:`along_index_lines`, :func:`index_turn_marks`, at the index's stricter one)."""
    return p_value is not None and bool(p_value < level) and least != most


def record_turns(a: dict, level: float) -> bool:
    """:func:`turns` for a report's JSON profile (:func:`profile_record`)."""
    least, most = (b["words"] for b in profile_ends(a))
    return turns(a["p_value"], least, most, level)


def turns_whole(least: str, most: str) -> bool:
    """Whether a verdict that turns turns *whole*: *not supported* where it holds least,
    *supported* where it holds most (the words of :func:`profile_ends`' bins)."""
    return least.startswith("not supported") and most == "supported"


def turn_mark(uncertainty: str, least: str, most: str, declared: dict[str, ParamInfo]) -> str:
    """`` · turns along KEY (assumed)`` — ``published`` where the plausible range has a source
    (``declared``: :func:`~model.studies.worlds.declared_uncertainties`); ``turns whole`` where
    the verdict reads *not supported* in the part of the range where the reading holds least and
    *supported* where it holds most (not necessarily the range's ends)."""
    whole = turns_whole(least, most)
    standing = range_standing(declared.get(uncertainty))
    return f" · turns{' whole' if whole else ''} along {uncertainty} ({standing})"


def turn_marks(r: ReadingEvidence, level: float) -> str:
    """A report's verdict cell's marks: :func:`turn_mark` for each profile of the reading that
    :func:`turns` at ``level`` (the report's, :func:`along_level`); ``""`` where none does."""
    declared = declared_uncertainties()
    return "".join(
        turn_mark(prof.uncertainty, prof.least.words, prof.most.words, declared)
        for prof in r.along
        if prof.bins and turns(prof.p_value, prof.least.words, prof.most.words, level)
    )


def index_turn_marks(along: list[tuple[str, str, dict]], level: float) -> dict[tuple, str]:
    """The index's verdict cells' marks by (claim, reading), from every report's JSON
    ``along`` at the index's ``level`` (the same rule as :func:`turn_marks`)."""
    declared = declared_uncertainties()
    marks: dict[tuple, str] = {}
    for name, _rel, a in along:
        if record_turns(a, level):
            least, most = (b["words"] for b in profile_ends(a))
            key = (name, a["reading"])
            marks[key] = marks.get(key, "") + turn_mark(a["uncertainty"], least, most, declared)
    return marks


def range_standing(info: ParamInfo | None) -> str:
    """``assumed`` where an uncertainty's plausible range (or, lacking one, its default) has no
    published source, else ``published``."""
    if info is None:
        return "assumed"
    source = info.plausible_source or info.source
    return "assumed" if "assumption" in source.lower() else "published"


def _range_cell(info: ParamInfo | None) -> str:
    """An uncertainty's plausible range and whether its source publishes it or assumes it."""
    if info is None:
        return "—"
    return f"{info.plausible_text()} ({range_standing(info)})"


def profile_ends(a: dict) -> tuple[dict, dict]:
    """A profile's bins where its reading holds least and most (the first of equals)."""
    return min(a["bins"], key=lambda b: b["p"]), max(a["bins"], key=lambda b: b["p"])


def _bin_cell(b: dict) -> str:
    """A bin of :func:`along_index_lines`: its values as the report prints them, P(holds)
    [interval] and words."""
    bounds = " (bounds)" if b.get("bounded") else ""
    return (
        f"{b['values']}: {interval_text(b['p'], b['ci_low'], b['ci_high'])}{bounds}, {b['words']}"
    )
