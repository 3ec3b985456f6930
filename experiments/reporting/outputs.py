"""Where ``retention experiment`` writes its reports: where the user is, never inside the package."""

from __future__ import annotations

from pathlib import Path

from model.version import checkout_root

__all__ = ["COMMITTED", "USER_REPORTS", "reports_folder"]

#: The report folder, relative to the current folder, outside the repository checkout.
USER_REPORTS = Path("experiments-reports")
#: The size and seed of the committed reports (``experiments/reports/``): only a study of these
#: writes there by default.
COMMITTED = ("default", 1)


def reports_folder(out: Path | None = None, committed: bool = True) -> Path:
    """``out`` if given; else the committed ``experiments/reports/`` when the command runs inside
    the repository checkout the package comes from and the study is the committed one
    (``committed``: its size and seed are :data:`COMMITTED`), ``experiments-reports/`` at the
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
