"""Where ``retention experiment`` writes its reports: where the user is, never inside the package."""

from __future__ import annotations

from pathlib import Path

from model.version import checkout_root

__all__ = ["USER_REPORTS", "reports_folder"]

#: The report folder, relative to the current folder, outside the repository checkout.
USER_REPORTS = Path("experiments-reports")


def reports_folder(out: Path | None = None) -> Path:
    """``out`` if given; else the committed ``experiments/reports/`` when the command runs inside
    the repository checkout the package comes from; else ``./experiments-reports/``.

    An installed wheel has no checkout, so its reports always land under the current folder.
    """
    if out is not None:
        return Path(out)
    root = checkout_root()
    if root is not None and Path.cwd().resolve().is_relative_to(root):
        return root / "experiments" / "reports"
    return USER_REPORTS
