"""The installed package's version (``retention --version``; recorded in every summary and report)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("retention-lab")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"
