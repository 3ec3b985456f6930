"""``RetentionModel``: a Mesa model around the array core.

The model owns the client state as one array per attribute and the social network as CSR arrays;
each month runs the phases of :data:`model.phases.PHASES` over all clients at once. Staff are Mesa
agents (there are few of them). Results are preallocated (months × metrics) arrays, collected each
month by Mesa's ``DataCollector`` through one named reporter per metric.

Examples
--------
>>> from model import RetentionModel, Scenario
>>> m = RetentionModel(Scenario().with_overrides({"market.clients": 500, "run.months": 3}))
>>> m = m.run()  # returns the model, for chaining
>>> m.timeseries().shape[0]
3
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np
import pandas as pd
from scipy.special import betaincinv

from model.agents import ClientView, StaffAgent
from model.context import Context
from model.metrics import METRICS, compute
from model.network import build_network
from model.params import Scenario
from model.phases import PHASES
from model.phases.staff import headcount
from model.randomness import Streams, beta_from_uniform, normal_from_uniform
from model.schedule import lever_plan
from model.state import CODES, ClientState, FirmState, StaffState, Stage, decode

__all__ = ["TRACKED", "RetentionModel"]

#: Client arrays recorded each month for the followed sample (``run.track_clients``).
TRACKED: tuple[str, ...] = (
    "stage",
    "tenure",
    "months_lapsed",
    "left_reason",
    "staff",
    "satisfaction",
    "expectation",
    "experience",
    "incident",
    "heard_positive",
    "heard_negative",
    "value",
    "revenue_total",
)


def _reporter(name: str) -> Callable[[RetentionModel], float]:
    def report(model: RetentionModel) -> float:
        return float(model.results[name][model.month - 1]) if model.month else float("nan")

    report.__name__ = f"report_{name}"
    return report


class RetentionModel(mesa.Model):
    """The client lifecycle of one firm, one month per step.

    Parameters
    ----------
    params : Scenario, optional
        The scenario (defaults to the baseline).
    rng : int, optional
        Seed; defaults to ``params.run.seed``. Every random draw derives from it (see
        :mod:`model.randomness`), so the same scenario and seed give the same numbers.
    phases : tuple of (name, step), optional
        The month's phases; defaults to :data:`model.phases.PHASES` (tests replace one to mutate it).

    Attributes
    ----------
    clients : ClientState
        One array per client attribute; row = client id.
    staff_state : StaffState
        One array per staff attribute; :class:`~model.agents.StaffAgent` objects read these rows.
    results : dict of str to ndarray
        Preallocated monthly metrics, (months,) each.
    """

    def __init__(
        self,
        params: Scenario | None = None,
        *,
        rng: int | None = None,
        phases: tuple | None = None,
    ) -> None:
        params = params or Scenario()
        seed = params.run.seed if rng is None else int(rng)
        super().__init__(rng=seed)
        self.params = params
        self.seed = seed
        self.months = params.run.months
        self.month = 0
        self.phases = PHASES if phases is None else phases
        self.streams = Streams(seed)
        self.clients = _initial_clients(params, self.streams)
        self.staff_state = _initial_staff(params, self.clients)
        self.staff_agents: list[StaffAgent] = []
        self._sync_staff_agents()
        w = params.word_of_mouth
        self.network = build_network(
            w.network,
            params.market.clients,
            w.degree,
            w.rewiring,
            self.streams.generator("network", 0),
        )
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
        self.results = {name: np.full(self.months, np.nan) for name in METRICS}
        # A sample followed month by month (its own stream: tracking changes no other draw).
        k = min(params.run.track_clients, params.market.clients)
        rows = (
            ()
            if k == 0
            else self.streams.generator("track", 0).choice(params.market.clients, k, replace=False)
        )
        self.tracked_rows = np.sort(rows).astype(np.int64) if k else np.zeros(0, np.int64)
        self._trace = {
            name: np.zeros((self.months, k), dtype=getattr(self.clients, name).dtype)
            for name in TRACKED
        }
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in METRICS}
        )

    # ------------------------------------------------------------------------------- stepping
    def step(self) -> None:
        """Simulate one month: every phase in order, then the month's metrics."""
        if self.month >= self.months:
            self.running = False
            return
        self.month += 1
        levers, cost_factor = self._plan[self.month - 1]
        self.ctx.begin_month(self.month, levers, cost_factor)
        for _name, phase in self.phases:
            phase(self.ctx)
        for name, value in compute(self.ctx).items():
            self.results[name][self.month - 1] = value
        for name, trace in self._trace.items():
            trace[self.month - 1] = getattr(self.clients, name)[self.tracked_rows]
        self._sync_staff_agents()
        self.datacollector.collect(self)
        if self.month >= self.months:
            self.running = False

    def run(self, months: int | None = None, progress: bool = False) -> RetentionModel:
        """Run to the scenario's horizon (or ``months`` more), optionally with a progress bar."""
        todo = self.months - self.month if months is None else min(months, self.months - self.month)
        steps = range(todo)
        if progress:
            from tqdm.auto import tqdm

            steps = tqdm(steps, desc="months", unit="month", leave=False)
        for _ in steps:
            self.step()
        return self

    def _sync_staff_agents(self) -> None:
        """One registered Mesa agent per employed staff row (hires added, lay-offs removed)."""
        while len(self.staff_agents) < self.staff_state.employed:
            self.staff_agents.append(StaffAgent(self, len(self.staff_agents)))
        while len(self.staff_agents) > self.staff_state.employed:
            self.staff_agents.pop().remove()

    # -------------------------------------------------------------------------------- results
    def timeseries(self) -> pd.DataFrame:
        """One row per simulated month, one column per metric (see :data:`model.metrics.METRICS`)."""
        frame = pd.DataFrame({k: v[: self.month] for k, v in self.results.items()})
        frame.insert(0, "month", np.arange(1, self.month + 1))
        return frame

    def summary(self) -> dict[str, float]:
        """Headline results of the run so far."""
        ts = self.timeseries()
        if ts.empty:
            return {}
        last = ts.iloc[-1]
        return {
            "months": int(self.month),
            "clients_market": int(self.clients.n),
            "active_end": int(last["active"]),
            "acquired_total": int(ts["acquired"].sum()),
            "churned_total": int(ts["churned"].sum()),
            "won_back_total": int(ts["won_back"].sum()),
            "retention_annual_mean": float(ts["retention_annual"].mean()),
            "revenue_total": float(ts["revenue"].sum()),
            "profit_total": float(ts["profit"].sum()),
            "npv": float(last["npv"]),
            "satisfaction_end": float(last["satisfaction"]),
            "nps_end": float(last["nps"]),
            # Pooled, not the mean of monthly ratios (months with few acquisitions would dominate).
            "cac": float(
                (ts["marketing"].sum() + ts["onboarding"].sum()) / max(ts["acquired"].sum(), 1)
            ),
            "referral_share": float(ts["acquired_referral"].sum() / max(ts["acquired"].sum(), 1)),
            "top20_revenue_share_end": float(last["top20_revenue_share"]),
            "top20_value_share_end": float(last["top20_value_share"]),
            "service_cost_total": float(ts["service"].sum()),
            "firm_quality_end": float(last["firm_quality"]),
            "gap_end": float(last["gap"]),
        }

    def clients_frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """Every client's state as it stands now: one row per client (all, or ``rows``).

        Columns are the declared client arrays (:data:`model.state.CLIENT_ARRAYS`, with units
        there); stage, left_reason and aware_source are categoricals. Index: ``client`` (row id).

        Examples
        --------
        >>> m = RetentionModel(Scenario().with_overrides({"market.clients": 200, "run.months": 2}))
        >>> frame = m.run().clients_frame()
        >>> frame.shape[0], str(frame["stage"].dtype)
        (200, 'category')
        """
        return self.clients.frame(rows)

    def tracked(self) -> pd.DataFrame:
        """The followed sample (``run.track_clients``), month by month, in long form.

        One row per (month, client) simulated so far, with the end-of-month values of
        :data:`TRACKED`; empty when no client is followed.
        """
        k, months = self.tracked_rows.size, self.month
        columns: dict[str, object] = {
            "month": np.repeat(np.arange(1, months + 1), k),
            "client": np.tile(self.tracked_rows, months),
        }
        for name, trace in self._trace.items():
            values = trace[:months].ravel()
            columns[name] = decode(values, CODES[name]) if name in CODES else values
        return pd.DataFrame(columns)

    def client(self, row: int) -> ClientView:
        """A Mesa-agent view of one client whose attributes read and write its row."""
        return ClientView(self, int(row))

    def sample_clients(self, n: int, stage: Stage | None = None) -> list[ClientView]:
        """Views of ``n`` clients (of a stage, if given), drawn with the model's Mesa rng."""
        rows = (
            np.arange(self.clients.n)
            if stage is None
            else np.flatnonzero(self.clients.stage == stage)
        )
        chosen = self.rng.choice(rows, size=min(n, rows.size), replace=False) if rows.size else rows
        return [self.client(r) for r in np.sort(chosen)]

    def nbytes(self) -> int:
        """Memory held by the client and staff arrays and the network."""
        return self.clients.nbytes() + self.staff_state.nbytes() + self.network.nbytes()


