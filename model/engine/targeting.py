"""Segments that retention, win-back and empowerment money can be aimed at.

The firm chooses them once a month, at its start (:func:`monthly_targets`), from what it knows
then; every phase of the month reads the same choice.
"""

from __future__ import annotations

import numpy as np

from model.engine.state import ClientState, Stage
from model.scenario import Scenario

__all__ = ["LEVERS", "monthly_targets", "segment_mask"]

#: The levers whose money can be aimed at a segment (``targeting.<lever>``).
LEVERS: tuple[str, ...] = ("loyalty", "empowerment", "winback")


def segment_mask(clients: ClientState, among: np.ndarray, target: str, share: float) -> np.ndarray:
    """Which clients of ``among`` a lever's money reaches.

    Parameters
    ----------
    clients : ClientState
    among : ndarray of bool
        The clients the lever could reach at all (e.g. those served this month).
    target : {"all", "top_value", "high_fit", "long_tenure", "at_risk"}
        ``top_value``: the top ``share`` of ``among`` by base spend; ``high_fit``: by fit;
        ``long_tenure``: by tenure (months lapsed for lapsed clients is not used); ``at_risk``:
        the ``share`` with the lowest satisfaction as surveys measure it (recovery bonus
        included, as in the NPS and satisfaction metrics).
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
    rows = np.flatnonzero(among)
    if rows.size == 0:
        return among
    if target == "at_risk":  # lowest satisfaction first: the top of its negative
        key = -(np.asarray(clients.satisfaction)[rows] + np.asarray(clients.paradox_bonus)[rows])
    else:
        by = {"top_value": clients.spend, "high_fit": clients.fit, "long_tenure": clients.tenure}
        key = np.asarray(by[target])[rows]
    # The epsilon keeps float error from adding one (0.7 × 10 = 7.000000000000001).
    k = max(int(np.ceil(share * rows.size - 1e-9)), 1)
    top = rows[np.argpartition(key, rows.size - k)[rows.size - k :]]
    mask = np.zeros(among.shape, dtype=bool)
    mask[top] = True
    return mask


def monthly_targets(
    clients: ClientState, served: np.ndarray, p: Scenario, within: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Each lever's segment this month: masks over all clients, keyed by :data:`LEVERS`.

    Loyalty and empowerment money reach clients being served; win-back money reaches clients who
    lapsed less than ``win_back.target_months`` ago (``within``, when the caller has it already).
    """
    t = p.targeting
    if within is None:
        within = (clients.stage == Stage.LAPSED) & (
            clients.months_lapsed < p.win_back.target_months
        )
    return {
        "loyalty": segment_mask(clients, served, t.loyalty, t.share),
        "empowerment": segment_mask(clients, served, t.empowerment, t.share),
        "winback": segment_mask(clients, within, t.winback, t.share),
    }
