"""Does a reading's verdict depend on the market's size? The same worlds judged in two sizes.

A claim study's markets are small (800 people at the default size), and a small firm is lumpy:
staff come in whole heads (a median of one at 800 clients), so a cost per head weighs on the margin
in steps. The scale check takes the first plausible worlds and runs each again four times, each
with a baseline of its own: replications 1 and 2 in the study's market and 0 and 1 in a market
ten times larger (:func:`experiments.running.study.scale_values`; the quick size's is four times larger).
Each reading is judged on those worlds from replication 1 in the study's market and 0 in the
larger (:func:`compare_sizes`); the other two measure each size's noise:

* **the size test** pairs the two new runs, world by world: both have fresh baselines, so neither
  carries the selection of the run the facts screened (replication 0 in the study's market, whose
  noise helped decide that the world is kept);
* **the noise yardstick** pairs the study's replication 0 with the new replication 1, both in the
  study's market: how many worlds another run of the same size judges differently, and whether
  the screened run leans one way;
* **the definedness test** pairs the two new runs again, over every checked world: a reading is
  undefined where it has nothing to measure (a rise in profit where the baseline makes none), and
  P(holds) is over the worlds where it is defined, so a size that changes which worlds those are
  changes what P(holds) is a share of; its yardstick pairs the study's run with the new one of
  its size on the same question;
* **the smaller market with its noise taken out**: the study's P(holds) over the checked worlds
  from all their replications, each world's noise removed as the verdict removes it
  (:mod:`experiments.verdicts.holds`). The size test cannot tell a size effect from noise alone: where
  the larger market measures a world with less noise, more worlds flip into a band that most
  lie just inside of than out of it, with no size effect at all. With none, and a larger market
  quieter, the larger market's share lies inside the bracket from the lower to the higher end of
  the smaller's intervals measured once and with this correction (:func:`beyond_noise`), each
  share over the worlds where the reading is defined in both new runs and in the study
  (:class:`Paired`: a size that changes which worlds those are would otherwise compare
  shares of different worlds);
* **each size's noise**: every checked world has two unscreened runs in each size, and how far
  apart they lie measures the bracket's premise, a larger market quieter
  (:class:`NoiseSizes`); the index applies the bracket only where the larger market is shown
  to be the quieter (:func:`experiments.reporting.scale_index.quieter_shown`).

The runs share each world's parameters and seed numbers, not its draws: a larger market draws
more, and another replication draws anew. The worlds are the ones the facts kept in the study's
size; the facts are measured on the larger market's baselines too, and the size test is repeated
over the worlds they keep there (docs/ODD.md §1.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from experiments.verdicts.framework import Reading, ReadingVerdict, judge
from experiments.verdicts.holds import Holds, Measured

__all__ = [
    "Flips",
    "NoiseSizes",
    "Paired",
    "ScaleCheck",
    "beyond_noise",
    "compare_sizes",
    "defined_flips",
    "flips",
    "noise_sizes",
]


@dataclass(frozen=True)
class Flips:
    """Two judgements of the same worlds, paired.

    Attributes
    ----------
    paired : int
        Worlds where the reading is defined in both.
    only_first, only_second : int
        Of those, the worlds where it holds in the first judgement only, and in the second only.
    p_value : float
        McNemar's exact two-sided test that a world is as likely to flip one way as the other (a
        binomial test on the flips; 1.0 with none).
    held_both : int or None
        Of the paired worlds, those where both judgements are true (the reading holds, or for
        :func:`defined_flips` is defined, in both); None: not recorded (the JSON of reports
        written before it was).
    """

    paired: int
    only_first: int
    only_second: int
    p_value: float
    held_both: int | None = None

    @property
    def share(self) -> float:
        """The share of the paired worlds judged differently (NaN: none paired)."""
        n = self.only_first + self.only_second
        return n / self.paired if self.paired else float("nan")

    @property
    def kappa(self) -> float:
        """Cohen's κ (Cohen 1960, Educ. Psychol. Meas. 20:37): the two judgements' agreement
        beyond what their own shares would give by chance — 1 the same in every world, 0 no
        better than chance. NaN where it is not defined: nothing paired, ``held_both`` not
        recorded, or one judgement the same in every world (chance then agrees as well).

        >>> round(Flips(100, 5, 15, 0.04, held_both=30).kappa, 3)
        0.588
        """
        if not self.paired or self.held_both is None:
            return float("nan")
        n, both = self.paired, self.held_both
        first, second = (both + self.only_first) / n, (both + self.only_second) / n
        agree = (n - self.only_first - self.only_second) / n
        chance = first * second + (1 - first) * (1 - second)
        return (agree - chance) / (1 - chance) if chance < 1 else float("nan")


def flips(first: pd.DataFrame, second: pd.DataFrame) -> Flips:
    """:class:`Flips` between two per-world tables of :func:`experiments.verdicts.framework.judge`: of the
    worlds where the reading is defined in both, those where it holds in one only."""
    both = first.merge(second, on="world", suffixes=("_1", "_2"))
    both = both[(both["status_1"] != "undefined") & (both["status_2"] != "undefined")]
    return _paired(both["status_1"] == "in band", both["status_2"] == "in band")


def defined_flips(first: pd.DataFrame, second: pd.DataFrame) -> Flips:
    """:class:`Flips` of definedness between two per-world tables of
    :func:`experiments.verdicts.framework.judge`: of the worlds in both, those where the reading is defined
    in one only (``paired`` counts every world in both)."""
    both = first.merge(second, on="world", suffixes=("_1", "_2"))
    return _paired(both["status_1"] != "undefined", both["status_2"] != "undefined")


def _paired(first: pd.Series, second: pd.Series) -> Flips:
    """McNemar's exact test on two paired boolean judgements of the same worlds."""
    only_1, only_2 = int((first & ~second).sum()), int((second & ~first).sum())
    p = float(binomtest(only_1, only_1 + only_2, 0.5).pvalue) if only_1 + only_2 else 1.0
    return Flips(len(first), only_1, only_2, p, int((first & second).sum()))


