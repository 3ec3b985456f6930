"""What a long study tells whoever watches it: steps done, and what it is doing now.

A study that takes a while (calibration, sensitivity analysis) accepts a ``progress`` object with
three of tqdm's methods, so the command line hands it a tqdm bar
(:func:`model.interfaces.progress.bar`) while the study itself draws nothing and knows no terminal.
``None`` means nobody watches (:data:`SILENT`).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["SILENT", "Progress", "or_silent"]


class Progress(Protocol):
    """The part of :class:`tqdm.tqdm` a study uses."""

    def update(self, n: float = 1) -> object:
        """Count ``n`` more steps done."""

    def set_description_str(self, desc: str | None = None, refresh: bool = True) -> object:
        """Say what is being done now (e.g. ``"calibrate: fit 2 of 3"``)."""

    def reset(self, total: float | None = None) -> object:
        """Start counting again from 0, towards ``total`` steps (None: unknown)."""


class _Silent:
    """A :class:`Progress` that shows nothing."""

    def update(self, n: float = 1) -> None:
        return None

    def set_description_str(self, desc: str | None = None, refresh: bool = True) -> None:
        return None

    def reset(self, total: float | None = None) -> None:
        return None


#: The progress of a study nobody watches.
SILENT: Progress = _Silent()


def or_silent(progress: Progress | None) -> Progress:
    """``progress``, or :data:`SILENT` for None."""
    return SILENT if progress is None else progress
