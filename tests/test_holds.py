"""P(holds) with each world's Monte-Carlo noise taken out (experiments/verdicts/holds.py).

The validation is a simulation of the study itself: worlds with known true effects, measured with
noise by the study's replication rule (one replication, a second in a pilot, up to four where a
world lies near an edge, up to twelve where it is then still too noisy to place), judged by the
noise-corrected estimator. Its interval must cover the true share of worlds in band at least 90%
of the time for every shape of effects and noise tried (its nominal level is 95%), and the plain
count's exact interval, which the correction replaces, must be shown to fail where it
should: effects crowded against a band's edge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.analysis.coverage import BAND, UNEVEN, effects, uneven_study
from experiments.verdicts.framework import Reading, judge, proportion_interval
from experiments.verdicts.holds import MAX_SE_SHARE, Measured, holds, placing

Z = 1.959963984540054


def _study(
    shape: str,
    noise: str,
    rng: np.random.Generator,
    n: int = 566,
    sd: float = 20.0,
    band: tuple[float, float] = BAND,
    mu: np.ndarray | None = None,
):
    """One simulated study: the truth, P(holds) and the plain count's exact interval."""
    mu = effects(shape, rng, n) if mu is None else mu
    truth = float(np.mean((mu >= band[0]) & (mu <= band[1])))

    def draw(k: int) -> np.ndarray:
        if noise == "t3":  # heavy tails, the same sd
            return rng.standard_t(3, (n, k)) * sd / np.sqrt(3.0)
        return rng.standard_normal((n, k)) * sd

    y = mu[:, None] + draw(4)
    reps = np.ones(n, int)
    reps[:32] = 2  # the pilot
    first = np.where(np.arange(4) < reps[:, None], y, np.nan)
    m = np.nanmean(first, axis=1)
    se = sd / np.sqrt(reps)
    near = (np.abs(m - band[0]) < Z * se) | (np.abs(m - band[1]) < Z * se)
    reps[near] = 4
    m = np.nanmean(np.where(np.arange(4) < reps[:, None], y, np.nan), axis=1)
    se = sd / np.sqrt(reps)
    h = holds(m, se, band)
    return truth, h, proportion_interval(h.in_band, n)


@pytest.mark.parametrize("noise", ["normal", "t3"])
@pytest.mark.parametrize("shape", ["lognormal", "uniform", "edge", "wide"])
def test_interval_covers_the_true_share(shape: str, noise: str) -> None:
    rng = np.random.default_rng([11, sum(map(ord, shape)), len(noise)])
    runs = [_study(shape, noise, rng) for _ in range(100)]
    covered = np.mean([h.low <= t <= h.high for t, h, _ in runs])
    bias = np.mean([h.p - t for t, h, _ in runs])
    assert covered >= 0.90, f"{shape}/{noise}: covered {covered:.2f}"
    # Two binomial sds of one study's share, over 100 studies: |bias| well under 0.01.
    assert abs(bias) < 0.01, f"{shape}/{noise}: bias {bias:+.4f}"


def test_the_plain_count_is_biased_where_effects_crowd_an_edge() -> None:
    """What the correction is for: the exact interval of the plain count misses the true share
    (a lognormal spread of effects, two-thirds of worlds near an edge)."""
    rng = np.random.default_rng(5)
    runs = [_study("lognormal", "normal", rng) for _ in range(100)]
    raw_covered = np.mean([lo <= t <= hi for t, _, (lo, hi) in runs])
    raw_bias = np.mean([h.in_band / h.n - t for t, h, _ in runs])
    fixed_bias = np.mean([h.p - t for t, h, _ in runs])
    assert raw_covered < 0.85 and raw_bias < -0.02
    assert abs(fixed_bias) < abs(raw_bias) / 3


