"""Inverse-CDF transforms of the uniform streams against scipy's exact quantiles."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaincinv, ndtri

from model.engine.randomness import BETA_CELLS, beta_from_uniform, normal_from_uniform


@pytest.mark.parametrize(
    ("a", "b"),
    # the fit default, a survivor-like churn prior, U-shaped, J-shaped both ways, very skewed
    [(2.0, 2.0), (0.98, 48.0), (0.05, 2.4), (5.0, 1.0), (100.0, 0.3), (0.3, 100.0)],
)
def test_tabulated_beta_matches_exact_quantiles(a: float, b: float) -> None:
    u = np.random.default_rng(0).random(4 * BETA_CELLS)
    u[:4] = [0.0, 1e-12, 1 - 1e-12, np.nextafter(1.0, 0.0)]  # the steep ends
    got = beta_from_uniform(u, a, b)
    assert np.abs(got - betaincinv(a, b, u)).max() < 3e-7  # the bound the docstring states
    assert np.all((got >= 0) & (got <= 1))


def test_small_draws_are_inverted_exactly() -> None:
    u = np.random.default_rng(1).random(1000)
    assert np.array_equal(beta_from_uniform(u, 2.0, 3.0), betaincinv(2.0, 3.0, u))


def test_tabulated_normal_is_within_half_a_cell() -> None:
    u = np.random.default_rng(2).random(200_000).astype(np.float32)
    z = normal_from_uniform(u)
    exact = ndtri(u.astype(np.float64))
    inner = np.abs(exact) < 2
    assert np.abs(z - exact)[inner].max() < 2e-4
