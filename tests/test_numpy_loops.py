"""numpy's ufunc loops called from compiled code give ``np.exp``'s bits, chunk by chunk.

:mod:`model.engine.kernels.numpy_loops` hands a kernel's buffer to the loop ``np.exp`` runs.
Here chunked calls at every offset and length a kernel uses, in place, are compared byte for
byte with ``np.exp`` of the whole array (float32 and float64, with the values at the ends of the
range: signed zeros, infinities, NaN, underflow and overflow), and wrong uses fail with a message.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from model.engine.kernels.numpy_loops import EXP32, NumpyLoop, apply_inplace


@njit(cache=False)
def _chunked(loop: np.ndarray, x: np.ndarray, chunk: int) -> int:  # pragma: no cover - compiled
    frame = np.empty(5, np.intp)
    status = 0
    for lo in range(0, x.size, chunk):
        status |= apply_inplace(loop, x, lo, min(x.size, lo + chunk), frame)
    return status


def _values(dtype: type, n: int) -> np.ndarray:
    rng = np.random.default_rng(n)
    ends = [0.0, -0.0, np.inf, -np.inf, np.nan, 80.0, -80.0, 88.8, -104.0, 709.0, -745.2, 1e-30]
    x = np.concatenate([rng.normal(0.0, 4.0, n), rng.uniform(-120.0, 120.0, n // 3), ends])
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("chunk", [1, 3, 8, 15, 16, 17, 1024, 100_000])
@np.errstate(over="ignore", under="ignore")
def test_chunked_exp_is_numpys_exp(dtype: type, chunk: int) -> None:
    loop = EXP32 if dtype is np.float32 else NumpyLoop(np.exp, np.float64)
    for n in (0, 1, 9, 3_001):
        x = _values(dtype, n)
        want = np.exp(x)
        got = x.copy()
        assert _chunked(loop.address, got, chunk) == 0
        assert got.tobytes() == want.tobytes()


def test_a_chunk_leaves_the_rest_alone() -> None:
    x = _values(np.float32, 100)
    got = x.copy()
    frame = np.empty(5, np.intp)
    assert apply_inplace(EXP32.address, got, 7, 40, frame) == 0
    assert got[7:40].tobytes() == np.exp(x[7:40]).tobytes()
    assert got[:7].tobytes() == x[:7].tobytes() and got[40:].tobytes() == x[40:].tobytes()
    assert apply_inplace(EXP32.address, got, 5, 5, frame) == 0  # an empty chunk: nothing
    assert got[:7].tobytes() == x[:7].tobytes()


def test_other_unary_ufuncs_too() -> None:
    """The bridge is not exp's alone: log1p's loop, in float64."""
    x = np.random.default_rng(2).uniform(-0.999, 5.0, 1_000)
    got = x.copy()
    assert _chunked(NumpyLoop(np.log1p, np.float64).address, got, 64) == 0
    assert got.tobytes() == np.log1p(x).tobytes()


def test_an_address_outlives_its_loop_object() -> None:
    """numpy hands a freed loop's data to the next loop it builds; the addresses of a loop
    object let go must still run their own ufunc, not the one built after."""
    address = NumpyLoop(np.log1p, np.float64).address
    NumpyLoop(np.exp, np.float64)  # (would reuse the freed data)
    x = np.array([1.0, 2.0, 0.5])
    got = x.copy()
    assert _chunked(address, got, 2) == 0
    assert got.tobytes() == np.log1p(x).tobytes()


def test_wrong_uses_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="ufunc: add is not unary"):
        NumpyLoop(np.add, np.float64)
    with pytest.raises(ValueError, match="dtype: exp has no int64 loop"):
        NumpyLoop(np.exp, np.int64)
    assert not EXP32.address.flags.writeable
    frame = np.empty(5, np.intp)
    wide = NumpyLoop(np.exp, np.float64).address
    with pytest.raises(ValueError, match="adjacent elements of the loop's dtype"):
        apply_inplace(wide, np.ones(8, np.float32), 0, 8, frame)  # a float64 loop, float32 data
    with pytest.raises(ValueError, match="adjacent elements of the loop's dtype"):
        apply_inplace(EXP32.address, np.ones(8, np.float32)[::2], 0, 4, frame)
    with pytest.raises(ValueError, match="outside x"):
        apply_inplace(EXP32.address, np.ones(8, np.float32), 2, 9, frame)
    with pytest.raises(ValueError, match="outside x"):
        apply_inplace(EXP32.address, np.ones(8, np.float32), -1, 3, frame)
