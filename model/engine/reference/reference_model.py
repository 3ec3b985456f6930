"""``ReferenceModel``: the month as a sequence of agent phases, with the firm-level glue between them."""

from __future__ import annotations

from types import SimpleNamespace

import mesa
import numpy as np
import pandas as pd

from model.engine.context import LEDGER_LINES
from model.engine.initial import initial_clients, initial_staff
from model.engine.ledger import CHARGED
from model.engine.metrics import nps
from model.engine.network import build_network
from model.engine.phases import innovate
from model.engine.phases.account import monthly_overhead, monthly_rate
from model.engine.phases.attract import ad_awareness_probability
from model.engine.phases.staff import headcount
from model.engine.phases.work import FIXED_ON_SPOT, UNFIXED
from model.engine.randomness import Streams
from model.engine.reference.agents import ClientAgent, StaffMember
from model.engine.schedule import lever_plan
from model.engine.state import FirmState, Stage
from model.engine.targeting import segment_mask
from model.scenario import Scenario

__all__ = ["REFERENCE_METRICS", "ReferenceModel"]

#: Metrics the reference engine reports (a subset of :data:`model.engine.metrics.METRICS`, same names).
REFERENCE_METRICS: tuple[str, ...] = (
    "prospects",
    "active",
    "loyal",
    "lapsed",
    "acquired",
    "acquired_referral",
    "churned",
    "churned_bad_service",
    "won_back",
    "revenue",
    *LEDGER_LINES,
    "profit",
    "npv",
    "satisfaction",
    "nps",
    "headcount",
    "engagement",
    "incidents",
    "fixed_on_spot",
    "escalated",
    "unfixed",
    "reached_positive",
    "reached_negative",
    "promoters",
)


