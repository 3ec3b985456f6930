"""Mesa agents: staff members, and a light view of a client whose attributes are its array row.

There are few staff, so each is a registered ``mesa.Agent``; its attributes read and write the
model's staff arrays, so the array core and the agents never disagree. Clients are not registered
agents (a million Python objects would cost gigabytes); :class:`ClientView` gives one client the
look of an agent on demand.
"""

from __future__ import annotations

import mesa

from model.engine.state import CLIENT_ARRAYS, STAFF_ARRAYS, Stage

__all__ = ["ClientView", "StaffAgent"]


def _row_property(name: str, doc: str) -> property:
    def get(self):
        return self._arrays()[name][self.row].item()

    def set_(self, value) -> None:
        array = self._arrays()[name]
        if not array.flags.writeable:
            raise AttributeError(
                f"{name}: a trait fixed when the market is drawn (read-only); it cannot be set"
            )
        array[self.row] = value

    return property(get, set_, doc=doc)


class StaffAgent(mesa.Agent):
    """A staff member: engagement, skill and this month's empowerment budget (array-backed)."""

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row

    def _arrays(self) -> dict:
        return self.model.staff_state.__dict__


for _spec in STAFF_ARRAYS:
    setattr(StaffAgent, _spec.name, _row_property(_spec.name, f"{_spec.doc} ({_spec.unit})"))


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
    setattr(ClientView, _spec.name, _row_property(_spec.name, f"{_spec.doc} ({_spec.unit})"))
