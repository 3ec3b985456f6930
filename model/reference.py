"""The reference engine: one true Mesa agent per client, for teaching and for docking (N ≤ 10⁴).

This is the readable, executable specification of a month (DESIGN §3). Every client is a
:class:`ClientAgent` and every staff member a :class:`StaffMember`; their methods call the *same*
rule functions of :mod:`model.phases` as the array engine (imported, never copied), one client at a
time on plain scalars. Only the glue around the rules (who is asked, in what order, where the
result is written) is written out here, as plain Python.

A month is the phases of :data:`model.phases.PHASES`, in that order, each run over the agents with
Mesa's ``AgentSet.do``. A single ``step()`` per agent could not keep the design's rule that every
phase computes from the state as it stood when the phase began (a client's word of mouth must not
see a neighbour's half-finished month), so each phase is its own agent method.

Where the engines differ on purpose:

* **Random numbers.** Each agent draws from the model's one Mesa generator, in turn. The array
  engine draws per-decision counter-based streams. The two agree in distribution, not draw for draw
  (the docking test, ``tests/test_docking.py``, checks that).
* **Staff budgets.** Each staff member walks its incidents in client order and pays an incident if
  its cost is within the per-incident cap and within what is left — a plain loop
  (:meth:`StaffMember.fix_incidents`). The array engine's
  :func:`model.phases.work.greedy_spend` claims to compute exactly this rule without the loop.

Firm-level pieces that involve no client (the innovation draw, the lever plan, the initial
population) reuse the array engine's own code.

Examples
--------
>>> from model import Scenario
>>> m = ReferenceModel(Scenario().with_overrides({"market.clients": 300, "run.months": 3}))
>>> m.run().timeseries().shape[0]
3
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
import pandas as pd

from model.context import LEDGER_LINES
from model.metrics import nps
from model.model import _initial_clients, _initial_staff
from model.network import build_network
from model.params import Scenario
from model.phases import innovate
from model.phases.account import monthly_rate, tenure_multiplier
from model.phases.attract import ad_awareness_probability, conversion_probability
from model.phases.retain import churn_hazard
from model.phases.satisfaction import (
    behavioural,
    expectation_update,
    satisfaction_target,
    to_likelihood,
)
from model.phases.staff import (
    engagement_target,
    headcount,
    quit_probability,
    skill_target,
    workload,
)
from model.phases.win_back import return_probability
from model.phases.word_of_mouth import reach_probability
from model.phases.work import (
    FIXED_LATER,
    FIXED_ON_SPOT,
    UNFIXED,
    delivered_quality,
    fix_cost,
    incident_probability,
    staff_quality,
)
from model.randomness import Streams
from model.schedule import lever_plan
from model.state import FirmState, Reason, Source, Stage
from model.targeting import segment_mask

__all__ = ["ClientAgent", "ReferenceModel", "StaffMember"]

#: Metrics the reference engine reports (a subset of :data:`model.metrics.METRICS`, same names).
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


def _f(x: Any) -> float:
    """A rule function's result on scalars (a numpy scalar) as a plain float."""
    return float(x)


class StaffMember(mesa.Agent):
    """A staff member: engagement, skill, this month's budget, and the month's incidents."""

    def __init__(self, model: ReferenceModel, engagement: float, skill: float) -> None:
        super().__init__(model)
        self.engagement = engagement
        self.skill = skill
        self.budget_left = 0.0
        self.clients = 0  # clients served this month
        self.incidents: list[ClientAgent] = []

    def staff(self) -> None:
        """Move engagement and skill toward their targets; maybe quit (and be replaced)."""
        m, p, lv = self.model, self.model.params.staff, self.model.levers
        target = engagement_target(
            lv.training_spend, lv.empowerment_budget > 0, workload(self.clients, p.capacity), p
        )
        self.engagement += p.engagement_rate * (_f(target) - self.engagement)
        self.skill += p.engagement_rate * (skill_target(lv.training_spend, p) - self.skill)
        if m.rng.random() < _f(quit_probability(self.engagement, p)):
            self.engagement, self.skill = p.engagement_base, p.new_hire_skill
            m.tally["staff_quits"] += 1
        self.budget_left = lv.empowerment_budget
        self.incidents = []

    def fix_incidents(self) -> None:
        """Walk this month's incidents in client order; pay each one the budget still covers."""
        for client in self.incidents:
            if client.eligible and client.fix_cost <= self.budget_left:
                self.budget_left -= client.fix_cost
                client.incident = FIXED_ON_SPOT


