"""P(holds) along a deciding uncertainty: bins, their verdicts, the tests, the report and index."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from experiments.analysis.conditional import MIN_PER_BIN, profile, profiles, show_value
from experiments.verdicts.framework import proportion_interval, words
from model.studies.worlds import declared_uncertainties
from tests.test_claim_study import _small_planted_study


def _worlds(n: int = 500, seed: int = 3) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.uniform(0.0, 1.0, n), index=pd.RangeIndex(100, 100 + n, name="world"))


def test_a_verdict_that_turns_at_a_threshold_turns_in_the_bins_around_it():
    x = _worlds().rename("market.spend_sigma")
    status = pd.Series(np.where(x > 0.6, "in band", "below"), index=x.index)
    prof = profile(x, status, two_sided=True)
    assert prof is not None and len(prof.bins) == 5 and prof.test == "Mann–Whitney"
    assert [b.worlds for b in prof.bins] == [100] * 5  # equal counts (no ties here)
    first, *_, last = prof.bins
    assert first.high < last.low and first.low == x.min() and last.high == x.max()
    assert (first.p, first.words) == (0.0, "not supported: weaker than claimed")
    assert (last.p, last.words) == (1.0, "supported")
    assert prof.least is first and prof.most is last and prof.words_differ
    assert prof.p_value < 1e-50
    # Each bin is judged by the study's own rule: exact interval, the same words.
    for b in prof.bins:
        assert (b.ci_low, b.ci_high) == proportion_interval(b.holds, b.worlds)
        below = (b.worlds - b.holds - b.above) / b.worlds  # (no world undefined here)
        assert b.words == words(b.p, b.ci_low, b.ci_high, b.above / b.worlds, True, below)
    # The bins' holds add up to the worlds that hold.
    assert sum(b.holds for b in prof.bins) == int((x > 0.6).sum())


def test_a_verdict_that_does_not_move_with_the_uncertainty_is_flat():
    x = _worlds()
    rng = np.random.default_rng(11)
    status = pd.Series(np.where(rng.uniform(size=x.size) < 0.5, "in band", "above"), x.index)
    prof = profile(x, status, two_sided=True)
    assert prof is not None and prof.p_value > 0.05
    assert all(b.ci_low < 0.5 < b.ci_high for b in prof.bins)
    # Failing mostly above a two-sided band is "stronger than claimed", as in the verdict.
    status = pd.Series("above", index=x.index)
    prof = profile(x, status, two_sided=True)
    assert prof is not None and prof.p_value == 1.0 and not prof.words_differ
    assert all(b.words == "not supported: stronger than claimed" for b in prof.bins)
    assert all(b.words == "not supported" for b in profile(x, status, two_sided=False).bins)


def test_a_turn_in_the_middle_is_read_between_the_least_and_the_most():
    """Holding only in the middle fifth: the two ends agree, the least and the most do not."""
    x = _worlds()
    middle = (x > x.quantile(0.4)) & (x <= x.quantile(0.6))
    status = pd.Series(np.where(middle, "in band", "below"), x.index)
    prof = profile(x, status, two_sided=True)
    assert prof.bins[0].words == prof.bins[-1].words == "not supported: weaker than claimed"
    assert prof.most is prof.bins[2] and prof.words_differ


def test_tied_values_stay_in_one_bin():
    """An integer uncertainty (3-6 here): no value is split across two bins, and the bins are
    the same whatever the worlds' order."""
    rng = np.random.default_rng(2)
    x = pd.Series(rng.integers(3, 7, 400), name="word_of_mouth.lapsed_warning_months")
    status = pd.Series(np.where(x >= 5, "in band", "below"))
    prof = profile(x, status, two_sided=True)
    assert prof is not None
    for a, b in zip(prof.bins, prof.bins[1:], strict=False):
        assert a.high < b.low  # no overlap
    assert sum(b.worlds for b in prof.bins) == 400
    assert [b.values_text() for b in prof.bins] == ["3", "4", "5", "6"]
    shuffled = rng.permutation(400)
    again = profile(x.iloc[shuffled], status.iloc[shuffled], two_sided=True)
    assert [(b.low, b.high, b.worlds, b.holds) for b in again.bins] == [
        (b.low, b.high, b.worlds, b.holds) for b in prof.bins
    ]
    assert again.p_value == pytest.approx(prof.p_value)


