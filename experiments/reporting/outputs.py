"""Where ``retention experiment`` writes its reports: where the user is, never inside the package."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from model.version import checkout_root

__all__ = ["COMMITTED", "USER_REPORTS", "is_committed", "reports_folder"]

#: The report folder, relative to the current folder, outside the repository checkout.
USER_REPORTS = Path("experiments-reports")
#: The size and seed of the committed reports (``experiments/reports/``): only a study of these
#: writes there by default.
COMMITTED = ("default", 1)


def is_committed(size_name: str, seed: int, size: Any = None) -> bool:
    """Whether a study is the committed one: the size named :data:`COMMITTED`'s, as declared
    (``size``, a :class:`~experiments.running.sizes.Size`: no other target or replications; its
    pins and scale check aside, which a control study sets), at its seed. ``size`` None: the
    named size as declared."""
    from experiments.running.sizes import SIZES

    if (size_name, seed) != COMMITTED:
        return False
    own = SIZES[size_name]
    return (
        size is None
        or replace(size, pins=(), scale_clients=own.scale_clients, scale_worlds=own.scale_worlds)
        == own
    )


def reports_folder(out: Path | None = None, committed: bool = True) -> Path:
    """``out`` if given; else the committed ``experiments/reports/`` when the command runs inside
    the repository checkout the package comes from and the study is the committed one
    (``committed``: :func:`is_committed`), ``experiments-reports/`` at the
    checkout's root (ignored by git) for any other study run there; else
    ``./experiments-reports/``.

    A quick study run in the checkout replaced the committed default-size reports, which the
    experiments README, unchanged, still described. An installed wheel has no checkout, so its
    reports always land under the current folder.
    """
    if out is not None:
        return Path(out)
    root = checkout_root()
    if root is not None and Path.cwd().resolve().is_relative_to(root):
        return root / "experiments" / "reports" if committed else root / USER_REPORTS
    return USER_REPORTS