@dataclass(frozen=True)
class ScaleCheck:
    """One reading judged on the same worlds three times.

    Attributes
    ----------
    clients : int
        People in each market of the larger size.
    studied, again, large : ReadingVerdict
        The verdict over the checked worlds from the study's replication 0 (the screened
        baseline), from replication 1 in the study's market, and from replication 0 in the larger
        market.
    size : Flips
        ``again`` against ``large``, world by world: the size test.
    noise : Flips
        ``studied`` against ``again``: what another run of the same size changes.
    defined : Flips
        ``again`` against ``large`` on whether the reading is defined (:func:`defined_flips`):
        ``only_first`` counts the worlds defined in the study's market only.
    size_kept : Flips or None
        The size test over the worlds the facts keep in the larger market too (None when that
        was not asked).
    defined_noise : Flips or None
        ``studied`` against ``again`` on whether the reading is defined: the definedness test's
        yardstick, what another run of the same size changes (None in checks made before it).
    corrected : Holds or None
        The study's P(holds) over the checked worlds, from every replication with each world's
        noise taken out (:meth:`experiments.verdicts.holds.Measured.holds`); None without the study's
        measurements. Kept in the reports' JSON as reports before :attr:`paired` read it; the
        bracket rule and the tables read :attr:`paired`.
    paired : Paired or None
        The shares :attr:`beyond_noise` compares, over the worlds where the reading is defined
        in both new runs and in the study (None without the study's measurements).
    noise_sizes : NoiseSizes or None
        Each size's noise, from two replications of each world in each (None where either size
        ran once).
    """

    clients: int
    studied: ReadingVerdict
    again: ReadingVerdict
    large: ReadingVerdict
    size: Flips
    noise: Flips
    defined: Flips
    size_kept: Flips | None = None
    defined_noise: Flips | None = None
    corrected: Holds | None = None
    paired: Paired | None = None
    noise_sizes: NoiseSizes | None = None

    @property
    def beyond_noise(self) -> bool:
        """Whether the larger market's P(holds) lies beyond what noise allows with no size
        effect (:func:`beyond_noise`, over the worlds defined in both new runs: :attr:`paired`;
        True without it, as before it was measured)."""
        b = self.paired
        if b is None:
            return True
        return beyond_noise(
            b.large.p, (b.again.low, b.again.high), (b.corrected.low, b.corrected.high)
        )


