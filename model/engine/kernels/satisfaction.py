"""Compiled pass of the satisfaction phase (:mod:`model.engine.phases.satisfaction`)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["update_served"]


@njit(cache=True, nogil=True)
def update_served(
    rows: np.ndarray,
    experience: np.ndarray,
    expectation: np.ndarray,
    satisfaction: np.ndarray,
    paradox_bonus: np.ndarray,
    absolute_weight: np.float32,
    disconfirmation_weight: np.float32,
    adjustment_rate: np.float32,
    own_weight: np.float32,
    standard_share: np.float32,
    expectation_rate: np.float32,
    bonus_keep: np.float32,
) -> None:  # pragma: no cover - compiled
    """Move the served clients' satisfaction S and expectation E, and fade their bonus, in place.

    Only ``rows`` (the served clients) are read and written, so nobody else's values need
    putting back. Every scalar is float32 as numpy casts it (NEP 50) and every step rounds to
    float32 where numpy's does. Reference: :func:`model.engine.phases.satisfaction.step_numpy`
    (``satisfaction_target``, ``expectation_update``, the bonus's decay).

    Parameters
    ----------
    rows : ndarray of int
        Client rows to update.
    experience, expectation, satisfaction, paradox_bonus : ndarray of float32
        Per-client arrays (quality, 0-1 scales); the last three are updated in place.
    absolute_weight, disconfirmation_weight : float32
        ``a`` and ``b`` of the target ``clip(a·x + b·(x − E), 0, 1)``.
    adjustment_rate : float32
        Share of the gap to the target that S closes a month.
    own_weight, standard_share : float32
        ``w`` and ``(1 − w)·standard`` of E's anchor ``w·x + (1 − w)·standard``.
    expectation_rate : float32
        Share of the gap to the anchor that E closes a month.
    bonus_keep : float32
        ``1 − adjustment_rate``: the share of the recovery bonus that stays.
    """
    for i in range(rows.size):
        r = np.uint64(rows[i])
        x = experience[r]
        e = expectation[r]
        s = satisfaction[r]
        target = absolute_weight * x + disconfirmation_weight * (x - e)
        # np.clip's semantics: NaN and -0.0 pass through.
        if target < np.float32(0.0):
            target = np.float32(0.0)
        if target > np.float32(1.0):
            target = np.float32(1.0)
        satisfaction[r] = s + adjustment_rate * (target - s)
        anchor = own_weight * x + standard_share
        expectation[r] = e + expectation_rate * (anchor - e)
        paradox_bonus[r] = paradox_bonus[r] * bonus_keep
