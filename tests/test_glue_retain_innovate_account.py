"""Cheaper glue in the retain, innovate and account phases: the numbers it replaced, bit for bit.

Each rewrite is checked against the expression it replaced, on random inputs: innovate's early
answer of :func:`~model.engine.phases.innovate.poisson_quantile`, its scalar clip and its one
inverse CDF over three draws; retain's kernel fed Python floats instead of float32 scalars and
its sum without ``ndarray.sum``'s wrapper; account's sums of its work array's rows, its mapped
sums of ledger lines, and its kept tables and flags.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special
from scipy.stats import poisson

from model.engine import ledger_pass
from model.engine.context import LEDGER_LINES
from model.engine.kernels import retain as retain_kernels
from model.engine.kernels.numpy_loops import EXP32
from model.engine.phases.innovate import move_frontier, poisson_quantile
from model.engine.randomness import normal_from_uniform

_SIZES = [0, 1, 2, 7, 8, 9, 127, 128, 129, 3_000, 8_191, 8_192, 8_193, 20_001, 100_003]


def _poisson_quantile_before(u: float, mu: float) -> int:
    """:func:`poisson_quantile` as it was, without the early answer."""
    if not (0.0 < u < 1.0 and 0.0 < mu < math.inf):
        return int(poisson.ppf(u, mu))
    k = math.ceil(special.pdtrik(u, mu))
    below = max(k - 1, 0)
    return below if special.pdtr(below, mu) >= u else k


@pytest.mark.parametrize("mu", [1e-9, 1e-4, 0.03, 0.29999999999999993, 0.3, 1.0, 2.5, 17.0, 300.0])
def test_poisson_quantile_early_zero_is_the_full_answer(mu: float) -> None:
    rng = np.random.default_rng(int(mu * 1e6) % 2**32)
    zero = float(special.pdtr(0, mu))
    near = [zero, np.nextafter(zero, 0.0), np.nextafter(zero, 1.0), zero * (1 - 1e-12)]
    us = [*near, *rng.random(2_000), *(rng.random(500) * zero), 0.0, 1e-300, 1 - 2**-53]
    for u in us:
        u = float(u)
        assert poisson_quantile(u, mu) == _poisson_quantile_before(u, mu), (u, mu)


def test_poisson_quantile_out_of_range_is_scipys() -> None:
    def outcome(f, u: float, mu: float) -> object:
        try:
            return f(u, mu)
        except (ValueError, OverflowError) as e:  # scipy's infinity or NaN as an int
            return type(e)

    for u, mu in [(0.0, 0.3), (0.0, 2.0), (1.0, 0.3), (0.5, 0.0), (0.5, math.inf), (math.nan, 0.3)]:
        assert outcome(poisson_quantile, u, mu) == outcome(_poisson_quantile_before, u, mu)


@pytest.mark.parametrize(
    "q", [-0.0, 0.0, math.nan, -1.0, 2.0, 0.5, 1.0, math.inf, -math.inf, 5e-324, 1 - 2**-53]
)
def test_scalar_clip_is_numpys(q: float) -> None:
    want = float(np.clip(q + np.float64(0.0), 0.0, 1.0))
    got = move_frontier(q, 0.0)
    assert np.float64(got).tobytes() == np.float64(want).tobytes()


@pytest.mark.parametrize("count", [1, 2, 3, 17])
def test_one_inverse_cdf_over_three_draws_is_three(count: int) -> None:
    rng = np.random.default_rng(count)
    draws = [rng.random(count, dtype=np.float32) for _ in range(3)]
    draws[0][0] = np.nextafter(np.float32(1.0), np.float32(0.0))
    together = normal_from_uniform(np.concatenate(draws)).astype(np.float64)
    for k, u in enumerate(draws):
        alone = normal_from_uniform(u).astype(np.float64)
        assert together[k * count : (k + 1) * count].tobytes() == alone.tobytes()


@pytest.mark.parametrize("size", _SIZES)
def test_float64_reduce_of_float32_is_ndarray_sum(size: int) -> None:
    x = (np.random.default_rng(size).standard_normal(size) * 1e-3).astype(np.float32)
    want = float(x.sum(dtype=np.float64))
    assert np.float64(float(np.add.reduce(x, dtype=np.float64))).tobytes() == (
        np.float64(want).tobytes()
    )


def _retain_inputs(dense: bool, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    n = 500
    served = rng.random(n) < 0.7
    idx = np.flatnonzero(served).astype(np.int64)
    return {
        "dense": dense,
        "served": served,
        "idx": idx,
        "positions": n if dense else idx.size,
        "satisfaction": rng.random(n, dtype=np.float32),
        "bonus": (rng.random(n, dtype=np.float32) * 0.2).astype(np.float32),
        "tenure": rng.integers(0, 200, n).astype(np.int16),
        "enrolled": rng.random(n) < 0.5,
        "propensity": (rng.random(n, dtype=np.float32) * 0.1).astype(np.float32),
        "u_churn": rng.random(n, dtype=np.float32),
        "u_poach": rng.random(n, dtype=np.float32),
        # Parameters that float32 rounds (none is a float32 exactly).
        "floats": (-2.3, 0.6137, 0.71, 0.053, -0.05 / 12.0, 1.0731, 0.3337, 0.0217, 0.0131),
    }


@pytest.mark.parametrize("dense", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_retain_kernel_rounds_python_floats_as_float32_scalars(dense: bool, seed: int) -> None:
    """The kernel given Python floats computes what it computed given ``np.float32`` ones."""
    d = _retain_inputs(dense, seed)
    outs = []
    for cast in (float, np.float32):
        k, ref, ell, disc, slope, gap, threshold, poach, for_good = (cast(v) for v in d["floats"])
        leaves = np.zeros(d["served"].size, bool)
        reason = np.zeros(d["served"].size, np.int8)
        counts = retain_kernels.leave_month(
            dense, d["served"], d["idx"], d["satisfaction"], d["bonus"], True, d["tenure"],
            d["enrolled"], (True, k, ref, True, ell, disc, True, slope), True,
            np.zeros(0, np.float32), gap, d["propensity"], threshold, d["u_churn"], d["u_poach"],
            poach, for_good, leaves, reason, np.getbufsize(), EXP32.address,
        )  # fmt: skip
        outs.append((counts, leaves.tobytes(), reason.tobytes()))
    assert outs[0] == outs[1]
    assert outs[0][0][1:3] != (0, 0)  # (the inputs reach the branches that read the thresholds)


@pytest.mark.parametrize("size", _SIZES)
def test_add_reduce_of_a_work_row_is_ndarray_sum(size: int) -> None:
    """Account's sums: np.add.reduce over a row of its (3, clients) work array, as ndarray.sum."""
    work = np.random.default_rng(size).standard_normal((3, size + 5)) * 1e3
    for row in range(3):
        x = work[row, :size]
        want = np.float64(float(x.sum())).tobytes()
        assert np.float64(float(np.add.reduce(x))).tobytes() == want
        assert np.float64(float(np.add.reduce(x.copy()))).tobytes() == want


