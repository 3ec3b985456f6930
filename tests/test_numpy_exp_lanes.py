"""numpy's ``exp`` and ``power`` give each element the same bits wherever it lies in the array.

The compiled phases take transcendental functions from numpy: the churn hazards' and the fix
costs' ``exp`` through numpy's own loop on chunks of a kernel's buffer
(:mod:`model.engine.kernels.numpy_loops`), others on rows of the context's work block — at
offsets and lengths that differ from the arrays the numpy reference passes. Their numbers are equal only if numpy's
vectorized ``exp`` (SIMD lanes, with a different path for the ragged ends) gives an element the
same bits whatever its position, the array's length or its alignment. The engine's golden and
docking tests would fail if it did not; this names the cause. Likewise the conversion fit term's
float32 ``power``, which the compiled attract phase forms once over the whole market and the
reference over the month's aware prospects.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@np.errstate(over="ignore")  # (exp past the type's range is inf, as it should be)
def test_exp_of_an_element_does_not_depend_on_its_position(dtype: type) -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.uniform(-90.0, 90.0, 3000),  # beyond float32's range both ways (0 and inf)
            rng.normal(0.0, 2.0, 3000),  # the hazards' usual exponents
            np.array([0.0, -0.0, 80.0, -80.0, 88.7, -103.9, np.inf, -np.inf, np.nan]),
        ]
    ).astype(dtype)
    whole = np.exp(x)
    for start in range(0, 19):
        for length in (1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 257, 1000):
            part = x[start : start + length]
            assert np.exp(part).tobytes() == whole[start : start + length].tobytes()
    # In place, in a row of a block, at an odd offset (as the phases apply it).
    block = np.zeros((3, x.size + 5), dtype)
    row = block[1, 3 : 3 + x.size]
    row[:] = x
    np.exp(row, out=row)
    assert row.tobytes() == whole.tobytes()


@pytest.mark.parametrize("exponent", [0.5, 1.0, 1.7, 2.0, 3.25])
def test_float32_power_of_an_element_does_not_depend_on_its_position(exponent: float) -> None:
    rng = np.random.default_rng(1)
    fit = np.concatenate(
        [
            rng.random(5000, dtype=np.float32),  # fits (0-1), as the market draws them
            np.array([0.0, -0.0, 1.0, 1e-30, 1e-45, np.nan], dtype=np.float32),
        ]
    )
    # As conversion_fit_term forms it: a Python float exponent (NEP 50: float32 arithmetic).
    whole = np.power(fit, exponent)
    assert whole.dtype == np.float32
    for start in range(0, 19):
        for length in (1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 257, 1000):
            part = fit[start : start + length]
            assert np.power(part, exponent).tobytes() == whole[start : start + length].tobytes()
    # Gathered at scattered rows, as the reference takes the aware prospects' fits.
    rows = np.flatnonzero(rng.random(fit.size) < 0.1)
    assert np.power(fit[rows], exponent).tobytes() == whole[rows].tobytes()
