"""Segments that retention, win-back and empowerment money can be aimed at."""

from __future__ import annotations

import numpy as np

from model.state import ClientState

__all__ = ["segment_mask"]


def segment_mask(clients: ClientState, among: np.ndarray, target: str, share: float) -> np.ndarray:
    """Which clients of ``among`` a lever's money reaches.

    Parameters
    ----------
    clients : ClientState
    among : ndarray of bool
        The clients the lever could reach at all (e.g. those served this month).
    target : {"all", "top_value", "high_fit", "long_tenure"}
        ``top_value``: the top ``share`` of ``among`` by base spend; ``high_fit``: by fit;
        ``long_tenure``: by tenure (months lapsed for lapsed clients is not used).
    share : float
        Share of ``among`` targeted (e.g. 0.2 for the top 20%).

    Returns
    -------
    ndarray of bool
        A mask over all clients with exactly ``ceil(share · among.sum())`` clients set (at least
        one). Ties at the threshold are broken reproducibly by ``argpartition`` (rows carry no
        order), so the share holds even when many clients tie (tenure is an integer; with
        ``market.spend_sigma = 0`` every spend ties).
    """
    if target == "all":
        return among
    key = {"top_value": clients.spend, "high_fit": clients.fit, "long_tenure": clients.tenure}[
        target
    ]
    rows = np.flatnonzero(among)
    if rows.size == 0:
        return among
    # The epsilon keeps float error from adding one (0.7 × 10 = 7.000000000000001).
    k = max(int(np.ceil(share * rows.size - 1e-9)), 1)
    top = rows[np.argpartition(key[rows], rows.size - k)[rows.size - k :]]
    mask = np.zeros(among.shape, dtype=bool)
    mask[top] = True
    return mask
