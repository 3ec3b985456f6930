"""What a phase keeps per market: work arrays it rewrites every month, and values its scenario fixes.

A fresh array of a million values costs more to fault into memory (the system zeroes every new
page) than a compiled pass takes to fill it, so a phase whose intermediate arrays do not outlive
the month asks for them here: one per (market, name), the market's size, reused month after
month, freed with the market's client state. Only for arrays nothing keeps past the phase.

Scalars a phase forms from the scenario (float32 casts, products of parameters) cost more each
month in a small market than its compiled pass; :func:`formed` keeps them per market while the
scenario object is the same one (by identity: equality would take a −0.0 for a 0.0).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["formed", "scratch"]

#: client state -> name -> array; entries go with their client state.
_ARRAYS: weakref.WeakKeyDictionary[object, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()


def scratch(owner: object, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """``owner``'s work array ``name`` of ``shape`` and ``dtype`` (contents left from last use).

    Parameters
    ----------
    owner : object
        What the array belongs to (a market's :class:`~model.engine.state.ClientState`); weakly
        held, so the array is freed with it.
    name : str
        Which of the owner's arrays.
    shape : tuple of int
        Its shape; a new shape or dtype replaces the array.
    dtype : type
        Its dtype.
    """
    arrays = _ARRAYS.get(owner)
    if arrays is None:
        arrays = _ARRAYS[owner] = {}
    array = arrays.get(name)
    if array is None or array.shape != shape or array.dtype != dtype:
        array = arrays[name] = np.empty(shape, dtype)
    return array


#: client state -> name -> (the object the value was formed from, the value).
_FORMED: weakref.WeakKeyDictionary[object, dict[str, tuple[object, Any]]] = (
    weakref.WeakKeyDictionary()
)


def formed[T](owner: object, name: str, basis: object, form: Callable[[], T]) -> T:
    """``form()``, kept per (``owner``, ``name``) for as long as ``basis`` is the same object.

    Parameters
    ----------
    owner : object
        The market (its :class:`~model.engine.state.ClientState`); weakly held.
    name : str
        Which value.
    basis : object or tuple
        What the value is formed from (the scenario, or a tuple such as (scenario, network);
        immutable): another object (in any place of the tuple) forms it again.
    form : callable
        Forms the value from ``basis``.
    """
    values = _FORMED.get(owner)
    if values is None:
        values = _FORMED[owner] = {}
    found = values.get(name)
    if found is None or not _same(found[0], basis):
        found = values[name] = (basis, form())
    return found[1]


def _same(kept: object, basis: object) -> bool:
    """Whether ``basis`` is the object ``kept`` (each element, for tuples)."""
    if isinstance(basis, tuple):
        return (
            isinstance(kept, tuple)
            and len(kept) == len(basis)
            and all(a is b for a, b in zip(kept, basis, strict=True))
        )
    return kept is basis
