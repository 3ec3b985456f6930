"""Lever moves made in the browser and not yet applied to the running firms."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["LeverMoves"]


class LeverMoves:
    """Lever moves not yet applied, in the order made (firm, lever, value).

    While playing, a move is left here for the play thread, which applies it before its next
    month: applied at once, under the lock the play thread holds while it draws a month's charts,
    a move kept the thread that reads clicks waiting for that drawing (0.4-1 s), and a Pause
    right after the move waited behind it (measured: 0.9-1.4 s, against 0.1-0.2 s without a move).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._moves: list[tuple[str, str, Any]] = []

    def add(self, firm: str, name: str, value: Any) -> None:
        with self._lock:
            self._moves.append((firm, name, value))

    def pending(self, firm: str) -> dict[str, Any]:
        """The last value of each lever moved for ``firm`` and not yet applied."""
        with self._lock:
            return {name: value for f, name, value in self._moves if f == firm}

    def take(self) -> list[tuple[str, str, Any]]:
        """The moves made so far, in order; none are left."""
        with self._lock:
            moves, self._moves = self._moves, []
        return moves
