"""What a phase keeps per market (:mod:`model.engine.scratch`) goes with the market and never
reaches another (its reuse and freeing: ``tests/test_kernels_account_metrics.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from model.engine import scratch as kept
from model.engine.state import ClientState


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


def test_an_owner_without_weak_references_is_refused_every_time() -> None:
    class Slotted:
        __slots__ = ()

    owner = Slotted()
    for _ in range(2):  # the first refusal leaves no entry that a second call would find
        with pytest.raises(TypeError):
            kept.scratch(owner, "x", (3,), np.int8)
    assert id(owner) not in kept._ARRAYS
