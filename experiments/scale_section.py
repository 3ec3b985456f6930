"""Does the verdict depend on the market's size? A claim report's section, its table and JSON.

The first plausible worlds run again, in the study's market and in a larger one
(:mod:`experiments.scale_check`); each reading is judged on those worlds from each run, and the
worlds judged differently are counted: between the sizes, and between two runs of the same size.
"""

from __future__ import annotations

from collections.abc import Sequence

from experiments.cells import run_p_text, share_text
from experiments.evidence import ClaimEvidence
from experiments.fact_section import verdict_cell
from experiments.framework import ReadingVerdict, interval_text
from experiments.scale_check import Flips, Paired, beyond_noise
from model.studies.worlds import FACTS, rejections

__all__ = [
    "check_beyond_noise",
    "flips_numbers",
    "flips_text",
    "index_lines",
    "kappa_text",
    "kept_text",
    "paired_numbers",
    "paired_text",
    "scale_intro",
    "scale_numbers",
    "scale_rows",
    "size_dependent",
    "size_effects_text",
    "size_level",
    "sized_words",
    "verdict_columns",
    "within_noise",
]


def scale_intro(ev: ClaimEvidence) -> str:
    """The section's opening paragraph (empty when the study's size has no scale check)."""
    s = ev.size
    if not s.scale_clients:
        return ""
    small, large = f"{s.clients:,}", f"{s.scale_clients:,}"
    return (
        f"A market of {small} people is a small firm: its staff come in whole heads (often one), "
        f"so costs per head move in steps. The first {s.scale_worlds} plausible worlds (in the "
        "order drawn: a random subset of them) ran twice more, each time with a baseline of its "
        f"own: replication 1 with {small} people and replication 0 with {large} (the world's "
        "parameters and seed numbers; not its draws, since a larger market draws more). Each "
        "reading is judged on those worlds from each run, one replication each, so the first "
        "column (the study's own replication 0, whose baseline the facts screened) need not match "
        "the verdict above, which averages replications near a band edge. *Size*: the two new "
        "runs paired world by world — neither carries the screening — with the worlds that hold "
        f"with {small} people only / with {large} only, of those where the reading is defined in "
        "both, and McNemar's exact test that flips either way are equally likely. *Noise*: the "
        f"same between the study's run and the new one with {small} people: how many worlds "
        "another run of the same size judges differently (and whether the screened run leans "
        "one way), the share of worlds the two runs judge alike and their test–retest κ "
        "(Cohen's: agreement beyond what each run's own share holding would give by chance; near "
        "1 a one-replication verdict is the world's, near 0 it is one run's luck, and P(holds), a "
        "share of measured effects, carries that noise too; where nearly every world holds, or "
        "none, κ is low however alike). A size effect is a size flip count well above the "
        "noise's, leaning one way — but the yardstick's two runs are equally noisy, and the "
        f"larger market's may not be: where it measures a world with less noise, more worlds flip "
        f"into the band than out of it wherever more lie just inside an edge than just outside, "
        f"with no size effect at all. So the column *{small} people, noise taken out* gives the "
        "study's P(holds) from all their replications, each world's noise removed as the verdict "
        "above removes it (replication 0, the screened run, among them), over the worlds where "
        "the reading is defined in both new runs (and in the study's measurements: how many it "
        f"covers is beside it). With no size effect, a {large}-people P(holds) over those worlds "
        f"lies between that interval and the {small}-people run's over them (as noisy as the "
        "study's); one inside that bracket is consistent with no size effect, which is not to say "
        "size does nothing (the bracket is wide). "
        f"*Defined*: the two new runs paired again over every checked world — the worlds where "
        f"the reading is defined with {small} people only / with {large} only, and McNemar's "
        "p — since P(holds) is a share of the defined worlds alone; *defined, noise*: its "
        "yardstick, the study's run against the new one of its size on the same question. "
        "Each p is one test of many (one per reading in every report: experiments/README.md "
        "counts them), so read it against 0.05 divided by how many are read together. The worlds "
        f"are those the facts kept at {small} people; {kept_text(ev)} The last column repeats "
        "the size test over those alone."
    )


def kept_text(ev: ClaimEvidence) -> str:
    """How many of the checked worlds the facts keep in the larger market too, and the fact that
    rejects most of them there."""
    table = ev.scale_worlds
    if table.empty:
        return "no world was checked."
    kept, n = int(table["plausible"].sum()), len(table)
    text = (
        f"measured on the {ev.size.scale_clients:,}-people baselines, the facts keep {kept} of them"
    )
    if kept < n:
        top = rejections(table, FACTS).iloc[0]
        text += f" (the fact that rejects most: {top['fact']}, {round(top['rejects'] * n)} worlds)"
    return text + "."


