"""The model the app steps (:class:`AppModel`: keyword arguments by parameter name) and its network sample."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from model.engine.retention_model import RetentionModel
from model.engine.schedule import lever_plan
from model.interfaces.app.controls import app_scenario
from model.scenario import Scenario, ScenarioError
from model.scenario.schedule import raid

#: ``rng`` not given (None means "a fresh seed", so it cannot mean "not given").
_OMITTED = object()
#: Clients drawn in the network view.
SAMPLE_SIZE = 150
#: Share of the served clients (not leaving anyway) a competitor's raid takes (assumption: large
#: enough for a class to see on the charts, as the ``competitor_raid`` preset's).
RAID_SHARE = 0.1


class AppModel(RetentionModel):
    """A :class:`RetentionModel` built from flat keywords, whose levers can move while it runs.

    Parameters
    ----------
    scenario : Scenario, optional
        The preset to start from (defaults to the built-in baseline). Anything else (Mesa's own
        experiment scenario, which its app passes on reset) is ignored.
    rng : int or None, optional
        Mesa's seed keyword, as :class:`RetentionModel` takes it: an int is the seed, None a fresh
        recorded one (unless ``seed`` is given); omitted, the ``seed`` keyword or the scenario's.
    **values
        Keywords of :data:`APP_KEYS` and :data:`FIXED_KEYS` (e.g. ``service_level=0.6, seed=1,
        clients=2000``) applied over the scenario.

    Notes
    -----
    :meth:`set_levers` is what a slider moved during play calls: the new values apply from the
    next month, as a schedule step added to the scenario (so ``model.params`` still reproduces the
    run, and the step shows on the charts), never by rebuilding the market. :meth:`raid` adds a
    competitor's raid the same way, as a ``poaching`` shock next month.
    """

    def __init__(self, scenario: Any = None, *, rng: Any = _OMITTED, **values: Any) -> None:
        base = scenario if isinstance(scenario, Scenario) else None
        params = app_scenario(values, base)
        if rng is _OMITTED or (rng is None and "seed" in values):
            super().__init__(params)
        else:
            super().__init__(params, rng=rng)
        self._sample: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._moved_at = 0  # the month the last live move applies from (0: none yet)
        # A row for month 0 (no metrics yet), so a chart's step axis is the month, as the step counter.
        self.datacollector.collect(self)

    def set_levers(self, **levers: Any) -> None:
        """Change levers (bare names, e.g. ``service_level=0.9``) from the next month on.

        Moves made before the same month (a slider nudged three times, a drag) are one step:
        the last value of each lever.

        Raises
        ------
        ScenarioError
            For an unknown lever or a value out of its range, or once the run has reached its
            last month (a move would change nothing); the run is left unchanged.
        """
        if not levers:
            return
        self._not_over("a lever moved now")
        month = self.month + 1
        steps = [s.model_dump() for s in self.params.schedule]
        if steps and steps[-1]["month"] == month and self._moved_at == month:
            steps[-1] = {**steps[-1], "set": {**steps[-1]["set"], **levers}}  # this month's move
        else:
            steps.append({"month": month, "set": dict(levers)})
        self._use(Scenario.build({**self.params.model_dump(), "schedule": steps}, origin="app"))
        self._moved_at = month

    def raid(self, permanent: bool, share: float = RAID_SHARE) -> None:
        """A competitor takes ``share`` of the clients served next month who are not leaving
        anyway; ``permanent``: for good (they never come back), else they lapse as any leaver.

        A ``poaching`` shock of one month added to the scenario (docs/ODD.md §7.4), so that
        ``model.params`` still reproduces the run and the raid is marked on the charts.

        Raises
        ------
        ScenarioError
            ``share`` outside 0-1, or the run has reached its last month; the run is left
            unchanged.
        """
        self._not_over("a raid now")
        self._use(self.params.with_shocks(raid(self.month + 1, share, permanent), origin="app"))

    def _not_over(self, what: str) -> None:
        """Refuse a change from next month once the run has no next month."""
        if self.month >= self.months:
            raise ScenarioError(
                f"the run is over (month {self.month} of {self.months}): {what} changes "
                "nothing; Reset to run again"
            )

    def _use(self, params: Scenario) -> None:
        """``params`` in force from now on (the months run so far stay as they ran)."""
        self.params = params
        self.ctx.params = params
        self._plan = lever_plan(params, self.months)

    def network_sample(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, positions (k, 2), edges (m, 2) as local indices), computed once per model."""
        if self._sample is None:
            rng = self.streams.generator("app.sample", 0)  # its own stream: the run is unchanged
            self._sample = network_sample(
                self.network.indptr, self.network.indices, SAMPLE_SIZE, rng
            )
        return self._sample

    def levers_now(self) -> dict[str, Any]:
        """The levers in force next month (what the sliders show)."""
        return self.levers_at(min(self.month, self.months - 1) + 1)

    def levers_at(self, month: int) -> dict[str, Any]:
        """The levers in force in ``month`` (1 to the horizon), moves so far included."""
        return self._plan[month - 1][0].model_dump()


def network_sample(
    indptr: np.ndarray, indices: np.ndarray, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A connected-looking sample of a CSR network and a fixed layout for it.

    Clients are gathered breadth-first from random starting clients (a uniform sample of a sparse
    network would show almost no edges), then laid out once with a spring layout.

    Parameters
    ----------
    indptr, indices : ndarray
        The network in CSR form (:class:`model.engine.network.Network`).
    size : int
        How many clients to draw (fewer if the market is smaller).
    rng : numpy.random.Generator
        Picks the starting clients and seeds the layout.

    Returns
    -------
    rows : ndarray of int64, (k,)
        Client rows drawn.
    pos : ndarray of float64, (k, 2)
        Layout positions in [-1, 1].
    edges : ndarray of int64, (m, 2)
        Edges among the drawn clients, as indices into ``rows``.
    """
    n = indptr.size - 1
    size = min(size, n)
    chosen: dict[int, None] = {}  # insertion-ordered set
    while len(chosen) < size:
        queue = [int(rng.integers(n))]
        while queue and len(chosen) < size:
            row = queue.pop(0)
            if row in chosen:
                continue
            chosen[row] = None
            queue.extend(int(j) for j in indices[indptr[row] : indptr[row + 1]] if j not in chosen)
    rows = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
    local = {int(r): i for i, r in enumerate(rows)}
    edges = np.array(
        [
            (i, local[int(j)])
            for i, r in enumerate(rows)
            for j in indices[indptr[r] : indptr[r + 1]]
            if int(j) in local and local[int(j)] > i
        ],
        dtype=np.int64,
    ).reshape(-1, 2)
    graph = nx.Graph()
    graph.add_nodes_from(range(rows.size))
    graph.add_edges_from(map(tuple, edges))
    layout = nx.spring_layout(graph, seed=int(rng.integers(2**31)))
    pos = np.array([layout[i] for i in range(rows.size)], dtype=np.float64).reshape(-1, 2)
    return rows, pos, edges
