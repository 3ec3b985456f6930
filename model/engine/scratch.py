"""What a phase keeps per market: work arrays it rewrites every month, and values its scenario fixes.

A fresh array of a million values costs more to fault into memory (the system zeroes every new
page) than a compiled pass takes to fill it, so a phase whose intermediate arrays do not outlive
the month asks for them here: one per (market, name), the market's size, reused month after
month, freed with the market's client state. Only for arrays nothing keeps past the phase.

Scalars a phase forms from the scenario (float32 casts, products of parameters) cost more each
month in a small market than its compiled pass; :func:`formed` keeps them per market while the
scenario object is the same one (by identity: equality would take a −0.0 for a 0.0). So too a
per-client value formed from the scenario and a trait the market fixes (the attract phase's fit
term, from ``clients.fit``, which a model keeps read-only), kept while both are the same objects.

The month's draws and the phases' work arrays that live only within a phase are rows of one block
(:class:`WorkRows`, held by the month's context) that every phase reuses: as many rows as the
phase that takes most, rather than an array per decision and per work array.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["WorkRows", "formed", "scratch"]

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
        What the value is formed from (the scenario, or a tuple such as (scenario, network) or
        (scenario, a read-only array); not changed in place): another object (in any place of
        the tuple) forms it again.
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


class WorkRows:
    """Market-long 4-byte rows that a month's phases take in turn, reused phase after phase.

    One (rows, clients) float32 block. A phase takes rows (:meth:`take`); the next phase
    (:meth:`reset`) takes them again. The block grows — a new one, for this phase's later rows
    and the next phases (rows already handed out keep the old one alive while they are used) —
    only while a phase takes more rows than any before it: in a run's first month. Views are
    made once per (row, shape, type) and kept: a phase's request is an index and a lookup.

    Parameters
    ----------
    n : int
        The rows' length (the market's clients).
    """

    def __init__(self, n: int) -> None:
        self.n = int(n)
        self.taken = 0
        self._grow(0)

    def __getstate__(self) -> dict:
        """Copied and pickled empty (a copied block and its copied views would no longer share
        memory); the copy's next phase makes a block of its own."""
        return {"n": self.n}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["n"])

    def _grow(self, rows: int) -> None:
        """A new block of ``rows`` rows, and its row views."""
        # The old block let go first (rows a phase holds keep it alive through their base): else
        # both blocks would be held at once while the new one is made.
        self.block = self.rows = self.read = self._views = None  # type: ignore[assignment]
        self.block = np.empty((rows, self.n), np.float32)
        self.rows = list(self.block)  # each row, writable
        read = self.block.view()
        read.flags.writeable = False
        self.read = list(read)  # each row, read-only
        self._views: dict[tuple, np.ndarray] = {}

    def reset(self) -> None:
        """A new phase: every row may be taken again."""
        self.taken = 0

    def take(self, rows: int) -> int:
        """The first of the next ``rows`` rows not yet taken in this phase."""
        k = self.taken
        if k + rows > len(self.rows):
            self._grow(k + rows)
        self.taken = k + rows
        return k

    def float32(self, rows: int = 0, dtype: type = np.float32) -> np.ndarray:
        """A writable array of the next row (``rows`` = 0) or the next ``rows`` rows, viewed as
        the 4-byte ``dtype``."""
        k = self.take(max(rows, 1))
        if not rows and dtype is np.float32:
            return self.rows[k]
        key = (k, rows, dtype)
        view = self._views.get(key)
        if view is None:
            block = self.block[k : k + rows] if rows else self.block[k]
            view = self._views[key] = block.view(dtype)
        return view

    def float64(self, rows: int = 0) -> np.ndarray:
        """A writable float64 array of the market's length (``rows`` = 0) or ``(rows, n)``:
        each row two of the block's, at a byte offset that keeps float64 aligned."""
        skip = (self.taken * self.n) % 2  # an odd offset in 4-byte units: skip a row
        pairs = 2 * max(rows, 1)
        k = self.take(skip + pairs) + skip
        key = (k, rows, np.float64)
        view = self._views.get(key)
        if view is None:
            flat = self.block[k : k + pairs].reshape(-1).view(np.float64)
            view = self._views[key] = flat.reshape(rows, self.n) if rows else flat
        return view
