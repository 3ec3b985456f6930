"""Compiled passes of the word-of-mouth phase (:mod:`model.engine.phases.word_of_mouth`)."""

from __future__ import annotations

import numpy as np
from numba import njit

from model.engine.kernels.memory import prefetch
from model.engine.kernels.scalar import clip

__all__ = ["speak_and_hear"]

#: Speakers ahead whose edges are asked for while this one's are walked (measured best of
#: 4-32 at 10⁶ clients; any distance gives the same numbers).
_AHEAD = 16


@njit(cache=True, nogil=True)
def speak_and_hear(
    indptr: np.ndarray,
    indices: np.ndarray,
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
    table_pos: np.ndarray,
    table_neg: np.ndarray,
    u_pos: np.ndarray,
    u_neg: np.ndarray,
    do_pos: bool,
    do_neg: bool,
    effect: np.float32,
    flags: np.ndarray,
    counts: np.ndarray,
    speakers: np.ndarray,
    promoters: np.ndarray,
    probability_pos: np.ndarray,
    heard_pos: np.ndarray,
    heard_neg: np.ndarray,
) -> tuple[int, int, int, int]:  # pragma: no cover - compiled
    """Who speaks this month, then who hears a positive and a negative message.

    Speakers: promoters (served, behavioural satisfaction ≥ ``promoter_s``) and detractors
    (served below ``detractor_s``, or lapsed for bad service within ``warning_months``),
    satisfaction compared in float32 as numpy compares a float32 array with a Python float;
    writes ``promoters``. Each speaker adds its packed flag ``promoter + detractor · 2^shift``
    (``shift`` lies above the largest degree, so the two counts cannot mix; ``flags`` holds them)
    to the ``counts`` of its neighbours. ``flags`` and ``counts`` are work arrays of the
    packing's dtype, ``speakers`` an int32 one as long (the speakers' rows, listed first),
    all overwritten. The network is undirected (its CSR symmetric,
    as :func:`model.engine.network.build_network` makes it; a hand-built one-way network would
    count differently), so each client's count is what summing over its own neighbours'
    flags gives (:func:`model.engine.phases.word_of_mouth.reach_numpy`), but only the speakers'
    edges are walked: about a tenth of them in a typical market, never more than all.

    Hearing: each client's chance of hearing at least one
    message of a kind is read from its table by that count and compared with the client's
    uniform; writes ``probability_pos`` and the two ``heard`` flags (a kind not carried,
    ``do_* = False``, is left untouched); a served client who heard anything has its
    satisfaction moved by ``effect·(heard⁺ − heard⁻)``, clipped to [0, 1], in float32 (after
    everyone has spoken). Reference: :func:`model.engine.phases.word_of_mouth.step_numpy`.

    Returns
    -------
    tuple of int
        Promoters, detractors, and the clients who heard a positive and a negative message.
    """
    if speakers.size < satisfaction.size or flags.size < satisfaction.size:
        raise ValueError("speakers or flags is shorter than the market")
    zero, one = np.float32(0.0), np.float32(1.0)
    n_pro = 0
    n_det = 0
    m = 0  # speakers listed
    # Speakers first, in a loop of its own: free of branches, it vectorizes.
    for i in range(satisfaction.size):
        s = satisfaction[i]
        if paradox_acts:
            s = clip(s + bonus[i], zero, one)
        # Bitwise & and | on the flags, not `and`/`or`: those branch, and on who is served or
        # lapsed no branch is predicted (20 µs against 25 at 3,000 clients, the same bytes).
        on = served[i]
        pro = on & (s >= promoter_s)
        det = (
            (stage[i] == lapsed_code)
            & (left_reason[i] == bad_service_code)
            & (months_lapsed[i] < warning_months)
        ) | (on & (s < detractor_s))
        promoters[i] = pro
        flags[i] = int(pro) + (int(det) << shift)
        n_pro += pro
        n_det += det
    # Listed apart, branch-free (attract.rows_where's way, on a nonzero flag: the next free slot
    # advances only for a speaker); in the loop above it would keep LLVM from vectorizing the
    # speakers' rules.
    for i in range(satisfaction.size):
        speakers[m] = i
        m += flags[i] != 0
    counts[:] = 0
    for j in range(m):
        if j + _AHEAD < m:
            prefetch(indices, indptr[speakers[j + _AHEAD]])
        i = speakers[j]
        flag = flags[i]
        # Unsigned indices: numba then skips the wraparound test on each edge.
        e, end = np.uint64(indptr[i]), np.uint64(indptr[i + 1])
        while e < end:
            counts[np.uint64(indices[e])] += flag
            e += np.uint64(1)
    low = (1 << shift) - 1
    n_pos = 0
    n_neg = 0
    for i in range(satisfaction.size):
        total = counts[i]
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
    return n_pro, n_det, n_pos, n_neg
