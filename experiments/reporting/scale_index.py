"""The index's section on the market's size: every report's size check side by side.

Each claim report's size check (:mod:`experiments.reporting.scale_section`, its JSON ``scale``) gives a
reading's P(holds) on the same worlds in the study's market and in a larger one, the size test,
the noise yardstick and each size's measured noise; the index puts them in one table, tests them
at the Bonferroni level over every reading and marks a verdict cell only where a size effect
stands out from chance and from noise (:mod:`experiments.analysis.scale_check`).
"""

from __future__ import annotations

from collections.abc import Sequence

from experiments.analysis.scale_check import Flips, beyond_noise
from experiments.reporting.cells import run_p_text
from experiments.reporting.scale_section import (
    flips_text,
    kappa_text,
    noise_ratio,
    noise_sizes_text,
    paired_text,
)
from experiments.verdicts.verdict_words import how_many

__all__ = [
    "check_beyond_noise",
    "index_lines",
    "quieter_shown",
    "size_dependent",
    "size_effects_text",
    "size_level",
    "size_open",
    "sized_words",
    "within_noise",
]


def size_level(scale: Sequence[tuple[str, str, dict]]) -> float:
    """The Bonferroni level of the size tests: 0.05 ÷ how many readings are tested (0 for none)."""
    return 0.05 / len(scale) if scale else 0.0


def check_beyond_noise(check: dict) -> bool:
    """:func:`experiments.analysis.scale_check.beyond_noise` of a report's size check (its JSON), over the
    worlds defined in both new runs (``paired``; in a check written before it was, over each run's
    own defined worlds; True in a check without ``corrected``)."""
    b = check.get("paired")
    if b is not None:
        return beyond_noise(b["large"][0], tuple(b["again"][1:3]), tuple(b["corrected"][1:3]))
    c = check.get("corrected")
    if c is None:
        return True
    return beyond_noise(check["p"][2], (check["p_low"][1], check["p_high"][1]), (c[1], c[2]))


def quieter_shown(check: dict, level: float) -> bool:
    """Whether the bracket rule's premise holds for a report's size check (its JSON): the larger
    market shown to measure the reading with less noise than the smaller (its sign test below
    ``level``, leaning that way); assumed, as before it was measured, in a check without
    ``noise_sizes``."""
    if "noise_sizes" not in check:
        return True
    n = check["noise_sizes"]
    if not n:  # (recorded as not measured: either size ran once)
        return False
    return n["quieter"] > n["louder"] and n["p_value"] < level


def _below_level(scale: Sequence[tuple[str, str, dict]]) -> list[tuple[str, dict, Flips]]:
    """The readings whose size test lies below :func:`size_level`, as ``(claim, check, test)``."""
    level = size_level(scale)
    found = [(name, c, Flips(**c["size"])) for name, _, c in scale]
    return [(name, c, f) for name, c, f in found if f.paired and f.p_value < level]


def _bracketed(scale: Sequence[tuple[str, str, dict]]) -> list[tuple[str, dict, Flips]]:
    """:func:`_below_level`'s readings for which the bracket applies (:func:`quieter_shown`)."""
    level = size_level(scale)
    return [row for row in _below_level(scale) if quieter_shown(row[1], level)]


def size_dependent(scale: Sequence[tuple[str, str, dict]]) -> list[tuple[str, dict, Flips]]:
    """The index's readings whose size test lies below :func:`size_level`, whose larger market is
    shown to be the quieter (:func:`quieter_shown`) and whose larger market's P(holds) lies
    beyond what noise allows (:func:`check_beyond_noise`), as ``(claim, check, size test)``:
    their P(holds) is the study's market's, and the larger market's differs from it by more than
    chance and more than noise."""
    return [row for row in _bracketed(scale) if check_beyond_noise(row[1])]


def within_noise(scale: Sequence[tuple[str, str, dict]]) -> list[tuple[str, dict, Flips]]:
    """The readings whose size test lies below :func:`size_level` but whose larger market's
    P(holds) lies within the bracket noise allows (:func:`check_beyond_noise`), the larger market
    shown to be the quieter: a lean consistent with no size effect
    (:mod:`experiments.analysis.scale_check`)."""
    return [row for row in _bracketed(scale) if not check_beyond_noise(row[1])]


def size_open(scale: Sequence[tuple[str, str, dict]]) -> list[tuple[str, dict, Flips]]:
    """The readings whose size test lies below :func:`size_level` but whose larger market is not
    shown to be the quieter: the bracket does not apply, and whether size moves them is open."""
    level = size_level(scale)
    return [row for row in _below_level(scale) if not quieter_shown(row[1], level)]


def size_effects_text(scale: Sequence[tuple[str, str, dict]], small: int, large: int) -> str:
    """The readings whose size test lies below the level, named with the shares the bracket
    compares: beyond it (:func:`size_dependent`), within it (:func:`within_noise`) and where it
    does not apply (:func:`size_open`); the verdicts above are the smaller market's."""
    level = size_level(scale)
    found, within, unknown = size_dependent(scale), within_noise(scale), size_open(scale)
    if not found and not within and not unknown:
        return f"No reading's size test lies below {level:.2g}."

    def named(rows: list[tuple[str, dict, Flips]]) -> str:
        return "; ".join(f"`{name}` `{c['reading']}` (size test p = {f.p_value:.2g}; "
                         f"{_shares(c, small, large)})" for name, c, f in rows)  # fmt: skip

    text = []
    if found:
        text.append(
            f"Below {level:.2g} and beyond the smaller market's noise: {named(found)}. Their "
            f"P(holds) above is the study's market's ({small:,} people); the larger market's "
            "differs from it by more than chance and more than noise."
        )
    if within:
        text.append(
            f"Below {level:.2g}, but within the smaller market's noise: {named(within)}. Their "
            f"{large:,}-people P(holds) lies inside the bracket, from the lower to the higher end "
            f"of the {small:,}-people market's intervals measured in one run and with its noise "
            "taken out, where it lies with no size effect in a larger market that measures a "
            "world with less noise, as it is measured to: consistent with no size effect, given "
            "the noise and the width of those intervals, which is not to say size does nothing."
        )
    if unknown:
        text.append(
            f"Below {level:.2g}, and the larger market not shown to measure them with less "
            f"noise: {named(unknown)}. The bracket assumes it does, so for these it does not "
            "apply: whether size moves them is open."
        )
    return " ".join(text)


