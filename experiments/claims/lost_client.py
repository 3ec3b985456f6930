"""Losing one client costs its whole future: 10 + 12 + 14 + 16 + 18 = 70 thousand of revenue.

The practitioner article's arithmetic (docs/ODD.md §1.2) assumes the client would have stayed five years with spend rising
by a fifth of the first year's each year: 70 / 10 = 7 times the first year's revenue, and 14 of
profit at a 20% margin. The profit is the article's rule, not a margin every world has: "Žinodami
apytikslį įmonės pelningumą, galite paskaičiuoti ir prarasto pelno dydį. Pavyzdžiui, jei grynasis
finansinis rezultatas sudaro 20% pardavimų, per 5 metus įmonė praras 14 tūkstančių" (knowing the
firm's approximate profitability you can work out the lost profit: if the net result is 20% of
sales, the firm loses 14 thousand over five years), so the lost profit is read over the world's own
net margin times the first year's revenue, against the same 7 times (14 / (0.2 × 10)). Each is
read against the world's baseline, over the horizon (five years at the default size), from the
clients active at the start.
"""

from __future__ import annotations

from experiments.running.study import Baseline
from experiments.verdicts.framework import Claim, Reading

__all__ = ["CLAIM", "measure"]

_ARITH = "“10 + 12 + 14 + 16 + 18 = 70 thousand of revenue, 14 thousand of profit at a 20% margin”"

CLAIM = Claim(
    name="lost_client",
    title=(
        "Losing one client costs its whole future: 10 + 12 + 14 + 16 + 18 = 70 thousand of "
        "revenue, 14 thousand of profit at a 20% margin"
    ),
    readings=(
        Reading(
            "no_churn",
            "Revenue over the horizon of the clients who stayed every month, over their "
            "first-year revenue (x)",
            _ARITH + " — read as the article's no-churn arithmetic: 70/10 = 7 times",
            "the practitioner article (docs/ODD.md §1.2)",
            "x first year",
            (5.6, 8.75),
        ),
        Reading(
            "expected",
            "Revenue over the horizon of every client active at the start, churn and win-back "
            "included, over their first-year revenue (x)",
            _ARITH + " — read as the expected value of what is lost: the client might have "
            "left anyway",
            "the practitioner article (docs/ODD.md §1.2); Gupta, Lehmann & Stuart 2004, J. Marketing Research 41(1)",
            "x first year",
            (5.6, 8.75),
        ),
        Reading(
            "expected_profit",
            "Attributed profit over the horizon of every client active at the start, over the "
            "firm's net margin (profit over revenue, the whole horizon) times their first-year "
            "revenue (x); undefined where the firm makes no profit",
            _ARITH + " — the profit by the article's rule, lost revenue times the firm's net "
            "margin: 14 / (20% × 10) = 7 times",
            "the practitioner article (docs/ODD.md §1.2); Gupta, Lehmann & Stuart 2004",
            "x margin × first year",
            (5.6, 8.75),
        ),
    ),
    design="No extra arm: the world's baseline, per client (band: the article's figure divided "
    "or multiplied by 1.25, an assumption: 5.6-8.75). Attributed profit is a client's "
    "contribution (revenue less the costs it causes) less its share of the shared costs (staff, "
    "training, hiring and overhead equally per client served, R&D by revenue: docs/ODD.md "
    "§7.9), the firm's profit split over its clients; the net margin is the firm's profit over "
    "its revenue, so the profit reading compares a client's share of the profit with the "
    "article's rule. (A firm that loses a client saves none of the shared costs, so what the "
    "loss costs it is nearer the contribution; not measured here.) The simulated clients' spend "
    "grows by a compound rate, (1 + g)^years, for at most horizon_years, not by the article's "
    "fixed step, and the clients are an established base with tenure already behind them, so "
    "the cap and the tenure they start with decide how far their spend grows, not the rate "
    "alone.",
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """All three readings in one world."""
    ts = base.run.timeseries  # (a stored baseline keeps its series, not its summary)
    revenue, profit = float(ts["revenue"].sum()), float(ts["profit"].sum())
    margin = profit / revenue if revenue > 0 and profit > 0 else float("nan")
    return {
        "no_churn": float(base.extras["stayer_ratio"]),
        "expected": float(base.extras["cohort_ratio"]),
        "expected_profit": float(base.extras["cohort_profit_ratio"]) / margin,
    }
