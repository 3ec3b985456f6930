"""Losing one client costs its whole future (practitioner articles, docs/ODD.md §1.2).

The seed's training exercise: "a client buys goods and services from your company for 10 thousand
roubles a year, and the amount grows by 2 thousand each year. How much will the company lose in
sales if the client stops buying over the next 5 years? 10 + 12 + 14 + 16 + 18 = 70 thousand
roubles. Such is the price of losing a client. ... if the net financial result is 20% of sales,
over 5 years the company will lose 14 thousand roubles."

First the arithmetic, exactly (:func:`model.studies.closed_forms.lost_client_cost`). Then the claim that the
arithmetic is a fair estimate of what a lost client really costs: a competitor poaches a share of
the served clients at month 13 (a ``poaching`` shock, :mod:`model.engine.phases.retain`); paired runs with
and without the raid give the firm's NPV lost per poached client over the next 5 years (discounted
to the raid, every cost line and knock-on included: lost referrals, clients won back, staff cost
that shrinks with the base), and this is divided by the naive arithmetic — the contribution margin
rate times the revenue those same clients brought in the run without the raid (their expected
remaining spend, undiscounted, without referrals or win-back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.framework import (
    Assumption,
    Claim,
    ExperimentResult,
    claim_seeds,
    decide,
    run_claim,
)
from experiments.paired import scenario_at
from model import Scenario
from model.engine.phases.account import monthly_rate
from model.engine.retention_model import RetentionModel
from model.studies.closed_forms import lost_client_cost
from model.studies.stats import mean_interval

#: A large market: with few staff (300 clients each) one hire more or less is noise at 3,000.
DEFAULT_SIZE = 8000
DEFAULT_REPLICATIONS = 3
#: Two levels per assumption (8 points, plus the defaults): each point is two 6-year runs.
DEFAULT_LEVELS = 2
#: The raid's month: a year into the run, so the base has settled from its initial state.
START = 13
#: Months followed after the raid: the seed's five years.
FOLLOW = 60
#: Share of served clients poached (large enough for a precise per-client cost).
POACH_SIZE = 0.2
#: Cost lines that scale with the client base: a manager's contribution margin nets them out.
VARIABLE_LINES = (
    "cogs",
    "service",
    "staff",
    "training",
    "hiring",
    "empowerment",
    "escalation",
    "discounts",
    "rd",
)

CLAIM = Claim(
    name="lost_client",
    title=(
        "Losing one client costs its whole future: 10 + 12 + 14 + 16 + 18 = 70 thousand of "
        "revenue, 14 thousand of profit at a 20% margin"
    ),
    precise=(
        f"A competitor poaches {POACH_SIZE:.0%} of the served clients at month {START}. The cost "
        "of a lost client is the firm's NPV lost per poached client over the next "
        f"{FOLLOW} months (paired runs with and without the raid on the same seed; discounted to "
        "the raid; every cost line included, so lost referrals, returns and the staff cost that "
        "shrinks with the base all count). It is divided by the naive arithmetic: the "
        "contribution margin rate (revenue minus the cost lines that scale with the base, "
        "measured in the run without the raid) times the revenue the same clients brought in the "
        "run without the raid over those months — undiscounted, without referrals or win-back."
    ),
    metric="simulated cost per lost client ÷ naive arithmetic",
    magnitude=1.0,
    band=(0.8, 1.25),
    margin=0.05,
    assumptions=(
        Assumption(
            "word_of_mouth.q_positive",
            0.0,
            0.6,
            "referral strength q⁺ (lost referrals raise the cost)",
            "Bass q per promoter; 0 = no referrals; Sultan et al. 1990's q = 0.38/year overall",
        ),
        Assumption(
            "win_back.return_max",
            0.0,
            0.15,
            "win-back return chance at saturating spend (returns lower the cost)",
            "assumption: 0 = nobody is won back; 0.15 = one in seven a month early on",
        ),
        Assumption(
            "economics.discount_rate",
            0.0,
            0.2,
            "annual discount rate (the naive sum is undiscounted)",
            "assumption: 0 = the seed's arithmetic; 10-20% = common hurdle rates",
        ),
    ),
)


@dataclass(frozen=True)
class Raid:
    """One paired comparison: the raid vs none, on one seed.

    Attributes
    ----------
    poached : int
        Clients poached.
    cost : float
        NPV lost per poached client, discounted to the start of the raid month (currency).
    undiscounted : float
        Undiscounted profit lost per poached client over the follow-up (currency).
    naive : float
        Margin rate × the poached clients' revenue in the control run, per client (currency).
    margin : float
        The control run's contribution margin rate over the follow-up.
    remaining_revenue : float
        Revenue per poached client in the control run over the follow-up (currency).
    lost_acquisitions, returned : float
        Acquisitions lost per poached client; share of poached clients won back.
    gap, naive_path : ndarray
        Cumulative discounted NPV gap and naive margin per poached client, by month since the raid.
    """

    poached: int
    cost: float
    undiscounted: float
    naive: float
    margin: float
    remaining_revenue: float
    lost_acquisitions: float
    returned: float
    gap: np.ndarray
    naive_path: np.ndarray

    @property
    def ratio(self) -> float:
        """Simulated cost ÷ naive arithmetic."""
        return self.cost / self.naive if self.naive > 0 else float("nan")


def raided(scenario: Scenario, size: float = POACH_SIZE, start: int = START) -> Scenario:
    """``scenario`` with a one-month poaching raid added."""
    shocks = [
        *scenario.to_toml_dict()["shocks"],
        {"kind": "poaching", "start": start, "size": size},
    ]
    return Scenario.build({**scenario.to_toml_dict(), "shocks": shocks})


def _step_to(model: RetentionModel, month: int) -> None:
    while model.month < month:
        model.step()


def raid(scenario: Scenario, seed: int, start: int = START) -> Raid:
    """Run ``scenario`` with and without the raid on ``seed`` and cost the lost clients.

    The two runs are identical before ``start`` (the raid draws from its own stream); the poached
    clients are those who leave in the raided run at ``start`` but not in the control.
    """
    control = RetentionModel(scenario, rng=seed)
    treated = RetentionModel(raided(scenario, start=start), rng=seed)
    _step_to(control, start - 1)
    _step_to(treated, start - 1)
    before = control.clients.revenue_total.copy()
    control.step()
    treated.step()
    poached = treated.clients.leaves & ~control.clients.leaves
    n = int(poached.sum())
    # Revenue of the poached clients in the control run, month by month from the raid on (the
    # raid month itself included: a leaver does not pay its last month).
    paid = [float(before[poached].sum()), float(control.clients.revenue_total[poached].sum())]
    returned = np.zeros_like(poached)
    while control.month < control.months:
        control.step()
        treated.step()
        returned |= treated.clients.returns & poached
        paid.append(float(control.clients.revenue_total[poached].sum()))
    monthly_paid = np.diff(paid)

    rc, rt = control.results, treated.results
    follow = slice(start - 1, None)
    revenue = rc["revenue"][follow]
    variable = sum(rc[line][follow] for line in VARIABLE_LINES)
    margin = float((revenue.sum() - variable.sum()) / revenue.sum())
    i_m = monthly_rate(scenario.economics.discount_rate)
    t = np.arange(1, revenue.size + 1)
    profit_gap = rc["profit"][follow] - rt["profit"][follow]
    per = max(n, 1)
    return Raid(
        poached=n,
        cost=float((profit_gap / (1 + i_m) ** t).sum()) / per,
        undiscounted=float(profit_gap.sum()) / per,
        naive=margin * float(monthly_paid.sum()) / per,
        margin=margin,
        remaining_revenue=float(monthly_paid.sum()) / per,
        lost_acquisitions=float(rc["acquired"][follow].sum() - rt["acquired"][follow].sum()) / per,
        returned=float(returned.sum()) / per,
        gap=np.cumsum(profit_gap / (1 + i_m) ** t) / per,
        naive_path=margin * np.cumsum(monthly_paid) / per,
    )


class Raids:
    """Cached paired raids: (assumption values, seed) → :class:`Raid`."""

    def __init__(self, size: int, follow: int = FOLLOW) -> None:
        self.size, self.months = size, START - 1 + follow
        self._cache: dict[tuple, Raid] = {}

    def get(self, values: dict[str, float], seed: int) -> Raid:
        """The raid at these assumption values and seed."""
        key = (tuple(sorted(values.items())), seed)
        if key not in self._cache:
            s = scenario_at(Scenario(), values, self.size, self.months)
            self._cache[key] = raid(s, seed)
        return self._cache[key]

    def ratios(self, values: dict[str, float], seeds: Sequence[int]) -> np.ndarray:
        """Cost ÷ naive per seed."""
        return np.array([self.get(values, s).ratio for s in seeds])


def arithmetic() -> pd.DataFrame:
    """The seed's sum, exactly, and what discounting at common rates does to it."""
    path = [10, 12, 14, 16, 18]
    rows = []
    for rate in (0.0, 0.1, 0.2):
        c = lost_client_cost(path, 0.2, rate)
        rows.append(
            {
                "spend path (thousand/year)": "10+12+14+16+18",
                "margin": 0.2,
                "annual discount rate": rate,
                "lost revenue (thousand)": c.revenue,
                "lost profit (thousand)": c.profit,
            }
        )
    return pd.DataFrame(rows)