@pytest.mark.parametrize("sd", [1.0, 3.0, 12.0])
@pytest.mark.parametrize("centre", [5.0, 7.0])
def test_a_band_as_narrow_as_the_noise_is_bounded_and_still_covered(sd, centre) -> None:
    """A 5.6–8.75 band (lost_client's) measured with a per-run sd from a third of its width to
    four times it: the extrapolation alone missed the truth at the wider noise (covered 0–55%),
    so there P(holds) is the bounds, which assume nothing of the noise's shape."""
    rng = np.random.default_rng([int(sd), int(centre)])
    band = (5.6, 8.75)
    runs = [
        _study("", "normal", rng, band=band, sd=sd, mu=np.exp(rng.normal(np.log(centre), 0.5, 566)))
        for _ in range(60)
    ]
    covered = np.mean([h.low <= t <= h.high for t, h, _ in runs])
    assert covered >= 0.90, f"sd {sd}, centre {centre}: covered {covered:.2f}"
    # The bounds take over once the noise of the worlds near an edge passes the share of the width.
    bounded = sd / 2 > MAX_SE_SHARE * 3.15
    assert all(h.bounded == bounded for _, h, _ in runs)


def test_no_noise_is_the_plain_count() -> None:
    m = np.array([10.0, 30.0, 50.0, 90.0, np.inf, np.nan])
    h = holds(m, np.zeros(6), BAND)
    # No correction: the plain share of the five defined (the censored one out of band).
    assert h.n == 5 and h.in_band == 2 and h.p == pytest.approx(0.4) and not h.bounded


def test_few_worlds_far_inside_keep_the_exact_width() -> None:
    """Scores all 1 (sd 0): the normal interval is a point; the exact one's width stays."""
    h = holds(np.full(30, 55.0), np.full(30, 1.0), BAND)
    assert h.p == 1.0 and h.high == 1.0 and h.low == pytest.approx(proportion_interval(30, 30)[0])


def test_noise_never_narrows_the_interval_below_the_counts_own() -> None:
    """Five worlds all just inside a band, each noisy, read [0.87, 1] (supported) where the
    same five without noise read [0.48, 1]: the count's interval, moved by the correction past 1
    and clipped there. Over many small studies, the interval is never narrower than the exact
    interval of the count alone, and a study of worlds all just inside is not made certain."""
    rng = np.random.default_rng(11)
    band = (70.0, 90.0)
    for _ in range(400):
        n = int(rng.integers(1, 12))
        m = rng.uniform(60.0, 100.0, n)
        se = rng.choice([0.0, 0.5, 2.0, 6.0], n) * rng.uniform(0.5, 1.5, n)
        h = holds(m, se, band)
        lo, hi = proportion_interval(h.in_band, h.n)
        assert h.high - h.low >= hi - lo - 1e-12, (m, se, h)
    just_inside = holds(np.array([71.0, 89.0, 71.0, 89.0, 71.0]), np.full(5, 3.8), band)
    assert just_inside.low == pytest.approx(proportion_interval(5, 5)[0])


def test_judge_reports_the_corrected_share() -> None:
    """The reading's verdict is holds() over the judge's own per-world scores."""
    rng = np.random.default_rng(3)
    mu = np.exp(rng.normal(np.log(45.0), 0.6, 200))
    values = pd.DataFrame(
        {"world": np.repeat(np.arange(200), 2), "x": np.repeat(mu, 2) + rng.normal(0, 20, 400)}
    )
    r = Reading("x", "a gain", "“25 to 85%”", "a paper", "%", BAND)
    per, v = judge(r, values)
    h = holds(per["effect"].to_numpy(), per["se"].to_numpy(), BAND)
    assert (v.p, v.low, v.high) == (h.p, h.low, h.high)
    assert h.in_band == int((per["status"] == "in band").sum()) and not h.bounded
    assert v.p != h.in_band / h.n  # the noise moved it
    assert v.low <= v.p <= v.high


def test_a_report_says_when_its_interval_is_the_bounds() -> None:
    """Noise as wide as the band: the verdict is bounded, and its cell says so."""
    from experiments.reporting.cells import p_cell

    rng = np.random.default_rng(4)
    mu = rng.uniform(4.0, 10.0, 300)
    values = pd.DataFrame(
        {"world": np.repeat(np.arange(300), 4), "x": np.repeat(mu, 4) + rng.normal(0, 8, 1200)}
    )
    r = Reading("x", "a ratio", "“7 times”", "a paper", "x", (5.6, 8.75))
    _, v = judge(r, values)
    assert v.bounded and p_cell(v).endswith(
        "; bounds: most worlds near an edge as noisy as the band"
    )
    assert v.high - v.low > 0.5  # (near every world is near an edge: little is known)