class ReferenceModel(mesa.Model):
    """The client lifecycle with one Mesa agent per client (the readable reference engine).

    Parameters
    ----------
    params : Scenario, optional
        The scenario (defaults to the baseline). Keep ``market.clients`` ≤ 10⁴: each client is a
        Python object and a month is ~10 method calls per client.
    rng : int, optional
        Seed; defaults to ``params.run.seed``.
    """

    def __init__(self, params: Scenario | None = None, *, rng: int | None = None) -> None:
        params = params or Scenario()
        seed = params.run.seed if rng is None else int(rng)
        super().__init__(rng=seed)
        self.params = params
        self.months = params.run.months
        self.month = 0
        streams = Streams(seed)  # the initial population and R&D draws reuse the array code
        self._streams = streams
        state = initial_clients(params, streams)
        staff_rows = initial_staff(params, state)
        self.max_staff = staff_rows.n
        traits = state.snapshot()
        self.clients = [
            ClientAgent(self, i, {k: v[i] for k, v in traits.items()}) for i in range(state.n)
        ]
        self.staff = [
            StaffMember(self, float(staff_rows.engagement[j]), float(staff_rows.skill[j]))
            for j in range(staff_rows.employed)
        ]
        self._assign_staff()
        w = params.word_of_mouth
        self.network = build_network(
            w.network,
            state.n,
            w.degree,
            w.rewiring,
            np.random.default_rng(self.rng.integers(2**63)),
        )
        if self.network.kind != "full":
            for c in self.clients:
                nbrs = self.network.indices[
                    self.network.indptr[c.row] : self.network.indptr[c.row + 1]
                ]
                c.neighbours = [self.clients[j] for j in nbrs]
        self.firm = FirmState(
            quality=params.innovation.quality_start, frontier=params.market.frontier_start
        )
        self._plan = lever_plan(params, self.months)
        self.records: list[dict[str, float]] = []

    # -------------------------------------------------------------------------- helpers
    def _assign_staff(self) -> None:
        """Clients are dealt to staff round-robin by row, as in the array engine."""
        for c in self.clients:
            c.staff = self.staff[c.row % len(self.staff)]

    def _targets(self) -> dict[str, np.ndarray]:
        """Which clients each lever's money reaches this month (``model.engine.targeting`` rules)."""
        t, n = self.params.targeting, len(self.clients)
        served = np.fromiter((c.served for c in self.clients), bool, n)
        lapsed = np.fromiter((c.stage == Stage.LAPSED for c in self.clients), bool, n)
        within = lapsed & np.fromiter(
            (c.months_lapsed < self.params.win_back.target_months for c in self.clients), bool, n
        )
        view = SimpleNamespace(
            spend=np.fromiter((c.spend for c in self.clients), float, n),
            fit=np.fromiter((c.fit for c in self.clients), float, n),
            tenure=np.fromiter((c.tenure for c in self.clients), float, n),
            satisfaction=np.fromiter((c.satisfaction for c in self.clients), float, n),
            paradox_bonus=np.fromiter((c.paradox_bonus for c in self.clients), float, n),
        )
        return {
            "loyalty": segment_mask(view, served, t.loyalty, t.share),
            "empowerment": segment_mask(view, served, t.empowerment, t.share),
            "winback": segment_mask(view, within, t.winback, t.share),
        }

    def pick_promoter(self, client: ClientAgent) -> ClientAgent | None:
        """One promoter among ``client``'s neighbours, uniformly (None if there is none)."""
        if self.network.kind == "full":
            pool = [c for c in self.clients if c.promoter and c is not client]
        else:
            pool = [n for n in client.neighbours if n.promoter]
        return pool[self.rng.integers(len(pool))] if pool else None

    # ------------------------------------------------------------------------- stepping
    def _staff_phase(self) -> None:
        """Hire or lay off to this month's headcount; each staff member then updates."""
        p, lv = self.params.staff, self.levers
        served = sum(c.served for c in self.clients)
        n = min(headcount(served, lv.staffing, p.capacity), self.max_staff)
        before = len(self.staff)
        hires = max(n - before, 0)
        while len(self.staff) < n:
            self.staff.append(StaffMember(self, p.engagement_base, p.new_hire_skill))
        while len(self.staff) > n:
            self.staff.pop().remove()
        if n != before:
            self._assign_staff()
        for s in self.staff:
            s.clients = 0
        for c in self.clients:
            if c.served:
                c.staff.clients += 1
        self.tally["staff_quits"] = 0
        for s in self.staff:
            s.staff()
        hires += self.tally["staff_quits"]
        self.ledger["staff"] += n * p.salary
        self.ledger["training"] += n * lv.training_spend
        self.ledger["hiring"] += hires * p.hiring_cost

    def step(self) -> None:
        """One month: the phases of :data:`model.engine.phases.PHASES`, agent by agent, then reporters."""
        if self.month >= self.months:
            self.running = False
            return
        self.month += 1
        self.levers, cost_factor = self._plan[self.month - 1]
        self.ledger = dict.fromkeys(LEDGER_LINES, 0.0)
        self.tally = dict.fromkeys(
            [
                "churned",
                "churned_bad_service",
                "acquired",
                "acquired_referral",
                "won_back",
                "newly_aware",
                "reached_positive",
                "reached_negative",
                "staff_quits",
            ],
            0,
        )
        self.revenue = 0.0
        clients = self.agents_by_type[ClientAgent]
        clients.do("begin_month")
        self.targeted = self._targets()
        # 1 staff
        self._staff_phase()
        # 2 work: every client's service, then each staff member spends in turn, then recovery
        clients.do("work")
        self.agents_by_type[StaffMember].do("fix_incidents")
        clients.do("recover")
        # 3 satisfaction, 4 retain
        clients.do("satisfaction_phase")
        clients.do("retain")
        # 5 word of mouth
        if self.params.word_of_mouth.enabled:
            clients.do("speak")
            self.promoter_count = sum(c.promoter for c in self.clients)
            self.detractor_count = sum(c.detractor for c in self.clients)
            clients.do("listen")
            clients.do("feel_word_of_mouth")
        # 6 attract, 7 win back
        self.p_ad = ad_awareness_probability(
            self.levers.ad_budget, cost_factor, self.params.attract
        )
        self.ledger["marketing"] += self.levers.ad_budget * len(self.clients) / 1000.0
        clients.do("attract")
        clients.do("win_back")
        # 8 innovate: firm-level, no client involved — the array engine's own step
        innovate.step(
            SimpleNamespace(
                firm=self.firm,
                params=self.params,
                levers=self.levers,
                streams=self._streams,
                month=self.month,
                ledger=self.ledger,
                tally=self.tally,
            )
        )
        # 9 account: shared costs are split equally over the clients served
        self.ledger["overhead"] += monthly_overhead(self.params)
        served = sum(c.served for c in self.clients)
        # (every line not booked to the client who caused it: model.engine.ledger.CHARGED)
        shared = sum(self.ledger[k] for k in LEDGER_LINES if CHARGED[k] != "direct")
        self.shared_cost_each = shared / served if served else 0.0
        clients.do("account")
        profit = self.revenue - sum(self.ledger.values())
        rate = monthly_rate(self.params.economics.discount_rate)
        self.firm.npv += profit / (1.0 + rate) ** self.month
        self.firm.ledger["last_revenue"] = self.revenue
        # 10 resolve
        clients.do("resolve")
        self.records.append(self._report(profit))
        if self.month >= self.months:
            self.running = False

    def run(self, months: int | None = None) -> ReferenceModel:
        """Run to the scenario's horizon (or ``months`` more)."""
        todo = self.months - self.month if months is None else months
        for _ in range(min(todo, self.months - self.month)):
            self.step()
        return self

    # ------------------------------------------------------------------------- reporting
    def _report(self, profit: float) -> dict[str, float]:
        counts = {s: 0 for s in Stage}
        for c in self.clients:
            counts[c.stage] += 1
        active = [c for c in self.clients if c.is_active]
        measured = np.array([min(max(c.satisfaction + c.paradox_bonus, 0.0), 1.0) for c in active])
        t = self.tally
        served = [c for c in self.clients if c.served]
        incidents = [c.incident for c in served if c.incident]
        row = {
            "prospects": counts[Stage.PROSPECT],
            "active": counts[Stage.ACTIVE] + counts[Stage.LOYAL],
            "loyal": counts[Stage.LOYAL],
            "lapsed": counts[Stage.LAPSED],
            **{k: t[k] for k in ("acquired", "acquired_referral", "churned", "won_back")},
            "churned_bad_service": t["churned_bad_service"],
            "revenue": self.revenue,
            **self.ledger,
            "profit": profit,
            "npv": self.firm.npv,
            "satisfaction": float(measured.mean()) if measured.size else float("nan"),
            "nps": nps(measured, self.params.satisfaction),
            "headcount": len(self.staff),
            "engagement": float(np.mean([s.engagement for s in self.staff])),
            "incidents": len(incidents),
            "fixed_on_spot": sum(i == FIXED_ON_SPOT for i in incidents),
            "escalated": sum(i != FIXED_ON_SPOT for i in incidents),
            "unfixed": sum(i == UNFIXED for i in incidents),
            "reached_positive": t["reached_positive"],
            "reached_negative": t["reached_negative"],
            "promoters": sum(c.promoter for c in self.clients),
        }
        return {k: float(row[k]) for k in REFERENCE_METRICS}

    def timeseries(self) -> pd.DataFrame:
        """One row per simulated month; columns as :data:`REFERENCE_METRICS` (array-engine names)."""
        frame = pd.DataFrame(self.records, columns=list(REFERENCE_METRICS))
        frame.insert(0, "month", np.arange(1, len(self.records) + 1))
        return frame
