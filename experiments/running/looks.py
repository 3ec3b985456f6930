"""Which replications a claim study reads: its looks at the worlds near a band edge.

A study runs one replication in every plausible world and a second in the pilot worlds, then
looks three times and then again until a look asks for nothing new
(:func:`experiments.running.study.claim_values`):

1. worlds whose effect on some reading lies within its 95% margin of a band edge by the
   *typical* noise run up to :attr:`~experiments.running.sizes.Size.max_reps` replications;
2. so do those near an edge by their *own* noise (:func:`experiments.verdicts.noise.world_noise`);
3. those still too noisy to place on some reading (*unresolved*, :func:`experiments.verdicts.holds.placing`:
   counted out at P(holds)' low end and in at its high end, each widening the interval by one
   world in ``n``) run up to :attr:`~experiments.running.sizes.Size.deep_reps`;
4. and again, until a look asks for nothing new (:func:`further_look`): replications move every
   world's noise (the prior is fitted over all of them, :func:`experiments.verdicts.noise.world_noise`)
   and the median noise of the worlds near an edge, against which a world is judged too noisy —
   a world placed beside worlds measured four times can be unplaceable beside the same worlds
   measured twelve times. So a world now near an edge runs up to ``max_reps`` and one now
   unresolved up to ``deep_reps``, and the worlds a reading's verdict counts as unresolved have
   all had their third look, as have a group's (:mod:`experiments.analysis.conditional`: a group places
   its worlds against the whole reading's median, :meth:`experiments.verdicts.holds.Measured.holds`).

Each look reads only what the one before it asked for, so a rerun asks for nothing new; a study
given more replications or more worlds reads what a fresh study of that size would
(:func:`asked_for`), whatever its store holds beyond that.
"""

from __future__ import annotations

from collections.abc import Set
from types import ModuleType

import pandas as pd

from experiments.running.sizes import Size

__all__ = ["asked_for", "edge_worlds", "further_look"]


def edge_worlds(
    module: ModuleType, values: pd.DataFrame, own_noise: bool, unresolved: bool = False
) -> frozenset[int]:
    """Worlds near a band edge on some reading of ``module``'s claim (or, with ``unresolved``,
    too noisy to place there), judged from ``values`` with the typical or each world's own noise."""
    return _edge_and_unplaced(module, values, own_noise)[unresolved]


def further_look(
    module: ModuleType, values: pd.DataFrame, replicated: Set[int], deep: Set[int]
) -> tuple[frozenset[int], frozenset[int]]:
    """What another look asks for, judged from ``values`` with each world's own noise: the worlds
    near a band edge on some reading not yet ``replicated``, and those unresolved on some reading
    not yet given the third look (``deep``). Both empty: the looks are settled."""
    near, unplaced = _edge_and_unplaced(module, values, own_noise=True)
    return near - replicated, unplaced - deep


def _edge_and_unplaced(
    module: ModuleType, values: pd.DataFrame, own_noise: bool
) -> tuple[frozenset[int], frozenset[int]]:
    """:func:`edge_worlds` both ways from one judgement of each reading: (near, unresolved)."""
    from experiments.verdicts.framework import judge
    from experiments.verdicts.holds import placing

    if values.empty:  # no plausible world ran (a quick study can keep none): nothing is near
        return frozenset(), frozenset()
    near: set[int] = set()
    unplaced: set[int] = set()
    for reading in module.CLAIM.readings:
        per, _ = judge(reading, values, own_noise=own_noise)
        effect, se = per["effect"].to_numpy(float), per["se"].to_numpy(float)
        near |= {int(w) for w in per.loc[per["near_edge"].to_numpy(bool), "world"]}
        unplaced |= {int(w) for w in per.loc[placing(effect, se, reading.band)[1], "world"]}
    return frozenset(near), frozenset(unplaced)


def asked_for(
    values: pd.DataFrame,
    size: Size,
    pilot: Set[int],
    replicated: Set[int] = frozenset(),
    deep: Set[int] = frozenset(),
) -> pd.DataFrame:
    """The rows of ``values`` (columns ``world`` and ``rep``) the looks so far asked for.

    Replication 0 of every world, 1 of the ``pilot`` worlds, those below ``size.max_reps`` of the
    ``replicated`` and below ``size.deep_reps`` of the ``deep``. An extension's old worlds a
    look no longer picks, and replications past the size's, stay in the store, unread.
    """
    if values.empty:
        return values
    rep, world = values["rep"], values["world"]
    keep = (rep == 0) | ((rep == 1) & world.isin(pilot))
    keep |= world.isin(replicated) & (rep < size.max_reps)
    keep |= world.isin(deep) & (rep < size.deep_reps)
    return values[keep].reset_index(drop=True)
