"""Does a reading's verdict depend on the market's size? The same worlds judged in two sizes.

A claim study's markets are small (800 people at the default size), and a small firm is lumpy:
staff come in whole heads (a median of one at 800 clients), so a cost per head weighs on the margin
in steps. The scale check runs the first plausible worlds again, replication 0 on the same seed,
in markets ten times larger (:func:`experiments.study.scale_values`), and judges each reading in
both sizes on those worlds alone (:func:`compare_sizes`). The worlds are the ones the facts kept in
the study's size; whether each would still be kept in the larger market is not asked (docs/ODD.md
§1.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy.stats import binomtest

from experiments.framework import Reading, ReadingVerdict, judge

__all__ = ["ScaleCheck", "compare_sizes"]


@dataclass(frozen=True)
class ScaleCheck:
    """One reading judged on the same worlds in the study's market and in the larger one.

    Attributes
    ----------
    clients : int
        People in each market of the larger size.
    small, large : ReadingVerdict
        The verdict over the checked worlds from replication 0 in each size (the same seeds).
    paired : int
        Worlds where the reading is defined in both sizes.
    only_small, only_large : int
        Of those, the worlds where it holds in the study's size only, and in the larger only.
    p_value : float
        McNemar's exact two-sided test that a world is as likely to flip one way as the other
        (a binomial test on the flips; 1.0 with none).
    """

    clients: int
    small: ReadingVerdict
    large: ReadingVerdict
    paired: int
    only_small: int
    only_large: int
    p_value: float

    @property
    def flipped(self) -> float:
        """The share of the paired worlds judged differently in the two sizes (NaN: none)."""
        return (self.only_small + self.only_large) / self.paired if self.paired else float("nan")


def compare_sizes(
    reading: Reading, small: pd.DataFrame, large: pd.DataFrame, clients: int
) -> ScaleCheck:
    """``reading`` judged over the worlds of ``large`` in both sizes.

    Parameters
    ----------
    reading : Reading
        What is judged.
    small : pandas.DataFrame
        The study's values (``world``, ``rep``, one column per reading); replication 0 of each
        world in ``large`` is used.
    large : pandas.DataFrame
        The scale check's values: one row per world (replication 0), same columns.
    clients : int
        The larger market's size (people), recorded.

    Returns
    -------
    ScaleCheck
    """
    worlds = set(large["world"])
    first = small[(small["rep"] == 0) & small["world"].isin(worlds)]
    per_small, v_small = judge(reading, first)
    per_large, v_large = judge(reading, large)
    both = per_small.merge(per_large, on="world", suffixes=("_small", "_large"))
    both = both[(both["status_small"] != "undefined") & (both["status_large"] != "undefined")]
    holds_small = both["status_small"] == "in band"
    holds_large = both["status_large"] == "in band"
    only_small = int((holds_small & ~holds_large).sum())
    only_large = int((holds_large & ~holds_small).sum())
    flips = only_small + only_large
    p_value = float(binomtest(only_small, flips, 0.5).pvalue) if flips else 1.0
    return ScaleCheck(clients, v_small, v_large, len(both), only_small, only_large, p_value)
