"""The verdict logic of the claim experiments, on constructed results (no simulation)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework import Assumption, Claim, classify, decide, run_claim
from model.studies.stats import Interval, mean_interval

CLAIM = Claim(
    name="toy",
    title="toy",
    precise="toy",
    metric="%",
    magnitude=25.0,
    band=(25.0, 95.0),
    margin=5.0,
    assumptions=(
        Assumption("a", 0.0, 1.0, "driver a", "test"),
        Assumption("b", 0.0, 1.0, "driver b", "test"),
    ),
)


def test_classify_against_the_widened_band() -> None:
    assert classify(Interval(50, 30, 70, 5), CLAIM) == "inside"
    assert classify(Interval(22, 21, 23, 5), CLAIM) == "inside"  # within the 5-point margin
    assert classify(Interval(10, 5, 15, 5), CLAIM) == "outside"
    assert classify(Interval(20, 10, 30, 5), CLAIM) == "undecided"
    assert classify(Interval(float("nan"), 0, 0, 0), CLAIM) == "undecided"


def _table(effect) -> pd.DataFrame:
    """Run the real grid machinery with a deterministic effect function of the assumptions."""
    return run_claim(
        CLAIM,
        lambda values, seeds: np.array([effect(values["a"], values["b"]) + 0.1 * s for s in seeds]),
        replications=5,
        levels=3,
    )


def test_supported_case() -> None:
    verdict = decide(_table(lambda a, b: 50.0), CLAIM)
    assert verdict.label == "supported"
    assert verdict.inside == 1.0


def test_refuted_case() -> None:
    verdict = decide(_table(lambda a, b: 3.0), CLAIM)
    assert verdict.label == "not supported"
    assert verdict.outside == 1.0


def test_conditional_case_names_the_driver() -> None:
    # The claim holds only when driver b is high: the verdict must say so, naming b's range.
    verdict = decide(_table(lambda a, b: 60.0 if b >= 0.5 else 2.0), CLAIM)
    assert verdict.label.startswith("supported only when driver b is between 0.5 and 1")
    assert 0 < verdict.inside < 0.75


def test_more_replications_cannot_turn_a_small_effect_into_the_claim() -> None:
    rng = np.random.default_rng(0)
    small = mean_interval(2.0 + rng.normal(0, 1, 10_000))
    assert small.excludes(0.0)  # "significant"...
    assert classify(small, CLAIM) == "outside"  # ...but far from the claimed 25-95%


def test_a_grid_that_decides_nothing_is_inconclusive_not_refuted() -> None:
    table = _table(lambda a, b: 50.0)
    table["low"], table["high"], table["status"] = -1e9, 1e9, "undecided"
    assert decide(table, CLAIM).label == "inconclusive"


def test_scattered_support_is_not_a_condition() -> None:
    # Inside at one corner only (a = b = 1): no level of either driver holds at half its points.
    verdict = decide(_table(lambda a, b: 60.0 if a == 1 and b == 1 else 2.0), CLAIM)
    assert verdict.label == "not supported"
    assert 0 < verdict.inside < 0.2


def test_one_replication_gives_no_interval() -> None:
    iv = mean_interval(np.array([3.0]))
    assert iv.mean == 3.0 and np.isnan(iv.low) and np.isnan(iv.high)
    assert classify(iv, CLAIM) == "undecided"