class ClientAgent(mesa.Agent):
    """One client (or prospect): its stage, traits and this month's requests, as plain attributes.

    The methods are the phases of a month, in :data:`model.phases.PHASES` order; each calls the
    array engine's rule functions on this one client.
    """

    def __init__(self, model: ReferenceModel, row: int, traits: dict[str, Any]) -> None:
        super().__init__(model)
        self.row = row
        self.stage = Stage(int(traits["stage"]))
        self.fit = float(traits["fit"])
        self.spend = float(traits["spend"])
        self.propensity = float(traits["propensity"])
        self.tenure = int(traits["tenure"])
        self.satisfaction = float(traits["satisfaction"])
        self.expectation = float(traits["expectation"])
        self.aware = False
        self.aware_source = Source.NONE
        self.referrer: ClientAgent | None = None
        self.months_lapsed = 0
        self.left_reason = Reason.NONE
        self.paradox_bonus = 0.0
        self.value = 0.0
        self.revenue_total = 0.0
        self.neighbours: list[ClientAgent] = []
        self.staff: StaffMember | None = None

    @property
    def is_active(self) -> bool:
        """Being served (ACTIVE or LOYAL)."""
        return self.stage in (Stage.ACTIVE, Stage.LOYAL)

    # ------------------------------------------------------------------------- the month
    def begin_month(self) -> None:
        """Note whether this client is served this month and clear last month's requests."""
        self.served = self.is_active
        self.incident = 0
        self.eligible = False
        self.fix_cost = 0.0
        self.direct_cost = 0.0
        self.heard_positive = self.heard_negative = False
        self.promoter = self.detractor = False
        self.wom_probability = 0.0
        self.leaves = self.joins = self.returns = False
        self.revenue = 0.0

    def work(self) -> None:
        """Receive this month's service: quality, maybe an incident queued with the staff member."""
        if not self.served:
            return
        m, p, lv = self.model, self.model.params, self.model.levers
        st = self.staff
        overload = workload(st.clients, p.staff.capacity)
        noise = m.rng.standard_normal()
        q = _f(
            delivered_quality(
                lv.service_level, staff_quality(st.engagement, st.skill, overload, p.staff),
                self.fit, noise, p.service,
            )
        )  # fmt: skip
        self.quality = q
        self.experience = q - m.firm.novelty_dip
        if m.rng.random() < _f(incident_probability(q, p.service)):
            self.incident = UNFIXED  # until someone fixes it
            self.fix_cost = float(fix_cost(np.array([m.rng.random()]), p.service)[0])
            self.eligible = (
                bool(m.targeted["empowerment"][self.row])
                and self.fix_cost <= lv.empowerment_cap
                and lv.empowerment_budget > 0
            )
            st.incidents.append(self)

    def recover(self) -> None:
        """After the staff pass: escalate what was not fixed; this month's experience."""
        if not self.served:
            return
        m, svc = self.model, self.model.params.service
        recovery = 0.0
        if self.incident == FIXED_ON_SPOT:
            self.direct_cost += self.fix_cost
            m.ledger["empowerment"] += self.fix_cost
            self.paradox_bonus += svc.recovery_paradox_bonus
            recovery = svc.recovery_on_spot
        elif self.incident == UNFIXED and m.rng.random() < svc.escalation_fix_prob:
            self.incident = FIXED_LATER
            later = self.fix_cost * svc.manager_cost_multiplier
            self.direct_cost += later
            m.ledger["escalation"] += later
            recovery = svc.recovery_escalated
        if self.incident:
            self.experience -= svc.incident_severity * (1.0 - recovery)
        self.experience = min(max(self.experience, 0.0), 1.0)

    def satisfaction_phase(self) -> None:
        """Satisfaction moves toward its target; expectation adapts; the measured bonus fades."""
        if not self.served:
            return
        p = self.model.params
        sat = p.satisfaction
        target = _f(satisfaction_target(self.experience, self.expectation, sat))
        self.satisfaction += sat.adjustment_rate * (target - self.satisfaction)
        self.expectation = _f(
            expectation_update(self.expectation, self.experience, p.market.competitor_service, sat)
        )
        self.paradox_bonus *= 1.0 - sat.adjustment_rate

    def behavioural_satisfaction(self) -> float:
        """The satisfaction that drives churn and word of mouth."""
        p = self.model.params
        return _f(
            behavioural(
                self.satisfaction, self.paradox_bonus, p.service.recovery_paradox_behavioural
            )
        )

    def retain(self) -> None:
        """Ask to leave with the churn hazard; remember why."""
        if not self.served:
            return
        m, p, lv = self.model, self.model.params, self.model.levers
        s = self.behavioural_satisfaction()
        discount = lv.loyalty_discount if m.targeted["loyalty"][self.row] else 0.0
        hazard = _f(churn_hazard(self.propensity, s, m.firm.gap, discount, self.tenure, p.retain))
        if m.rng.random() < hazard:
            self.leaves = True
            bad = s < p.retain.bad_service_threshold
            self.left_reason = Reason.BAD_SERVICE if bad else Reason.COMPETITOR
            m.tally["churned_bad_service"] += bad

    def speak(self) -> None:
        """Am I a promoter or a detractor this month?"""
        p = self.model.params
        w, sat = p.word_of_mouth, p.satisfaction
        if self.served:
            ltr = _f(to_likelihood(self.behavioural_satisfaction(), sat.likelihood_exponent))
            self.promoter = ltr >= sat.promoter_threshold
            self.detractor = ltr < sat.detractor_threshold
        else:
            self.detractor = (
                self.stage == Stage.LAPSED
                and self.left_reason == Reason.BAD_SERVICE
                and self.months_lapsed < w.lapsed_warning_months
            )

    def listen(self) -> None:
        """Hear at least one recommendation or warning from my speaking neighbours."""
        m, w = self.model, self.model.params.word_of_mouth
        if m.network.kind == "full":
            promoters = m.promoter_count - self.promoter
            detractors = m.detractor_count - self.detractor
        else:
            promoters = sum(n.promoter for n in self.neighbours)
            detractors = sum(n.detractor for n in self.neighbours)
        k = m.network.mean_degree
        self.wom_probability = _f(reach_probability(promoters, w.q_positive, k))
        self.heard_positive = m.rng.random() < self.wom_probability
        self.heard_negative = m.rng.random() < _f(reach_probability(detractors, w.q_negative, k))
        m.tally["reached_positive"] += self.heard_positive
        m.tally["reached_negative"] += self.heard_negative

    def feel_word_of_mouth(self) -> None:
        """A little of a current client's satisfaction follows what it heard (for next month)."""
        if self.served:
            delta = self.model.params.word_of_mouth.satisfaction_effect * (
                self.heard_positive - self.heard_negative
            )
            self.satisfaction = min(max(self.satisfaction + delta, 0.0), 1.0)

    def attract(self) -> None:
        """A prospect: become aware (by an ad or a referral), then maybe join or forget."""
        if self.stage != Stage.PROSPECT:
            return
        m, p = self.model, self.model.params
        if not self.aware:
            by_ad = m.rng.random() < m.p_ad
            by_wom = self.heard_positive
            if by_ad or by_wom:
                # Credited in proportion to each channel's share of the hazard when both reached.
                share_ad = (
                    m.p_ad / max(m.p_ad + self.wom_probability, 1e-12)
                    if by_ad and by_wom
                    else float(by_ad)
                )
                self.aware = True
                m.tally["newly_aware"] += 1
                if m.rng.random() < share_ad:
                    self.aware_source = Source.AD
                else:
                    self.aware_source = Source.REFERRAL
                    self.referrer = m.pick_promoter(self)
        if not self.aware:
            return
        warn = p.word_of_mouth.negative_conversion_factor if p.word_of_mouth.enabled else 1.0
        conv = conversion_probability(
            self.fit, m.firm.gap, self.heard_negative, p.retain.gap_scale, p.attract, warn
        )
        if m.rng.random() < _f(conv):
            self.joins = True
            m.ledger["onboarding"] += p.attract.onboarding_cost
        elif m.rng.random() < p.attract.awareness_decay:
            self.aware, self.aware_source, self.referrer = False, Source.NONE, None

    def win_back(self) -> None:
        """A lapsed client: maybe targeted by win-back money; maybe returns."""
        if self.stage != Stage.LAPSED:
            return
        m, p = self.model, self.model.params
        w = p.word_of_mouth
        spend = m.levers.winback_spend if m.targeted["winback"][self.row] else 0.0
        warned = w.negative_conversion_factor if self.heard_negative else 1.0
        prob = return_probability(
            self.months_lapsed,
            self.left_reason == Reason.BAD_SERVICE,
            spend,
            self.heard_positive,
            warned,
            w.return_boost if w.enabled else 0.0,
            p.win_back,
        )
        self.returns = m.rng.random() < _f(prob)
        self.direct_cost += spend
        m.ledger["winback"] += spend

    def account(self) -> None:
        """Pay this month's revenue (if staying); book my costs and my attributed contribution."""
        m, p = self.model, self.model.params
        if not self.served:
            self.value -= self.direct_cost  # e.g. win-back money spent on a lapsed client
            return
        le, lv = p.loyalty_economics, m.levers
        t = self.tenure
        if not self.leaves:
            growth = tenure_multiplier(t, le.spend_growth, le)
            self.revenue = self.spend * _f(growth * tenure_multiplier(t, le.price_premium, le))
        discount = lv.loyalty_discount * self.revenue if m.targeted["loyalty"][self.row] else 0.0
        cogs = p.economics.cogs_share * self.revenue
        service = (
            p.service.cost_per_client
            * lv.service_level**2
            * _f(tenure_multiplier(t, le.serve_cost_trend, le))
        )
        m.ledger["cogs"] += cogs
        m.ledger["service"] += service
        m.ledger["discounts"] += discount
        m.revenue += self.revenue
        contribution = self.revenue - cogs - service - discount - self.direct_cost
        rho = p.word_of_mouth.referral_credit_share
        if self.referrer is not None and rho > 0:
            self.value += (1.0 - rho) * contribution
            self.referrer.value += rho * contribution
        else:
            self.value += contribution
        self.value -= m.shared_cost_each
        self.revenue_total += self.revenue

    def resolve(self) -> None:
        """Apply my requested change of stage; age a month; relabel LOYAL."""
        m, p = self.model, self.model.params
        t = m.tally
        if self.served and not self.leaves:
            self.tenure += 1
        if self.stage == Stage.LAPSED and not self.returns:
            self.months_lapsed += 1
        if self.leaves:
            self.stage, self.months_lapsed = Stage.LAPSED, 0
            t["churned"] += 1
        if self.joins or self.returns:
            t["acquired"] += self.joins
            t["acquired_referral"] += self.joins and self.aware_source == Source.REFERRAL
            t["won_back"] += self.returns
            self.stage, self.tenure = Stage.ACTIVE, 0
            self.satisfaction = self.expectation = p.satisfaction.initial
            self.paradox_bonus, self.left_reason = 0.0, Reason.NONE
            if self.joins:
                self.aware = False
        if self.is_active:
            r = p.retain
            loyal = self.tenure >= r.loyal_tenure_months and self.satisfaction >= (
                r.loyal_satisfaction
            )
            self.stage = Stage.LOYAL if loyal else Stage.ACTIVE


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
        state = _initial_clients(params, streams)
        staff_rows = _initial_staff(params, state)
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
        """Which clients each lever's money reaches this month (``model.targeting`` rules)."""
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
        """One month: the phases of :data:`model.phases.PHASES`, agent by agent, then reporters."""
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
        self.ledger["overhead"] += self.params.economics.fixed_overhead
        served = sum(c.served for c in self.clients)
        shared = sum(self.ledger[k] for k in ("staff", "training", "hiring", "marketing",
                                              "onboarding", "rd", "overhead"))  # fmt: skip
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
