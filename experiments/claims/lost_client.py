"""Losing a client loses its next five years of sales: 10 + 12 + 14 + 16 + 18 = 70 thousand.

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

The article's own question is a counterfactual: "Kiek pardavimų įmonė praras, jei pirkėjas ar
klientas iš jūsų nepirks per ateinančius 5 metus?" (how much in sales will the firm lose if the
buyer or client does not buy from you over the next five years?). So one reading compares the firm
with its clients and without some of them: the world's baseline against a paired arm on the same
seed in which a competitor takes :data:`LOST_SHARE` of the clients served in month 1 for good (a
permanent raid: they do not buy again, as the question supposes). The sales the firm loses over
the horizon, over what it loses in the first year (the article's 10 thousand), then carry what
the per-client readings cannot: the referrals and warnings the lost clients would have passed on,
and what a smaller firm does for the clients it keeps. Its profit
is not read this way: the profit a firm loses with a client over its net margin is set by which
of its costs are fixed (staff in whole heads, overhead, advertising), an accounting fact of the
world more than the model's behaviour.

The article's numbers are an example ("Tarkime", suppose: a client buying 10 thousand a year,
2 more each year); what it teaches is the method, the sum of what the client would have bought.
``no_churn`` and ``lost_sales`` judge the example's seven times, which in a world mostly follows
its spend growth (an assumption's range); the ``arithmetic`` reading judges the method, whatever
the growth: the firm's counterfactual loss over the same arithmetic run on the world's own
clients who stayed, 1 where the method is right (exactly so in a closed world), below where the
lost clients would have left anyway, above where their referrals would have brought others.
"""

from __future__ import annotations

import math

import pandas as pd

from experiments.running.arms import raided, ratio
from experiments.running.study import Baseline
from experiments.verdicts.framework import Claim, Reading

__all__ = ["CLAIM", "LOST_SHARE", "lost_sales", "measure"]

#: Share of the clients served in month 1, not leaving then anyway, whom the paired arm's
#: competitor takes for good (assumption). At the defaults (800 people, some 240 served) the lost
#: sales read 4.43, 4.51 and 4.48 with a tenth, a fifth or three tenths taken (means over 32
#: seeds), so the reading does not hang on the share; three tenths (some 70 clients) cuts a
#: world's noise to a third of a tenth's (sd 0.90 to 0.31: spend is heavy-tailed, so which
#: clients are lost matters). A random draw: the lost clients are typical served clients.
LOST_SHARE = 0.3

#: The article's horizon: every reading is read over the study's, so a study of other lengths
#: (the quick size's 24 months) does not judge them.
_FIVE_YEARS = 60

_ARITH = "“10 + 12 + 14 + 16 + 18 = 70 thousand of revenue, 14 thousand of profit at a 20% margin”"
_ASKED = (
    "“how much in sales will the firm lose if the client does not buy from you over the next 5 "
    "years?”"
)

