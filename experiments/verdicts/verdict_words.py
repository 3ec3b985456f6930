"""A reading's verdict in words: P(holds) and its interval against declared cut-offs.

*Supported*, *not supported*, *depends on the world* or *undetermined* by where the interval of
P(holds) lies against :data:`CUTOFFS`; for a two-sided band, which side the failing worlds lie on
(*stronger than claimed*, *weaker than claimed*, *dispersed around the claim*). docs/ODD.md §1.2
states every rule.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CUTOFFS",
    "DISPERSED",
    "SIDES",
    "how_many",
    "interval_text",
    "near_sides",
    "side_words",
    "verdict_legend",
    "without_side",
    "words",
]

#: P(holds) at or below the first: "not supported"; at or above the second: "supported".
CUTOFFS = (0.2, 0.8)
#: A two-sided reading's worlds miss its band on both sides when at least this share of the
#: worlds where it is defined lies above it and as many below: the band then lies inside the
#: middle half of the worlds' measured effects (between their quartiles), which spread wider
#: than it. A declared cut-off, as :data:`CUTOFFS`.
DISPERSED = 0.25


def words(
    p: float,
    low: float,
    high: float,
    above: float = 0.0,
    two_sided: bool = True,
    below: float = 0.0,
) -> str:
    """The verdict in words from P(holds) and its interval ``[low, high]`` by :data:`CUTOFFS`.

    *Supported* when the whole interval is at or above the upper cut-off, *not supported* when it
    is at or below the lower one, *depends on the world* when it lies between them; an interval
    that spans a cut-off is *undetermined* (more worlds would decide it). To every verdict but
    *supported*, a two-sided band's reading adds the side its worlds miss the band on:
    *dispersed around the claim* when at least :data:`DISPERSED` of the worlds where it is
    defined lie above it and as many below (``above``, ``below``: those shares) — the band then
    lies inside the middle half of the worlds' measured effects, which spread wider than it (each
    world's Monte-Carlo noise included: a report's *near an edge* share and noise yardstick say
    how much of the spread that is); else *stronger than claimed* when at least half lie above,
    *weaker than claimed* when at least half lie below (the effect smaller than the source says,
    or of the other sign: the report's median effect says which). A one-sided band fails only on
    its weak side, which *not supported* already says. The words are compared whole wherever two
    verdicts are compared (a bin of worlds "not supported" against one "not supported: weaker
    than claimed" reads differently).

    >>> words(0.09, 0.07, 0.12, above=0.41, below=0.50)
    'not supported: dispersed around the claim'
    >>> words(0.09, 0.07, 0.12, above=0.10, below=0.81)
    'not supported: weaker than claimed'
    >>> words(0.09, 0.07, 0.12, above=0.10, below=0.81, two_sided=False)
    'not supported'
    >>> words(0.30, 0.25, 0.35, above=0.65)
    'depends on the world (stronger than claimed)'
    >>> words(0.48, 0.42, 0.54, above=0.26, below=0.26)
    'depends on the world (dispersed around the claim)'
    """
    if np.isnan(p):
        return "no plausible worlds"
    side = side_words(above, below, two_sided)
    stronger = f" ({side})" if side else ""
    if low >= CUTOFFS[1]:
        return "supported"
    if high <= CUTOFFS[0]:
        return f"not supported: {side}" if side else "not supported"
    if low > CUTOFFS[0] and high < CUTOFFS[1]:
        return "depends on the world" + stronger
    if low <= CUTOFFS[0] and high >= CUTOFFS[1]:  # (too few worlds to say anything yet)
        return f"undetermined: its interval spans {CUTOFFS[0]:g} and {CUTOFFS[1]:g}" + stronger
    cut = CUTOFFS[1] if high >= CUTOFFS[1] else CUTOFFS[0]
    return f"undetermined: its interval spans {cut:g}" + stronger


def side_words(above: float, below: float, two_sided: bool = True) -> str:
    """The side a two-sided band's worlds miss it on (:func:`words`), from the shares of the
    worlds where the reading is defined that lie ``above`` and ``below`` it; empty for none, or
    a one-sided band.

    >>> side_words(0.59, 0.25), side_words(0.59, 0.24), side_words(0.3, 0.2)
    ('dispersed around the claim', 'stronger than claimed', '')
    """
    if two_sided and min(above, below) >= DISPERSED:
        return "dispersed around the claim"
    if two_sided and above >= 0.5:
        return "stronger than claimed"
    if two_sided and below >= 0.5:
        return "weaker than claimed"
    return ""


#: The sides :func:`side_words` names.
SIDES = ("dispersed around the claim", "stronger than claimed", "weaker than claimed")


def without_side(words: str) -> str:
    """A verdict's words without the side it names (:func:`side_words`): what it says of
    P(holds) alone.

    >>> without_side("not supported: weaker than claimed")
    'not supported'
    >>> without_side("undetermined: its interval spans 0.2 (stronger than claimed)")
    'undetermined: its interval spans 0.2'
    """
    for side in SIDES:
        words = words.replace(f" ({side})", "").replace(f": {side}", "")
    return words


def near_sides(above: int, below: int, n: int, level: float = 0.95) -> list[str]:
    """The sides (:func:`side_words`, ``""`` for none) the worlds would read with their shares
    above and below anywhere in their exact (Clopper–Pearson) ``level`` intervals, other than
    the side their counts give: a side word resting on a share within the worlds' sampling of
    its cut-off (:data:`DISPERSED`, one half). ``above``, ``below``: counts of the ``n`` worlds
    where the reading is defined (a two-sided band's). Each share's interval is its own, not a
    joint one.

    >>> near_sides(334, 142, 566)  # (59% above, 25.1% below: dispersed by a hair)
    ['stronger than claimed']
    >>> near_sides(400, 20, 566), near_sides(300, 20, 566)  # (71% above; 53%: near one half)
    ([], [''])
    """
    # (imported here: the command line's parser imports this module, and holds brings scipy
    # and pandas, which its start-up leaves out: tests/test_cli.py)
    from experiments.verdicts.holds import proportion_interval

    if n <= 0:
        return []

    def ends(k: int) -> tuple[float, ...]:
        low, high = proportion_interval(k, n, level)
        return low, k / n, high

    # The side is monotone in each share between its cut-offs, so the cut-offs inside an
    # interval and the interval's ends are every share at which the side can change.
    def points(k: int) -> list[float]:
        lo, mid, hi = ends(k)
        return [lo, mid, hi, *(c for c in (DISPERSED, 0.5) if lo <= c <= hi)]

    given = side_words(above / n, below / n)
    found = {side_words(a, b) for a in points(above) for b in points(below) if a + b <= 1}
    return sorted(found - {given})


def how_many(n: int, word: str) -> str:
    """``"1 world"``, ``"1,407 worlds"``: a count and its noun, plural but for one."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def interval_text(p: float, low: float, high: float) -> str:
    """``0.62 [0.57, 0.66]``: a probability and its interval, with three decimals where a bound
    would round onto a cut-off (:data:`CUTOFFS`); "—" where nothing was measured (NaN)."""
    if np.isnan(p):
        return "—"
    near = any(round(b, 2) in CUTOFFS and b not in CUTOFFS for b in (low, high))
    d = 3 if near else 2
    return f"{p:.{d}f} [{low:.{d}f}, {high:.{d}f}]"


def verdict_legend(defaults: int) -> str:
    """The paragraph under a report's verdict table: how P(holds), its interval, the verdict's
    words and the table's columns are read (``defaults``: replications at the defaults)."""
    return (
        "P(holds) is the share of plausible worlds whose effect lies in the reading's band, among "
        "the worlds where the effect is defined: the count of worlds whose measured effect lies "
        "in band with each world's Monte-Carlo noise taken out (simulation–extrapolation, Cook & "
        "Stefanski 1994; each world's own noise, its replications' variance moderated by every "
        "world's, Smyth 2004), with a 95% interval that carries both the sampling of worlds and "
        "each world's noise; a world near an edge still as noisy as the band after its "
        "replications (below) is *unresolved*: counted out at the interval's low end and in at "
        "its high end, as no extrapolation recovers where it lies (the column *near an edge "
        "(unresolved)* gives their number in brackets; *bounds* where most worlds near an edge "
        "are such). The whole "
        f"interval ≥ {CUTOFFS[1]} *supported*, ≤ {CUTOFFS[0]} *not supported*, between: "
        "*depends on the world*; across a cut-off: *undetermined*. For a two-sided band, a reading "
        "failing on both sides, at least a quarter of the worlds where it is defined above the "
        "band and a quarter below, is *dispersed around the claim*: the band lies inside the "
        "middle half of the worlds' measured effects, which spread wider than it (each world's "
        "Monte-Carlo noise included); else one with at least half above says *stronger than "
        "claimed* and one with at least half below *weaker than claimed* (smaller, or of the "
        "other sign: the median effect says which); for a one-sided band (≤ or ≥ a threshold) "
        "*above* and *below* only say on which side of it the effect lies. A world's effect is "
        "measured in a finite market with a few replications. The four shares (in band / above "
        "/ below / undefined) are of all plausible worlds; *undefined* means nothing to measure "
        "there (a percentage "
        "of a profit the baseline did not make, or a link whose cause did not move), so the share "
        "of measured effects in band is in band ÷ (1 − undefined); P(holds) is that share with "
        "each world's noise taken out (docs/ODD.md §1.2), so the two can differ by a few "
        f"points. *At the defaults*: the declared scenario's mean over its own {defaults} "
        "replications, [its 95% Student-t interval], and its status; *near an edge* says on "
        "which side of the band the mean lies. A verdict followed by *turns along KEY* reads "
        "otherwise in part of the range of that uncertainty the kept worlds span (the section "
        "*Where along its "
        "deciding uncertainties the verdict turns*, its test below the level there; *turns "
        "whole*: not supported in the part where it holds least, supported in the part where it "
        "holds most, which need not be the range's ends), and *assumed* or "
        "*published* says whether that range is an assumption or from a source: where it is "
        "assumed, the verdict over every world carries the assumption."
    )
