"""What a phase keeps per market: work arrays it rewrites every month, and values its scenario fixes.

A fresh array of a million values costs more to fault into memory (the system zeroes every new
page) than a compiled pass takes to fill it, so a phase whose intermediate arrays do not outlive
the month asks for them here: one per (market, name), the market's size, reused month after
month, freed with the market's client state. Only for arrays nothing keeps past the phase.

Scalars a phase forms from the scenario (float32 casts, products of parameters) cost more each
month in a small market than its compiled pass; :func:`formed` keeps them per market while the
scenario object is the same one (by identity: equality would take a −0.0 for a 0.0). With the
basis ``None`` it keeps what the market alone decides, such as a phase's several work arrays in
one lookup (attract, win-back).
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["formed", "scratch"]

#: id(client state) -> name -> array. Keyed by id, not by a weak key (a weak dictionary costs a
#: new reference per lookup, about a microsecond, a dozen times a month): an entry is removed as
#: its owner is finalized (:func:`_entry`), before the id can be given to another object.
_ARRAYS: dict[int, dict[str, np.ndarray]] = {}


def _entry[V](table: dict[int, dict[str, V]], owner: object) -> dict[str, V]:
    """``owner``'s dictionary in ``table``, made (and set to go with ``owner``) on first use."""
    key = id(owner)
    entry = table.get(key)
    if entry is None:
        weakref.finalize(owner, table.pop, key, None)  # first: an owner without weak references
        entry = table[key] = {}  # raises here, leaving no entry behind
    return entry


def scratch(owner: object, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """``owner``'s work array ``name`` of ``shape`` and ``dtype`` (contents left from last use).

    Parameters
    ----------
    owner : object
        What the array belongs to (a market's :class:`~model.engine.state.ClientState`); not
        held, and the array is freed with it.
    name : str
        Which of the owner's arrays.
    shape : tuple of int
        Its shape; a new shape or dtype replaces the array.
    dtype : type
        Its dtype.
    """
    arrays = _ARRAYS.get(id(owner)) or _entry(_ARRAYS, owner)
    array = arrays.get(name)
    if array is None or array.shape != shape or array.dtype != dtype:
        array = arrays[name] = np.empty(shape, dtype)
    return array


#: id(client state) -> name -> (the object the value was formed from, the value); as _ARRAYS.
_FORMED: dict[int, dict[str, tuple[object, Any]]] = {}


def formed[T](owner: object, name: str, basis: object, form: Callable[[], T]) -> T:
    """``form()``, kept per (``owner``, ``name``) for as long as ``basis`` is the same object.

    Parameters
    ----------
    owner : object
        The market (its :class:`~model.engine.state.ClientState`); not held (the value is freed
        with it).
    name : str
        Which value.
    basis : object or tuple
        What the value is formed from (the scenario, or a tuple such as (scenario, network);
        immutable): another object (in any place of the tuple) forms it again.
    form : callable
        Forms the value from ``basis``.
    """
    values = _FORMED.get(id(owner)) or _entry(_FORMED, owner)
    found = values.get(name)
    if found is None or not _same(found[0], basis):
        found = values[name] = (basis, form())
    return found[1]


def _same(kept: object, basis: object) -> bool:
    """Whether ``basis`` is the object ``kept`` (each element, for tuples)."""
    if kept is basis:
        return True
    if isinstance(basis, tuple):  # element by element (map: no generator frame per call)
        return (
            isinstance(kept, tuple)
            and len(kept) == len(basis)
            and all(map(operator.is_, kept, basis))
        )
    return False
