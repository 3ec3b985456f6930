"""Unit tests of the closed forms in :mod:`model.studies.closed_forms`."""

from __future__ import annotations

import numpy as np
import pytest

from model.engine.phases.account import monthly_rate
from model.studies.closed_forms import (
    clv_markov,
    clv_markov_moments,
    lapse_return_chain,
    lost_client_cost,
    margin_multiple,
    npv,
    sbg_parameters,
    sbg_pmf,
    sbg_retention,
    sbg_survival,
)


# --------------------------------------------------------------------------- lost client
def test_lost_client_seed_example_is_exact() -> None:
    # Seed articles: 10 + 12 + 14 + 16 + 18 = 70 (thousand) lost revenue; 14 at a 20% margin.
    cost = lost_client_cost([10, 12, 14, 16, 18], 0.2)
    assert cost.revenue == 70.0
    assert cost.profit == 14.0
    thousands = lost_client_cost([10_000.0, 12_000.0, 14_000.0, 16_000.0, 18_000.0], 0.2)
    assert (thousands.revenue, thousands.profit) == (70_000.0, 14_000.0)
    # Decimal inputs stay exact too (float sums would give 0.30000000000000004 here).
    assert lost_client_cost([0.1, 0.2], 1.0).revenue == 0.3


def test_lost_client_discounted() -> None:
    cost = lost_client_cost([10, 12, 14, 16, 18], 0.2, discount_rate=0.1)
    expected = sum(x / 1.1**k for k, x in enumerate([10, 12, 14, 16, 18], start=1))
    assert cost.revenue == pytest.approx(expected, rel=1e-14)
    assert cost.profit == pytest.approx(0.2 * expected, rel=1e-14)
    assert cost.revenue < 70.0


@pytest.mark.parametrize(
    ("args", "field"),
    [(([10], 1.5), "margin"), (([10], 0.2, -1.0), "discount_rate"), (([np.nan], 0.2), "spend")],
)
def test_lost_client_rejects_bad_input(args: tuple, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        lost_client_cost(*args)


# ------------------------------------------------------------------------ margin multiple
@pytest.mark.parametrize(
    ("r", "i", "end", "start"),
    [
        (0.8, 0.1, 0.8 / 0.3, 1.1 / 0.3),
        (0.9, 0.1, 0.9 / 0.2, 1.1 / 0.2),
        (0.5, 0.0, 1.0, 2.0),
        (0.0, 0.1, 0.0, 1.0),
    ],
)
def test_margin_multiple_values(r: float, i: float, end: float, start: float) -> None:
    assert margin_multiple(r, i) == pytest.approx(end, rel=1e-12)
    assert margin_multiple(r, i, timing="start") == pytest.approx(start, rel=1e-12)
    # The two conventions differ by exactly the one margin paid at t = 0.
    assert margin_multiple(r, i, "start") - margin_multiple(r, i) == pytest.approx(1.0)


def test_margin_multiple_equals_its_series() -> None:
    r, i, t = 0.93, 0.007, np.arange(1, 5001)
    series = float(np.sum((r / (1 + i)) ** t))
    assert margin_multiple(r, i) == pytest.approx(series, rel=1e-12)
    assert margin_multiple(r, i, periods=12) == pytest.approx(
        float(np.sum((r / (1 + i)) ** t[:12])), rel=1e-12
    )
    assert margin_multiple(1.0, 0.0, periods=12) == 12.0
    assert margin_multiple(1.0, 0.0, "start", periods=12) == 13.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"r": 1.2, "i": 0.1}, "r"),
        ({"r": -0.1, "i": 0.1}, "r"),
        ({"r": 0.9, "i": -1.0}, "i"),
        ({"r": 1.0, "i": 0.0}, "r"),  # diverges without a horizon
        ({"r": 0.9, "i": 0.1, "timing": "middle"}, "timing"),
        ({"r": 0.9, "i": 0.1, "periods": -1}, "periods"),
    ],
)
def test_margin_multiple_rejects_bad_input(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}"):
        margin_multiple(**kwargs)


# ------------------------------------------------------------------------ Markov-chain CLV
@pytest.mark.parametrize(("r", "i"), [(0.8, 0.1), (0.95, 0.01), (0.5, 0.2)])
def test_markov_clv_without_return_is_the_margin_multiple(r: float, i: float) -> None:
    m = 37.5
    for w in (0.0, [0.0, 0.0, 0.0]):
        chain = lapse_return_chain(r, w)
        reward = np.zeros(chain.shape[0])
        reward[0] = m
        v = clv_markov(chain, reward, i)
        assert v[0] == pytest.approx(m * margin_multiple(r, i), rel=1e-12)
        assert np.allclose(v[1:], 0.0)
        vs = clv_markov(chain, reward, i, timing="start")
        assert vs[0] == pytest.approx(m * margin_multiple(r, i, "start"), rel=1e-12)


