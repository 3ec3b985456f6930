"""Compiled pass of the win-back phase (:mod:`model.engine.phases.win_back`)."""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.attract import rows_where
from model.engine.kernels.reduce import add_reduce

__all__ = ["win_back_lapsed"]


@njit(cache=True, nogil=True)
def win_back_lapsed(
    stage: np.ndarray,
    targeted: np.ndarray,
    heard_negative: np.ndarray,
    heard_positive: np.ndarray,
    left_reason: np.ndarray,
    months_lapsed: np.ndarray,
    u_return: np.ndarray,
    lapsed_code: int,
    bad_service_code: int,
    gone_code: int,
    spend_if_targeted: float,
    saturation: np.ndarray,
    lapse_decay: np.ndarray,
    lapse_offset: int,
    return_max: float,
    natural_return: float,
    bad_service_factor: float,
    boost: float,
    warned_factor: float,
    returns: np.ndarray,
    direct_cost: np.ndarray,
    rows: np.ndarray,
    spend_work: np.ndarray,
) -> tuple[float, int, int]:  # pragma: no cover - compiled
    """Who of the lapsed clients returns this month, and what was spent on them.

    For each lapsed client ``i`` (in row order), with ``s = spend_if_targeted`` if targeted else
    0: the chance of returning is, in float64 and in the reference's order,
    ``clip((natural + ((r_max · sat[s]) · decay[ml + offset]) · bad) · (1 + boost · heard⁺) · warned,
    0, 1)``; the client returns when ``u_return[i]`` is below it, unless it left with reason
    ``gone_code`` (taken for good by a permanent raid). Writes ``returns`` and adds ``s``
    to ``direct_cost``. ``saturation`` holds ``1 − e^(−s/scale)`` for ``s = 0`` and for the
    targeted spend, ``lapse_decay`` holds ``e^(−ml/decay)`` for every int16 ``ml`` (from
    ``−offset``): the exponentials stay in numpy. ``rows`` (int32) and ``spend_work`` (float64),
    each the market's length, are work arrays the phase borrows from the context's block
    (:meth:`model.engine.context.Context.work32`; fresh ones would cost more to fault into
    memory than the pass): the lapsed are listed in ``rows``, then the charged over them.

    Reference: :func:`model.engine.phases.win_back.step_numpy`.

    Returns
    -------
    spend : float
        What was spent on the lapsed clients: the sum, in row order, that ``np.add.reduce``
        gives (:func:`~model.engine.kernels.reduce.add_reduce`).
    n_charged : int
        How many rows were charged a spend above 0: they are listed first in ``rows``, which
        the caller slices (a count, not an array: returning an array costs a compiled call
        about a microsecond of boxing).
    targeted_count : int
        How many were charged a non-zero spend.
    """
    if spend_work.size < stage.size:  # (rows_where checks rows)
        raise ValueError("spend_work is shorter than the market")
    lapsed = rows_where(stage, lapsed_code, rows)
    spend = spend_work[: lapsed.size]
    charged = rows  # over the lapsed: slot m ≤ k is written after lapsed client k is read
    m = 0
    nonzero = 0
    for k in range(lapsed.size):
        i = lapsed[k]
        row = np.uint64(i)  # unsigned: numba skips the wraparound test
        chosen = targeted[row]
        s = spend_if_targeted if chosen else 0.0
        prompted = return_max * saturation[1 if chosen else 0]
        prompted *= lapse_decay[np.uint64(months_lapsed[row] + lapse_offset)]
        prompted *= bad_service_factor if left_reason[row] == bad_service_code else 1.0
        base = natural_return + prompted
        base *= 1.0 + boost * (1.0 if heard_positive[row] else 0.0)
        base *= warned_factor if heard_negative[row] else 1.0
        prob = min(max(base, 0.0), 1.0)
        if np.float64(u_return[row]) < prob and left_reason[row] != gone_code:
            returns[row] = True
        direct_cost[row] += s
        spend[k] = s
        if s > 0:
            charged[m] = i
            m += 1
        nonzero += s != 0
    return add_reduce(spend), m, nonzero
