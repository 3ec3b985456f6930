"""``RetentionModel``: a Mesa model around the array core.

The model owns the client state as one array per attribute and the social network as CSR arrays;
each month runs the phases of :data:`model.engine.phases.PHASES` over all clients at once. Staff are Mesa
agents (there are few of them). Results are one preallocated (months × metrics) table, a row
written each month; Mesa's ``DataCollector`` holds one named reporter per metric and copies the
table's rows when read (:mod:`model.engine.collector`).

Examples
--------
>>> from model import RetentionModel, Scenario
>>> m = RetentionModel(Scenario().with_overrides({"market.clients": 500, "run.months": 3}))
>>> m = m.run()  # returns the model, for chaining
>>> m.timeseries().shape[0]
3
"""

from __future__ import annotations

import warnings
from typing import Any

import mesa
import numpy as np
import pandas as pd

from model.engine.agents import ClientView, StaffAgent
from model.engine.collector import TableCollector
from model.engine.context import Context
from model.engine.initial import initial_clients, initial_staff
from model.engine.keywords import fresh_seed, scenario_from_keywords, seed_of
from model.engine.memory import check_run_memory
from model.engine.mesa_clock import HorizonClock, drop_cancelled, own_step_due, step_direct
from model.engine.metrics import METRICS, compute_into
from model.engine.month_end import fuse
from model.engine.network import Network, build_network
from model.engine.phases import PHASES
from model.engine.randomness import Streams
from model.engine.schedule import lever_plan
from model.engine.sharing import MAX_CLIENTS, remember
from model.engine.state import FirmState, Stage, client_rows, stage_of
from model.engine.summary import summarize
from model.engine.tracking import TRACKED, followed_frame, followed_sample, record
from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import count, flag

__all__ = ["TRACKED", "RetentionModel"]

#: ``rng`` not given: the scenario's own seed (``None`` given means a fresh seed, as in Mesa).
_SCENARIO_SEED = object()