def test_a_mapped_sum_of_ledger_lines_is_the_generators() -> None:
    rng = np.random.default_rng(9)
    for _ in range(200):
        values = rng.standard_normal(len(LEDGER_LINES)) * 10.0 ** rng.integers(
            -3, 9, len(LEDGER_LINES)
        )
        led = dict(zip(LEDGER_LINES, values.tolist(), strict=True))
        want = sum(led[k] for k in LEDGER_LINES)
        assert np.float64(sum(map(led.__getitem__, LEDGER_LINES))).tobytes() == (
            np.float64(want).tobytes()
        )


@pytest.mark.parametrize("rates", [(0.05, 0.02, -0.03), (0.0, 0.02, 0.0), (0.05, 0.0, 0.0)])
def test_kept_tables_are_each_rates_table(rates: tuple[float, float, float]) -> None:
    for months in (1, 200, 257, 1025):
        tables = ledger_pass._tables(rates, 7.0, ledger_pass._table_length(months))
        for rate, table in zip(rates, tables, strict=True):
            if rate:
                assert table is ledger_pass._tenure_table(rate, 7.0, months)
            else:
                assert table.size == 0


def test_kept_flags_are_the_array_of_the_flags() -> None:
    for bits in [(True,) * 7, (False,) * 7, (True, False, True, False, False, True, False)]:
        flags = ledger_pass._flags(*bits)
        assert flags.tobytes() == np.array(bits, np.bool_).tobytes() and not flags.flags.writeable
        assert ledger_pass._flags(*bits) is flags
