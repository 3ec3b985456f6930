"""Where a reading stands against the stylised facts: the fact its effects move with, and the
narrower ranges of two facts under which every report judges its readings again.

The facts (:data:`model.studies.worlds.FACTS`) decide which drawn worlds are kept; where a
reading's effect moves closely with one (:func:`closest_fact`, |ρ| ≥ :data:`CLOSE_TO_FACT`),
where that fact's range ends can move the verdict, so each report shows the verdict again over
the kept worlds inside each of :data:`TIGHTER_BOUNDS` (:func:`bound_subsets`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from model.studies.worlds import FACTS, OPERATING_MARGIN, Fact

__all__ = ["CLOSE_TO_FACT", "TIGHTER_BOUNDS", "TighterBound", "bound_subsets", "closest_fact"]


@dataclass(frozen=True)
class TighterBound:
    """A narrower range of one stylised fact, under which each report judges its readings again.

    Only narrower than the fact's own range: the worlds a wider one would add were never run.

    Attributes
    ----------
    label : str
        The fact's short name in a report (``margin``).
    fact : Fact
        The stylised fact (:data:`model.studies.worlds.FACTS`).
    low, high : float
        The narrower range, in the fact's unit, inside the fact's own.
    why : str
        Where the range comes from.
    """

    label: str
    fact: Fact
    low: float
    high: float
    why: str

    def __post_init__(self) -> None:
        if not self.fact.text.endswith("(share)"):  # (its ranges are printed as percentages)
            raise ValueError(f"TighterBound {self.fact.name}: only a fact that is a share")
        if not self.fact.low <= self.low < self.high <= self.fact.high:
            raise ValueError(
                f"TighterBound {self.fact.name}: {self.low}..{self.high} must lie inside the "
                f"fact's range {self.fact.low}..{self.fact.high}"
            )

    @property
    def key(self) -> tuple[str, float, float]:
        """(fact name, low, high): how :attr:`ReadingEvidence.bounded` names the set of worlds."""
        return self.fact.name, self.low, self.high

    @property
    def text(self) -> str:
        """``margin -10% to 30%``: the set of worlds in a report's column."""
        return f"{self.label} {self.low:.0%} to {self.high:.0%}"


_FACT = {f.name: f for f in FACTS}

#: The narrower ranges each report judges its readings under, beside the kept worlds' verdict: two
#: facts a reading's effect moves with (|ρ| ≥ :data:`CLOSE_TO_FACT`), narrowed at each end in turn.
TIGHTER_BOUNDS: tuple[TighterBound, ...] = (
    TighterBound("margin", OPERATING_MARGIN, 0.0, 0.45, "no loss at all"),
    TighterBound(
        "margin", OPERATING_MARGIN, -0.10, 0.30, "no margin above about the highest industries'"
    ),
    # The fact's range is an assumption, wide (model/studies/worlds.py); its one figure is that
    # word of mouth is the main factor in 20-50% of purchase decisions (Bughin, Doogan & Vetvik
    # 2010, McKinsey Quarterly; practitioner): the ends of that range, in turn.
    TighterBound(
        "referral share",
        _FACT["referral_share"],
        0.02,
        0.50,
        "no more than the high end of the 20-50% of purchase decisions word of mouth mainly "
        "decides (Bughin, Doogan & Vetvik 2010)",
    ),
    TighterBound(
        "referral share",
        _FACT["referral_share"],
        0.20,
        0.65,
        "no less than the low end of the same 20-50% (Bughin, Doogan & Vetvik 2010)",
    ),
)
if len({b.key for b in TIGHTER_BOUNDS}) != len(TIGHTER_BOUNDS):
    raise ValueError("TIGHTER_BOUNDS: two entries narrow the same fact to the same range")

#: A reading whose effects rank with a fact's values at Spearman |ρ| ≥ this over the kept worlds
#: is close to that fact: its effect moves with the fact, so where the fact's range ends can
#: move the verdict (:data:`TIGHTER_BOUNDS` show whether it does, for the facts they narrow).
CLOSE_TO_FACT = 0.8


def closest_fact(effect: pd.Series, facts: pd.DataFrame) -> tuple[str, float] | None:
    """The fact whose values rank most closely with a reading's effects over the worlds.

    Parameters
    ----------
    effect : pandas.Series
        Each world's effect (index: world); NaN where it is undefined (left out), ±inf where it
        is a censored bound (kept: a bound still has a rank).
    facts : pandas.DataFrame
        Each world's fact values (index: world, one column per fact), aligned by index.

    Returns
    -------
    (str, float) or None
        The fact of largest Spearman |ρ| and its signed ρ; None with fewer than three measured
        worlds, a constant effect or no fact that varies over them.
    """
    measured = effect.dropna()
    if len(measured) < 3 or measured.nunique() < 2:
        return None
    at = facts.loc[measured.index]
    at = at.loc[:, at.nunique() > 1]  # (a constant has no rank correlation)
    if at.empty:
        return None
    rho = at.corrwith(measured, method="spearman").dropna()
    if rho.empty:
        return None
    name = str(rho.abs().idxmax())
    return name, float(rho[name])


def bound_subsets(facts: pd.DataFrame) -> dict[tuple[str, float, float], set[int]]:
    """The worlds (``facts``' index) within each of :data:`TIGHTER_BOUNDS`, by its key; none for
    a fact ``facts`` does not carry."""
    return {
        b.key: set(facts.index[facts[b.fact.name].between(b.low, b.high)])
        for b in TIGHTER_BOUNDS
        if b.fact.name in facts
    }