class RetentionModel(HorizonClock, mesa.Model):
    """The client lifecycle of one firm, one month per step.

    Parameters
    ----------
    scenario : Scenario, optional
        The scenario (defaults to the baseline).
    rng : int or None, optional
        The seed. Not given: the scenario's ``run.seed`` (or a ``seed=`` keyword), so
        ``RetentionModel(scenario)`` always reproduces the scenario. ``None`` given explicitly, as
        Mesa's ``batch_run`` and app do: a fresh seed from the operating system, recorded in
        ``model.seed`` and ``model.params.run.seed`` so the run can be repeated with
        ``rng=model.seed``. Every random draw derives from the seed (see
        :mod:`model.engine.randomness`), so the same scenario and seed give the same numbers.
    phases : tuple of (name, step), optional
        The month's phases; defaults to :data:`model.engine.phases.PHASES` (tests replace one to
        mutate it). Kept as a tuple: to change a model's phases, assign another. A list that
        ends with the default ``account`` and ``resolve`` runs those two and the month's metrics
        as one compiled call (:mod:`model.engine.month_end`; the same numbers).
    **levers_and_settings
        Any declared parameter by its bare name (Mesa's convention), applied over ``scenario``:
        ``RetentionModel(service_level=0.9, clients=2000, seed=3)``. So
        ``mesa.batch_run(RetentionModel, {"service_level": [0.35, 0.9]}, rng=[None] * 5)``
        varies the lever with a fresh seed per run, and the model's ``datacollector`` frames
        (``get_model_vars_dataframe()``; one column per metric of :data:`model.engine.metrics.METRICS`,
        then the run's ``seed``) are where its results are read.

    Raises
    ------
    ScenarioError
        A bad scenario or keyword, or a run too large for this machine's memory, refused before
        anything is allocated (:func:`model.engine.memory.check_run_memory`).

    Attributes
    ----------
    clients : ClientState
        One array per client attribute; row = client id.
    staff_state : StaffState
        One array per staff attribute; :class:`~model.engine.agents.StaffAgent` objects read these rows.
    results : dict of str to ndarray
        Preallocated monthly metrics, (months,) each.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: int | object | None = _SCENARIO_SEED,
        phases: tuple | None = None,
        **levers_and_settings: Any,
    ) -> None:
        params = check_run_memory(scenario_from_keywords(scenario, levers_and_settings))
        seed_given = {"seed", "run.seed"} & set(levers_and_settings)  # (batch_run's either)
        if rng is _SCENARIO_SEED or (rng is None and seed_given):
            seed = params.run.seed  # the scenario's, or the one given by keyword
        else:
            seed = fresh_seed() if rng is None else seed_of(rng)
            if seed != params.run.seed:
                if rng is not None and seed_given:
                    raise ScenarioError(
                        f"rng: value {seed} is not allowed with seed {params.run.seed}; allowed: "
                        "one seed (rng= or seed=, or the same value in both)"
                    )
                params = params.with_seed(seed)
        super().__init__(rng=seed)
        self.params = params
        self.seed = seed
        self.months = params.run.months
        self.month = 0
        self.phases = PHASES if phases is None else tuple(phases)
        self._fused = (None, ())
        self.streams = Streams(seed)
        self.clients = initial_clients(params, self.streams)
        # A trait fixed when the market is drawn, read-only from here: the attract phase keeps
        # every client's conversion fit term formed from it, which an edit would leave stale.
        self.clients.fit.flags.writeable = False
        self.staff_state = initial_staff(params, self.clients)
        self.staff_agents: list[StaffAgent] = []
        self._sync_staff_agents()
        w = params.word_of_mouth
        n = params.market.clients

        def network() -> Network:
            rng = self.streams.generator("network", 0)
            return build_network(w.network, n, w.degree, w.rewiring, rng)

        # Runs of the same seed and network share it (read only: model.engine.sharing).
        key = ("network", seed, w.network, n, w.degree, w.rewiring)
        self.network = network() if n > MAX_CLIENTS else remember(key, network, Network.nbytes)
        self.firm = FirmState(
            quality=params.innovation.quality_start, frontier=params.market.frontier_start
        )
        self._plan = lever_plan(params, self.months)
        self.ctx = Context(
            params=params,
            clients=self.clients,
            staff=self.staff_state,
            firm=self.firm,
            network=self.network,
            streams=self.streams,
            levers=params.levers,
        )
        # One (months × metrics) table, column-major so each metric's column is contiguous;
        # ``results`` names its columns (views), and a month is written as one row.
        self._table = np.full((self.months, len(METRICS)), np.nan, order="F")
        self.results = self._columns()
        # A sample followed month by month (its own stream: tracking changes no other draw).
        self.tracked_rows, self._trace = followed_sample(params, self.streams, self.clients)
        self.datacollector = TableCollector(self._table, METRICS, self.params.run.seed)
        self._own_collector = self.datacollector  # (one a user sets instead collects by itself)
        self._deferring = False  # whether the months' rows wait to be read (run())

    def _columns(self) -> dict[str, np.ndarray]:
        """:attr:`results`: each metric's column of the results table, as a view."""
        return {name: self._table[:, j] for j, name in enumerate(METRICS)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A copied model's results name its own table's columns (``copy.deepcopy`` copies each
        view apart from the table, so months simulated after the copy would not reach them);
        and a copy taken inside a month of :meth:`run` is not inside one (its collector copies
        each month it steps at once). A copy taken while a month is open writes that month's
        metrics into its own table too, not into a copy of the row."""
        self.__dict__.update(state)
        self.results = self._columns()
        self._deferring = False
        self.__dict__.setdefault("_fused", (None, ()))  # (a model pickled by an older version)
        if self.ctx.metrics_row is not None:
            self.ctx.metrics_row = self._table[self.month - 1]

    # ------------------------------------------------------------------------------- stepping
    def __repr__(self) -> str:
        """One line: the scenario, the market and how far the run has gone."""
        p = self.params
        return (
            f"<RetentionModel {p.name!r}: {p.market.clients:,} people, month {self.month} of "
            f"{self.months}, seed {p.run.seed}>"
        )

    def step(self) -> None:
        """Simulate one month: every phase in order, then the month's metrics.

        Warns
        -----
        UserWarning
            The horizon (``run.months``) is reached: nothing is simulated (``running`` is
            False; Mesa's loops stop there).
        """
        if not self.open_month():
            warnings.warn(
                f"step(): the horizon (run.months = {self.months}) is reached; no month was "
                "simulated (a scenario with a larger run.months runs on)",
                stacklevel=2,
            )
            return
        self.run_phases()
        self.close_month()

    def run_phases(self) -> None:
        """The opened month's phases, in order (:meth:`step` between opening and closing)."""
        ctx = self.ctx
        work = ctx.work
        for _name, phase in self.month_steps():
            work.taken = 0  # (ctx.begin_phase(), inline)
            phase(ctx)

    def month_steps(self) -> tuple:
        """What a month runs: :attr:`phases`, its default ending (account, resolve) and the
        month's metrics as one compiled call (:func:`model.engine.month_end.fuse`)."""
        if self._fused[0] is not self.phases:  # (formed again if phases are replaced)
            self._fused = (self.phases, fuse(self.phases))
        return self._fused[1]

    def open_month(self) -> bool:
        """Begin the next month (:meth:`step` before its phases); False past the horizon.

        For drivers that run the phases themselves (:mod:`model.engine.lockstep`): then each of
        ``phases`` in order, ``ctx.work.taken = 0`` before each (:meth:`run_phases`), then
        :meth:`close_month`.
        """
        if self.month >= self.months:
            self.running = False
            return False
        self.month += 1
        levers, cost_factor = self._plan[self.month - 1]
        self.ctx.begin_month(self.month, levers, cost_factor)
        self.ctx.metrics_row = self._table[self.month - 1]  # (written by the month's end)
        return True

    def close_month(self) -> None:
        """End the month once its phases have run: its metrics, the followed sample, the staff
        agents and the collector (:meth:`step` after its phases)."""
        if self.ctx.metrics_row is not None:  # (else the month's end wrote it)
            compute_into(self.ctx, self.ctx.metrics_row)  # the month's row, in place
            self.ctx.metrics_row = None
        if self.tracked_rows.size:
            record(self._trace, self.clients, self.tracked_rows, self.month)
        self._sync_staff_agents()
        self._collect()
        if self.month >= self.months:
            self.running = False

    def run(self, months: int | None = None, progress: bool = False) -> RetentionModel:
        """Run to the scenario's horizon (or ``months`` more), optionally with a progress bar.

        Each month is one Mesa step. A month for which Mesa's next event is the model's own step
        and nothing else (no event, simulator or step log of the user's: checked before every
        month) is stepped as Mesa's event loop would step it, without the loop
        (:mod:`model.engine.mesa_clock`: 16–20 µs of a 3,000-client month); any other month
        goes through :meth:`step`, the loop itself.

        Raises
        ------
        ScenarioError
            ``months`` not a whole number ≥ 0, or ``progress`` not True or False.

        Warns
        -----
        UserWarning
            ``months`` more than are left before the horizon (``run.months``): those left run.
        """
        left = self.months - self.month
        todo = left if months is None else min(count("months", months, low=0), left)
        progress = flag("progress", progress)  # ("no" would show the bar)
        if months is not None and months > left:
            warnings.warn(
                f"run(months={months}): the horizon (run.months = {self.months}) leaves "
                f"{left} month{'s' * (left != 1)}; running {left}",
                stacklevel=2,
            )
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=todo, desc="months", unit="month", leave=False)
        if todo > 0:
            drop_cancelled(self)
        self._deferring = True  # the collector copies the months' rows when read, or below
        try:
            for _ in range(todo):
                if own_step_due(self):
                    step_direct(self)
                else:
                    self.step()
                if bar is not None:
                    bar.update()
        finally:
            self._collect_deferred()
            if bar is not None:
                bar.close()
        return self

    def _collect_deferred(self) -> None:
        """End deferring (set while :meth:`run` or a lockstep driver steps the months): the
        collector copies the rows due now."""
        self._deferring = False
        if self._own_collector is self.datacollector:
            self.datacollector.flush()

    def _collect(self) -> None:
        """Record the month as ``self.datacollector.collect(self)`` would.

        The model's own collector gets the month's table row (:class:`TableCollector`), copied
        at once from :meth:`step` and when read during :meth:`run`; a collector set in its place
        collects through its reporters.
        """
        dc = self.datacollector
        if dc is not self._own_collector:
            dc.collect(self)
            return
        dc.due(self.month - 1, self.time)
        if not self._deferring:
            dc.flush()

    def _sync_staff_agents(self) -> None:
        """One registered Mesa agent per employed staff row (hires added, lay-offs removed)."""
        while len(self.staff_agents) < self.staff_state.employed:
            self.staff_agents.append(StaffAgent(self, len(self.staff_agents)))
        while len(self.staff_agents) > self.staff_state.employed:
            self.staff_agents.pop().remove()

    # -------------------------------------------------------------------------------- results
    def timeseries(self) -> pd.DataFrame:
        """One row per simulated month, one column per metric (see :data:`model.engine.metrics.METRICS`)."""
        # One float block, copied: the frame is the caller's, the table stays the model's.
        frame = pd.DataFrame(self._table[: self.month], columns=list(METRICS), copy=True)
        frame.insert(0, "month", np.arange(1, self.month + 1))
        return frame

    def summary(self) -> dict[str, float]:
        """Headline results of the run so far (:data:`model.engine.summary.SUMMARY`: each one's
        unit, range and meaning); empty before the first month."""
        return summarize(self.results, self.month, self.clients.n)

    def clients_frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """Every client's state as it stands now: one row per client (all, or ``rows``: a row
        number, row numbers, or a boolean mask over the market).

        Columns are the declared client arrays (:data:`model.engine.state.CLIENT_ARRAYS`, with units
        there); stage, left_reason and aware_source are categoricals. Index: ``client`` (row id).
        ``active`` (bool) means what the timeseries' ``active`` counts: being served, whether
        the stage is ``active`` or ``loyal`` (LOYAL clients are active clients with a label), so
        ``frame["active"].sum()`` equals the month's ``active`` metric.

        Examples
        --------
        >>> m = RetentionModel(Scenario().with_overrides({"market.clients": 200, "run.months": 2}))
        >>> frame = m.run().clients_frame()
        >>> frame.shape[0], str(frame["stage"].dtype)
        (200, 'category')
        """
        if rows is not None:
            rows = client_rows("rows", rows, self.clients.n)
        frame = self.clients.frame(rows)
        stage = self.clients.stage[frame.index.to_numpy()]
        frame.insert(1, "active", (stage == Stage.ACTIVE) | (stage == Stage.LOYAL))
        return frame

    def tracked(self) -> pd.DataFrame:
        """The followed sample (``run.track_clients``), month by month, in long form.

        One row per (month, client) simulated so far, with the end-of-month values of
        :data:`TRACKED`; empty when no client is followed.

        Warns
        -----
        UserWarning
            No client is followed (``run.track_clients`` = 0, the default): the frame is empty.
        """
        return followed_frame(self.tracked_rows, self._trace, self.month)

    def client(self, row: int) -> ClientView:
        """A Mesa-agent view of one client whose attributes read and write its row."""
        rows = client_rows("row", row, self.clients.n)
        if rows.size != 1:
            raise IndexError(f"row: value {row!r:.60} is not allowed; allowed: one client row")
        return ClientView(self, int(rows[0]))

    def sample_clients(self, n: int, stage: Stage | str | None = None) -> list[ClientView]:
        """Views of ``n`` clients (of a stage — a Stage or its name, ``"active"`` — if given),
        drawn with the model's Mesa rng. ``"active"`` is the stage, without the loyal clients
        (``"loyal"``), who are active too in ``clients_frame``'s ``active`` column."""
        n = count("n", n, low=0)
        rows = (
            np.arange(self.clients.n)
            if stage is None
            else np.flatnonzero(self.clients.stage == stage_of(stage))
        )
        chosen = self.rng.choice(rows, size=min(n, rows.size), replace=False) if rows.size else rows
        return [self.client(r) for r in np.sort(chosen)]

    def nbytes(self) -> int:
        """Memory held by the client and staff arrays and the network."""
        return self.clients.nbytes() + self.staff_state.nbytes() + self.network.nbytes()