CLAIM = Claim(
    name="lost_client",
    title=(
        "Losing a client loses its next five years of sales: 10 + 12 + 14 + 16 + 18 = 70 "
        "thousand of revenue, 14 thousand of profit at a 20% margin"
    ),
    readings=(
        Reading(
            "no_churn",
            "Revenue over the horizon of the clients who stayed every month, over their "
            "first-year revenue (x)",
            _ARITH + " — read as the article's no-churn arithmetic: 70/10 = 7 times",
            "the practitioner article (docs/ODD.md §1.2); band: 7 ×/÷ 1.25, assumption",
            "x first year",
            (5.6, 8.75),
            assumed_margin="ratio",
            horizon_months=_FIVE_YEARS,
        ),
        Reading(
            "expected",
            "Revenue over the horizon of every client active at the start, churn and win-back "
            "included, over their first-year revenue (x)",
            _ARITH + " — read as the expected value of what is lost: the client might have "
            "left anyway",
            "the practitioner article (docs/ODD.md §1.2); Gupta, Lehmann & Stuart 2004, J. Marketing Research 41(1); band: 7 ×/÷ 1.25, assumption",
            "x first year",
            (5.6, 8.75),
            assumed_margin="ratio",
            horizon_months=_FIVE_YEARS,
        ),
        Reading(
            "expected_profit",
            "Attributed profit over the horizon of every client active at the start, over the "
            "firm's net margin (profit over revenue, the whole horizon) times their first-year "
            "revenue (x); undefined where the firm makes no profit",
            _ARITH + " — the profit by the article's rule, lost revenue times the firm's net "
            "margin: 14 / (20% × 10) = 7 times",
            "the practitioner article (docs/ODD.md §1.2); Gupta, Lehmann & Stuart 2004; band: 7 ×/÷ 1.25, assumption",
            "x margin × first year",
            (5.6, 8.75),
            assumed_margin="ratio",
            horizon_months=_FIVE_YEARS,
        ),
        Reading(
            "lost_sales",
            f"Revenue the firm loses over the horizon when a competitor takes {LOST_SHARE:.0%} of "
            "the clients it serves in month 1 for good (the baseline minus a paired arm on the "
            "same seed), over the revenue it loses in the first year (x)",
            _ASKED + " — read as a counterfactual, the firm with the clients against the firm "
            "without them for good, the churn they might have had and their referrals included: "
            "70/10 = 7 times",
            "the practitioner article (docs/ODD.md §1.2); band: 7 ×/÷ 1.25, assumption",
            "x first year's loss",
            (5.6, 8.75),
            assumed_margin="ratio",
            horizon_months=_FIVE_YEARS,
        ),
        Reading(
            "arithmetic",
            "The lost_sales reading over the no_churn reading: what the firm loses over the "
            "horizon, in first years of its loss, against what the article's arithmetic, run on "
            "the world's own clients who stayed, says it loses, in their first years (ratio)",
            _ASKED + " “Apskaičiuokite būsimo prarasto pelno sumą” (work out the sum of the "
            "future lost profit) — read as the article's method, whatever a world's spend "
            "growth: the sum of what the client would have bought had it stayed is what the "
            "firm loses, 1 times the arithmetic (the 10 + 12 + … is the article's example: "
            "“Tarkime” — suppose)",
            "the practitioner article (docs/ODD.md §1.2); band: 1 ×/÷ 1.25, assumption",
            "x the arithmetic",
            (0.8, 1.25),
            assumed_margin="ratio",
            horizon_months=_FIVE_YEARS,
        ),
    ),
    design=(
        "The first three readings need no extra arm: the world's baseline, per client (band: the "
        "article's figure divided or multiplied by 1.25, an assumption: 5.6-8.75). Attributed "
        "profit is a client's contribution (revenue less the costs it causes) less its share of "
        "the shared costs (staff, training, hiring and overhead equally per client served, R&D "
        "by revenue: docs/ODD.md §7.9), the firm's profit split over its clients; the net margin "
        "is the firm's profit over its revenue, so the profit reading compares a client's share "
        "of the profit with the article's rule. The last compares two runs on the world's seed: "
        f"the baseline, and an arm in which a competitor takes {LOST_SHARE:.0%} of the clients "
        "served in month 1 who were not leaving anyway (a permanent poaching shock, drawn on a "
        "stream of its own, so every other draw is the baseline's); the lost clients never "
        "buy again, as the article's question supposes: neither win-back nor the world's "
        "returns bring them back, though a win-back campaign that cannot tell them from other "
        "lapsed clients may still spend on them. The runs then part beyond the lost clients' "
        "own purchases: the churn they might have had in the baseline, the referrals and "
        "warnings they would have passed on, and a smaller firm's service (it employs fewer "
        "staff, in whole heads, and deals its clients to them anew). In a closed world (no "
        "churn, returns, word of mouth or advertising) it reads as the no-churn reading does, "
        "exactly (tests/test_lost_client.py), and the arithmetic reading is 1. A pair whose "
        "first-year loss is ≤ 0 (the firm lost no "
        "revenue) is censored, a bound, not a value. The simulated clients' spend grows by a "
        "compound rate, (1 + g)^years, for at most horizon_years, not by the article's fixed "
        "step, and the clients are an established base with tenure already behind them, so the "
        "cap and the tenure they start with decide how far their spend grows, not the rate alone."
    ),
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """Every reading in one world; ``lost`` is how many clients the arm's competitor took."""
    ts = base.run.timeseries  # (a stored baseline keeps its series, not its summary)
    revenue, profit = float(ts["revenue"].sum()), float(ts["profit"].sum())
    margin = profit / revenue if revenue > 0 and profit > 0 else float("nan")
    arm = raided(base.run, LOST_SHARE, permanent=True).timeseries
    no_churn = float(base.extras["stayer_ratio"])
    lost = lost_sales(ts, arm)
    return {
        "no_churn": no_churn,
        "expected": float(base.extras["cohort_ratio"]),
        "expected_profit": float(base.extras["cohort_profit_ratio"]) / margin,
        "lost_sales": lost,
        # (a bound stays a bound; undefined where nobody stayed to run the arithmetic on)
        "arithmetic": lost / no_churn if math.isfinite(no_churn) and no_churn > 0 else math.nan,
        "lost": float(arm["poached"].iloc[0]),
    }


def lost_sales(baseline: pd.DataFrame, arm: pd.DataFrame) -> float:
    """Revenue the ``arm`` run lost against the ``baseline`` run over the horizon, over what it
    lost in the first twelve months (monthly time series; NaN or a bound where the first year
    lost nothing: :func:`experiments.running.arms.ratio`)."""
    lost_revenue = float(baseline["revenue"].sum()) - float(arm["revenue"].sum())
    first = float(baseline["revenue"].iloc[:12].sum()) - float(arm["revenue"].iloc[:12].sum())
    return ratio(lost_revenue, first)
