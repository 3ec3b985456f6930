"""The installed package's version (``retention --version``; recorded in every summary and report).

The version comes from git tags when the package is built (setuptools-scm, see ``pyproject.toml``):
``0.2.0`` at a release tag, ``0.3.0.devN+g<commit>`` between releases.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["__version__", "checkout_root"]

try:
    __version__ = version("retention-lab")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"


def checkout_root() -> Path | None:
    """The repository checkout the running package comes from, or ``None`` for an installed wheel.

    A checkout is the folder above ``model/`` when it holds ``pyproject.toml`` and git metadata
    (an editable install or a source tree); its git commit is recorded beside results, and
    repository-only outputs (the committed experiment reports) are written there.
    """
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / ".git").exists() else None