# --------------------------------------------------------------------------- initial state
def _initial_clients(p: Scenario, streams: Streams) -> ClientState:
    """Draw every client's fixed traits and the initial client base (each from its own stream)."""
    n = p.market.clients
    cl = ClientState(n)
    m = p.market
    z = normal_from_uniform(streams.uniform("init.spend", 0, n)).astype(np.float64)
    cl.spend[:] = m.spend_mean * np.exp(m.spend_sigma * z - 0.5 * m.spend_sigma**2)
    cl.fit[:] = beta_from_uniform(streams.uniform64("init.fit", 0, n), m.fit_alpha, m.fit_beta)
    r = p.retain
    u = streams.uniform64("init.propensity", 0, n)
    active = streams.uniform("init.active", 0, n) < m.initial_active_share
    cl.stage[active] = Stage.ACTIVE
    # An established base (tenure and survivors' propensities, below) or, with
    # ``initial_tenure = "new"``, a fresh cohort at tenure 0 with prior propensities.
    established = m.initial_tenure == "survivors"
    heterogeneous = r.churn_heterogeneity > 0 and 0 < r.base_churn < 1
    if heterogeneous:
        # Beta(a, b) with mean base_churn and polarization 1/(a + b + 1) (Fader & Hardie);
        # drawn here for everyone the survivors' posterior below does not cover.
        total = 1.0 / r.churn_heterogeneity - 1.0
        a, b = r.base_churn * total, (1.0 - r.base_churn) * total
        prior = ~active if established and r.base_churn > 0 else np.ones(n, dtype=bool)
        cl.propensity[prior] = beta_from_uniform(u[prior], a, b)
    else:
        cl.propensity[:] = r.base_churn
    # Initial tenure: geometric with the base churn rate, capped at 50 years.
    if established and r.base_churn > 0:
        t = np.log1p(-streams.uniform64("init.tenure", 0, n)) / np.log1p(-min(r.base_churn, 0.999))
        cl.tenure[active] = np.minimum(t[active], 600).astype(np.int16)
    if established and heterogeneous:
        # The initial base are survivors: after t months a Beta(a, b) cohort's propensities are
        # Beta(a, b + t) (the shifted-beta-geometric posterior), so the leavers have gone first.
        cl.propensity[active] = betaincinv(a, b + cl.tenure[active], u[active])
    cl.satisfaction[:] = p.satisfaction.initial
    cl.expectation[:] = p.satisfaction.initial
    return cl


def _initial_staff(p: Scenario, clients: ClientState) -> StaffState:
    """Allocate staff rows for the most the scenario could employ; hire for the initial base."""
    most = max([p.levers.staffing, *(s.set.get("staffing", 0.0) for s in p.schedule)])
    st = StaffState(int(np.ceil(p.market.clients * most / p.staff.capacity)) + 1)
    st.engagement[:] = p.staff.engagement_base
    st.skill[:] = p.staff.skill_base
    served = int(np.count_nonzero(clients.active_mask()))
    st.employed = min(headcount(served, p.levers.staffing, p.staff.capacity), st.n)
    clients.staff[:] = np.arange(clients.n) % st.employed
    return st
