"""The scale check: the first plausible worlds judged again in a larger market."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import types

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from experiments.analysis.scale_check import compare_sizes, defined_flips, flips
from experiments.running.study import Size, scale_values, scale_world_table
from experiments.verdicts.framework import Claim, Reading, judge
from model import Scenario
from model.engine.retention_model import RetentionModel
from model.studies.worlds import draw_worlds, fact_values, world_scenario
from tests.test_claim_study import _small_planted_study

BAND = Reading("effect", "e", "“e”", "s", "x", (0.0, 10.0))


def _values(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["world", "rep", "effect"])


def test_flips_pair_the_worlds_defined_in_both_and_test_the_lean():
    first = _values(
        [(w, 0, 5.0) for w in range(4)]  # hold in both
        + [(4, 0, 5.0), (5, 0, 5.0)]  # hold in the first only
        + [(6, 0, 50.0)]  # holds in the second only
        + [(7, 0, 5.0)]  # undefined in the second: not paired
    )
    second = _values(
        [(w, 0, 5.0) for w in range(4)] + [(4, 0, 50.0), (5, 0, -1.0), (6, 0, 5.0), (7, 0, np.nan)]
    )
    f = flips(judge(BAND, first)[0], judge(BAND, second)[0])
    assert (f.paired, f.only_first, f.only_second) == (7, 2, 1)
    assert f.share == pytest.approx(3 / 7)
    assert f.p_value == pytest.approx(binomtest(2, 3, 0.5).pvalue)
    same = flips(judge(BAND, first)[0], judge(BAND, first)[0])
    assert (same.only_first, same.only_second, same.p_value) == (0, 0, 1.0)


def test_test_retest_kappa_is_agreement_beyond_chance():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(4)
    for agreement in (0.5, 0.8, 0.95):
        held = rng.random(300) < 0.4
        again = np.where(rng.random(300) < agreement, held, rng.random(300) < 0.4)
        first = judge(BAND, _values([(w, 0, 5.0 if h else 50.0) for w, h in enumerate(held)]))[0]
        second = judge(BAND, _values([(w, 0, 5.0 if h else 50.0) for w, h in enumerate(again)]))[0]
        f = flips(first, second)
        assert f.held_both == int((held & again).sum())
        assert f.kappa == pytest.approx(cohen_kappa_score(held, again))
    same = flips(first, first)
    assert same.kappa == 1.0
    # Every world holding in both runs: chance agrees as well, so κ says nothing (NaN).
    everywhere = judge(BAND, _values([(w, 0, 5.0) for w in range(10)]))[0]
    assert np.isnan(flips(everywhere, everywhere).kappa)


def test_definedness_flips_pair_every_world_and_test_the_lean():
    first = _values(
        [(w, 0, 5.0) for w in range(3)]  # defined in both
        + [(3, 0, np.nan), (4, 0, np.nan), (5, 0, np.nan)]  # defined in the second only
        + [(6, 0, np.nan)]  # undefined in both
        + [(7, 0, 50.0)]  # defined (and failing) in the first only
        + [(8, 0, 5.0)]  # not judged in the second: not paired
    )
    second = _values(
        [(w, 0, 50.0) for w in range(3)] + [(w, 0, 5.0) for w in (3, 4, 5)] + [(6, 0, np.nan)]
        + [(7, 0, np.nan)]
    )  # fmt: skip
    f = defined_flips(judge(BAND, first)[0], judge(BAND, second)[0])
    assert (f.paired, f.only_first, f.only_second) == (8, 1, 3)
    assert f.p_value == pytest.approx(binomtest(1, 4, 0.5).pvalue)
    # Whether a defined world holds plays no part (worlds 0-2 fail in the second, 7 in the first).
    assert defined_flips(judge(BAND, second)[0], judge(BAND, second)[0]).only_first == 0


def test_compare_sizes_judges_each_run_on_the_checked_worlds():
    studied = _values(
        [(w, 0, 5.0) for w in range(6)]
        + [(5, 1, -40.0)]  # another replication of the study: not used (only replication 0)
        + [(6, 0, 5.0), (7, 0, 50.0)]  # worlds not checked
    )
    again = _values([(w, 1, 5.0 if w < 4 else 50.0) for w in range(6)])
    large = _values([(w, 0, 5.0 if w % 2 == 0 else 50.0) for w in range(6)])
    c = compare_sizes(BAND, studied, again, large, clients=8000)
    assert c.clients == 8000
    assert (c.studied.worlds, c.again.worlds, c.large.worlds) == (6, 6, 6)
    assert (c.studied.p, c.again.p, c.large.p) == pytest.approx((1.0, 4 / 6, 3 / 6))
    # Size: the two new runs (worlds 1 and 3 hold only in the smaller market, 4 only in the larger).
    assert (c.size.paired, c.size.only_first, c.size.only_second) == (6, 2, 1)
    # Noise: the study's run against the new one of its size (worlds 4 and 5 flip).
    assert (c.noise.paired, c.noise.only_first, c.noise.only_second) == (6, 2, 0)
    # Definedness: every world defined in both runs.
    assert (c.defined.paired, c.defined.only_first, c.defined.only_second) == (6, 0, 0)
    lost = _values([(w, 0, np.nan if w in (2, 3) else 5.0) for w in range(6)])
    d = compare_sizes(BAND, studied, again, lost, clients=8000)
    assert (d.defined.paired, d.defined.only_first, d.defined.only_second) == (6, 2, 0)
    assert d.size.paired == 4  # (the size test pairs the worlds defined in both)
    assert c.size_kept is None  # (not asked)
    # The definedness test's yardstick: the study's run against another of its size.
    assert (c.defined_noise.paired, c.defined_noise.only_first, c.defined_noise.only_second) == (
        6, 0, 0,
    )  # fmt: skip
    gaps = studied.assign(effect=np.where(studied["world"].isin([2, 3]), np.nan, 5.0))
    e = compare_sizes(BAND, gaps, again, large, clients=8000)
    assert (e.defined_noise.paired, e.defined_noise.only_first, e.defined_noise.only_second) == (
        6, 0, 2,
    )  # fmt: skip
    assert e.defined == c.defined  # (the size's definedness test pairs the two new runs only)
    # The size test again over the worlds the facts keep in the larger market too.
    kept = compare_sizes(BAND, studied, again, large, 8000, kept_large={0, 1, 4})
    assert (kept.size_kept.paired, kept.size_kept.only_first, kept.size_kept.only_second) == (
        3, 1, 1,
    )  # fmt: skip


def _size_claim() -> types.ModuleType:
    """A claim whose readings are the baseline market's size and the run's seed."""
    module = types.ModuleType("size_claim_for_tests")
    module.CLAIM = Claim(  # type: ignore[attr-defined]
        "sized",
        "a claim that reads its market",
        (
            Reading("clients", "c", "“c”", "s", "x", (0.0, 1e9)),
            Reading("seed", "s", "“s”", "s", "x", (0.0, 1e12)),
        ),
        "d",
    )

    def measure(base, seed):
        scn = base.run.scenario
        return {"clients": float(scn.market.clients), "seed": float(scn.run.seed)}

    module.measure = measure  # type: ignore[attr-defined]
    return module


def test_the_first_kept_worlds_run_again_in_the_larger_market(tmp_path, monkeypatch):
    module = _size_claim()
    monkeypatch.setitem(sys.modules, module.__name__, module)  # (claim_batch imports it by name)
    size = Size(
        wave=8, target=0, max_waves=1, clients=40, months=13, pilot=2, max_reps=2, defaults=1,
        batch=2, scale_clients=70, scale_worlds=3,
    )  # fmt: skip
    worlds = draw_worlds(size.wave, seed=3)
    worlds["kept"] = worlds["world"] % 2 == 1  # the odd worlds: the first three are 1, 3 and 5
    # A stored series of the small market: never read (the baselines run again, at 70 people).
    worlds["series"] = str(tmp_path / "no-such-series.parquet")
    again, large = scale_values(module, worlds, size, tmp_path / "store")
    seeds = worlds.set_index("world")["seed"]
    # Replication 1 in the study's market and 0 in the larger: the size test's; replications 2
    # and 1 there: each size's noise.
    again, again_2 = (again[again["rep"] == r].reset_index(drop=True) for r in (1, 2))
    large, large_again = (large[large["rep"] == r].reset_index(drop=True) for r in (0, 1))
    for got, rep, clients in (
        (again, 1, 40.0), (again_2, 2, 40.0), (large, 0, 70.0), (large_again, 1, 70.0)
    ):  # fmt: skip
        assert got["world"].tolist() == [1, 3, 5] and set(got["rep"]) == {rep}
        assert set(got["clients"]) == {clients}
        assert got["seed"].tolist() == [float(seeds[w] + rep) for w in (1, 3, 5)]
    store = tmp_path / "store"
    batches = sorted(store.glob("scale*/sized/batch-*"))
    stamps = [p.stat().st_mtime_ns for p in batches]
    resumed = scale_values(module, worlds, size, store)  # nothing runs again
    pd.testing.assert_frame_equal(resumed[0][resumed[0]["rep"] == 1], again)
    pd.testing.assert_frame_equal(resumed[1][resumed[1]["rep"] == 0], large)
    assert len(batches) == 8 and [p.stat().st_mtime_ns for p in batches] == stamps
    # No check asked for: nothing runs.
    for none in scale_values(module, worlds, dataclasses.replace(size, scale_clients=0), store):
        assert none.empty and list(none.columns) == ["world", "rep", "clients", "seed"]
    # The same worlds' facts, measured on baselines of the larger market.
    facts = scale_world_table(worlds, size, store)
    assert facts["world"].tolist() == [1, 3, 5]
    assert {"annual_retention", "operating_margin", "plausible"} <= set(facts.columns)
    baseline = RetentionModel(
        world_scenario(
            Scenario(), worlds.set_index("world").loc[3].to_dict(),
            {**size.scaled().settings(), "run.seed": int(seeds[3])},
        )
    ).run()  # fmt: skip
    assert baseline.clients.n == 70
    want = fact_values(baseline.timeseries())["operating_margin"]
    assert facts.set_index("world").loc[3, "operating_margin"] == pytest.approx(want, rel=1e-12)
    none = scale_world_table(worlds, dataclasses.replace(size, scale_clients=0), store)
    assert none.empty


@pytest.mark.parametrize("plausible", [True, False])
def test_the_report_says_what_the_larger_market_changed(tmp_path, monkeypatch, plausible):
    from experiments.analysis.evidence import run_claim
    from experiments.reporting.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=plausible)
    size = dataclasses.replace(size, scale_clients=60, scale_worlds=4)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    text = write_report(ev, tmp_path / "out").read_text()
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    assert "## Does the verdict depend on the market's size?" in text
    # (The worlds it ran: 4 when kept, none when no world is plausible.)
    ran = "first 4 plausible worlds" if plausible else "none was kept here, so none"
    assert "60 people" in text and ran in text
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert [row["reading"] for row in summary["scale"]] == module.CLAIM.names
    for row, r in zip(summary["scale"], ev.readings, strict=True):
        assert row["clients"] == [40, 40, 60]
        assert row["worlds"] == [4 if plausible else 0] * 3
        # The planted effects hold or fail by the world's parameters alone: no world flips.
        for test, f in (
            ("size", r.scale.size), ("noise", r.scale.noise), ("defined", r.scale.defined),
            ("defined_noise", r.scale.defined_noise),
        ):  # fmt: skip
            assert row[test]["only_first"] == row[test]["only_second"] == 0
            assert row[test]["paired"] == f.paired
        assert row["p"][2] == r.scale.large.p or np.isnan(r.scale.large.p)
        if plausible:  # (every world plausible in either size here: the test keeps them all)
            assert row["size_kept"] == row["size"]
    assert summary["scale_worlds"] == {
        "checked": 4 if plausible else 0,
        "kept": 4 if plausible else 0,
    }


def test_a_size_without_a_check_writes_no_section(tmp_path, monkeypatch):
    from experiments.analysis.evidence import run_claim
    from experiments.reporting.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=True)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    text = write_report(ev, tmp_path / "out").read_text()
    assert "market's size" not in text and all(r.scale is None for r in ev.readings)
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    assert summary["scale"] == []


def _noisy_study(rng, true: np.ndarray, noise: float, shift: float = 0.0):
    """A study of ``true`` effects (four replications a world with sd ``noise``), another run of
    its size and a larger market's run (sd ``noise / √10``, its effects moved by ``shift``)."""
    n = true.size
    studied = _values([(w, r, true[w] + noise * rng.normal()) for w in range(n) for r in range(4)])
    again = _values([(w, 1, true[w] + noise * rng.normal()) for w in range(n)])
    large = _values([(w, 0, true[w] + shift + noise / 10**0.5 * rng.normal()) for w in range(n)])
    return studied, again, large


