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
        A mask over all clients; ties at the threshold are included.
    """
    if target == "all":
        return among
    key = {"top_value": clients.spend, "high_fit": clients.fit, "long_tenure": clients.tenure}[
        target
    ]
    values = key[among]
    if values.size == 0:
        return among
    k = max(int(np.ceil(share * values.size)), 1)
    threshold = np.partition(values, values.size - k)[values.size - k]
    return among & (key >= threshold)
