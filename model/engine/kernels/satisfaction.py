"""Compiled pass of the satisfaction phase (:mod:`model.engine.phases.satisfaction`)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["update_served"]


@njit(cache=True, nogil=True)
def update_served(
    rows: np.ndarray,
    served: np.ndarray,
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

    Nobody else's values change. Every scalar is float32 as numpy casts it (NEP 50) and every step rounds to
    float32 where numpy's does. Reference: :func:`model.engine.phases.satisfaction.step_numpy`
    (``satisfaction_target``, ``expectation_update``, the bonus's decay).

    Parameters
    ----------
    rows : ndarray of int
        Client rows to update (the served).
    served : ndarray of bool
        The same clients as a mask over every row. When they are most of the market the pass
        runs over every row and keeps the others' values (contiguous, vectorized), else it visits
        ``rows`` only.
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
    constants = (
        absolute_weight,
        disconfirmation_weight,
        adjustment_rate,
        own_weight,
        standard_share,
        expectation_rate,
        bonus_keep,
    )
    if 2 * rows.size >= satisfaction.size:  # most are served: contiguous passes with selects
        for r in range(served.size):
            s, e, b = satisfaction[r], expectation[r], paradox_bonus[r]
            new_s, new_e, new_b = _rule(experience[r], e, s, b, *constants)
            on = served[r]
            satisfaction[r] = new_s if on else s
            expectation[r] = new_e if on else e
            paradox_bonus[r] = new_b if on else b
    else:
        for i in range(rows.size):
            r = np.uint64(rows[i])
            new_s, new_e, new_b = _rule(
                experience[r], expectation[r], satisfaction[r], paradox_bonus[r], *constants
            )
            satisfaction[r] = new_s
            expectation[r] = new_e
            paradox_bonus[r] = new_b


@njit(cache=True, nogil=True)
def _rule(
    x: np.float32,
    e: np.float32,
    s: np.float32,
    bonus: np.float32,
    absolute_weight: np.float32,
    disconfirmation_weight: np.float32,
    adjustment_rate: np.float32,
    own_weight: np.float32,
    standard_share: np.float32,
    expectation_rate: np.float32,
    bonus_keep: np.float32,
) -> tuple[np.float32, np.float32, np.float32]:  # pragma: no cover - compiled
    """One client's new ``(S, E, bonus)``, each step in float32 as numpy rounds it."""
    target = absolute_weight * x + disconfirmation_weight * (x - e)
    # np.clip's semantics (NaN and -0.0 pass through), as selects so that the loop vectorizes.
    target = target if not target < np.float32(0.0) else np.float32(0.0)
    target = target if not target > np.float32(1.0) else np.float32(1.0)
    anchor = own_weight * x + standard_share
    return (
        s + adjustment_rate * (target - s),
        e + expectation_rate * (anchor - e),
        bonus * bonus_keep,
    )