@pytest.mark.parametrize("linked", [False, True])
@pytest.mark.parametrize("sigma", [0.5, 1.0])
@pytest.mark.parametrize("shape", list(UNEVEN))
def test_uneven_noise_is_covered_with_each_worlds_own(shape, sigma, linked) -> None:
    """Each world judged with its own (moderated) noise: the interval covers the truth at least
    90% of the time however unevenly the noise is spread, noise proportional to the effect
    included (40 studies: a binomial sd of 3.4 points at 95%). With a prior of one scale, not
    following the effect's size (experiments/verdicts/noise.py), the one-sided band with noise linked to
    the effect was covered in 78–88% of 120–200 studies."""
    # (The shape's place, not its name's length: lognormal and above_one share that.)
    rng = np.random.default_rng([17, list(UNEVEN).index(shape), int(10 * sigma), linked])
    runs = [uneven_study(shape, sigma, linked, rng, own=True) for _ in range(40)]
    covered = np.mean([v.low <= t <= v.high for t, v in runs])
    assert covered >= 0.90, f"{shape}, σ {sigma}, linked {linked}: covered {covered:.2f}"


def test_one_typical_noise_fails_where_noise_is_uneven() -> None:
    """What each world's own noise is for: with the one typical level the interval missed the
    truth in most studies whose per-world noise spread lognormally with σ = 1."""
    rng = np.random.default_rng(23)
    runs = [uneven_study("lognormal", 1.0, False, rng, own=False) for _ in range(40)]
    assert np.mean([v.low <= t <= v.high for t, v in runs]) < 0.6


def test_the_noisiest_worlds_near_an_edge_are_counted_as_unknown() -> None:
    """Either band: a world near an edge with MAX_SE_RATIO times the others' noise is counted
    out at the low end and in at the high end."""
    m = np.array([0.1] * 30 + [5.0] * 70)
    quiet = holds(m, np.full(100, 0.1), (0.0, np.inf))
    loud = holds(m, np.r_[np.full(20, 0.1), np.full(10, 0.3), np.full(70, 0.1)], (0.0, np.inf))
    # The ten with 0.3 are near 0 with three times the median noise of the thirty near it:
    # unknown, each of them 0 at the low end (a tenth of the share) and 1 at the high end.
    assert loud.low < quiet.low - 0.05 and loud.high - loud.low > quiet.high - quiet.low
    assert not loud.bounded  # (ten of thirty near an edge: not most)


def test_the_noise_prior_is_recovered_and_a_vanishing_spread_is_none() -> None:
    """Smyth's moment fit: variances drawn from a scaled inverse χ²(4, 2), then sampled on 3
    degrees of freedom, give back d₀ and s₀² near 4 and 2; a spread a hair above sampling's (past
    the root finder's bracket) is no spread, not an error."""
    from scipy.special import digamma, polygamma

    from experiments.verdicts.noise import fit_prior

    rng = np.random.default_rng(8)
    sigma2 = 2.0 * 4.0 / rng.chisquare(4.0, 4000)
    prior = fit_prior(sigma2 * rng.chisquare(3, 4000) / 3, np.full(4000, 3.0))
    assert 3.0 < prior.df < 5.5 and abs(prior.variance - 2.0) < 0.2
    n, sampling = 50, float(polygamma(1, 1.5))
    e = np.where(np.arange(n) % 2, 1.0, -1.0) * np.sqrt((sampling + 1e-12) * (n - 1) / n)
    s2 = np.exp(e + digamma(1.5) - np.log(1.5))
    assert not np.isfinite(fit_prior(s2, np.full(n, 3.0)).df)