@dataclass(frozen=True)
class Paired:
    """The bracket rule's shares (:func:`beyond_noise`), each over the same worlds: those where
    the reading is defined with the study's number of people and with the larger number, in the
    scale check's new runs, and in the study's own measurements. A size that changes which
    worlds a reading is defined in changes what each run's own P(holds) is a share of; these
    are shares of one set of worlds.

    Attributes
    ----------
    worlds : int
        The worlds defined in both new runs and in the study's measurements.
    again, large : ReadingVerdict
        Each new run's verdict over them.
    corrected : Holds
        The study's P(holds) over them with each world's noise taken out.
    """

    worlds: int
    again: ReadingVerdict
    large: ReadingVerdict
    corrected: Holds


@dataclass(frozen=True)
class NoiseSizes:
    """How far apart two replications of the same world lie in each market: the bracket rule's
    premise, a larger market quieter than the smaller (:func:`beyond_noise`), measured.

    Each checked world has two replications in each size: the check's replications 1 and 2
    with the study's number of people (not the study's replication 0, which the facts screened:
    its noise helped keep the world), 0 and 1 with the larger number (0 has the screened run's
    seed numbers, so any screening it inherits widens the larger market's spread: against the
    premise, not for it). Worlds with all four values finite are compared.

    Attributes
    ----------
    worlds : int
        Worlds compared.
    small, large : float
        One replication's typical standard deviation in each size, the reading's unit: the
        median absolute difference of a world's two replications over √2 · 0.6745 (its standard
        deviation for normal noise, unmoved by a few wild worlds).
    louder, quieter : int
        Worlds whose two larger-market replications lie further apart than the smaller
        market's, and closer.
    p_value : float
        The sign test that a world is as likely louder as quieter (binomial; 1.0 with neither).
    """

    worlds: int
    small: float
    large: float
    louder: int
    quieter: int
    p_value: float

    @property
    def ratio(self) -> float:
        """The larger market's typical noise over the smaller's (NaN where not measured)."""
        return self.large / self.small if self.small > 0 else float("nan")


def noise_sizes(name: str, again: pd.DataFrame, large: pd.DataFrame) -> NoiseSizes | None:
    """:class:`NoiseSizes` of reading ``name`` from two replications of each world in each size:
    ``again``'s 1 and 2 with the study's number of people (neither the screened replication 0),
    ``large``'s 0 and 1 with the larger number; None where either size lacks its second."""
    pairs = ((again, "s", (1, 2)), (large, "l", (0, 1)))
    if not all((v["rep"] == reps[1]).any() for v, _, reps in pairs):
        return None
    runs = [
        v[v["rep"] == r].set_index("world")[name].rename(f"{side}{i}")
        for v, side, reps in pairs
        for i, r in enumerate(reps)
    ]
    four = pd.concat(runs, axis=1, join="inner").astype(float)
    four = four[np.isfinite(four).all(axis=1)]
    small, large_gap = (four["s0"] - four["s1"]).abs(), (four["l0"] - four["l1"]).abs()
    louder, quieter = int((large_gap > small).sum()), int((large_gap < small).sum())
    p = float(binomtest(louder, louder + quieter).pvalue) if louder + quieter else 1.0
    scale = np.sqrt(2.0) * 0.6744897501960817  # median |difference| of two N(0, σ²) draws, ÷ σ
    nan = float("nan")
    return NoiseSizes(
        len(four),
        float(small.median()) / scale if len(four) else nan,
        float(large_gap.median()) / scale if len(four) else nan,
        louder,
        quieter,
        p,
    )