def test_a_lean_that_the_smaller_markets_noise_makes_is_not_read_as_a_size_effect():
    """With no size effect at all, the larger market's lower noise flips more worlds into a band
    that holds most of them than out of it, and McNemar's test finds the lean; the study's
    P(holds) on the same worlds with its noise taken out puts the larger market's inside its
    interval, and a larger run as noisy as the smaller lies inside the smaller's own: a share
    between the two is consistent with no size effect. A real size effect lies beyond both."""
    from experiments.verdicts.holds import Measured

    rng = np.random.default_rng(7)
    true = rng.normal(5.0, 3.5, 600)  # most worlds in the band [0, 10], many near an edge
    studied, again, large = _noisy_study(rng, true, noise=3.0)
    per = judge(BAND, studied)[0].set_index("world")
    c = compare_sizes(BAND, studied, again, large, 8000, measured=Measured(per, BAND.band))
    assert c.size.only_second > 2 * c.size.only_first and c.size.p_value < 0.002
    assert c.corrected.low <= c.large.p <= c.corrected.high
    assert not c.beyond_noise
    shifted = _noisy_study(rng, true, noise=3.0, shift=4.0)  # the larger market's effects move
    per = judge(BAND, shifted[0])[0].set_index("world")
    d = compare_sizes(BAND, *shifted, 8000, measured=Measured(per, BAND.band))
    assert d.beyond_noise and d.large.p < min(d.corrected.low, d.again.low)
    # A reading the market's size does not touch (innovation's: the larger run is the study's own
    # replication 0, as noisy): outside the corrected interval, inside the bracket of the two.
    per = judge(BAND, studied)[0].set_index("world")
    same = studied[studied["rep"] == 0]
    e = compare_sizes(BAND, studied, again, same, 8000, measured=Measured(per, BAND.band))
    assert not e.corrected.low <= e.large.p <= e.corrected.high
    assert not e.beyond_noise


