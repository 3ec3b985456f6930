"""Mesa agents: staff members, and a light view of a client whose attributes are its array row.

There are few staff, so each is a registered ``mesa.Agent``; its attributes read and write the
model's staff arrays, so the array core and the agents never disagree. Clients are not registered
agents (a million Python objects would cost gigabytes); :class:`ClientView` gives one client the
look of an agent on demand.
"""

from __future__ import annotations

import math
import numbers

import mesa
import numpy as np

from model.engine.state import CLIENT_ARRAYS, CODES, STAFF_ARRAYS, ArraySpec, Stage, stage_of

__all__ = ["ClientView", "StaffAgent", "checked_value"]


def _row_property(spec: ArraySpec) -> property:
    name = spec.name

    def get(self):
        return self._arrays()[name][self.row].item()

    def set_(self, value) -> None:
        array = self._arrays()[name]
        if not array.flags.writeable:
            raise AttributeError(
                f"{name}: a trait fixed when the market is drawn (read-only); it cannot be set"
            )
        array[self.row] = checked_value(spec, value)

    return property(get, set_, doc=f"{spec.doc} ({spec.unit})")


def checked_value(spec: ArraySpec, value: object) -> object:
    """``value`` as one element of ``spec``'s array may hold, or a ValueError that names the
    array, the value and what is allowed: a flag True or False; a code one of its enumeration's
    (the stage by name too: ``"lapsed"``); a count or row a whole number the dtype holds; a
    share (unit ``0-1``) a number from 0 to 1; any other number finite."""
    name, kind = spec.name, np.dtype(spec.dtype)
    if name == "stage":
        return int(stage_of(value))
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if kind == np.bool_:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        allowed = "True or False"
    elif name in CODES:
        enum = CODES[name]
        if whole and any(value == member for member in enum):
            return int(value)
        allowed = ", ".join(f"{m.value} ({m.name.lower()})" for m in enum)
    elif kind.kind in "iu":
        info = np.iinfo(kind)
        if whole and info.min <= value <= info.max:
            return int(value)
        allowed = f"a whole number, {info.min} ≤ x ≤ {info.max} ({spec.unit})"
    else:
        share = spec.unit == "0-1"
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if real and math.isfinite(value) and (not share or 0.0 <= value <= 1.0):
            return float(value)
        allowed = "0 ≤ x ≤ 1" if share else f"a finite number ({spec.unit})"
    raise ValueError(f"{name}: value {value!r:.60} is not allowed; allowed: {allowed}")


class StaffAgent(mesa.Agent):
    """A staff member: engagement, skill and this month's empowerment budget (array-backed)."""

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row

    def _arrays(self) -> dict:
        return self.model.staff_state.__dict__


for _spec in STAFF_ARRAYS:
    setattr(StaffAgent, _spec.name, _row_property(_spec))


class ClientView:
    """One client seen as an agent: ``view.satisfaction`` reads (and sets) its row.

    Not registered with the model; create with :meth:`RetentionModel.client`.
    """

    def __init__(self, model: mesa.Model, row: int) -> None:
        self.model = model
        self.row = row
        self.unique_id = row

    def _arrays(self) -> dict:
        return self.model.clients.__dict__

    @property
    def stage_name(self) -> str:
        """The stage as a word."""
        return Stage(self.stage).name

    def __repr__(self) -> str:
        return f"ClientView(row={self.row}, stage={self.stage_name}, satisfaction={self.satisfaction:.2f})"


for _spec in CLIENT_ARRAYS:
    setattr(ClientView, _spec.name, _row_property(_spec))
