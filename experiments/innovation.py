"""Too much client focus costs innovation (seeds 000, 002).

Seed 002 lists what a firm loses by looking only at its clients: "the company's innovativeness will
fall. People tend to reject innovations at first, even when they are objectively more effective
than the old solutions." Seed 000: "one cannot take only the consumer as the benchmark."

Precisely: the % change in a firm's 15-year NPV when it weighs client feedback on its R&D
candidates at φ = 0.9 instead of φ = 0.2 (the rest of the weight on its internal estimate), paired
on seeds, across the size of clients' novelty bias, the accuracy of their feedback and the
competitors' pace. The claim says client focus costs at least 5% of NPV.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework import (
    Assumption,
    Claim,
    ExperimentResult,
    decide,
    run_recorded,
)
from experiments.paired import scenario_at
from model import Scenario
from model.studies.run import simulate

DEFAULT_SIZE = 1500
DEFAULT_REPLICATIONS = 6
DEFAULT_LEVELS = 3
MONTHS = 180
FOCUS_LOW, FOCUS_HIGH = 0.2, 0.9
#: R&D share of revenue: 10%, so about one candidate a month and innovation matters over 15 years.
RD_SHARE = 0.1

CLAIM = Claim(
    name="innovation",
    title=(
        "Too much client focus costs innovation: people reject new things at first, even when "
        "they are objectively better"
    ),
    precise=(
        f"% change in the firm's {MONTHS // 12}-year NPV when client focus φ (the weight of "
        f"client feedback against the internal estimate in the ship decision) is {FOCUS_HIGH} "
        f"instead of {FOCUS_LOW}, with R&D at {RD_SHARE:.0%} of revenue, paired on seeds."
    ),
    metric=f"% NPV change, φ={FOCUS_HIGH} vs φ={FOCUS_LOW}",
    magnitude=-5.0,
    band=(float("-inf"), -5.0),
    margin=0.0,
    assumptions=(
        Assumption(
            "innovation.novelty_bias",
            0.0,
            0.05,
            "clients' novelty bias against candidates (quality)",
            "practitioner articles, docs/ODD.md §1.2: people reject new things at first; 0 = none, 0.05 = 2.5 sd of effects",
        ),
        Assumption(
            "innovation.feedback_noise",
            0.005,
            0.05,
            "noise of client feedback (quality sd)",
            "assumption: from 4x sharper than R&D's own estimate (sd 0.02) to 2.5x blurrier",
        ),
        Assumption(
            "market.competitor_pace",
            0.0,
            0.006,
            "competitors' quality pace (quality/month)",
            "assumption: 0 freezes the frontier; 0.006 = 0.07 a year",
        ),
    ),
)


def paired(values: dict[str, float], seed: int, size: int, months: int) -> dict[str, float]:
    """One paired replication: NPV change and what each arm shipped."""
    base = scenario_at(Scenario(), values, size, months).with_overrides(
        {"levers.rd_share": RD_SHARE}
    )
    hi = simulate(base.with_overrides({"levers.client_focus": FOCUS_HIGH}), seed=seed)
    lo = simulate(base.with_overrides({"levers.client_focus": FOCUS_LOW}), seed=seed)
    th, tl = hi.timeseries.iloc[-1], lo.timeseries.iloc[-1]
    return {
        "gain": 100.0 * (hi.summary["npv"] - lo.summary["npv"]) / abs(lo.summary["npv"]),
        "good_hi": float(th["shipped_good"]),
        "bad_hi": float(th["shipped_bad"]),
        "good_lo": float(tl["shipped_good"]),
        "bad_lo": float(tl["shipped_bad"]),
        "gap_hi": float(th["gap"]),
        "gap_lo": float(tl["gap"]),
    }


def run(
    size: int = DEFAULT_SIZE,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
    months: int = MONTHS,
    levels: int = DEFAULT_LEVELS,
) -> ExperimentResult:
    """Run the paired φ comparison across the grid; shipping table and heat map."""
    points, rec = run_recorded(
        CLAIM,
        lambda v, s: paired(v, s, size, months),
        "gain",
        replications=replications,
        seed=seed,
        levels=levels,
    )
    keys = CLAIM.keys
    shipped = (
        rec.groupby(keys)[["good_hi", "bad_hi", "good_lo", "bad_lo", "gap_hi", "gap_lo"]]
        .mean()
        .reset_index()
        .rename(
            columns={
                "good_hi": f"good shipped φ={FOCUS_HIGH}",
                "bad_hi": f"duds shipped φ={FOCUS_HIGH}",
                "good_lo": f"good shipped φ={FOCUS_LOW}",
                "bad_lo": f"duds shipped φ={FOCUS_LOW}",
                "gap_hi": f"end quality gap φ={FOCUS_HIGH}",
                "gap_lo": f"end quality gap φ={FOCUS_LOW}",
            }
        )
    )
    helps = points[points["low"] > 0]
    hurts = points[points["high"] < 0]
    result = ExperimentResult(
        claim=CLAIM,
        points=points,
        verdict=decide(points, CLAIM),
        design=(
            f"Baseline scenario at {size:,} clients for {months} months with R&D at "
            f"{RD_SHARE:.0%} of revenue (the baseline's 3% buys too few candidates for "
            "innovation to matter; 10% buys about one a month). Intervention: client focus "
            f"φ = {FOCUS_HIGH} vs {FOCUS_LOW}. A candidate's true effect on quality is "
            "Normal(0, 0.02); clients' feedback = effect − novelty bias + noise; the internal "
            "estimate = effect + noise (sd 0.02); the firm ships when φ·feedback + (1 − φ)·"
            "estimate > 0. Both arms run on the same seed, so they see the same candidates and "
            "the same noise draws: only the ship decisions differ. Effect: % NPV change. "
            f"{levels} levels per assumption."
        ),
        replications=replications,
        size=size,
        seed=seed,
        tables={"What each focus shipped (means over replications, counts over the run)": shipped},
        figures={"heatmap": _figure(points)},
    )
    result.notes.append(
        f"Client focus helps (interval above 0) at {len(helps)} of {len(points)} grid points and "
        f"hurts (interval below 0) at {len(hurts)}."
    )
    for a in CLAIM.assumptions:
        share = points.groupby(a.key)["status"].apply(lambda x: float((x == "inside").mean()))
        mean = points.groupby(a.key)["effect"].median()
        result.notes.append(
            f"By {a.label}: "
            + "; ".join(
                f"{v:g} → inside at {share[v]:.0%}, median effect {mean[v]:+.1f}%"
                for v in share.index
            )
            + "."
        )
    for r in helps.itertuples(index=False):
        result.notes.append(
            f"Client focus helps at novelty bias {r[0]:g}, feedback noise {r[1]:g}, competitor "
            f"pace {r[2]:g}: {r.effect:+.1f}% [{r.low:+.1f}, {r.high:+.1f}] (clients' view "
            "sharper than the firm's and unbiased: their feedback filters out duds)."
        )
    return result


def _figure(points: pd.DataFrame):
    import matplotlib.pyplot as plt

    paces = sorted(points["market.competitor_pace"].unique())
    fig, axes = plt.subplots(1, len(paces), figsize=(4.3 * len(paces), 3.8), squeeze=False)
    lim = float(np.nanmax(np.abs(points["effect"]))) or 1.0
    im = None
    for ax, pace in zip(axes[0], paces, strict=True):
        sub = points[points["market.competitor_pace"] == pace]
        grid = sub.pivot(
            index="innovation.novelty_bias", columns="innovation.feedback_noise", values="effect"
        )
        im = ax.imshow(grid.to_numpy(), origin="lower", cmap="RdBu", vmin=-lim, vmax=lim)
        ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                ax.text(j, i, f"{grid.to_numpy()[i, j]:+.1f}%", ha="center", va="center")
        ax.set_xlabel("feedback noise (sd)")
        ax.set_title(f"competitor pace {pace:g}/month")
    axes[0][0].set_ylabel("novelty bias")
    fig.colorbar(im, ax=axes[0].tolist(), label=f"% NPV change, φ {FOCUS_HIGH} vs {FOCUS_LOW}")
    return fig