def test_the_noise_prior_follows_the_effects_size() -> None:
    """Noise proportional to the effect (a sd of a tenth of it, sampled on 3 degrees of freedom):
    the prior's scale follows the size — its s₀ at an effect of 8 four times that at 2 — and, the
    size explaining the spread, d₀ is large; a constant prior would give the large worlds the
    small ones' level. The sizes past the middle 90% get the scale at its edge (a few extreme
    worlds set no one's scale). A world measured once gets at least the 0.9 quantile of the
    replicated worlds' posteriors, whatever its one draw's size. Too few worlds for a line: one
    scale."""
    from experiments.verdicts.noise import MIN_TREND_WORLDS, UNREPLICATED_QUANTILE, fit_prior

    rng = np.random.default_rng(4)
    size = np.exp(rng.uniform(0.0, np.log(10.0), 2000))
    s2 = (0.1 * size) ** 2 * rng.chisquare(3, size.size) / 3
    prior = fit_prior(s2, np.full(size.size, 3.0), size=size)
    at = np.sqrt(prior.variance)
    two, eight = at[np.argmin(abs(size - 2.0))], at[np.argmin(abs(size - 8.0))]
    assert 3.4 < eight / two < 4.7 and abs(eight - 0.8) < 0.12
    assert prior.df > 30
    edge = np.quantile(size, 0.95)
    assert at.max() == pytest.approx(at[np.argmin(abs(size - edge))], rel=0.01)
    df = np.r_[np.zeros(1), np.full(size.size - 1, 3.0)]
    post = prior.moderate(np.r_[np.nan, s2[1:]], df)
    assert post[0] >= np.quantile(post[1:], UNREPLICATED_QUANTILE) * (1 - 1e-12)
    constant = fit_prior(s2, np.full(size.size, 3.0))
    assert np.ndim(constant.variance) == 0 and np.sqrt(constant.variance) < 0.6 * eight
    few = MIN_TREND_WORLDS - 1
    assert np.ndim(fit_prior(s2[:few], np.full(few, 3.0), size=size[:few]).variance) == 0


