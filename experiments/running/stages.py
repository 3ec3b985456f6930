"""What a claim study says of its progress: each stage's name, and how many batches it ran."""

from __future__ import annotations

__all__ = ["STAGES", "batches_run", "counted"]

#: What each stage of a claim's runs is, by its batch files' prefix (the progress lines' labels).
STAGES = {
    "batch-w": "first look",
    "batch-x": "near an edge",
    "batch-y": "second look",
    "batch-z": "third look",
}

#: Batches this process has run (not read back from a store).
_RAN = [0]


def counted(batches: int) -> None:
    """Count ``batches`` more batches run in this process."""
    _RAN[0] += batches


def batches_run() -> int:
    """How many batches of runs this process has run so far (a store's batches read back are
    not counted): a command compares it before and after to say whether it ran anything."""
    return _RAN[0]