def test_the_bracket_compares_shares_of_the_worlds_defined_in_both_sizes():
    """A larger market where the reading is undefined in the worlds where it fails (a rise in a
    profit that its baseline does not make, say) holds in all the worlds left: its own P(holds)
    is 1.0 against the smaller market's 0.5 over every world. Over the worlds defined in both,
    the two agree, and the bracket rule compares those shares (its JSON too)."""
    from experiments.reporting.scale_index import check_beyond_noise
    from experiments.reporting.scale_section import paired_numbers
    from experiments.verdicts.holds import Measured

    rng = np.random.default_rng(3)
    true = np.r_[np.full(100, 5.0), np.full(100, 50.0)]  # in band [0, 10], then far out of it
    studied, again, large = _noisy_study(rng, true, noise=0.5)
    large.loc[large["world"] >= 100, "effect"] = np.nan  # undefined where it fails
    per = judge(BAND, studied)[0].set_index("world")
    c = compare_sizes(BAND, studied, again, large, 8000, measured=Measured(per, BAND.band))
    assert c.large.p == 1.0 and c.again.p == pytest.approx(0.5)  # each over its own worlds
    assert c.paired.worlds == 100 and c.paired.corrected.n == 100
    assert c.paired.again.p == c.paired.large.p == c.paired.corrected.p == 1.0
    assert not c.beyond_noise
    check = {"paired": paired_numbers(c.paired), "corrected": [0.5, 0.45, 0.55, 200]}
    check |= {"p": [0.5, 0.5, 1.0], "p_low": [0.4, 0.4, 0.98], "p_high": [0.6, 0.6, 1.0]}
    assert not check_beyond_noise(check)
    assert check_beyond_noise({k: v for k, v in check.items() if k != "paired"})  # the old rule
    # A real shift on the same worlds is still beyond: the larger market fails where both hold.
    shifted = large.copy()
    shifted.loc[shifted["world"] < 100, "effect"] = 20.0
    shifted.loc[shifted["world"] < 10, "effect"] = 5.0
    d = compare_sizes(BAND, studied, again, shifted, 8000, measured=Measured(per, BAND.band))
    assert d.paired.large.p == pytest.approx(0.1) and d.beyond_noise


