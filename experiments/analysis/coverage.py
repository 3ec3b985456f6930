"""How often P(holds)' interval covers the truth: simulated studies whose true effects are known.

Each simulated study draws 566 worlds' true effects from a shape, gives each world a per-run
noise — lognormal around the shape's level (σ on the log scale) and, *linked*, proportional to the
world's effect as well (a percentage change of a small base is noisier) — replicates the worlds by
the study's own rule (one replication, a second in a pilot of 32, up to four where a world lies
near an edge by the typical noise, then by its own, up to twelve where a world near an edge is
still too noisy to place: :mod:`experiments.running.looks`) and judges the reading with each world's own
moderated noise (:func:`experiments.verdicts.framework.judge`, :mod:`experiments.verdicts.noise`). The study's
interval covers the truth when the true share of worlds in band lies inside it.

``python -m experiments.analysis.coverage [--studies N] [--seed S]`` prints, for every regime, the share of
``N`` studies (default 120) whose interval covered the truth, the intervals' mean width and the
point's mean error: the table behind docs/ODD.md §1.2's coverage figures (a binomial sd of 2
points at 95% over 120 studies, 1.1 over 400). ``tests/test_holds.py`` asks at least 0.90 of
every regime over 40 studies.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd

from experiments.verdicts.framework import Reading, ReadingVerdict, judge
from experiments.verdicts.holds import placing

__all__ = ["BAND", "UNEVEN", "coverage_table", "effects", "main", "uneven_study"]

#: The two-sided band of the simulated readings (a % gain "of 25 to 85%").
BAND = (25.0, 85.0)
#: Worlds in a simulated study (a default study's order of plausible worlds).
WORLDS = 566
#: Worlds of the pilot, replicated twice before the first look.
PILOT = 32


def effects(shape: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` true effects of a shape: ``lognormal`` (skewed, a long tail above the band),
    ``uniform`` (0–120), ``edge`` (half the worlds within a noise margin of the upper edge), or
    anything else: wide (most worlds far from both edges)."""
    if shape == "lognormal":
        return np.exp(rng.normal(np.log(45.0), 0.6, n))
    if shape == "uniform":
        return rng.uniform(0.0, 120.0, n)
    if shape == "edge":
        return rng.normal(85.0, 12.0, n)
    return rng.normal(55.0, 60.0, n)


#: Shapes of effects for the uneven-noise studies: (effects, band, the noise's median sd).
UNEVEN: dict[str, tuple[Callable[[np.random.Generator, int], np.ndarray], tuple, float]] = {
    "lognormal": (lambda rng, n: effects("lognormal", rng, n), BAND, 20.0),
    "edge": (lambda rng, n: effects("edge", rng, n), BAND, 20.0),
    "narrow": (lambda rng, n: np.exp(rng.normal(np.log(7.0), 0.5, n)), (5.6, 8.75), 0.8),
    # One-sided: a gain above zero, and a gain above 1 with most worlds near it.
    "positive": (lambda rng, n: np.exp(rng.normal(0.0, 1.0, n)) - 0.8, (0.0, np.inf), 1.0),
    "above_one": (lambda rng, n: rng.normal(1.5, 1.0, n), (1.0, np.inf), 1.0),
}


def uneven_study(
    shape: str, sigma: float, linked: bool, rng: np.random.Generator, own: bool = True
) -> tuple[float, ReadingVerdict]:
    """One simulated study of :data:`UNEVEN` ``shape``: the true share in band and the verdict.

    Each world's per-run sd is lognormal (σ = ``sigma``) around the shape's and, ``linked``,
    proportional to the world's effect as well. Replicated by the study's rule (the first look
    judged with the typical noise, up to four replications; with ``own``, the second look with
    each world's own, up to four, and the third, up to twelve where a world near an edge is still
    too noisy to place), then judged with each world's own noise (``own``) or the typical one.
    """
    draw, band, base = UNEVEN[shape]
    n = WORLDS
    mu = draw(rng, n)
    sd = base * np.exp(rng.normal(0.0, sigma, n))
    if linked:
        sd *= np.abs(mu) / np.median(np.abs(mu))
    y = mu[:, None] + rng.standard_normal((n, 12)) * sd[:, None]
    reading = Reading("x", "an effect", "“a band”", "a paper", "%", band)
    world, rep = np.repeat(np.arange(n), 12), np.tile(np.arange(12), n)
    values = pd.DataFrame({"world": world, "rep": rep, "x": y.ravel()})
    keep = (rep == 0) | ((rep == 1) & (world < PILOT))
    per, _ = judge(reading, values[keep], own_noise=False)
    keep |= np.isin(world, per.loc[per["near_edge"], "world"].to_numpy()) & (rep < 4)
    if own:
        per, _ = judge(reading, values[keep], own_noise=True)
        keep |= np.isin(world, per.loc[per["near_edge"], "world"].to_numpy()) & (rep < 4)
        per, _ = judge(reading, values[keep], own_noise=True)
        loud = placing(per["effect"].to_numpy(float), per["se"].to_numpy(float), band)[1]
        keep |= np.isin(world, per.loc[loud, "world"].to_numpy())
    _, v = judge(reading, values[keep], own_noise=own)
    return float(np.mean((mu >= band[0]) & (mu <= band[1]))), v


def coverage_table(studies: int = 120, seed: int = 1) -> pd.DataFrame:
    """Coverage and mean width of P(holds)' interval, and its point's mean error (point − truth),
    over ``studies`` simulated studies for every :data:`UNEVEN` shape, σ 0.5 and 1, noise linked
    to the effect or not (one stream per regime, from ``seed``: the same table for the same
    arguments)."""
    rows = []
    for shape, sigma, linked in itertools.product(UNEVEN, (0.5, 1.0), (False, True)):
        # (The shape's place, not its name's length: lognormal and above_one share that.)
        rng = np.random.default_rng([seed, list(UNEVEN).index(shape), int(10 * sigma), linked])
        runs = [uneven_study(shape, sigma, linked, rng) for _ in range(studies)]
        covered = [v.low <= truth <= v.high for truth, v in runs]
        rows.append(
            {
                "shape": shape,
                "sigma": sigma,
                "linked": linked,
                "studies": studies,
                "covered": float(np.mean(covered)),
                "width": float(np.mean([v.high - v.low for _, v in runs])),
                "bias": float(np.mean([v.p - truth for truth, v in runs])),
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m experiments.analysis.coverage``: print the coverage table."""
    ap = argparse.ArgumentParser(
        prog="python -m experiments.analysis.coverage",
        description="How often P(holds)' 95%% interval covers the true share, over simulated "
        "studies with uneven per-world noise (about 0.1 s a study).",
    )
    ap.add_argument("--studies", type=int, default=120, help="studies per regime (120)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the simulated studies (1)")
    args = ap.parse_args(argv)
    if args.studies < 1:
        ap.error(f"--studies: value {args.studies} is not allowed; allowed: an integer ≥ 1")
    if args.seed < 0:
        ap.error(f"--seed: value {args.seed} is not allowed; allowed: an integer ≥ 0")
    table = coverage_table(args.studies, args.seed)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
