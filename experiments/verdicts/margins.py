"""A band's assumed margin, halved and doubled: how much of a verdict the band's edges decide.

Most claims give a figure, not a range ("five times", "80% from 20%", "1.3 points"); a reading's
band then reaches an assumed margin either side of it (five ± 20%), and a one-sided claim ("fewer
improvements reach the market") an assumed threshold (−10%). Where the margin is an assumption,
the report judges the reading again with it halved and doubled (docs/ODD.md §1.2), so a reader
sees whether the verdict is the model's or the margin's. :attr:`~experiments.verdicts.claim.
Reading.assumed_margin` declares how the margin is measured:

- ``"difference"``: in the effect's unit — a two-sided band's half-width about its middle
  (5 ± 1 becomes 5 ± 0.5 and 5 ± 2), a one-sided threshold's distance from zero (−10% becomes
  −5% and −20%);
- ``"ratio"``: a factor either way about a two-sided band's geometric middle (1.3 ×/÷ 2, 0.65 to
  2.6, becomes 1.3 ×/÷ √2 and 1.3 ×/÷ 4).
"""

from __future__ import annotations

import math

__all__ = ["MARGINS", "margin_bands", "margin_refusal"]

#: How a band's assumed margin is measured ("" : the band is the source's own range, or a sign).
MARGINS = ("", "difference", "ratio")

Band = tuple[float, float]


def margin_refusal(band: Band, margin: str) -> str:
    """Why ``margin`` cannot be halved and doubled on ``band``; empty where it can.

    >>> margin_refusal((0.0, math.inf), "difference")
    'a threshold at 0 is a sign, with no margin to halve'
    >>> margin_refusal((-1.0, 2.0), "ratio")
    'a ratio margin needs a two-sided band above 0'
    """
    if margin not in MARGINS:
        return "not a kind of margin"
    lo, hi = band
    if not margin:
        return ""
    one_sided = math.isinf(lo) or math.isinf(hi)
    if margin == "ratio" and (one_sided or lo <= 0):
        return "a ratio margin needs a two-sided band above 0"
    if one_sided and (hi if math.isinf(lo) else lo) == 0:
        return "a threshold at 0 is a sign, with no margin to halve"
    return ""


def margin_bands(band: Band, margin: str) -> tuple[Band, Band] | None:
    """``band`` with its assumed margin halved and doubled (None where ``margin`` is empty).

    Parameters
    ----------
    band : tuple of float
        ``(low, high)``, one edge infinite for a one-sided band.
    margin : str
        One of :data:`MARGINS` that :func:`margin_refusal` accepts for ``band``.

    Returns
    -------
    (halved, doubled) or None
        The bands with the margin halved and doubled. A two-sided band's halved margin lies
        inside it, the harder to meet; a one-sided band's halved threshold lies nearer zero, the
        easier (a loss of at least 10% read as at least 5%, and at least 20%).

    >>> margin_bands((4.0, 6.0), "difference")
    ((4.5, 5.5), (3.0, 7.0))
    >>> margin_bands((-math.inf, -10.0), "difference")
    ((-inf, -5.0), (-inf, -20.0))
    >>> [tuple(round(e, 4) for e in b) for b in margin_bands((0.65, 2.6), "ratio")]
    [(0.9192, 1.8385), (0.325, 5.2)]
    """
    if not margin:
        return None
    if why := margin_refusal(band, margin):
        raise ValueError(f"assumed_margin: value {margin!r} is not allowed on {band}: {why}")
    lo, hi = band
    if math.isinf(hi):
        return (lo / 2, hi), (lo * 2, hi)
    if math.isinf(lo):
        return (lo, hi / 2), (lo, hi * 2)
    if margin == "ratio":
        middle, factor = math.sqrt(lo * hi), math.sqrt(hi / lo)
        half, double = math.sqrt(factor), factor * factor
        return (middle / half, middle * half), (middle / double, middle * double)
    middle, width = (lo + hi) / 2, (hi - lo) / 2
    return (middle - width / 2, middle + width / 2), (middle - 2 * width, middle + 2 * width)
