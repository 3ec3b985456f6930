"""numpy's rules for one element, inside compiled code (the per-client loops of the kernels)."""

from __future__ import annotations

from numba import njit

__all__ = ["clip"]


@njit(cache=True, nogil=True, inline="always")
def clip(x, lo, hi):  # pragma: no cover - compiled
    """``np.clip`` for one element: NaN and a −0.0 at a 0.0 bound pass through, as numpy's do
    (``tests/test_kernels.py`` checks both); selects, not branches, so loops vectorize."""
    x = x if not x < lo else lo
    return x if not x > hi else hi
