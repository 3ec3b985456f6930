"""Which last bits this machine's numpy gives the engine's transcendental functions.

The engine leaves ``exp``, ``log``, ``log1p``, ``expm1``, ``power`` and ``tanh`` to numpy, and
numpy picks each function's code for the processor at run time: on a CPU with AVX-512 its
float64 ``exp`` and ``log`` are numpy's own vector code and ``log1p``, ``expm1`` and ``power``
Intel's SVML; on one without (AVX2 only, or ARM) these are the C library's (``tanh`` and float32
``exp`` have numpy's own code for AVX2 as well, and another where there is none). Each is
accurate to a few units in the last place, but they are not the same bits (numpy issue #23523:
"a speed-vs-consistency tradeoff"), and one last bit of one client's hazard can decide whether a
client leaves. So the same scenario and seed give the same numbers on every machine of the same
*numerics class* — in one process or many — and may differ in the last bits, and then in a few
clients' fates, between classes.

:func:`numerics_class` names the class by what numpy computes on a fixed probe; runs record it
(``summary.json``'s ``numerics``), and ``tests/test_engine_golden.py`` keeps the engine's golden
values per class. To get one class's numbers on a mixed cluster, disable numpy's AVX-512 code
(``NPY_DISABLE_CPU_FEATURES``, naming the AVX-512 groups ``numpy.show_runtime()`` lists as
found) in every worker's environment before numpy is imported, and compare
:func:`numerics_class` across the workers (docs/ODD.md §8, "Numerics across machines").
"""

from __future__ import annotations

import hashlib
from functools import cache

import numpy as np

__all__ = ["numerics_class", "simd_features"]


@cache
def numerics_class() -> str:
    """A 12-hex-digit name of this process's numpy transcendental results.

    The SHA-256 of what ``np.exp`` (float32 and float64), ``np.log``, ``np.log1p``,
    ``np.expm1``, ``np.power`` and ``np.tanh`` return on a fixed probe of 4,096 values over the
    ranges the engine uses; two processes of the same class compute the engine's numbers alike.
    """
    x = np.random.default_rng(20261130).normal(0.0, 4.0, 4096)
    pos = np.abs(x) + 1e-3
    h = hashlib.sha256()
    with np.errstate(all="ignore"):
        for out in (
            np.exp(x.astype(np.float32)),
            np.exp(x),
            np.log(pos),
            np.log1p(-pos / (pos.max() * 1.01)),
            np.expm1(x),
            np.power(pos, 1.7),
            np.tanh(x),
        ):
            h.update(out.tobytes())
    return h.hexdigest()[:12]


def simd_features() -> list[str]:
    """The processor features numpy found and dispatches on (``numpy.show_runtime``'s list)."""
    try:  # (numpy's own table, which show_runtime prints; a private module, so guarded)
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        return []
    return sorted(name for name, found in __cpu_features__.items() if found)