def test_undefined_worlds_and_missing_values_are_left_out_and_few_worlds_make_fewer_bins():
    x = _worlds(200)
    status = pd.Series(np.where(np.arange(200) % 2 == 0, "undefined", "in band"), x.index)
    status.iloc[1] = "below"
    prof = profile(x, status, two_sided=True)
    assert prof is not None and sum(b.worlds for b in prof.bins) == 100
    assert len(prof.bins) == 100 // MIN_PER_BIN
    status[status.index[:5]] = np.nan  # a world without a status counts nowhere (two defined)
    assert sum(b.worlds for b in profile(x, status, True).bins) == 100 - 2
    gaps = x.copy()
    gaps.iloc[[7, 9]] = np.nan  # nor one without a value
    assert sum(b.worlds for b in profile(gaps, status, True).bins) == 100 - 4
    # Fewer than two bins' worth of worlds, or one value: nothing to split.
    assert profile(x[: 2 * MIN_PER_BIN - 1], status[: 2 * MIN_PER_BIN - 1], True) is None
    assert profile(x * 0 + 1.0, status, True) is None


def test_alternatives_get_one_bin_each_and_rare_ones_are_counted_out():
    rng = np.random.default_rng(5)
    form = pd.Series(rng.choice(["exponential", "logistic", "linear"], 300), name="f")
    form.iloc[:10] = "asymmetric"  # too rare for a bin of its own
    flag = pd.Series(rng.uniform(size=300) < 0.5, name="g")
    status = pd.Series(np.where(form == "logistic", "in band", "below"))
    prof = profile(form, status, two_sided=False)
    assert prof is not None and [b.value for b in prof.bins] == [
        "exponential",
        "linear",
        "logistic",
    ]
    assert [b.p for b in prof.bins] == [0.0, 0.0, 1.0] and np.isnan(prof.bins[0].low)
    assert prof.left_out == 10 and sum(b.worlds for b in prof.bins) == 290
    # Every expected count is large here: χ², whose p needs no floor.
    assert prof.test == "χ²" and prof.p_value < 1e-40 and not prof.p_floor
    # Few worlds hold: Fisher–Freeman–Halton by Monte Carlo, its p the seed's, and where no
    # resampled table is as extreme, at its floor and printed as a bound.
    few = pd.Series("below", index=form.index)
    few[form[form == "logistic"].index[:12]] = "in band"
    sparse = profile(form, few, two_sided=False)
    assert sparse.test == "Fisher–Freeman–Halton" and sparse.p_floor
    assert sparse.p_value == pytest.approx(1e-5) and sparse.p_text() == "≤ 1e-05"
    assert profile(form, few, False).p_value == sparse.p_value
    few[form[form == "linear"].index[:3]] = "in band"  # (now some tables are as extreme)
    some = profile(form, few, two_sided=False)
    assert some.test == "Fisher–Freeman–Halton" and not some.p_floor and 1e-5 < some.p_value < 0.01
    assert profile(form, few, False, seed=1).p_value == some.p_value
    on = profile(flag, status, False)
    assert [b.values_text() for b in on.bins] == ["false", "true"] and on.p_value > 0.01


def test_profiles_take_the_first_drivers_above_the_noise_floor_and_mark_the_default():
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
    declared = declared_uncertainties()
    found = profiles(x, status, drivers, True, declared)
    assert [p.uncertainty for p in found] == ["retain.base_churn", "market.spend_sigma"]
    churn = found[0]
    assert churn.unit == "1/month" and churn.default == pytest.approx(0.02)
    b = churn.bins[churn.default_bin]
    assert b.low <= 0.02 <= b.high
    assert profiles(x, status, drivers, True, declared, top=1) == found[:1]
    assert profiles(x, status, drivers.iloc[0:0], True, declared) == ()
    # A default outside every bin's values (beyond the kept worlds, or in a gap) is in none.
    far = x.assign(**{"retain.base_churn": x["retain.base_churn"] + 1.0})
    assert profiles(far, status, drivers, True, declared, top=1)[0].default_bin is None


