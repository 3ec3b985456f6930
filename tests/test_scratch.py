"""What a phase keeps per market (:mod:`model.engine.scratch`) goes with the market."""

from __future__ import annotations

import gc

import numpy as np

from model.engine import scratch as kept
from model.engine.state import ClientState


def test_work_arrays_and_formed_values_are_the_owners_and_go_with_it() -> None:
    a, b = ClientState(10), ClientState(10)
    x = kept.scratch(a, "x", (10,), np.float32)
    assert kept.scratch(a, "x", (10,), np.float32) is x  # reused month after month
    assert kept.scratch(b, "x", (10,), np.float32) is not x  # each market its own
    assert kept.scratch(a, "x", (11,), np.float32).shape == (11,)  # a new shape: a new array
    basis = object()
    calls: list[int] = []
    assert kept.formed(a, "v", basis, lambda: calls.append(1) or 5) == 5
    assert kept.formed(a, "v", basis, lambda: calls.append(1) or 6) == 5  # same basis: kept
    assert kept.formed(a, "v", object(), lambda: 7) == 7  # another object: formed again
    pair = (basis, a)
    assert kept.formed(a, "w", pair, lambda: 1) == 1
    assert kept.formed(a, "w", (basis, a), lambda: 2) == 1  # a tuple: each element by identity
    assert kept.formed(a, "w", (basis, b), lambda: 3) == 3
    assert len(calls) == 1
    ids = {id(a), id(b)}
    del a, b, x, pair
    gc.collect()
    assert not ids & (set(kept._ARRAYS) | set(kept._FORMED))  # freed with their markets


def test_a_new_market_never_sees_a_dead_ones_values() -> None:
    """Entries are keyed by the owner's id; they go as it is finalized, before the id is reused."""
    basis, seen, values, arrays = object(), [], [], []
    for _ in range(200):  # CPython often gives a freed object's id to the next one
        owner = ClientState(4)
        seen.append(id(owner))
        value = object()
        assert kept.formed(owner, "v", basis, lambda value=value: value) is value
        array = kept.scratch(owner, "x", (3,), np.int8)
        assert not any(array is old for old in arrays)
        values.append(value)
        arrays.append(array)
        del owner
    assert len(set(seen)) < len(seen)  # ids were reused, so the test tested something