def run(
    size: int = DEFAULT_SIZE,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
    levels: int = DEFAULT_LEVELS,
    follow: int = FOLLOW,
) -> ExperimentResult:
    """Run the arithmetic and the paired raids across the assumption grid."""
    exact = lost_client_cost([10, 12, 14, 16, 18], 0.2)
    if (exact.revenue, exact.profit) != (70.0, 14.0):  # the seed's numbers, exactly
        raise AssertionError(f"lost_client_cost gives {exact}, not (70, 14)")
    raids = Raids(size, follow)
    points = run_claim(CLAIM, raids.ratios, replications=replications, seed=seed, levels=levels)
    seeds = claim_seeds(seed, replications)
    parts = []
    for values in points[CLAIM.keys].to_dict("records"):
        rs = [raids.get(values, s) for s in seeds]
        row = dict(values)
        for name in (
            "poached",
            "cost",
            "undiscounted",
            "naive",
            "margin",
            "remaining_revenue",
            "lost_acquisitions",
            "returned",
        ):
            row[name] = float(np.mean([getattr(r, name) for r in rs]))
        parts.append(row)
    components = pd.DataFrame(parts).rename(
        columns={
            "poached": "poached clients",
            "cost": "NPV lost per client",
            "undiscounted": "profit lost per client (undiscounted)",
            "naive": "naive: margin × remaining revenue",
            "margin": "margin rate",
            "remaining_revenue": "remaining revenue per client",
            "lost_acquisitions": "acquisitions lost per client",
            "returned": "share won back",
        }
    )
    defaults = Scenario()
    at_default = {a.key: float(defaults.flat()[a.key]) for a in CLAIM.assumptions}
    default_raids = [raids.get(at_default, s) for s in seeds]
    ratio_default = mean_interval(np.array([r.ratio for r in default_raids]))
    result = ExperimentResult(
        claim=CLAIM,
        points=points,
        verdict=decide(points, CLAIM),
        design=(
            f"Market of {size:,} people (an established base of about 30%), run for "
            f"{START - 1 + follow} months; at month {START} a competitor poaches "
            f"{POACH_SIZE:.0%} of the clients served that month who were not leaving anyway "
            "(a `poaching` shock drawn from its own random stream, so both arms are identical "
            "before the raid and share every other draw after it). Each replication runs both "
            "arms on the same seed. Cost per lost client = (NPV without the raid − NPV with it) "
            f"÷ clients poached, discounted to the raid, over the {follow} months after it. Naive "
            "arithmetic = margin rate × the poached clients' revenue in the no-raid arm over the "
            "same months (undiscounted; no referrals; no win-back), where the margin rate is "
            "1 − (cost of goods, service, staff, training, hiring, empowerment, escalation, "
            "discounts, R&D) ÷ revenue in the no-raid arm — the lines that scale with the client "
            "base; advertising, onboarding, win-back and overhead do not. The effect is their "
            "ratio. Before this, the seed's arithmetic is checked exactly: 10+12+14+16+18 = 70, "
            "and 20% of it is 14. The grid has "
            f"{levels} levels per assumption ({levels ** len(CLAIM.assumptions)} points): each "
            "point costs two runs per replication, and a large market is needed for precision "
            "(with 300 clients per staff member, one hire more or less is noise in a small one)."
        ),
        replications=replications,
        size=size,
        seed=seed,
        tables={
            "The seed's arithmetic, exactly (model.studies.closed_forms.lost_client_cost)": arithmetic(),
            "What the cost is made of, by grid point (means over replications; currency)": (
                components
            ),
        },
        figures={"paths": _figure(default_raids)},
    )
    r0 = default_raids
    result.notes += [
        "Exact arithmetic: lost_client_cost([10, 12, 14, 16, 18], 0.2) = "
        f"({exact.revenue:g}, {exact.profit:g}) — 70 thousand of revenue, 14 of profit.",
        f"At the default assumptions the ratio is {ratio_default.mean:.2f} "
        f"(95% interval {ratio_default.low:.2f} to {ratio_default.high:.2f}): a poached client "
        f"costs {np.mean([r.cost for r in r0]):,.0f} of NPV against a naive "
        f"{np.mean([r.naive for r in r0]):,.0f} (margin rate "
        f"{np.mean([r.margin for r in r0]):.1%} × remaining revenue "
        f"{np.mean([r.remaining_revenue for r in r0]):,.0f}); "
        f"{np.mean([r.returned for r in r0]):.0%} of the poached came back, and "
        f"{np.mean([r.lost_acquisitions for r in r0]):.2f} acquisitions were lost per poached "
        "client.",
        "The naive sum assumes the client would have stayed and paid; the run knows who would "
        "have churned anyway, so the remaining revenue already includes natural churn. What the "
        "naive sum leaves out is discounting (lowers the cost), win-back (lowers it), lost "
        "referrals (raise it), and second-order effects on everyone else (a smaller base needs "
        "fewer staff and may be served better).",
    ]
    return result


def _figure(raids: Sequence[Raid]):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.8))
    months = np.arange(1, raids[0].gap.size + 1)
    for i, r in enumerate(raids):
        ax.plot(months, r.gap, color="C0", alpha=0.7, label="simulated NPV lost" if i == 0 else "")
        ax.plot(
            months,
            r.naive_path,
            color="C1",
            ls="--",
            alpha=0.7,
            label="naive: margin × remaining revenue" if i == 0 else "",
        )
    ax.set_xlabel("months since the raid")
    ax.set_ylabel("per poached client (currency)")
    ax.set_title("Cost of a lost client, cumulative (one line per seed, default assumptions)")
    ax.legend()
    fig.tight_layout()
    return fig
