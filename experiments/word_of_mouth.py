"""Satisfied clients spread the word, which saves advertising money (seeds 000, 002, 004).

The seeds: client-centricity "launches the 'сарафанное радио' (word-of-mouth) effect, and that
saves money on advertising" (002); clients with a good experience "recommend the shop / company /
seller to their acquaintances and relatives" (000); Mann: client-centricity "leads to repeat
purchases and to new clients through the recommendations of existing ones" (000).

The seeds give no number. Precisely: the ad money word of mouth saves over five years — the extra
ad spend a firm *without* word of mouth needs to match the cumulative acquisitions it makes *with*
word of mouth (paired on seeds; :func:`model.studies.wom_value.ad_money_saved`) — as a percentage of the
five-year ad spend. Also: the acquisitions word of mouth brings, split into acceleration (would
have come anyway, later) and expansion (would not have come); and what negative word of mouth costs
after a bad-service spell.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from model.studies.run import simulate
from model.studies.stats import mean_interval
from model.studies.wom_value import AdSaving, ad_money_saved, value_word_of_mouth

DEFAULT_SIZE = 2000
DEFAULT_REPLICATIONS = 3
#: Two levels per assumption (8 points): each point-seed is a root search of ~12 runs.
DEFAULT_LEVELS = 2
MONTHS = 60
#: Extra months for the no-WOM side of the split, so "expansion" means "not within 2 more years".
TAIL_MONTHS = 24
#: The bad-service spell: a drop of delivered quality for six months in the second year.
SPELL = {"kind": "bad_service", "start": 13, "months": 6, "size": 0.3}

CLAIM = Claim(
    name="word_of_mouth",
    title="Satisfied clients spread the word ('сарафанное радио'), which saves advertising money",
    precise=(
        f"Ad money saved over {MONTHS} months by word of mouth, as a % of the {MONTHS}-month ad "
        "spend: (the ad budget a firm without word of mouth needs to match the cumulative "
        "acquisitions made with it, found by root-finding on paired runs, minus the actual "
        "budget) ÷ the actual budget. The seeds name no size; the smallest saving worth a "
        "strategy is declared as 10% of the ad budget."
    ),
    metric="ad money saved, % of 5-year ad spend",
    magnitude=10.0,
    band=(10.0, float("inf")),
    margin=0.0,
    assumptions=(
        Assumption(
            "word_of_mouth.q_positive",
            0.05,
            0.6,
            "referral strength q⁺ per promoter (1/month)",
            "Bass q: Sultan et al. 1990's mean 0.38/year to monthly-scale values up to 0.6",
        ),
        Assumption(
            "word_of_mouth.degree",
            4.0,
            20.0,
            "average number of contacts in the social network",
            "assumption: close contacts who hear a recommendation",
        ),
        Assumption(
            "satisfaction.promoter_threshold",
            8.0,
            9.5,
            "likelihood-to-recommend score from which a client is a promoter (0-10)",
            "Reichheld 2003: 9-10; 8 = a looser definition of who recommends",
        ),
    ),
)


def saved_percent(s: AdSaving, ceiling: float) -> float:
    """Ad money saved as % of the ad budget; an unreachable target counts at the search ceiling.

    Marketing spend is ``ad_budget × market / 1,000`` a month, so the saving over the horizon as a
    share of the ad spend is (budget needed − budget) ÷ budget. When no budget up to ``ceiling``
    matches word of mouth (ads saturate), the saving is at least the ceiling's, used as a lower
    bound.
    """
    needed = s.budget_needed if np.isfinite(s.budget_needed) else ceiling
    return 100.0 * (needed - s.budget_with) / s.budget_with


class Savings:
    """Cached ad-money searches: (assumption values, seed) → :class:`AdSaving`."""

    def __init__(self, size: int, months: int = MONTHS) -> None:
        self.size, self.months = size, months
        self._cache: dict[tuple, AdSaving] = {}
        self.unreachable = 0

    def scenario(self, values: dict[str, float]) -> Scenario:
        """The baseline at these assumption values, size and horizon."""
        return scenario_at(Scenario(), values, self.size, self.months)

    def get(self, values: dict[str, float], seed: int) -> AdSaving:
        """The ad-money search at these values and seed."""
        key = (tuple(sorted(values.items())), seed)
        if key not in self._cache:
            self._cache[key] = ad_money_saved(self.scenario(values), seed)
            self.unreachable += not np.isfinite(self._cache[key].budget_needed)
        return self._cache[key]

    def percents(self, values: dict[str, float], seeds: Sequence[int]) -> np.ndarray:
        """Saved % per seed."""
        s = self.scenario(values)
        ceiling = s.levers.ad_budget + 20.0 * s.attract.ad_scale  # ad_money_saved's default
        return np.array([saved_percent(self.get(values, x), ceiling) for x in seeds])


def split_table(scenario: Scenario, seeds: Sequence[int]) -> pd.DataFrame:
    """Acquisitions with word of mouth split into acceleration and expansion, per seed and mean."""
    rows = []
    for s in seeds:
        w = value_word_of_mouth(scenario, s, tail_months=TAIL_MONTHS)
        rows.append({"seed": s, **w.as_dict()})
    frame = pd.DataFrame(rows)
    mean = frame.mean(numeric_only=True).to_dict()
    mean["seed"] = "mean"
    return pd.concat([frame, pd.DataFrame([mean])], ignore_index=True)


def negative_wom(size: int, seeds: Sequence[int], months: int = MONTHS) -> pd.DataFrame:
    """Warnings on vs off (``q_negative`` default vs 0), paired, with and without a bad spell."""
    base = Scenario().with_overrides({"market.clients": size, "run.months": months})
    spell = Scenario.build({**base.to_toml_dict(), "shocks": [SPELL]})
    rows = []
    for label, scen in (("no spell", base), ("bad-service spell", spell)):
        quiet = scen.with_overrides({"word_of_mouth.q_negative": 0.0})
        on = [simulate(scen, seed=s).summary for s in seeds]
        off = [simulate(quiet, seed=s).summary for s in seeds]
        d_acq = mean_interval(
            np.array(
                [a["acquired_total"] - b["acquired_total"] for a, b in zip(on, off, strict=True)]
            )
        )
        d_npv = mean_interval(np.array([a["npv"] - b["npv"] for a, b in zip(on, off, strict=True)]))
        rows.append(
            {
                "scenario": label,
                "acquired, warnings off": np.mean([b["acquired_total"] for b in off]),
                "Δ acquired (warnings on − off)": d_acq.mean,
                "Δ acquired 95% CI": f"{d_acq.low:.1f} to {d_acq.high:.1f}",
                "NPV, warnings off": np.mean([b["npv"] for b in off]),
                "Δ NPV": d_npv.mean,
                "Δ NPV 95% CI": f"{d_npv.low:,.0f} to {d_npv.high:,.0f}",
                "won back, warnings off": np.mean([b["won_back_total"] for b in off]),
                "Δ won back": np.mean(
                    [
                        a["won_back_total"] - b["won_back_total"]
                        for a, b in zip(on, off, strict=True)
                    ]
                ),
            }
        )
    return pd.DataFrame(rows)


def run(
    size: int = DEFAULT_SIZE,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
    levels: int = DEFAULT_LEVELS,
    months: int = MONTHS,
) -> ExperimentResult:
    """Ad money saved across the grid; the acceleration/expansion split; negative WOM."""
    savings = Savings(size, months)
    points = run_claim(CLAIM, savings.percents, replications=replications, seed=seed, levels=levels)
    seeds = claim_seeds(seed, replications)
    keys = CLAIM.keys
    defaults = Scenario().flat()
    at_default = {k: float(defaults[k]) for k in keys}
    default_saved = mean_interval(savings.percents(at_default, seeds))
    details = []
    for values in [*points[keys].to_dict("records"), at_default]:
        ss = [savings.get(values, s) for s in seeds]
        details.append(
            {
                **values,
                "acquired with WOM": np.mean([s.target for s in ss]),
                "ad budget with WOM": ss[0].budget_with,
                "ad budget needed without": np.mean([s.budget_needed for s in ss]),
                "money saved": np.mean([s.saved for s in ss]),
            }
        )
    details = pd.DataFrame(details)
    split = split_table(savings.scenario(at_default), seeds)
    negative = negative_wom(size, seeds, months)
    result = ExperimentResult(
        claim=CLAIM,
        points=points,
        verdict=decide(points, CLAIM),
        design=(
            f"Baseline scenario, market of {size:,} people, {months} months. For each seed, the "
            "run with word of mouth sets the target (its cumulative acquisitions); the same "
            "scenario with word of mouth switched off is re-run on the same seed at different ad "
            "budgets, and brentq finds the budget at which its acquisitions first reach the "
            "target (model.studies.wom_value.ad_money_saved). Marketing spend is the budget times the "
            "market size, every month, so the saving as a share of the ad spend is "
            "(budget needed − budget) ÷ budget. If ads saturate before reaching the target (up "
            "to the budget + 20 × the ad response scale), the ceiling is used as a lower bound "
            f"({{unreachable}} of {len(points) * replications} searches). The grid has {levels} "
            "levels per assumption: each point-seed is a root search of about a dozen runs. The "
            "smallest effect of interest is a 10% saving: below that, word of mouth is worth "
            "less than the usual year-to-year change in an ad budget, and a strategist would not "
            "build a plan on it; the band is [10, ∞) with no margin. Split: the acquisition "
            f"month of each client with and without word of mouth (the latter run {TAIL_MONTHS} "
            "months longer): accelerated = acquired earlier with WOM, expansion = acquired only "
            "with WOM (model.studies.wom_value.value_word_of_mouth). Negative word of mouth: "
            "`word_of_mouth.q_negative` at its default vs 0, paired, with and without a "
            f"bad-service spell (delivered quality −{SPELL['size']} for {SPELL['months']} months "
            f"from month {SPELL['start']})."
        ),
        replications=replications,
        size=size,
        seed=seed,
        tables={
            "Ad budgets behind each point (means over replications; the last row is the defaults)": (
                details
            ),
            "Acquisitions with word of mouth, split (default assumptions)": split,
            "Negative word of mouth: warnings on vs off, paired (default assumptions)": negative,
        },
        figures={"saved": _figure(points)},
    )
    result.design = result.design.replace("{unreachable}", str(savings.unreachable))
    mean_split = split.iloc[-1]
    extra = mean_split["acquired_on"] - mean_split["acquired_off"]
    spell = negative.iloc[-1]
    result.notes += [
        f"At the default assumptions word of mouth saves {default_saved.mean:.1f}% of the ad "
        f"spend (95% interval {default_saved.low:.1f} to {default_saved.high:.1f}).",
        f"Of the {mean_split['acquired_on']:.0f} acquisitions with word of mouth (defaults), "
        f"{mean_split['accelerated']:.0f} were accelerated (would have come later: "
        f"{mean_split['months_gained']:.0f} client-months gained) and "
        f"{mean_split['expansion']:.0f} were expansion; {extra:.0f} more than without word of "
        "mouth within the horizon; "
        f"{mean_split['same_month']:.0f} came the same month either way (ads reached them).",
        f"After a bad-service spell, warnings change acquisitions by {spell['Δ acquired (warnings on − off)']:.1f} "
        f"and NPV by {spell['Δ NPV']:,.0f} (paired; 95% CI {spell['Δ NPV 95% CI']}).",
    ]
    return result


def _figure(points: pd.DataFrame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.8))
    q, deg, thr = CLAIM.keys
    for (d, t), grp in points.groupby([deg, thr]):
        g = grp.sort_values(q)
        ax.errorbar(
            g[q],
            g["effect"],
            yerr=[g["effect"] - g["low"], g["high"] - g["effect"]],
            marker="o",
            capsize=3,
            label=f"degree {d:g}, promoter ≥ {t:g}",
        )
    ax.axhline(CLAIM.band[0], color="grey", ls=":", label="smallest effect of interest")
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("referral strength q⁺")
    ax.set_ylabel("ad money saved, % of ad spend")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