def test_each_sizes_noise_is_measured_from_two_runs_of_every_world():
    """The bracket rule assumes a larger market no noisier; each world's two unscreened runs in
    each size measure it: the typical spread of one replication (robust to a few wild worlds) and
    a sign test on which size's two runs lie further apart."""
    from experiments.analysis.scale_check import noise_sizes

    rng = np.random.default_rng(5)
    true = rng.normal(5.0, 3.0, 400)

    def runs(reps: tuple[int, int], sd: float) -> pd.DataFrame:
        rows = [(w, r, true[w] + sd * rng.normal()) for r in reps for w in range(true.size)]
        return _values(rows)

    small = runs((1, 2), 3.0)
    n = noise_sizes("effect", small, runs((0, 1), 1.0))
    assert n.worlds == 400 and n.small == pytest.approx(3.0, rel=0.15)
    assert n.ratio == pytest.approx(1 / 3, rel=0.2) and n.quieter > 2 * n.louder
    assert n.p_value < 1e-6
    same = noise_sizes("effect", small, runs((0, 1), 3.0))
    assert same.ratio == pytest.approx(1.0, rel=0.2) and same.p_value > 0.001
    louder = noise_sizes("effect", small, runs((0, 1), 6.0))
    assert louder.louder > louder.quieter and louder.p_value < 1e-6
    # The screened replication 0 of the smaller market is not one of its pair.
    screened = pd.concat([_values([(w, 0, 1e6) for w in range(true.size)]), small])
    assert noise_sizes("effect", screened, runs((0, 1), 1.0)).small == pytest.approx(n.small, 0.2)
    # A world not finite in some run is left out; without a second run in a size, nothing.
    small.loc[0, "effect"] = np.inf
    assert noise_sizes("effect", small, runs((0, 1), 1.0)).worlds == 399
    assert noise_sizes("effect", small, runs((0,), 1.0)) is None
    assert noise_sizes("effect", small[small["rep"] == 1], runs((0, 1), 1.0)) is None


