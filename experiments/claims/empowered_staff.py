"""Empowered staff pay off: spend up to $2,000 to fix a guest's problem without approval.

The baseline gives staff the declared empowerment budget and the $2,000 cap; the control switches
empowerment off (every incident escalated to a manager). The return is the firm's NPV gain per unit
of money the empowered staff spent on the spot (both discounted). That return counts the managers'
time saved as well as the guests kept: a fix escalated to a manager costs
``service.manager_cost_multiplier`` (m) times the front line's, and without empowerment every
incident is escalated. The quote says the money comes back "as guests kept", so the claim's reading,
``roi_kept``, sets aside the managers' premium that empowerment avoided — the share (m − 1) / m of
the escalation costs it avoided — and keeps the fixes' own cost on both sides; ``roi``, which
counts the premium too, is a diagnostic: an escalated fix costs p·m times one on the spot in
expectation (p = ``service.escalation_fix_prob``), so it mostly holds where p·m > 1 whether or not
any guest is kept. At m = 1 the two are one.
"""

from __future__ import annotations

from experiments.running.arms import RETENTION_MONTHS, annual_retention, arms, npv, present_value
from experiments.running.study import Baseline
from experiments.verdicts.framework import Claim, Reading

__all__ = ["CLAIM", "measure"]

_QUOTE = (
    "“every employee may spend up to $2,000 to resolve a guest's problem without asking a "
    "manager” — the money comes back as guests kept (Ritz-Carlton's empowerment policy; Michelli 2008)"
)

CLAIM = Claim(
    name="empowered_staff",
    arm_keys=("levers.empowerment_budget",),
    title=(
        "Empowered staff pay off: let employees spend up to $2,000 to fix a guest's problem "
        "without approval (Ritz-Carlton, Zappos, Nordstrom taking back tyres it never sold)"
    ),
    readings=(
        Reading(
            "roi_kept",
            "(NPV with empowerment − NPV with every incident escalated − the managers' premium "
            "avoided, (m − 1) / m of the escalation costs avoided, in present value) / present "
            "value of the money spent on the spot",
            _QUOTE + " — read as: the guests kept repay the money, the managers' time saved not "
            "counted",
            "Michelli 2008 (The New Gold Standard); Hart, Heskett & Sasser 1990, HBR 68(4)",
            "NPV per unit spent",
            (0.0, float("inf")),
        ),
        Reading(
            "retention_gain",
            "Annual retention with empowerment minus without (points)",
            _QUOTE + " — read as: guests whose problem is fixed on the spot stay",
            "Hart, Heskett & Sasser 1990, HBR 68(4) (the profitable art of service recovery); "
            "threshold of half a point: assumption",
            "points",
            (0.5, float("inf")),
            assumed_margin="difference",
            min_months=RETENTION_MONTHS,
        ),
        Reading(
            "roi",
            "(NPV with empowerment − NPV with every incident escalated) / present value of the "
            "money spent on the spot",
            _QUOTE + " — read as: the money spent on the spot returns more than it costs",
            "Michelli 2008 (The New Gold Standard); Hart, Heskett & Sasser 1990, HBR 68(4)",
            "NPV per unit spent",
            (0.0, float("inf")),
            diagnostic="counts the managers' time saved as well as the guests kept: an escalated "
            "incident costs service.escalation_fix_prob × service.manager_cost_multiplier times "
            "one fixed on the spot in expectation, so where that product exceeds 1 it mostly "
            "holds whether or not any guest is kept, and where it is below 1 mostly fails; the "
            "quote's money comes back as guests kept: `roi_kept`",
        ),
    ),
    design="Two arms per world on the same seed: the baseline (empowerment as declared, cap "
    "$2,000) and empowerment off. `roi` counts every cost line; `roi_kept` sets aside the "
    "managers' premium in the escalation costs that empowerment avoided ((m − 1) / m of them, m "
    "= service.manager_cost_multiplier), so the guests kept, not the managers' time, must "
    "repay the spending; at m = 1 it is `roi`.",
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """Every reading in one world (the ROIs NaN when nothing was spent on the spot)."""
    off = arms(base.run, {"off": {"levers.empowerment_budget": 0.0}})["off"]
    rate = base.run.scenario.economics.discount_rate
    spent = present_value(base.run.timeseries, "empowerment", rate)
    gain = npv(base.run) - npv(off)
    # The escalation costs avoided: what escalation cost without empowerment, less what it still
    # cost with it (present values, discounted as the firm's NPV is). An escalated fix costs m
    # times the front line's, so (m − 1) / m of each is the managers' premium.
    avoided = present_value(off.timeseries, "escalation", rate) - present_value(
        base.run.timeseries, "escalation", rate
    )
    m = base.run.scenario.service.manager_cost_multiplier
    premium = avoided * (1.0 - 1.0 / m) if m > 0 else 0.0  # (m = 0: escalation costs nothing)
    return {
        "roi": gain / spent if spent > 0 else float("nan"),
        "roi_kept": (gain - premium) / spent if spent > 0 else float("nan"),
        "escalation_avoided_pv": avoided,
        "retention_gain": 100.0 * (annual_retention(base.run) - annual_retention(off)),
        "spent_pv": spent,
    }
