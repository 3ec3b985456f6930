"""What did pinning a parameter change? A pinned study judged against the drawn one, world by world.

A pinned study (:mod:`experiments.running.pins`) runs the drawn study's worlds — the same parameters, seeds
and random numbers — with some uncertainties held at one value, or settings moved to one. A reading's P(holds) can move
between the two for two reasons, which the comparison separates:

* **selection**: the facts keep other worlds once the pinned values change them (a fixed overhead
  moves the operating margin, which the facts bound), so the verdicts are over different sets;
* **effect**: in a world both keep, the pinned values change the reading's effect itself.

:func:`compare_pinned` judges each reading over the worlds each study keeps, and again over the
worlds both keep, on the replications both ran, paired world by world (McNemar's exact test,
:func:`experiments.analysis.scale_check.flips`): the paired runs share every random number, so a flip
there is the pinned values' doing, not another draw's. Whether the reading is defined in a world
can change too (a percentage of a profit the pin removes); that is counted apart
(:attr:`PinCheck.defined`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from experiments.analysis.scale_check import Flips, defined_flips, flips
from experiments.verdicts.framework import Reading, ReadingVerdict, judge
from experiments.verdicts.noise import reading_noise

__all__ = ["PinCheck", "compare_pinned"]


@dataclass(frozen=True)
class PinCheck:
    """One reading in the drawn study and in the pinned one.

    Attributes
    ----------
    drawn, pinned : ReadingVerdict
        The verdict over the worlds each study keeps (of the worlds both drew).
    drawn_both, pinned_both : ReadingVerdict
        The verdict over the worlds both keep, from each study's runs of the replications both
        ran (a world near a band edge in one study only has more replications there).
    effect : Flips
        ``drawn_both`` against ``pinned_both`` world by world, over the worlds where the reading is
        defined in both: ``only_first`` holds with the uncertainty drawn only.
    defined : Flips
        The same worlds paired on whether the reading is defined at all
        (:func:`experiments.analysis.scale_check.defined_flips`).
    """

    drawn: ReadingVerdict
    pinned: ReadingVerdict
    drawn_both: ReadingVerdict
    pinned_both: ReadingVerdict
    effect: Flips
    defined: Flips


def compare_pinned(
    reading: Reading,
    drawn: pd.DataFrame,
    pinned: pd.DataFrame,
    drawn_kept: set[int],
    pinned_kept: set[int],
) -> PinCheck:
    """``reading`` judged in both studies, over each one's kept worlds and over those both keep.

    Parameters
    ----------
    reading : Reading
        What is judged.
    drawn, pinned : pandas.DataFrame
        Each study's values (``world``, ``rep``, one column per reading:
        :func:`experiments.running.study.claim_values`), judged as the study judges them (the mean of a
        world's defined replications).
    drawn_kept, pinned_kept : set of int
        The worlds each study keeps, among the worlds both drew.

    Returns
    -------
    PinCheck
    """
    both = drawn_kept & pinned_kept

    # Each world judged with its noise in its own whole study, in every subset of it.
    noise_d, noise_p = reading_noise(drawn, reading.name), reading_noise(pinned, reading.name)

    def verdict(
        values: pd.DataFrame, worlds: set[int], noise: pd.Series
    ) -> tuple[pd.DataFrame, ReadingVerdict]:
        return judge(reading, values[values["world"].isin(worlds)], noise=noise)

    (_, v_d), (_, v_p) = verdict(drawn, drawn_kept, noise_d), verdict(pinned, pinned_kept, noise_p)
    # Like with like: each study asks for more replications of the worlds near a band edge *in
    # it*, so a world both keep can have four replications in one and one in the other; judged
    # on the replications both ran, a world whose pin changes nothing is judged the same twice.
    ran = drawn[["world", "rep"]].merge(pinned[["world", "rep"]], on=["world", "rep"])
    (per_d, v_db), (per_p, v_pb) = (
        verdict(values.merge(ran, on=["world", "rep"]), both, noise)
        for values, noise in ((drawn, noise_d), (pinned, noise_p))
    )
    return PinCheck(
        drawn=v_d,
        pinned=v_p,
        drawn_both=v_db,
        pinned_both=v_pb,
        effect=flips(per_d, per_p),
        defined=defined_flips(per_d, per_p),
    )
