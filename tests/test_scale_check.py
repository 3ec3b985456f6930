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

from experiments.framework import Claim, Reading
from experiments.scale_check import compare_sizes
from experiments.study import Size, scale_values
from model.studies.worlds import draw_worlds
from tests.test_claim_study import _small_planted_study

BAND = Reading("effect", "e", "“e”", "s", "x", (0.0, 10.0))


def _values(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["world", "rep", "effect"])


def test_compare_sizes_pairs_replication_0_and_counts_the_flips():
    small = _values(
        [(w, 0, 5.0) for w in range(4)]  # hold in both sizes
        + [(4, 0, 5.0), (5, 0, 5.0)]  # hold in the small market only
        + [(6, 0, 50.0), (6, 1, -40.0)]  # above at replication 0 (its mean, 5, would hold)
        + [(7, 0, 5.0)]  # undefined in the large market: not paired
        + [(8, 0, 5.0), (9, 0, 50.0)]  # not checked in the large market
    )
    large = _values(
        [(w, 0, 5.0) for w in range(4)] + [(4, 0, 50.0), (5, 0, -1.0), (6, 0, 5.0), (7, 0, np.nan)]
    )
    c = compare_sizes(BAND, small, large, clients=8000)
    assert c.clients == 8000
    assert (c.paired, c.only_small, c.only_large) == (7, 2, 1)
    assert c.flipped == pytest.approx(3 / 7)
    assert c.p_value == pytest.approx(binomtest(2, 3, 0.5).pvalue)
    # Each size's verdict over the eight checked worlds, from replication 0 alone.
    assert (c.small.worlds, c.large.worlds) == (8, 8)
    assert c.small.p == pytest.approx(7 / 8)  # world 6 is above at replication 0
    assert c.large.p == pytest.approx(5 / 7)  # world 7 undefined


def test_no_flip_is_no_evidence_of_a_difference():
    values = _values([(w, 0, 5.0 if w % 2 else 50.0) for w in range(6)])
    c = compare_sizes(BAND, values, values, clients=100)
    assert (c.paired, c.only_small, c.only_large, c.p_value) == (6, 0, 0, 1.0)
    assert c.small.p == c.large.p == pytest.approx(0.5)


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
    got = scale_values(module, worlds, size, tmp_path / "store")
    assert got["world"].tolist() == [1, 3, 5] and set(got["rep"]) == {0}
    assert set(got["clients"]) == {70.0}
    seeds = worlds.set_index("world")["seed"]
    assert got["seed"].tolist() == [float(seeds[w]) for w in (1, 3, 5)]
    batches = sorted((tmp_path / "store" / "scale" / "sized").glob("batch-*.parquet"))
    stamps = [p.stat().st_mtime_ns for p in batches]
    again = scale_values(module, worlds, size, tmp_path / "store")  # resumed: nothing runs
    pd.testing.assert_frame_equal(again, got)
    assert [p.stat().st_mtime_ns for p in batches] == stamps
    # No check asked for: nothing runs.
    none = scale_values(module, worlds, dataclasses.replace(size, scale_clients=0), tmp_path / "x")
    assert none.empty and list(none.columns) == ["world", "rep", "clients", "seed"]


@pytest.mark.parametrize("plausible", [True, False])
def test_the_report_says_what_the_larger_market_changed(tmp_path, monkeypatch, plausible):
    from experiments.evidence import run_claim
    from experiments.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=plausible)
    size = dataclasses.replace(size, scale_clients=60, scale_worlds=4)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    text = write_report(ev, tmp_path / "out").read_text()
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    assert "## Does the verdict depend on the market's size?" in text
    assert "60 people" in text and "first 4 plausible worlds" in text
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert [row["reading"] for row in summary["scale"]] == module.CLAIM.names
    for row, r in zip(summary["scale"], ev.readings, strict=True):
        assert row["clients"] == [40, 60]
        assert row["worlds"] == [4 if plausible else 0] * 2
        # The planted effects depend on the world's parameters alone: no world flips.
        assert row["only_small"] == row["only_large"] == 0
        assert row["p"][0] == r.scale.small.p or np.isnan(r.scale.small.p)


def test_a_size_without_a_check_writes_no_section(tmp_path, monkeypatch):
    from experiments.evidence import run_claim
    from experiments.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=True)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    text = write_report(ev, tmp_path / "out").read_text()
    assert "market's size" not in text and all(r.scale is None for r in ev.readings)
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    assert summary["scale"] == []
