"""The reference engine's agents: a :class:`ClientAgent` per client and a :class:`StaffMember` per staff.

Each phase of a month is one method, which calls the same rule functions of
:mod:`model.engine.phases` as the array engine, on one client's scalars.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from model.engine.phases.account import service_cost, tenure_multiplier
from model.engine.phases.attract import conversion_probability
from model.engine.phases.retain import churn_hazard
from model.engine.phases.satisfaction import (
    behavioural,
    expectation_update,
    satisfaction_target,
    to_likelihood,
)
from model.engine.phases.staff import (
    engagement_target,
    quit_probability,
    skill_target,
    workload,
)
from model.engine.phases.win_back import return_probability
from model.engine.phases.word_of_mouth import reach_probability, speaking_rates
from model.engine.phases.work import (
    FIXED_LATER,
    FIXED_ON_SPOT,
    UNFIXED,
    delivered_quality,
    fix_cost,
    incident_probability,
    staff_quality,
)
from model.engine.state import Reason, Source, Stage

__all__ = ["ClientAgent", "StaffMember"]


def _f(x: Any) -> float:
    """A rule function's result on scalars (a numpy scalar) as a plain float."""
    return float(x)


class StaffMember(mesa.Agent):
    """A staff member: engagement, skill, this month's budget, and the month's incidents."""

    def __init__(self, model: mesa.Model, engagement: float, skill: float) -> None:
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
            lv.training_spend, lv.autonomy, workload(self.clients, p.capacity), p
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

    The methods are the phases of a month, in :data:`model.engine.phases.PHASES` order; each calls the
    array engine's rule functions on this one client.
    """

    def __init__(self, model: mesa.Model, row: int, traits: dict[str, Any]) -> None:
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
            ltr = _f(to_likelihood(self.behavioural_satisfaction(), sat))
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
        q_pos, q_neg = speaking_rates(w)
        self.wom_probability = _f(reach_probability(promoters, q_pos, k))
        self.heard_positive = m.rng.random() < self.wom_probability
        self.heard_negative = m.rng.random() < _f(reach_probability(detractors, q_neg, k))
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
        service = _f(
            service_cost(lv.service_level, self.spend, p.service, p.market.spend_mean)
        ) * _f(tenure_multiplier(t, le.serve_cost_trend, le))
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
