"""Work arrays that a phase rewrites every month, kept per market instead of allocated anew.

A fresh array of a million values costs more to fault into memory (the system zeroes every new
page) than a compiled pass takes to fill it, so a phase whose intermediate arrays do not outlive
the month asks for them here: one per (market, name), the market's size, reused month after
month, freed with the market's client state. Only for arrays nothing keeps past the phase.
"""

from __future__ import annotations

import weakref

import numpy as np

__all__ = ["scratch"]

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