def beyond_noise(large: float, again: tuple[float, float], corrected: tuple[float, float]) -> bool:
    """Whether ``large``, a larger market's one-replication P(holds), lies outside the bracket
    that noise allows with no size effect: between the smaller market's one-replication interval
    (``again``: its measurements as noisy as the study's) and its noise-corrected one
    (``corrected``: no noise at all). With no size effect and a larger market quieter than the
    smaller (:class:`NoiseSizes` measures it; the index applies this only where it is shown), its
    share lies inside the hull of the two; a share beyond both is not what noise makes.
    """
    low, high = min(again[0], corrected[0]), max(again[1], corrected[1])
    return not low <= large <= high


def compare_sizes(
    reading: Reading,
    studied: pd.DataFrame,
    again: pd.DataFrame,
    large: pd.DataFrame,
    clients: int,
    kept_large: set[int] | None = None,
    measured: Measured | None = None,
) -> ScaleCheck:
    """``reading`` judged over the worlds of ``large`` from each run.

    Parameters
    ----------
    reading : Reading
        What is judged.
    studied : pandas.DataFrame
        The study's values (``world``, ``rep``, one column per reading); replication 0 of each
        world in ``large`` is used.
    again, large : pandas.DataFrame
        The scale check's values (:func:`experiments.running.study.scale_values`), same columns:
        replication 1 of each world in ``again`` and 0 in ``large`` (the size test's), and
        where they ran, replication 2 in ``again`` and 1 in ``large`` (each size's noise).
    clients : int
        The larger market's size (people), recorded.
    kept_large : set of int, optional
        The worlds the facts keep in the larger market too
        (:func:`experiments.running.study.scale_world_table`): the size test again over those alone.
    measured : Measured, optional
        The study's effects and noise per world (:class:`experiments.verdicts.holds.Measured`): P(holds)
        over the checked worlds with their noise taken out (:attr:`ScaleCheck.corrected`).

    Returns
    -------
    ScaleCheck
    """
    # Replication 1 in each size is the size test's; the other the size's noise (noise_sizes).
    again_reps, again = again, again[again["rep"] == 1]
    both_reps, large = large, large[large["rep"] == 0]
    worlds = set(large["world"])
    first = studied[(studied["rep"] == 0) & studied["world"].isin(worlds)]
    (per_s, v_s), (per_a, v_a), (per_l, v_l) = (judge(reading, v) for v in (first, again, large))
    paired = None
    if measured is not None:  # (the worlds defined in both new runs and in the study)
        study = {int(w) for w in measured.worlds.index[measured.worlds["effect"].notna()]}
        both = sorted(_defined(per_a) & _defined(per_l) & study)
        on_a, on_l = (judge(reading, v[v["world"].isin(both)])[1] for v in (again, large))
        paired = Paired(len(both), on_a, on_l, measured.holds(pd.Index(both)))
    size_kept = None
    if kept_large is not None:
        size_kept = flips(per_a[per_a["world"].isin(kept_large)], per_l)
    return ScaleCheck(
        clients,
        v_s,
        v_a,
        v_l,
        size=flips(per_a, per_l),
        noise=flips(per_s, per_a),
        defined=defined_flips(per_a, per_l),
        size_kept=size_kept,
        defined_noise=defined_flips(per_s, per_a),
        corrected=measured.holds(pd.Index(sorted(worlds))) if measured is not None else None,
        paired=paired,
        noise_sizes=noise_sizes(reading.name, again_reps, both_reps),
    )


def _defined(per: pd.DataFrame) -> set[int]:
    """The worlds of a per-world table of :func:`experiments.verdicts.framework.judge` where the reading
    is defined."""
    return {int(w) for w in per.loc[per["status"] != "undefined", "world"]}
