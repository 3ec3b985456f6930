"""The market at month 0: every client's fixed traits, the initial client base and the staff.

Shared by the array engine and the reference engine, so both start from the same state for the
same scenario and seed (docs/ODD.md §5, Initialisation).
"""

from __future__ import annotations

import json

import numpy as np
from scipy.special import betaincinv, gammaincinv

from model.engine import elementwise
from model.engine.phases.staff import headcount
from model.engine.randomness import Streams, beta_from_uniform, normal_from_uniform
from model.engine.sharing import MAX_CLIENTS, remember
from model.engine.state import ClientState, StaffState, Stage
from model.scenario import Scenario

__all__ = ["MARKET_READS", "initial_clients", "initial_staff"]


def initial_clients(p: Scenario, streams: Streams) -> ClientState:
    """Draw every client's fixed traits and the initial client base (each from its own stream).

    Runs of the same seed that agree on what it reads (:data:`MARKET_READS`) share the draw
    (:mod:`model.engine.sharing`); each gets its own copy.
    """
    if p.market.clients > MAX_CLIENTS:
        return _draw_clients(p, streams)
    world = p.model_dump(mode="json", include=MARKET_READS)
    key = ("initial_clients", streams.seed, json.dumps(world, sort_keys=True))
    return remember(key, lambda: _draw_clients(p, streams), ClientState.nbytes).copy()


#: The parameters the starting market is drawn from (as pydantic's ``include``): the market
#: section, the churn prior and the starting satisfaction. Runs of one seed that agree on these
#: share the draw, whatever else differs: a claim's arm that turns off word of mouth or changes
#: the retention response shares its world's market. ``tests/test_market_sharing.py`` moves every
#: other declared parameter and checks the draw does not change.
MARKET_READS: dict = {
    "market": True,
    "retain": {"base_churn", "churn_heterogeneity"},
    "satisfaction": {"initial"},
}


def _draw_clients(p: Scenario, streams: Streams) -> ClientState:
    n = p.market.clients
    cl = ClientState(n)
    m = p.market
    if m.spend_distribution == "purchases":
        # rate x value, each of mean 1: Gamma(r)/r purchases and (q - 1)/Gamma(q) per purchase.
        r, q = m.purchase_rate_shape, m.purchase_value_shape
        rate = elementwise.apply(gammaincinv, r, streams.uniform64("init.spend", 0, n)) / r
        value = (q - 1.0) / elementwise.apply(gammaincinv, q, streams.uniform64("init.value", 0, n))
        cl.spend[:] = m.spend_mean * rate * value
    else:
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
        cl.propensity[active] = elementwise.apply(betaincinv, a, b + cl.tenure[active], u[active])
    cl.satisfaction[:] = p.satisfaction.initial
    cl.expectation[:] = p.satisfaction.initial
    return cl


def initial_staff(p: Scenario, clients: ClientState) -> StaffState:
    """Allocate staff rows for the most the scenario could employ; hire for the initial base."""
    most = max([p.levers.staffing, *(s.set.get("staffing", 0.0) for s in p.schedule)])
    st = StaffState(int(np.ceil(p.market.clients * most / p.staff.capacity)) + 1)
    st.engagement[:] = p.staff.engagement_base
    st.skill[:] = p.staff.skill_base
    served = int(np.count_nonzero(clients.active_mask()))
    st.employed = min(headcount(served, p.levers.staffing, p.staff.capacity), st.n)
    clients.staff[:] = np.arange(clients.n) % st.employed
    return st