def test_markov_clv_return_adds_value_and_matches_simulation_of_the_chain() -> None:
    r, i, m = 0.8, 0.05, 10.0
    w = [0.3, 0.1, 0.05]
    chain = lapse_return_chain(r, w)
    assert np.allclose(chain.sum(axis=1), 1.0)
    reward = np.array([m, -1.0, -1.0, 0.0])  # win-back costs 1 a period for two periods
    v = clv_markov(chain, reward, i)
    # Infinite solve equals a long finite sum, and the finite sum by brute-force powers.
    assert np.allclose(v, clv_markov(chain, reward, i, periods=3000), rtol=1e-10)
    d = 1 / (1 + i)
    brute = sum(np.linalg.matrix_power(d * chain, t) @ reward for t in range(1, 40))
    assert np.allclose(clv_markov(chain, reward, i, periods=39), brute, rtol=1e-12)
    no_return = clv_markov(lapse_return_chain(r, 0.0), np.array([m, 0.0]), i)[0]
    assert v[0] > no_return


@pytest.mark.parametrize("periods", [None, 1, 7, 300])
def test_markov_clv_moments_match_the_lifetime_distribution(periods: int | None) -> None:
    # No return: the client pays for K periods, P(K = k) = r^k (1 − r) (k < T), P(K = T) = r^T.
    r, i, m = 0.9, 0.02, 40.0
    mean, var = clv_markov_moments(lapse_return_chain(r, 0.0), [m, 0.0], i, periods=periods)
    horizon = 3000 if periods is None else periods
    k = np.arange(horizon + 1)
    pmf = r**k * (1 - r)
    pmf[-1] = r**horizon
    d = 1 / (1 + i)
    value = m * d * (1 - d**k) / (1 - d)
    exact_mean = float(pmf @ value)
    assert mean[0] == pytest.approx(exact_mean, rel=1e-10)
    assert var[0] == pytest.approx(float(pmf @ (value - exact_mean) ** 2), rel=1e-8)
    assert mean[1] == 0.0 and var[1] == 0.0


def test_markov_clv_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="transition"):
        clv_markov(np.array([[0.5, 0.4], [0.0, 1.0]]), [1.0, 0.0], 0.1)
    with pytest.raises(ValueError, match="margin"):
        clv_markov(np.eye(2), [1.0, 0.0, 0.0], 0.1)
    with pytest.raises(ValueError, match=r"^i"):
        clv_markov(np.eye(2), [1.0, 0.0], 0.0)  # never leaves, never discounted: diverges
    with pytest.raises(ValueError, match="retention"):
        lapse_return_chain(1.5, 0.1)
    with pytest.raises(ValueError, match="return_probability"):
        lapse_return_chain(0.9, [0.1, 1.2])


# ---------------------------------------------------------------------------------- NPV
def test_npv_uses_the_ledger_convention() -> None:
    profit = np.array([100.0, -50.0, 30.0, 0.0, 12.5])
    i = monthly_rate(0.1)
    expected = np.cumsum([x / (1 + i) ** t for t, x in enumerate(profit, start=1)])
    assert np.allclose(npv(profit, 0.1), expected, rtol=1e-14)
    # Twelve months of 1 at the end of each month discount by exactly (1 + annual)^-1 at t = 12.
    assert (1 + i) ** 12 == pytest.approx(1.1, rel=1e-14)
    yearly = npv([110.0, 121.0], 0.1, monthly=False)
    assert np.allclose(yearly, [100.0, 200.0], rtol=1e-14)
    assert np.array_equal(npv(profit, 0.0), np.cumsum(profit))


# ---------------------------------------------------------------------------------- sBG
def test_sbg_curves_are_consistent() -> None:
    g, d = sbg_parameters(0.05, 0.3)
    assert g / (g + d) == pytest.approx(0.05)
    assert 1 / (g + d + 1) == pytest.approx(0.3)
    t = np.arange(1, 61)
    r = sbg_retention(g, d, t)
    s = sbg_survival(g, d, np.arange(0, 61))
    assert s[0] == 1.0
    # Survival is the product of retentions, and the pmf is what leaves each period.
    assert np.allclose(s[1:], np.cumprod(r), rtol=1e-12)
    assert np.allclose(sbg_pmf(g, d, t), s[:-1] - s[1:], rtol=1e-10)
    assert r[0] == pytest.approx(0.95)  # the first period's churn is the mean propensity
    assert np.all(np.diff(r) > 0)  # retention rises with tenure
    # Vectorized over parameters too.
    rr = sbg_retention(np.array([1.0, 2.0])[:, None], 3.0, t[None, :5])
    assert rr.shape == (2, 5)
    assert rr[0, 0] == pytest.approx(3 / 4) and rr[1, 0] == pytest.approx(3 / 5)


def test_sbg_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="gamma"):
        sbg_retention(0.0, 1.0, 1)
    with pytest.raises(ValueError, match=r"^t"):
        sbg_retention(1.0, 1.0, 0)
    with pytest.raises(ValueError, match="polarization"):
        sbg_parameters(0.1, 0.0)
