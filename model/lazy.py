"""Names a package loads on first use (PEP 562), so that importing the package stays light."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for names loaded from their modules on use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    where : mapping of str to str
        Each lazily loaded name and the module that defines it.

    Examples
    --------
    In a package's ``__init__.py``: ``__getattr__, __dir__ = lazy_names(__name__, {"f": "pkg.mod"})``.
    """

    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(importlib.import_module(where[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        """The package's names, the lazily loaded ones included (``dir()``, tab completion)."""
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