def test_a_few_worlds_that_agree_exactly_do_not_blow_up_the_unreplicated_noise() -> None:
    """A tenth of the replicated worlds agreeing to rounding (variances of 10⁻³⁰, so d₀ is
    small and the prior's own tail far out): a world measured once gets a noise of its size's
    order, within a few times the replicated worlds', not thousands."""
    from experiments.verdicts.noise import fit_prior

    rng = np.random.default_rng(5)
    n = 600
    size = np.exp(rng.normal(0.0, 0.5, n))
    s2 = (0.2 * size) ** 2 * rng.chisquare(3, n) / 3
    s2[: n // 10] = 1e-30 * size[: n // 10] ** 2
    df = np.r_[np.zeros(1), np.full(n - 1, 3.0)]
    prior = fit_prior(np.r_[np.nan, s2[1:]], df, size=size)
    assert prior.df < 2  # (the agreeing worlds spread the log variances widely)
    sd = np.sqrt(prior.moderate(np.r_[np.nan, s2[1:]], df))
    assert sd[0] < 5 * np.quantile(sd[1:], 0.9)


def test_a_study_whose_effects_are_mostly_exactly_zero_keeps_the_line_among_the_rest() -> None:
    """Three fifths of the worlds with an effect of exactly 0 (noise sd 1) and the rest 5–50
    (sd a fifth of it): the sizes' offset comes from the nonzero effects, so the zero worlds are
    not put hundreds of log units away to swing the line — each group gets its own level
    within a fifth (an offset from the median of every size, 0 here, gave the large effects 0.58
    of their variance). With fewer nonzero effects than a line needs, one scale."""
    from experiments.verdicts.noise import MIN_TREND_WORLDS, fit_prior

    rng = np.random.default_rng(1)
    n = 200
    size = np.zeros(n)
    size[:80] = rng.uniform(5.0, 50.0, 80)
    sd = np.where(size > 0, 0.2 * size, 1.0)
    s2 = sd**2 * rng.chisquare(3, n) / 3
    prior = fit_prior(s2, np.full(n, 3.0), size=size)
    ratio = prior.variance / sd**2
    assert abs(np.median(ratio[size == 0]) - 1) < 0.2
    assert abs(np.median(ratio[size > 0]) - 1) < 0.2
    few = size.copy()
    few[MIN_TREND_WORLDS - 1 :] = 0.0
    assert np.ndim(fit_prior(s2, np.full(n, 3.0), size=few).variance) == 0


def test_the_worlds_near_an_edge_and_those_unresolved_are_counted():
    """Four worlds on the 25 edge: three with se 1 (placed) and one with se 5 (more than 1.5 ×
    their median: counted out, then in); two far inside; one undefined (left out)."""
    effect = np.array([25.5, 24.5, 25.2, 25.0, 55.0, 60.0, np.nan])
    se = np.array([1.0, 1.0, 1.0, 5.0, 1.0, 1.0, 1.0])
    h = holds(effect, se, (25.0, 85.0))
    assert (h.n, h.near, h.unresolved) == (6, 4, 1)
    near, unresolved = placing(effect, se, (25.0, 85.0))
    assert near.tolist() == [True] * 4 + [False] * 3
    assert unresolved.tolist() == [False] * 3 + [True] + [False] * 3
    assert holds(effect, np.full(7, 1.0), (25.0, 85.0)).unresolved == 0


def test_the_coverage_table_is_reproducible_and_refuses_a_bad_count(capsys) -> None:
    """``python -m experiments.analysis.coverage``: one row per regime, the same numbers for the same
    seed, and a count of studies below 1 refused naming the flag, value and range."""
    from experiments.analysis.coverage import coverage_table, main

    table = coverage_table(studies=2, seed=3)
    assert len(table) == 2 * 2 * len(UNEVEN) and table["covered"].between(0, 1).all()
    assert table.equals(coverage_table(studies=2, seed=3))
    with pytest.raises(SystemExit):
        main(["--studies", "0"])
    assert "--studies: value 0 is not allowed; allowed: an integer ≥ 1" in capsys.readouterr().err


def test_a_group_places_its_worlds_as_the_study_does() -> None:
    """A group's worlds too noisy to place are judged against the whole reading's median noise
    near an edge: a quiet group does not make its noisier worlds unresolved (they had no third
    look, which the study's unresolved worlds all had), and a group's unresolved worlds are
    always the study's."""
    # 100 worlds just inside the edge at 0, half with se 1.0 and half 1.6: the study's median is
    # 1.3, so none is 1.5 times noisier; a group of 45 quiet worlds and 5 loud ones has a median
    # of 1.0 of its own, which would leave its 5 loud ones unresolved.
    se = np.r_[np.full(50, 1.0), np.full(50, 1.6)]
    worlds = pd.DataFrame({"effect": np.full(100, 0.5), "se": se})
    study = Measured(worlds, (0.0, np.inf))
    group = pd.Index(np.r_[np.arange(45), np.arange(50, 55)])
    assert study.holds(worlds.index).unresolved == 0
    assert study.holds(group).unresolved == 0
    # (the group judged alone, as before: its own median leaves the five loud worlds unplaced)
    assert holds(np.full(50, 0.5), se[group], (0.0, np.inf)).unresolved == 5
    rng = np.random.default_rng(31)
    for _ in range(20):
        w = pd.DataFrame(
            {"effect": rng.normal(0.0, 2.0, 200), "se": np.exp(rng.normal(0.0, 0.7, 200))}
        )
        m = Measured(w, (-1.0, 1.0))
        _, unplaced = placing(w["effect"], w["se"], (-1.0, 1.0))
        rows = pd.Index(np.sort(rng.choice(200, 60, replace=False)))
        assert m.holds(rows).unresolved == int(unplaced[rows].sum())


def test_a_narrower_range_of_a_fact_places_its_worlds_as_the_study_does() -> None:
    """A subset judged with the study's noise and its reference (what evidence._bounded passes)
    leaves unresolved exactly the study's unresolved worlds among its own; judged alone it can
    leave others, which had no third look."""
    from experiments.verdicts.noise import reading_noise

    rng = np.random.default_rng(41)
    mu = rng.normal(0.0, 1.5, 300)
    loud = np.exp(rng.normal(0.0, 0.8, 300))  # each world's own noise, spread lognormally
    reps = np.repeat(np.arange(300), 4)
    values = pd.DataFrame({"world": reps, "x": mu[reps] + loud[reps] * rng.normal(size=1200)})
    r = Reading("x", "a gain", "“above zero”", "a paper", "%", (0.0, np.inf))
    per, _ = judge(r, values)
    study = Measured(per.set_index("world"), r.band)
    _, unplaced = placing(per["effect"], per["se"], r.band)
    noise = reading_noise(values, "x")
    found_alone = False
    for _ in range(10):
        chosen = np.sort(rng.choice(300, 90, replace=False))
        subset = values[values["world"].isin(chosen)]
        _, v = judge(r, subset, noise=noise, reference=study.reference)
        assert v.unresolved == int(unplaced[chosen].sum())
        _, alone = judge(r, subset, noise=noise)
        found_alone |= alone.unresolved != v.unresolved
    assert found_alone  # (the subset's own median places some worlds otherwise)
