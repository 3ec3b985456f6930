"""The compiled float sums (:mod:`model.engine.kernels.reduce`) against ``np.add.reduce``, byte
for byte: every length through several pairwise blocks, long arrays, wide dynamic range (where
the order of additions shows), signed zeros, NaN and infinities, and the buffered cast."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model.engine.kernels.reduce import add_reduce, add_reduce_cast64

DTYPES = (np.float64, np.float32)


def wide(rng: np.random.Generator, n: int, dtype: type, decades: float = 5) -> np.ndarray:
    """Values over ``2·decades`` orders of magnitude and both signs: a change of order shows."""
    return (rng.standard_normal(n) * 10.0 ** rng.uniform(-decades, decades, n)).astype(dtype)


def same(kernel: float, reference: np.floating) -> bool:
    """Equal bytes in the reference's dtype (the kernel returns a Python float)."""
    return reference.dtype.type(kernel).tobytes() == reference.tobytes()


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_short_length_and_block_edge(dtype: type) -> None:
    rng = np.random.default_rng(7)
    for n in [*range(0, 400), 1023, 1024, 1025, 8191, 8192, 8193]:
        a = wide(rng, n, dtype)
        assert same(add_reduce(a), np.add.reduce(a)), n


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [10_000, 65_537, 123_457, 1_000_000, 3_000_003])
def test_long_arrays(dtype: type, n: int) -> None:
    a = wide(np.random.default_rng(n), n, dtype)
    assert same(add_reduce(a), np.add.reduce(a))


def test_the_order_matters_for_these_inputs() -> None:
    """The check has teeth: a plain left-to-right sum differs from numpy's on these arrays."""
    a = wide(np.random.default_rng(3), 100_000, np.float64)
    assert float(np.add.reduce(a)) != sum(a.tolist())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "values",
    [[-0.0], [-0.0] * 9, [-0.0] * 200, [np.nan, 1.0], [np.inf, -np.inf], [np.inf, 1.0], [], [5.0]],
)
def test_special_values(dtype: type, values: list[float]) -> None:
    a = np.array(values, dtype=dtype)
    with np.errstate(all="ignore"):
        assert same(add_reduce(a), np.add.reduce(a))


@pytest.mark.parametrize("dtype", DTYPES)
def test_nans_of_both_signs_give_a_nan(dtype: type) -> None:
    """Which NaN wins depends on numpy's operand order (documented as not guaranteed); a NaN it
    is, wherever the two meet."""
    rng = np.random.default_rng(5)
    for n in (2, 8, 9, 130, 5_000):
        a = wide(rng, n, dtype)
        i, j = rng.choice(n, 2, replace=False)
        a[i], a[j] = np.nan, -np.nan
        assert np.isnan(add_reduce(a))
        assert np.isnan(np.add.reduce(a))


def test_a_buffer_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="bufsize"):
        add_reduce_cast64(np.ones(3, np.float32), 0)


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(
        st.sampled_from(DTYPES),
        st.integers(0, 2_000),
        elements=st.floats(-(2.0**100), 2.0**100, width=32),
    )
)
def test_any_array(a: np.ndarray) -> None:
    assert same(add_reduce(a), np.add.reduce(a))


@pytest.mark.parametrize("n", [0, 1, 7, 100, 8191, 8192, 8193, 20_000, 1_000_000])
def test_cast_to_float64_goes_through_the_buffer(n: int) -> None:
    # Sixteen decades: beyond what float64 sums of float32 values exactly, so chunking shows.
    a = wide(np.random.default_rng(n), n, np.float32, decades=8)
    assert same(add_reduce_cast64(a, np.getbufsize()), np.add.reduce(a, dtype=np.float64))


def test_cast_follows_a_changed_buffer_size() -> None:
    a = wide(np.random.default_rng(2), 50_000, np.float32, decades=8)  # (a seed where it shows)
    old = np.setbufsize(4096)
    try:
        reference = np.add.reduce(a, dtype=np.float64)
    finally:
        np.setbufsize(old)
    assert same(add_reduce_cast64(a, 4096), reference)
    assert not same(add_reduce_cast64(a, 8192), reference)  # the buffer size matters