def test_the_report_and_the_index_show_where_the_planted_claim_turns(tmp_path, monkeypatch):
    """The planted claim holds where market.spend_sigma > 1.26: its bins above that hold, those
    below fail, in the report's table, figure and JSON, and the index names it."""
    from experiments.analysis.evidence import run_claim
    from experiments.reporting.index import write_index
    from experiments.reporting.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=True)
    size = dataclasses.replace(size, wave=60, batch=30)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    assert ev.uncertainties > 50
    effect = ev.readings[0]
    sigma = [p for p in effect.along if p.uncertainty == "market.spend_sigma"]
    assert sigma, effect.drivers
    for b in sigma[0].bins:
        if b.low > 1.26:
            assert b.p == 1.0
        elif b.high <= 1.26:
            assert b.p == 0.0
    assert sigma[0].p_value < 1e-8
    text = write_report(ev, tmp_path / "out").read_text()
    assert "## Where along its deciding uncertainties the verdict turns" in text
    level = 0.05 / (len(ev.readings) * ev.uncertainties)
    assert f"= {level:.2g} in this report" in text and "*below the level*" in text
    assert f"{module.CLAIM.name}_along.png" in text
    assert (tmp_path / "out" / f"{module.CLAIM.name}_along.png").stat().st_size > 0
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    assert summary["uncertainties"] == ev.uncertainties
    rows = [a for a in summary["along"] if a["uncertainty"] == "market.spend_sigma"]
    assert rows[0]["reading"] == "effect" and rows[0]["words_differ"]
    assert sum(b["worlds"] for b in rows[0]["bins"]) == effect.verdict.defined
    # The index names the readings that turn, with the bins where each holds least and most.
    monkeypatch.setattr(
        "experiments.reporting.index.EXPERIMENTS", {module.CLAIM.name: module.__name__}
    )
    monkeypatch.setattr("experiments.reporting.index.load", lambda name: module)
    index = write_index(tmp_path / "out").read_text()
    assert "## Where verdicts turn along what decides them" in index
    assert f"0.05 ÷ {len(ev.readings) * ev.uncertainties:,} = {level:.2g}" in index
    turns = index.split("## Where verdicts turn along what decides them")[1].split("\n## ")[0]
    row = [line for line in turns.splitlines() if "| effect | market.spend_sigma" in line]
    assert len(row) == 1
    span, least, most = row[0].split(" | ")[3:6]
    # Its range (published: measured revenue shares), and a whole turn from one end to the other.
    assert span == "0.84 – 1.68 (published) · turns whole" and "1 of these *turn whole*" in turns
    assert ", not supported" in least and ": 0.00 [0.00, " in least
    assert most.endswith(", supported") and ": 1.00 [" in most
    # With nothing below the level the section says so.
    for a in summary["along"]:
        a["p_value"] = 1.0
    (tmp_path / "out" / f"{module.CLAIM.name}.json").write_text(json.dumps(summary))
    index = write_index(tmp_path / "out").read_text()
    assert "read differently where the reading holds least" in index and "\n(none)\n" in index


def test_values_print_the_same_everywhere():
    assert [show_value(v) for v in (True, np.bool_(False), 0.0123456, "wow", 3)] == [
        "true", "false", "0.0123", "wow", "3",
    ]  # fmt: skip


def test_the_report_marks_the_defaults_bin_in_words_that_fit_it():
    from types import SimpleNamespace

    from experiments.reporting.conditional_section import along_rows

    rng = np.random.default_rng(5)
    form = pd.Series(rng.choice(["exponential", "logistic"], 300), name="retain.churn_response")
    churn = pd.Series(rng.uniform(0.005, 0.05, 300), name="retain.base_churn")
    status = pd.Series(np.where(form == "logistic", "in band", "below"))
    x = pd.DataFrame({form.name: form, churn.name: churn})
    drivers = pd.DataFrame(
        {"uncertainty": [form.name, churn.name], "pawn": [0.3, 0.2], "above_noise": [True, True]}
    )
    found = profiles(x, status, drivers, True, declared_uncertainties())
    reading = SimpleNamespace(
        verdict=SimpleNamespace(reading=SimpleNamespace(name="r")), along=found
    )
    rows = along_rows(SimpleNamespace(readings=[reading], uncertainties=2))
    marked = [r["its values"] for r in rows if "default" in r["its values"]]
    assert marked[0] == "exponential · the default"
    assert marked[1].endswith(" · holds the default, 0.02") and " to " in marked[1]
    assert rows[0]["does holding shift with it? p"].endswith("(χ²); *below the level*")


