"""Compiled passes of the word-of-mouth phase (:mod:`model.engine.phases.word_of_mouth`)."""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.work import clip

__all__ = ["speakers", "word_of_mouth_reach"]


@njit(cache=True, nogil=True)
def speakers(
    satisfaction: np.ndarray,
    bonus: np.ndarray,
    paradox_acts: bool,
    served: np.ndarray,
    stage: np.ndarray,
    left_reason: np.ndarray,
    months_lapsed: np.ndarray,
    lapsed_code: int,
    bad_service_code: int,
    warning_months: int,
    promoter_s: np.float32,
    detractor_s: np.float32,
    shift: int,
    promoters: np.ndarray,
    flags: np.ndarray,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Who speaks this month: promoters (served, behavioural satisfaction ≥ ``promoter_s``) and
    detractors (served below ``detractor_s``, or lapsed for bad service within
    ``warning_months``).

    Writes ``promoters`` and ``flags`` (``promoter + detractor · 2^shift`` per client, for
    :func:`word_of_mouth_reach`); returns the two counts. Satisfaction is compared in float32, as
    numpy compares a float32 array with a Python float. Reference: the first lines of
    :func:`model.engine.phases.word_of_mouth.step_numpy`.
    """
    zero, one = np.float32(0.0), np.float32(1.0)
    n_pro = 0
    n_det = 0
    for i in range(satisfaction.size):
        s = satisfaction[i]
        if paradox_acts:
            s = clip(s + bonus[i], zero, one)
        pro = served[i] and s >= promoter_s
        det = (
            stage[i] == lapsed_code
            and left_reason[i] == bad_service_code
            and months_lapsed[i] < warning_months
        ) or (served[i] and s < detractor_s)
        promoters[i] = pro
        flags[i] = int(pro) + (int(det) << shift)
        n_pro += pro
        n_det += det
    return n_pro, n_det


@njit(cache=True, nogil=True)
def word_of_mouth_reach(
    indptr: np.ndarray,
    indices: np.ndarray,
    flags: np.ndarray,
    shift: int,
    table_pos: np.ndarray,
    table_neg: np.ndarray,
    u_pos: np.ndarray,
    u_neg: np.ndarray,
    do_pos: bool,
    do_neg: bool,
    served: np.ndarray,
    effect: np.float32,
    probability_pos: np.ndarray,
    heard_pos: np.ndarray,
    heard_neg: np.ndarray,
    satisfaction: np.ndarray,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Who hears a positive and a negative message this month, in one pass over the edges.

    For each client: sum the neighbours' ``flags`` (``shift`` lies above the largest degree, so
    the sum carries both counts), read the chance of hearing at least one message of each kind
    from its table (indexed by that count) and compare it with the client's uniform. Writes
    ``probability_pos`` and the two ``heard`` flags (a kind not carried, ``do_* = False``, is
    left untouched); a served client who heard anything has its satisfaction moved by
    ``effect·(heard⁺ − heard⁻)``, clipped to [0, 1], in float32. Returns how many heard each
    kind. Reference: :func:`model.engine.phases.word_of_mouth.reach_numpy` and the end of
    :func:`~model.engine.phases.word_of_mouth.step_numpy`.
    """
    low = (1 << shift) - 1
    zero, one = np.float32(0.0), np.float32(1.0)
    n_pos = 0
    n_neg = 0
    # Indices cast to unsigned: numba then skips the negative-index wraparound test on each edge
    # (half the time of this loop at 10^6 clients).
    e = np.uint64(indptr[0])
    for i in range(indptr.size - 1):
        total = 0
        end = np.uint64(indptr[i + 1])
        while e < end:
            total += flags[np.uint64(indices[e])]
            e += np.uint64(1)
        if do_pos:
            p = table_pos[total & low]
            probability_pos[i] = p
            heard_pos[i] = u_pos[i] < p
        if do_neg:
            heard_neg[i] = u_neg[i] < table_neg[total >> shift]
        hp, hn = heard_pos[i], heard_neg[i]
        n_pos += hp
        n_neg += hn
        if (hp or hn) and served[i]:
            delta = effect * (np.float32(hp) - np.float32(hn))
            satisfaction[i] = clip(satisfaction[i] + delta, zero, one)
    return n_pos, n_neg