def kappa_text(f: Flips) -> str:
    """``88% alike; κ 0.58``: the share of paired worlds two judgements agree on and Cohen's κ
    (:attr:`Flips.kappa`), which is undefined where one judgement is the same in every world
    ("κ —: one verdict everywhere") and not recorded in older reports' JSON (the share alone);
    "—" with nothing paired."""
    if not f.paired:
        return "—"
    alike = f"{1.0 - f.share:.0%} alike"
    if f.held_both is None:
        return alike
    k = f.kappa
    return f"{alike}; κ —: one verdict everywhere" if k != k else f"{alike}; κ {k:.2f}"


def flips_text(f: Flips) -> str:
    """``12% of 169 (20 / 1); p = 1.1e-05``: the share flipped, the two directions, McNemar's p."""
    if not f.paired:
        return "—"
    return (
        f"{share_text(f.share)} of {f.paired} ({f.only_first} / {f.only_second}); "
        f"p = {f.p_value:.2g}"
    )


def size_level(scale: Sequence[tuple[str, str, dict]]) -> float:
    """The Bonferroni level of the size tests: 0.05 ÷ how many readings are tested (0 for none)."""
    return 0.05 / len(scale) if scale else 0.0


def check_beyond_noise(check: dict) -> bool:
    """:func:`experiments.scale_check.beyond_noise` of a report's size check (its JSON), over the
    worlds defined in both new runs (``paired``; in a check written before it was, over each run's
    own defined worlds; True in a check without ``corrected``)."""
    b = check.get("paired")
    if b is not None:
        return beyond_noise(b["large"][0], tuple(b["again"][1:3]), tuple(b["corrected"][1:3]))
    c = check.get("corrected")
    if c is None:
        return True
    return beyond_noise(check["p"][2], (check["p_low"][1], check["p_high"][1]), (c[1], c[2]))


def paired_numbers(b: Paired) -> dict[str, object]:
    """A :class:`~experiments.scale_check.Paired` as the reports' JSON writes it: the worlds,
    each new run's ``[P(holds), low, high]`` over them and the study's noise-corrected
    ``[P(holds), low, high, worlds]``."""
    c = b.corrected
    return {
        "worlds": b.worlds,
        "again": [b.again.p, b.again.low, b.again.high],
        "large": [b.large.p, b.large.low, b.large.high],
        "corrected": [c.p, c.low, c.high, c.n],
    }


def paired_text(check: dict) -> str:
    """``0.65 [0.53, 0.83] (of 151 worlds)``: the study's noise-corrected P(holds) over the worlds
    defined in both new runs (in a check written before those were recorded, over every checked
    world); "—" without it."""
    b = check.get("paired")
    if b is not None:
        p, low, high, n = b["corrected"]
        return f"{interval_text(p, low, high)} (of {n} worlds)"
    return interval_text(*check["corrected"][:3]) if check.get("corrected") else "—"


def _below_level(scale: Sequence[tuple[str, str, dict]]) -> list[tuple[str, dict, Flips]]:
    """The readings whose size test lies below :func:`size_level`, as ``(claim, check, test)``."""
    level = size_level(scale)
    found = [(name, c, Flips(**c["size"])) for name, _, c in scale]
    return [(name, c, f) for name, c, f in found if f.paired and f.p_value < level]


def size_dependent(scale: Sequence[tuple[str, str, dict]]) -> list[tuple[str, dict, Flips]]:
    """The index's readings whose size test lies below :func:`size_level` and whose larger
    market's P(holds) lies beyond what noise allows (:func:`check_beyond_noise`),
    as ``(claim, check, size test)``: their P(holds) is the study's market's, and the larger
    market's differs from it by more than chance and more than noise."""
    return [(name, c, f) for name, c, f in _below_level(scale) if check_beyond_noise(c)]


def within_noise(scale: Sequence[tuple[str, str, dict]]) -> list[tuple[str, dict, Flips]]:
    """The readings whose size test lies below :func:`size_level` but whose larger market's
    P(holds) lies within the bracket noise allows (:func:`check_beyond_noise`): a lean
    consistent with no size effect (:mod:`experiments.scale_check`)."""
    return [(name, c, f) for name, c, f in _below_level(scale) if not check_beyond_noise(c)]


