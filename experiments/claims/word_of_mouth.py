"""Satisfied clients spread the word, which saves advertising money.

The treated arm switches *positive* word of mouth off (``word_of_mouth.positive = false``) and keeps
warnings, so the difference is what recommendations alone bring; switching word of mouth off
altogether would also silence warnings and credit recommendations with their absence.
"""

from __future__ import annotations

from experiments.running.arms import arms, npv_gain_of_revenue, ratio
from experiments.running.study import Baseline
from experiments.verdicts.framework import Claim, Reading

__all__ = ["CLAIM", "measure"]

_QUOTE = (
    "“satisfied customers tell others ('сарафанное радио'), so the firm spends less on "
    "advertising” — a referred customer replaces one the firm would otherwise have bought"
)

CLAIM = Claim(
    name="word_of_mouth",
    arm_keys=("word_of_mouth.positive",),
    title="Satisfied clients spread the word ('сарафанное радио'), which saves advertising money",
    readings=(
        Reading(
            "ad_saved",
            "Acquisitions recommendations add, priced at the advertising spent per acquisition "
            "without them (marketing only: a referred client is onboarded like any other), as a "
            "share of the baseline's advertising spend — the average price, so a lower bound: "
            "advertising's returns diminish, and buying those clients with more ads would cost "
            "more a client",
            _QUOTE + " — read as the advertising money the referrals replace; a saving worth "
            "naming is at least a tenth of the budget",
            "Trusov, Bucklin & Pauwels 2009, J. Marketing 73(5); Schmitt, Skiera & Van den Bulte "
            "2011, J. Marketing 75(1); threshold of a tenth: assumption",
            "% of ad spend",
            (10.0, float("inf")),
            assumed_margin="difference",
        ),
        Reading(
            "npv_gain",
            "The firm's NPV with recommendations minus its NPV without them, in % of its "
            "revenue with them (both discounted)",
            _QUOTE + " — read as money: recommendations raise profit",
            "Villanueva, Yoo & Hanssens 2008, J. Marketing Research 45(1)",
            "% of revenue",
            (0.0, float("inf")),
        ),
    ),
    design="Two arms per world on the same seed: the baseline and positive word of mouth off "
    "(warnings kept). ad_saved is close to a function of the baseline's referral share s "
    "(referred over all acquisitions, a plausibility fact whose range keeps worlds: docs/ODD.md "
    "§1.2): were every referred client an extra one, the ads they replace would be s / (1 − s) "
    "of what advertising buys, and referrals that take clients advertising would have won make "
    "it less. So its verdict is largely the share of kept worlds whose referral share passes "
    "about a tenth to a sixth — that fact's range decides it as much as the model's mechanics.",
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """Both readings in one world."""
    off = arms(base.run, {"off": {"word_of_mouth.positive": False}})["off"]
    b, o = base.run.timeseries, off.timeseries
    # What advertising buys an acquisition without referrals. Onboarding is left out: a referred
    # client costs it too, so referrals replace only the advertising. (The average, not the
    # marginal, ad cost: a lower bound of the saving, as the reading says.)
    ad_per_acquisition = ratio(float(o["marketing"].sum()), float(o["acquired"].sum()))
    extra = float(b["acquired"].sum() - o["acquired"].sum())
    ads = float(b["marketing"].sum())
    saved = 100.0 * ratio(extra * ad_per_acquisition, ads) if extra != 0 else 0.0
    return {
        "ad_saved": saved,
        "npv_gain": npv_gain_of_revenue(base.run, off, base.run),
        "extra_acquisitions": extra,
    }