def test_neighbouring_bins_bounds_read_apart():
    from experiments.analysis.conditional import Bin, Profile

    def b(lo: float, hi: float) -> Bin:
        return Bin(lo, hi, None, 30, 10, 0, 1 / 3, 0.2, 0.5, "depends on the world")

    prof = Profile("x", (b(0.0944, 0.14512), b(0.14538, 0.2), b(0.3, 0.3)), 0.5, "Mann–Whitney")
    assert prof.values_texts() == ["0.0944 to 0.1451", "0.1454 to 0.2", "0.3"]
    apart = Profile("x", (b(0.1, 0.2), b(0.3, 0.4)), 0.5, "Mann–Whitney")
    assert apart.values_texts() == ["0.1 to 0.2", "0.3 to 0.4"]
    # Only the two bounds that would read alike get more digits.
    one = Profile(
        "x", (b(0.01, 0.02222), b(0.03333, 0.14512), b(0.14538, 0.2)), 0.5, "Mann–Whitney"
    )
    assert one.values_texts() == ["0.01 to 0.0222", "0.0333 to 0.1451", "0.1454 to 0.2"]


def test_a_verdict_cell_says_where_the_verdict_turns_and_the_ranges_standing():
    """A reading whose verdict turns along a deciding uncertainty (its test below the report's
    level, the words differing where it holds least and most) says so in its verdict cell, with
    whether that uncertainty's range is published or assumed; ``turns whole`` from *not
    supported* to *supported*. The index marks by the same rule at its own level, from the
    reports' JSON."""
    from types import SimpleNamespace as NS

    from experiments.analysis.conditional import Bin, Profile
    from experiments.reporting.conditional_section import (
        index_turn_marks,
        profile_record,
        turn_marks,
    )

    def prof(key, p_value, words):
        bins = tuple(
            Bin(i, i + 1.0, None, 40, round(40 * p), 0, p, p - 0.1, p + 0.1, w)
            for i, (p, w) in enumerate(zip((0.1, 0.5, 0.9), words, strict=True))
        )
        return Profile(key, bins, p_value, "Mann–Whitney")

    whole = ("not supported", "depends on the world", "supported")
    some = ("depends on the world", "depends on the world", "undetermined")
    same = ("depends on the world",) * 3
    assumed, published = "service.fix_cost_mean", "market.spend_sigma"
    r = NS(along=[prof(assumed, 1e-6, whole), prof(published, 1e-6, some)])
    assert turn_marks(r, 1e-4) == (
        f" · turns whole along {assumed} (assumed) · turns along {published} (published)"
    )
    assert turn_marks(r, 1e-7) == ""  # neither test below the level
    assert turn_marks(NS(along=[prof(assumed, 1e-9, same)]), 1e-4) == ""  # words never change
    assert turn_marks(NS(along=[prof(assumed, float("nan"), whole)]), 1e-4) == ""  # no test
    # The index reads the same profiles from the JSON, at its own level; an untested one
    # (p None in the JSON) is never marked.
    reading = NS(verdict=NS(reading=NS(name="effect")))
    along = [
        ("claim", "claim.md", profile_record(reading, p))
        for p in (prof(assumed, 1e-6, whole), prof(published, float("nan"), some))
    ]
    assert along[1][2]["p_value"] is None
    assert index_turn_marks(along, 1e-4) == {
        ("claim", "effect"): f" · turns whole along {assumed} (assumed)"
    }
    assert index_turn_marks(along, 1e-7) == {}