def size_effects_text(scale: Sequence[tuple[str, str, dict]], small: int, large: int) -> str:
    """The readings :func:`size_dependent` finds, named with both sizes' P(holds): the table
    shows them, and the verdicts above are the smaller market's."""
    level = size_level(scale)
    found, noise = size_dependent(scale), within_noise(scale)
    if not found and not noise:
        return f"No reading's size test lies below {level:.2g}."

    def named(rows: list[tuple[str, dict, Flips]]) -> str:
        return "; ".join(f"`{name}` `{c['reading']}` ({_shares(c, small, large)}; p = "
                         f"{f.p_value:.2g})" for name, c, f in rows)  # fmt: skip

    text = []
    if found:
        text.append(
            f"Below {level:.2g} and beyond the smaller market's noise: {named(found)}. Their "
            f"P(holds) above is the study's market's ({small:,} people); the larger market's "
            "differs from it by more than chance and more than noise."
        )
    if noise:
        text.append(
            f"Below {level:.2g}, but within the smaller market's noise: {named(noise)}. Their "
            f"{large:,}-people P(holds) lies between the {small:,}-people market's measured in "
            "one run and with its noise taken out, where it lies with no size effect when the "
            "larger market measures a world with no more noise: consistent with no size effect, "
            "given the noise and the width of those intervals, which is not to say size does "
            "nothing."
        )
    return " ".join(text)


def _shares(check: dict, small: int, large: int) -> str:
    """The shares the bracket rule compares (:func:`check_beyond_noise`): over the worlds defined
    in both new runs where recorded, else each run's own."""
    b = check.get("paired")
    if b is not None:
        c = b["corrected"]
        return (
            f"on the {b['worlds']} worlds defined in both: P(holds) {b['again'][0]:.2f} with "
            f"{small:,} people, {c[0]:.2f} [{c[1]:.2f}, {c[2]:.2f}] with its noise taken out, "
            f"{b['large'][0]:.2f} with {large:,}"
        )
    c = check.get("corrected")
    fixed = f"{c[0]:.2f} [{c[1]:.2f}, {c[2]:.2f}] with its noise taken out, " if c else ""
    return (
        f"P(holds) {check['p'][1]:.2f} with {small:,} people, {fixed}{check['p'][2]:.2f} with "
        f"{large:,}"
    )


def scale_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """The section's table: per reading, its verdict on the checked worlds from each run, the
    size test, the noise yardstick, the definedness test and its yardstick (none when the size
    has no scale check)."""
    s = ev.size
    small, large = f"{s.clients:,}", f"{s.scale_clients:,}"
    return [
        {
            "reading": r.verdict.reading.name,
            f"{small} people, the study's run": verdict_cell(r.scale.studied),
            f"{small} people, another run": verdict_cell(r.scale.again),
            f"{small} people, noise taken out (every replication; worlds defined in both sizes)": (
                paired_text({"paired": paired_numbers(r.scale.paired)})
                if r.scale.paired is not None
                else "—"
            ),
            f"{large} people": verdict_cell(r.scale.large),
            f"size: flips ({small} only / {large} only); McNemar p": flips_text(r.scale.size),
            "noise: flips (study's run only / another only); p": flips_text(r.scale.noise),
            "noise: alike; test–retest κ": kappa_text(r.scale.noise),
            f"defined: flips ({small} only / {large} only); p": flips_text(r.scale.defined),
            "defined, noise: flips (study's run only / another only); p": flips_text(
                r.scale.defined_noise
            )
            if r.scale.defined_noise is not None
            else "—",
            f"size, worlds kept at {large} too: flips; p": flips_text(r.scale.size_kept)
            if r.scale.size_kept is not None
            else "—",
        }
        for r in ev.readings
        if r.scale is not None
    ]


def scale_numbers(ev: ClaimEvidence) -> list[dict[str, object]]:
    """:func:`scale_rows` as numbers (the report's JSON): per reading, each run's clients, worlds,
    P(holds) [interval], share undefined and words (the study's run, another run of its size,
    the larger market), then the size test, the noise yardstick, the definedness test and its
    yardstick."""
    out = []
    for r in ev.readings:
        c = r.scale
        if c is None:
            continue
        out.append(
            {
                "reading": r.verdict.reading.name,
                "runs": ["studied", "again", "large"],
                "clients": [ev.size.clients, ev.size.clients, c.clients],
                **verdict_columns((c.studied, c.again, c.large)),
                "size": flips_numbers(c.size),
                "noise": flips_numbers(c.noise),
                "defined": flips_numbers(c.defined),
                "defined_noise": flips_numbers(c.defined_noise)
                if c.defined_noise is not None
                else None,
                "size_kept": flips_numbers(c.size_kept) if c.size_kept is not None else None,
                "corrected": [c.corrected.p, c.corrected.low, c.corrected.high, c.corrected.n]
                if c.corrected is not None
                else None,
                "paired": paired_numbers(c.paired) if c.paired is not None else None,
            }
        )
    return out


def verdict_columns(verdicts: Sequence[ReadingVerdict]) -> dict[str, list]:
    """Several verdicts of one reading as the reports' JSON writes them: each field a list, one
    entry per verdict (worlds, P(holds), its interval, the share undefined, the words)."""
    return {
        "worlds": [v.worlds for v in verdicts],
        "p": [v.p for v in verdicts],
        "p_low": [v.low for v in verdicts],
        "p_high": [v.high for v in verdicts],
        "undefined": [v.shares["undefined"] for v in verdicts],
        "words": [v.words for v in verdicts],
    }