def test_a_lean_is_called_noise_only_where_the_larger_market_is_shown_the_quieter():
    """The bracket assumes a larger market measures each world with less noise. Where it is
    measured louder, or not shown quieter, the index calls neither a lean within the bracket
    consistent with no size effect nor one beyond it a size effect: the question is open."""
    from experiments.reporting.scale_index import (
        quieter_shown,
        size_dependent,
        size_effects_text,
        size_open,
        within_noise,
    )

    def check(large: float, louder_worlds: int, quieter_worlds: int, p: float, out: bool) -> dict:
        noise = {"worlds": 200, "small": 2.0, "large": large, "louder": louder_worlds,
                 "quieter": quieter_worlds, "p_value": p}  # fmt: skip
        return {
            "reading": "r", "clients": [800, 800, 8000], "p": [0.5, 0.5, 0.9 if out else 0.6],
            "p_low": [0.4, 0.4, 0.5], "p_high": [0.6, 0.6, 0.7],
            "corrected": [0.55, 0.45, 0.65, 200],
            "size": {"paired": 200, "only_first": 5, "only_second": 30, "p_value": 1e-5},
            "noise": {"paired": 200, "only_first": 10, "only_second": 10, "p_value": 1.0},
            "noise_sizes": noise,
        }  # fmt: skip

    quiet = check(0.6, 50, 150, 1e-12, out=False)
    loud, unshown = check(3.0, 150, 50, 1e-12, out=False), check(2.2, 95, 105, 0.6, out=False)
    assert quieter_shown(quiet, 0.01)
    assert not quieter_shown(loud, 0.01) and not quieter_shown(unshown, 0.01)
    assert quieter_shown({k: v for k, v in quiet.items() if k != "noise_sizes"}, 0.01)  # older
    for premise_fails in (loud, unshown):
        for lean in (premise_fails, {**premise_fails, "p": [0.5, 0.5, 0.9]}):  # within; beyond
            entry = [("c", "c.md", lean)]
            assert not size_dependent(entry) and not within_noise(entry) and size_open(entry)
            text = size_effects_text(entry, 800, 8000)
            assert "not shown to measure them with less noise" in text and "open" in text
            assert "consistent" not in text and "more than noise" not in text
    text = size_effects_text([("c", "c.md", quiet)], 800, 8000)
    assert "consistent with no size effect" in text and "open" not in text
    assert "noise with 8,000 people 0.30 times that with 800 (50 / 150 worlds louder" in text
    beyond = [("c", "c.md", check(0.6, 50, 150, 1e-12, out=True))]
    assert size_dependent(beyond) and "more than noise" in size_effects_text(beyond, 800, 8000)


