"""Mesa agents: staff members, and a light view of a client whose attributes are its array row.

There are few staff, so each is a registered ``mesa.Agent``; its attributes read and write the
model's staff arrays, so the array core and the agents never disagree. Clients are not registered
agents (a million Python objects would cost gigabytes); :class:`ClientView` gives one client the
look of an agent on demand.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from model.engine.state import CLIENT_ARRAYS, CODES, STAFF_ARRAYS, ArraySpec, Stage, stage_of
from model.scenario.arguments import is_number

__all__ = ["ClientView", "StaffAgent", "settable_value"]


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
        array[self.row] = settable_value(spec, value, self._rows(name))

    return property(get, set_, doc=f"{spec.doc} ({spec.unit})")


def settable_value(spec: ArraySpec, value: object, rows: tuple[int, int] | None = None) -> object:
    """``value`` as one element of ``spec``'s array may hold, or a ValueError that names the
    array, the value and what is allowed: a flag True or False (or 1, 0); a code one of its
    enumeration's (the stage by name too: ``"lapsed"``); a count or row a whole number the dtype
    holds (a row within ``rows``, lowest and highest, when given); a share (unit ``0-1``) a
    number from 0 to 1; any other number finite in the array's precision (1e39 is no float32)."""
    name, kind = spec.name, np.dtype(spec.dtype)
    if isinstance(value, np.ndarray) and value.ndim == 0:  # (a 0-d array: its one value)
        value = value.item()
    if name == "stage":
        return int(stage_of(value))
    real = is_number(value)
    whole = real and math.isfinite(value) and float(value).is_integer()
    if kind == np.bool_:
        if isinstance(value, bool | np.bool_) or (whole and value in (0, 1)):
            return bool(value)
        allowed = "True or False"
    elif name in CODES:
        enum = CODES[name]
        if whole and any(value == member for member in enum):
            return int(value)
        allowed = ", ".join(f"{m.value} ({m.name.lower()})" for m in enum)
    elif kind.kind in "iu":
        info = np.iinfo(kind)
        low, high = rows if rows is not None else (info.min, info.max)
        if whole and low <= value <= high:
            return int(value)
        allowed = f"a whole number, {low} ≤ x ≤ {high} ({spec.unit})"
    else:
        share = spec.unit == "0-1"
        with np.errstate(over="ignore"):  # (a value past the array's range reads as inf)
            held = float(kind.type(value)) if real else math.nan
        if math.isfinite(held) and (not share or 0.0 <= value <= 1.0):
            return float(value)
        top = float(np.finfo(kind).max)
        allowed = "0 ≤ x ≤ 1" if share else f"a finite number, |x| ≤ {top:.3g} ({spec.unit})"
    raise ValueError(f"{name}: value {value!r:.60} is not allowed; allowed: {allowed}")


class StaffAgent(mesa.Agent):
    """A staff member: engagement, skill and this month's empowerment budget (array-backed)."""

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row

    def _arrays(self) -> dict:
        return self.model.staff_state.__dict__

    def _rows(self, name: str) -> tuple[int, int] | None:
        return None  # (no staff array holds a row of another)


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

    def _rows(self, name: str) -> tuple[int, int] | None:
        """The rows an array of rows may point at: its staff member's, or its referrer's (-1:
        none); the compiled passes index with them."""
        if name == "staff":
            return 0, self.model.staff_state.n - 1
        if name == "referrer":
            return -1, self.model.clients.n - 1
        return None

    @property
    def stage_name(self) -> str:
        """The stage as a word."""
        return Stage(self.stage).name

    def __repr__(self) -> str:
        return f"ClientView(row={self.row}, stage={self.stage_name}, satisfaction={self.satisfaction:.2f})"


for _spec in CLIENT_ARRAYS:
    setattr(ClientView, _spec.name, _row_property(_spec))