def _noise_words(check: dict, small: int, large: int) -> str:
    """``; one run's noise with 8,000 people 0.32 times that with 800 (45 / 141 worlds louder /
    quieter, sign test p = 1e-12)``, or nothing where it was not measured."""
    n = check.get("noise_sizes")
    ratio = noise_ratio(n)
    if ratio != ratio:
        return ""
    return (
        f"; one run's noise with {large:,} people {ratio:.2f} times that with {small:,} "
        f"({n['louder']} / {n['quieter']} worlds louder / quieter, sign test p = "
        f"{n['p_value']:.2g})"
    )


def _shares(check: dict, small: int, large: int) -> str:
    """The shares the bracket rule compares (:func:`check_beyond_noise`): over the worlds defined
    in both new runs where recorded, else each run's own."""
    b = check.get("paired")
    noise = _noise_words(check, small, large)
    if b is not None:
        c = b["corrected"]
        return (
            f"on the {how_many(b['worlds'], 'world')} defined in both: P(holds) {b['again'][0]:.2f} with "
            f"{small:,} people, {c[0]:.2f} [{c[1]:.2f}, {c[2]:.2f}] with its noise taken out, "
            f"{b['large'][0]:.2f} with {large:,}{noise}"
        )
    c = check.get("corrected")
    fixed = f"{c[0]:.2f} [{c[1]:.2f}, {c[2]:.2f}] with its noise taken out, " if c else ""
    return (
        f"P(holds) {check['p'][1]:.2f} with {small:,} people, {fixed}{check['p'][2]:.2f} with "
        f"{large:,}{noise}"
    )


def sized_words(check: dict, flips: Flips) -> str:
    """What a verdict cell adds for a reading whose size test stands out: whether it holds more
    or less often in the larger market, by the worlds its size test pairs (those that hold in
    the larger market only against those that hold in the study's only)."""
    more = flips.only_second > flips.only_first
    way = "more" if more else "less" if flips.only_second < flips.only_first else "differently"
    return f" · holds {way} often with {check['clients'][2]:,} people (size test, below)"


def index_lines(scale: list[tuple[str, str, dict]], checked: dict | None) -> list[str]:
    """The section on the market's size: each reading's P(holds) on the checked worlds from a
    new run in the study's market, the bracket's shares over the worlds defined in both, the
    larger market's P(holds), each size's measured noise, the size test and the noise yardstick
    (each report's ``scale``); none without a check."""
    if not scale:
        return []
    _, small, large = scale[0][2]["clients"]
    rows = []
    for name, rel, c in scale:
        cells = [run_p_text(c, i) for i in (1, 2)]
        fixed = paired_text(c)
        rows.append(
            f"| [{name}]({rel}) | {c['reading']} | {cells[0]} | {fixed} | {cells[1]} | "
            f"{noise_sizes_text(c)} | "
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
        "come in whole heads). Each report runs its first plausible worlds four times more, each "
        f"time with a baseline of its own: twice more with {small:,} people and twice with "
        f"{large:,}, and judges each reading on those worlds from one new run of each size "
        "(docs/ODD.md §1.2 item 6; the second of each measures the size's noise). "
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
        "*worlds defined in both* gives, over the worlds where the reading is defined in both "
        f"new runs and in the study, the new run's P(holds) with {small:,} people, the study's "
        "from all their replications with each world's noise removed, and the larger market's. "
        "With no size effect the larger market's lies within the bracket from the lower to the "
        "higher end of the other two's intervals, if the larger market measures a world with "
        f"less noise. That is measured: *noise* is one replication's typical spread with {large:,} "
        f"people over that with {small:,} (the median absolute difference of a world's two new "
        "runs in each size), with the worlds whose larger-market runs lie further apart / closer "
        "than the smaller market's and the sign test's p. Only a reading whose size test lies "
        "below the level, whose larger market is shown to be the quieter and whose larger "
        "market's P(holds) lies beyond the bracket has its verdict cell marked above."
        + (
            f" Measured on the {large:,}-people baselines, the facts keep {checked['kept']} of the "
            f"{checked['checked']} worlds; the last column repeats the size test over those alone."
            if checked
            else ""
        ),
        "",
        f"| claim | reading | P(holds), {small:,} people | worlds defined in both: {small:,} "
        f"once · noise taken out · {large:,} | "
        f"P(holds), {large:,} people | noise: {large:,} ÷ {small:,} (louder / quieter); p | "
        f"size: flips; p | noise: flips; p | noise: alike; κ | "
        f"defined: flips; p | defined, noise: flips; p | size, kept at {large:,} too |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        size_effects_text(scale, small, large),
        "",
    ]