def flips_numbers(f: Flips) -> dict[str, object]:
    """A :class:`~experiments.scale_check.Flips` as the reports' JSON writes it."""
    return {
        "paired": f.paired,
        "only_first": f.only_first,
        "only_second": f.only_second,
        "p_value": f.p_value,
        "held_both": f.held_both,
    }


def sized_words(check: dict, flips: Flips) -> str:
    """What a verdict cell adds for a reading whose size test stands out: whether it holds more
    or less often in the larger market, by the worlds its size test pairs (those that hold in
    the larger market only against those that hold in the study's only)."""
    more = flips.only_second > flips.only_first
    way = "more" if more else "less" if flips.only_second < flips.only_first else "differently"
    return f" · holds {way} often with {check['clients'][2]:,} people (size test, below)"


def index_lines(scale: list[tuple[str, str, dict]], checked: dict | None) -> list[str]:
    """The section on the market's size: each reading's P(holds) on the checked worlds from a
    new run in the study's market and from one in the larger market, the size test and the
    noise yardstick (each report's ``scale``); none without a check."""
    if not scale:
        return []
    _, small, large = scale[0][2]["clients"]
    rows = []
    for name, rel, c in scale:
        cells = [run_p_text(c, i) for i in (1, 2)]
        fixed = paired_text(c)
        rows.append(
            f"| [{name}]({rel}) | {c['reading']} | {cells[0]} | {fixed} | {cells[1]} | "
            f"{flips_text(Flips(**c['size']))} | {flips_text(Flips(**c['noise']))} | "
            f"{kappa_text(Flips(**c['noise']))} | "
            f"{flips_text(Flips(**c['defined'])) if c.get('defined') else '—'} | "
            f"{flips_text(Flips(**c['defined_noise'])) if c.get('defined_noise') else '—'} | "
            f"{flips_text(Flips(**c['size_kept'])) if c.get('size_kept') else '—'} |"
        )
    n = len(scale)
    return [
        "## Does the verdict depend on the market's size?",
        "",
        f"The studies' markets hold {small:,} people, and a firm that small is lumpy (its staff "
        "come in whole heads). Each report runs its first plausible worlds twice more, each time "
        f"with a baseline of its own: once more with {small:,} people and once with {large:,}, "
        "and judges each reading on those worlds from each run (docs/ODD.md §1.2 item 6). "
        "*Size*: the two new runs paired world by world — the worlds that hold in the smaller "
        "market only / in the larger only, of those where the reading is defined in both — and "
        "McNemar's exact p. *Noise*: the same between the study's own run and the new one of its "
        "size, a yardstick for how many worlds another run flips, with the share judged alike "
        "and the test–retest κ (Cohen's: agreement beyond chance; near 0 a one-replication "
        "verdict is one run's luck). P(holds) is over the worlds "
        "where the reading is defined, the share undefined beside it; *defined*: the two new runs "
        "paired on whether the reading is defined at all (worlds defined in the smaller market "
        "only / in the larger only, of every checked world), and *defined, noise* the same "
        "between the study's run and the new one of its size. There is one size test per "
        f"reading ({n} here): by chance about one in twenty lies below 0.05; below "
        f"{size_level(scale):.2g} (0.05 ÷ {n}, Bonferroni) a reading's size effect stands out "
        "from all of them (and likewise for the definedness tests, one per reading). Where the "
        "larger market measures a world with less noise, its flips lean into the band wherever "
        "more worlds lie just inside an edge than just outside, with no size effect at all: "
        f"*{small:,} people, noise taken out* is the study's P(holds) from all their "
        "replications, each world's noise removed, over the worlds where the reading is defined "
        "in both new runs (how many it covers beside it). With no size effect a larger market's "
        f"P(holds) over those worlds lies between it and the {small:,}-people run's over them; "
        "only a reading whose size test lies below the level and whose larger market lies "
        "beyond both has its verdict cell marked above."
        + (
            f" Measured on the {large:,}-people baselines, the facts keep {checked['kept']} of the "
            f"{checked['checked']} worlds; the last column repeats the size test over those alone."
            if checked
            else ""
        ),
        "",
        f"| claim | reading | P(holds), {small:,} people | {small:,} people, noise taken out, "
        "worlds defined in both | "
        f"P(holds), {large:,} people | size: flips; p | noise: flips; p | noise: alike; κ | "
        f"defined: flips; p | defined, noise: flips; p | size, kept at {large:,} too |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        size_effects_text(scale, small, large),
        "",
    ]
