"""Too much client focus costs innovation: people reject new things at first, even when better.

Client focus φ (``levers.client_focus``) weighs client feedback against R&D's own estimate when a
candidate is shipped or shelved (March 1991: exploitation vs exploration). The treated arm sets
φ = :data:`FOCUS_HIGH`; the baseline keeps the declared φ.
"""

from __future__ import annotations

from experiments.running.arms import arms, npv, pct_gain, profit_change
from experiments.running.study import Baseline
from experiments.verdicts.framework import Claim, Reading

__all__ = ["CLAIM", "FOCUS_HIGH", "measure"]

FOCUS_HIGH = 0.9

_QUOTE = (
    "“too much client focus costs innovation: people reject new things at first, even when they "
    "are objectively better” — listening to current customers leads firms to shelve what "
    "they would later want"
)

CLAIM = Claim(
    name="innovation",
    arm_keys=("levers.client_focus",),
    title=(
        "Too much client focus costs innovation: people reject new things at first, even when "
        "they are objectively better"
    ),
    readings=(
        Reading(
            "good_shipped",
            f"Improvements shipped with client focus {FOCUS_HIGH} over those shipped with the "
            "declared focus (% change)",
            _QUOTE + " — read as: fewer real improvements reach the market",
            "Christensen 1997 (The Innovator's Dilemma); March 1991, Organization Science 2(1); "
            "threshold −10%: assumption",
            "% change",
            (float("-inf"), -10.0),
            assumed_margin="difference",
        ),
        Reading(
            "npv_change",
            f"The firm's NPV with client focus {FOCUS_HIGH} over its NPV with the declared focus",
            _QUOTE + " — read as: the lost innovation costs money",
            "Christensen & Bower 1996, Strategic Management J. 17(3); threshold −5%: assumption",
            "% change",
            (float("-inf"), -5.0),
            assumed_margin="difference",
        ),
    ),
    design=f"Two arms per world on the same seed: the declared client focus and {FOCUS_HIGH}. "
    "Worlds where the declared focus ships no improvement leave the first reading undefined "
    "(a % change of nothing), and worlds where the declared focus makes no profit (NPV ≤ 0) "
    "leave the second undefined (a % of a loss is no share of profit lost).",
    notes=(
        "The mechanism the claim names is assumed, not tested: clients' bias against the new "
        "(innovation.novelty_bias) is drawn from 0 to 0.03, never below 0, so client feedback "
        "never favours a novelty; the readings test how much of a cost that bias and the "
        "feedback's noise (innovation.feedback_noise) make, not whether clients reject new "
        "things at first.",
    ),
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """Both readings in one world."""
    hi = arms(base.run, {"hi": {"levers.client_focus": FOCUS_HIGH}})["hi"]
    good_b = float(base.run.timeseries["shipped_good"].iloc[-1])
    good_h = float(hi.timeseries["shipped_good"].iloc[-1])
    return {
        "good_shipped": pct_gain(good_h, good_b) if good_b > 0 else float("nan"),
        "npv_change": profit_change(npv(hi), npv(base.run)),
        "good_base": good_b,
        "good_high": good_h,
    }