def test_compare_sizes_reads_replication_1_of_again_and_drops_worlds_the_study_cannot_define():
    """Stores give ``again`` replications 1 and 2 (the second measures the smaller market's
    noise only); a world defined in both new runs but undefined in the study leaves the bracket's
    shares, which are all over one set of worlds."""
    from experiments.verdicts.holds import Measured

    rng = np.random.default_rng(11)
    true = rng.normal(5.0, 3.0, 120)
    studied, again, large = _noisy_study(rng, true, noise=1.0)
    again_2 = again.assign(rep=2, effect=again["effect"] + 100.0)  # far out of band: unread
    large_1 = large.assign(rep=1)
    studied.loc[studied["world"] == 0, "effect"] = np.nan  # undefined in the study only
    per = judge(BAND, studied)[0].set_index("world")
    one = compare_sizes(BAND, studied, again, large, 8000, measured=Measured(per, BAND.band))
    both = compare_sizes(
        BAND, studied, pd.concat([again, again_2]), pd.concat([large, large_1]), 8000,
        measured=Measured(per, BAND.band),
    )  # fmt: skip
    assert both.again == one.again and both.size == one.size and both.paired == one.paired
    assert one.noise_sizes is None and both.noise_sizes.worlds == 120
    assert both.paired.worlds == 119 == both.paired.corrected.n


def test_a_recorded_null_noise_measurement_is_not_taken_as_the_premise():
    from experiments.reporting.scale_index import quieter_shown

    assert quieter_shown({}, 0.01)  # older reports: the rule as it was
    assert not quieter_shown({"noise_sizes": None}, 0.01)  # measured as not measurable
