"""P(holds) along a deciding uncertainty: bins, their verdicts, the homogeneity test, the report."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from experiments.conditional import MIN_PER_BIN, profile, profiles
from experiments.framework import proportion_interval, words
from tests.test_claim_study import _small_planted_study


def _worlds(n: int = 500, seed: int = 3) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.uniform(0.0, 1.0, n), index=pd.RangeIndex(100, 100 + n, name="world"))


def test_a_verdict_that_turns_at_a_threshold_turns_in_the_bins_around_it():
    x = _worlds().rename("market.spend_sigma")
    status = pd.Series(np.where(x > 0.6, "in band", "below"), index=x.index)
    prof = profile(x, status, two_sided=True)
    assert prof is not None and len(prof.bins) == 5
    assert [b.worlds for b in prof.bins] == [100] * 5  # equal counts
    first, *_, last = prof.bins
    assert first.high < last.low and first.low == x.min() and last.high == x.max()
    assert (first.p, first.words) == (0.0, "not supported")
    assert (last.p, last.words) == (1.0, "supported")
    assert prof.turns and prof.p_homogeneity < 1e-50
    # Each bin is judged by the study's own rule: exact interval, the same words.
    for b in prof.bins:
        assert (b.ci_low, b.ci_high) == proportion_interval(b.holds, b.worlds)
        assert b.words == words(b.p, b.ci_low, b.ci_high, b.above / b.worlds, True)
    # The bins' holds add up to the worlds that hold.
    assert sum(b.holds for b in prof.bins) == int((x > 0.6).sum())


def test_a_verdict_that_does_not_move_with_the_uncertainty_is_flat():
    x = _worlds()
    rng = np.random.default_rng(11)
    status = pd.Series(np.where(rng.uniform(size=x.size) < 0.5, "in band", "above"), x.index)
    prof = profile(x, status, two_sided=True)
    assert prof is not None and prof.p_homogeneity > 0.05
    assert all(b.ci_low < 0.5 < b.ci_high for b in prof.bins)
    # Failing mostly above a two-sided band is "stronger than claimed", as in the verdict.
    status = pd.Series("above", index=x.index)
    prof = profile(x, status, two_sided=True)
    assert prof is not None and prof.p_homogeneity == 1.0 and not prof.turns
    assert all(b.words == "not supported: stronger than claimed" for b in prof.bins)
    assert all(b.words == "not supported" for b in profile(x, status, two_sided=False).bins)


def test_undefined_worlds_are_left_out_and_few_worlds_make_fewer_bins():
    x = _worlds(200)
    status = pd.Series(np.where(np.arange(200) % 2 == 0, "undefined", "in band"), x.index)
    prof = profile(x, status, two_sided=True)
    assert prof is not None and sum(b.worlds for b in prof.bins) == 100
    assert len(prof.bins) == 100 // MIN_PER_BIN
    status[status.index[:5]] = np.nan  # a world without a status counts nowhere (two defined)
    assert sum(b.worlds for b in profile(x, status, True).bins) == 100 - 2
    # Fewer than two bins' worth of worlds, or one value: nothing to split.
    assert profile(x[: 2 * MIN_PER_BIN - 1], status[: 2 * MIN_PER_BIN - 1], True) is None
    assert profile(x * 0 + 1.0, status, True) is None


def test_alternatives_get_one_bin_each():
    rng = np.random.default_rng(5)
    form = pd.Series(rng.choice(["exponential", "logistic", "linear"], 300), name="f")
    flag = pd.Series(rng.uniform(size=300) < 0.5, name="g")
    status = pd.Series(np.where(form == "logistic", "in band", "below"))
    prof = profile(form, status, two_sided=False)
    assert prof is not None and [b.value for b in prof.bins] == [
        "exponential",
        "linear",
        "logistic",
    ]
    assert [b.p for b in prof.bins] == [0.0, 0.0, 1.0] and np.isnan(prof.bins[0].low)
    assert [b.values_text() for b in profile(flag, status, False).bins] == ["false", "true"]


def test_profiles_take_the_first_drivers_above_the_noise_floor():
    x = pd.DataFrame(
        {
            "retain.base_churn": _worlds(300).to_numpy() * 0.04 + 0.005,
            "market.spend_sigma": _worlds(300, 4).to_numpy() + 0.5,
            "economics.overhead_share": 0.0,  # pinned: constant
        },
        index=_worlds(300).index,
    )
    status = pd.Series(np.where(x["retain.base_churn"] > 0.02, "in band", "below"), x.index)
    drivers = pd.DataFrame(
        {
            "uncertainty": [
                "economics.overhead_share", "retain.base_churn", "market.spend_sigma",
                "(noise)", "market.fit_alpha",
            ],
            "pawn": [0.5, 0.4, 0.1, 0.09, 0.05],
            "above_noise": [True, True, True, False, False],
        }
    )  # fmt: skip
    found = profiles(x, status, drivers, two_sided=True)
    assert [p.uncertainty for p in found] == ["retain.base_churn", "market.spend_sigma"]
    churn = found[0]
    assert churn.unit == "1/month" and churn.default == pytest.approx(0.02)
    b = churn.bins[churn.default_bin]
    assert (churn.default_bin == 0 or churn.bins[churn.default_bin - 1].high < 0.02) and (
        b.high >= 0.02
    )
    assert profiles(x, status, drivers, True, top=1) == found[:1]
    assert profiles(x, status, drivers.iloc[0:0], True) == ()


def test_the_report_shows_where_the_planted_claim_turns(tmp_path, monkeypatch):
    """The planted claim holds where market.spend_sigma > 1.26: its bins above that hold, those
    below fail, in the report's table, figure and JSON."""
    from experiments.evidence import run_claim
    from experiments.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=True)
    size = dataclasses.replace(size, wave=60, batch=30)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    effect = ev.readings[0]
    sigma = [p for p in effect.along if p.uncertainty == "market.spend_sigma"]
    assert sigma, effect.drivers
    for b in sigma[0].bins:
        if b.low > 1.26:
            assert b.p == 1.0
        elif b.high <= 1.26:
            assert b.p == 0.0
    assert sigma[0].p_homogeneity < 1e-6
    text = write_report(ev, tmp_path / "out").read_text()
    assert "## Where along its deciding uncertainties the verdict turns" in text
    assert "market.spend_sigma" in text and f"{module.CLAIM.name}_along.png" in text
    assert (tmp_path / "out" / f"{module.CLAIM.name}_along.png").stat().st_size > 0
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    rows = [a for a in summary["along"] if a["uncertainty"] == "market.spend_sigma"]
    assert rows[0]["reading"] == "effect" and rows[0]["turns"]
    assert sum(b["worlds"] for b in rows[0]["bins"]) == effect.verdict.defined
    # The index names the readings that turn, with both ends of the range.
    from experiments.index import write_index

    monkeypatch.setattr("experiments.index.EXPERIMENTS", {module.CLAIM.name: module.__name__})
    monkeypatch.setattr("experiments.index.load", lambda name: module)
    index = write_index(tmp_path / "out").read_text()
    assert "## Where verdicts turn along what decides them" in index
    row = [line for line in index.splitlines() if "| effect | market.spend_sigma" in line]
    assert len(row) == 1 and ": 0.00 [0.00, " in row[0] and ": 1.00 [" in row[0]
    assert "not supported" in row[0] and "supported |" in row[0]
