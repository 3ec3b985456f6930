"""Does the verdict depend on the market's size? A claim report's section, its table and JSON.

The first plausible worlds run again, in the study's market and in a larger one
(:mod:`experiments.analysis.scale_check`); each reading is judged on those worlds from each run, and the
worlds judged differently are counted: between the sizes, and between two runs of the same size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from experiments.analysis.evidence import ClaimEvidence
from experiments.analysis.scale_check import Flips, NoiseSizes, Paired
from experiments.reporting.cells import not_judged_numbers, not_judged_row, share_text
from experiments.reporting.fact_section import verdict_cell
from experiments.verdicts.framework import ReadingVerdict, interval_text
from experiments.verdicts.verdict_words import how_many
from model.studies.worlds import FACTS, rejections

__all__ = [
    "flips_numbers",
    "flips_text",
    "kappa_text",
    "kept_text",
    "noise_ratio",
    "noise_sizes_numbers",
    "noise_sizes_text",
    "paired_numbers",
    "paired_text",
    "scale_intro",
    "scale_numbers",
    "scale_rows",
    "verdict_columns",
]


def scale_intro(ev: ClaimEvidence) -> str:
    """The section's opening paragraph (empty when the study's size has no scale check)."""
    s = ev.size
    if not s.scale_clients:
        return ""
    small, large = f"{s.clients:,}", f"{s.scale_clients:,}"
    return (
        f"A market of {small} people is a small firm: its staff come in whole heads (often one), "
        f"so costs per head move in steps. {_checked(s.scale_worlds, ev.kept)} (in the "
        "order drawn: a random subset of them) ran four times more, each time with a baseline "
        f"of its own: replications 1 and 2 with {small} people, 0 and 1 with {large} (the "
        "world's parameters and seed numbers; not its draws, since a larger market draws more). "
        "The size test, the noise yardstick and the bracket use replication 1 with "
        f"{small} and 0 with {large}; the others measure each size's noise. Each "
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
        "with no size effect at all. So the column *worlds defined in both* gives, over the "
        "worlds where the reading is defined in both new runs and in the study (how many beside "
        f"them), the new run's P(holds) with {small} people, the study's from all their "
        "replications with each world's noise removed as the verdict above removes it "
        f"(replication 0, the screened run, among them) and the {large}-people run's. With no "
        f"size effect, a {large}-people P(holds) lies within the bracket from the lower to the "
        "higher end of the other two's intervals, if the larger market measures a world with "
        f"less noise. *Noise, one replication* measures that: the typical spread with {large} "
        f"people over that with {small} (the median absolute difference of a world's two runs "
        "in each size, neither of them the screened run), the worlds whose larger-market runs "
        "lie further apart / closer than the smaller market's, and the sign test's p. One inside "
        "the bracket, the larger market shown to be the quieter, is consistent with no size "
        "effect, which is not to say size does nothing (the bracket is wide). "
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
        text += f" (the fact that rejects most: {top['fact']}, {how_many(round(top['rejects'] * n), 'world')})"
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


def noise_sizes_numbers(n: NoiseSizes) -> dict[str, object]:
    """A :class:`~experiments.analysis.scale_check.NoiseSizes` as the reports' JSON writes it (its
    fields by name)."""
    return asdict(n)


def noise_sizes_text(check: dict) -> str:
    """``0.34 (12 / 170); p = 3e-30``: one replication's typical noise in the larger market over
    the smaller's, and the worlds whose two larger-market replications lie further apart / closer
    than the smaller market's, with the sign test's p; "—" where it was not measured."""
    n = check.get("noise_sizes")
    if not n or not n["worlds"]:
        return "—"
    ratio = noise_ratio(n)
    shown = f"{ratio:.2f}" if ratio == ratio else "— (no spread with fewer people)"
    return f"{shown} ({n['louder']} / {n['quieter']}); p = {n['p_value']:.2g}"


def noise_ratio(n: dict | None) -> float:
    """One replication's typical noise in the larger market over the smaller's, from a report's
    ``noise_sizes`` (:attr:`experiments.analysis.scale_check.NoiseSizes.ratio`'s); NaN where not
    measured."""
    if not n or not n["worlds"]:
        return float("nan")
    return NoiseSizes(**n).ratio


def paired_numbers(b: Paired) -> dict[str, object]:
    """A :class:`~experiments.analysis.scale_check.Paired` as the reports' JSON writes it: the worlds,
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
    """``0.56 [0.48, 0.63] · 0.67 [0.54, 0.84] · 0.70 (189 worlds)``: the shares the bracket rule compares,
    over the worlds defined in both new runs and in the study — the new run's P(holds) in the
    study's market, the study's with each world's noise taken out, the larger market's — and
    how many worlds; in a check written before those were recorded, the study's noise-corrected
    P(holds) over every checked world; "—" without it."""
    b = check.get("paired")
    if b is not None:
        if not b["worlds"]:
            return "— (no world defined in both)"
        p, low, high, _ = b["corrected"]
        return (
            f"{interval_text(*b['again'])} · {interval_text(p, low, high)} · {b['large'][0]:.2f} "
            f"({how_many(b['worlds'], 'world')})"
        )
    return interval_text(*check["corrected"][:3]) if check.get("corrected") else "—"


def scale_rows(ev: ClaimEvidence) -> list[dict[str, object]]:
    """The section's table: per reading, its verdict on the checked worlds from each run, the
    size test, the noise yardstick, the definedness test and its yardstick (none when the size
    has no scale check)."""
    s = ev.size
    small, large = f"{s.clients:,}", f"{s.scale_clients:,}"
    return [
        not_judged_row(
            {
                "reading": r.verdict.reading.name,
                f"{small} people, the study's run": verdict_cell(r.scale.studied),
                f"{small} people, another run": verdict_cell(r.scale.again),
                f"worlds defined in both: {small} once · noise taken out · {large}": (
                    paired_text({"paired": paired_numbers(r.scale.paired)})
                    if r.scale.paired is not None
                    else "—"
                ),
                f"{large} people": verdict_cell(r.scale.large),
                f"noise, one replication: {large} ÷ {small} (worlds louder / quieter); p": (
                    noise_sizes_text(
                        {"noise_sizes": noise_sizes_numbers(r.scale.noise_sizes)}
                        if r.scale.noise_sizes is not None
                        else {}
                    )
                ),
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
            },
            r.not_judged,
        )
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
            not_judged_numbers(
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
                    "noise_sizes": noise_sizes_numbers(c.noise_sizes)
                    if c.noise_sizes is not None
                    else None,
                },
                r.not_judged,
            )
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
    """A :class:`~experiments.analysis.scale_check.Flips` as the reports' JSON writes it (its fields by
    name)."""
    return asdict(f)


def _checked(wanted: int, kept: int) -> str:
    """Which worlds the check ran: the first ``wanted`` plausible ones, at most those kept (a
    quick study said "the first 8" of 2)."""
    if kept == 0:
        return "The first plausible worlds (none was kept here, so none)"
    return f"The first {min(wanted, kept)} plausible worlds"
