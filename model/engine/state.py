"""The state of a run: every array declared once, allocated to the market's size, written in place.

A client's row is its permanent id. Prospects are rows too, so acquisition and churn change a code
in ``stage`` and never reallocate (LASER's "preallocate to capacity, deactivate instead of delete").
Scratch arrays hold one month's requests and are overwritten each month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CLIENT_ARRAYS",
    "CODES",
    "STAFF_ARRAYS",
    "ClientState",
    "FirmState",
    "Reason",
    "Source",
    "StaffState",
    "Stage",
    "client_rows",
    "decode",
    "stage_of",
]


class Stage(IntEnum):
    """Where a client stands; stored as int8 codes."""

    PROSPECT = 0
    ACTIVE = 1
    LOYAL = 2  # a label on an active client: long tenure and high satisfaction
    LAPSED = 3


class Reason(IntEnum):
    """Why a lapsed client left."""

    NONE = 0
    BAD_SERVICE = 1
    COMPETITOR = 2
    GONE_FOR_GOOD = 3  # taken by a permanent poaching raid: never returns


class Source(IntEnum):
    """How a prospect became aware, and so where an acquisition is credited."""

    NONE = 0
    AD = 1
    REFERRAL = 2


@dataclass(frozen=True)
class ArraySpec:
    """One declared array: name, dtype, initial value, unit and meaning."""

    name: str
    dtype: Any
    init: float
    unit: str
    doc: str


#: Per-client arrays (persistent state first, then one month's scratch).
CLIENT_ARRAYS: tuple[ArraySpec, ...] = (
    ArraySpec("stage", np.int8, Stage.PROSPECT, "code", "Stage"),
    ArraySpec("aware", np.bool_, False, "flag", "prospect knows the firm"),
    ArraySpec("aware_source", np.int8, Source.NONE, "code", "Source of awareness"),
    ArraySpec("referrer", np.int32, -1, "row", "client credited with the referral, -1 if none"),
    ArraySpec("fit", np.float32, 0.0, "0-1", "how well the offer suits this client"),
    ArraySpec("spend", np.float32, 0.0, "currency/month", "base spend"),
    ArraySpec("propensity", np.float32, 0.0, "1/month", "own base churn hazard (heterogeneity)"),
    ArraySpec("staff", np.int32, 0, "row", "staff member serving this client"),
    ArraySpec("tenure", np.int16, 0, "months", "months as a client in this relationship"),
    ArraySpec("months_lapsed", np.int16, 0, "months", "months since leaving"),
    ArraySpec("left_reason", np.int8, Reason.NONE, "code", "Reason"),
    ArraySpec("satisfaction", np.float32, 0.0, "0-1", "behavioural satisfaction S"),
    ArraySpec("expectation", np.float32, 0.0, "0-1", "expectation E"),
    ArraySpec("paradox_bonus", np.float32, 0.0, "satisfaction", "recovery-paradox bonus (decays)"),
    ArraySpec("value", np.float64, 0.0, "currency", "cumulative attributed profit"),
    ArraySpec("revenue_total", np.float64, 0.0, "currency", "cumulative revenue"),
    ArraySpec("acquired_month", np.int16, -1, "month", "month first acquired, -1 if never"),
    # -- one month's scratch: requests and the month's experience
    ArraySpec("experience", np.float32, 0.0, "quality", "this month's experience"),
    ArraySpec(
        "incident", np.int8, 0, "code", "0 none, 1 fixed on spot, 2 escalated+fixed, 3 unfixed"
    ),
    ArraySpec(
        "direct_cost",
        np.float64,
        0.0,
        "currency",
        "fixes and win-back spent on the client this month",
    ),
    ArraySpec("heard_positive", np.bool_, False, "flag", "reached by positive WOM this month"),
    ArraySpec("heard_negative", np.bool_, False, "flag", "reached by negative WOM this month"),
    ArraySpec("leaves", np.bool_, False, "flag", "requested churn this month"),
    ArraySpec("joins", np.bool_, False, "flag", "requested acquisition this month"),
    ArraySpec("returns", np.bool_, False, "flag", "requested return this month"),
)

#: Per-staff arrays; staff are also Mesa agents whose attributes read these rows.
STAFF_ARRAYS: tuple[ArraySpec, ...] = (
    ArraySpec("engagement", np.float32, 0.5, "0-1", "engagement"),
    ArraySpec("skill", np.float32, 0.5, "0-1", "skill"),
    ArraySpec("budget_left", np.float64, 0.0, "currency", "empowerment money left this month"),
    ArraySpec("budget_used", np.float64, 0.0, "currency", "empowerment money used this month"),
    ArraySpec("clients", np.int32, 0, "clients", "active clients assigned this month"),
    ArraySpec("quits", np.bool_, False, "flag", "left and was replaced this month"),
)


#: The arrays that hold codes, and the enumeration that names them.
CODES: dict[str, type[IntEnum]] = {"stage": Stage, "left_reason": Reason, "aware_source": Source}


def decode(codes: np.ndarray, enum: type[IntEnum]) -> pd.Categorical:
    """Integer codes as a categorical of the enumeration's lower-case names (every name a level)."""
    names = [member.name.lower() for member in enum]
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=names)


def stage_of(value: object) -> Stage:
    """``value`` — a :class:`Stage`, its code or its name as ``clients_frame`` shows it
    (``"active"``; any case) — as a Stage, or a ValueError naming the value and the stages.
    Loyal clients carry their own stage (``"loyal"``), not ``"active"``'s."""
    found = None
    if isinstance(value, str):
        found = Stage.__members__.get(value.strip().upper())
    elif isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        found = next((s for s in Stage if s == value), None)  # (a Stage is an int too)
    if found is None:
        names = ", ".join(repr(m.name.lower()) for m in Stage)
        raise ValueError(
            f"stage: value {value!r:.60} is not allowed; allowed: {names} (or a Stage, or its "
            f"code 0–{len(Stage) - 1})"
        )
    return found


def client_rows(name: str, rows: object, n: int) -> np.ndarray:
    """``rows`` (a row, an array of rows or a boolean mask over the market) as int64 client
    rows, each 0 ≤ row < ``n``, or an IndexError naming the first that is not (a negative row
    would count from the end; a mask cast to rows would read rows 0 and 1)."""
    given = np.asarray(rows)
    if given.size == 0:  # (an empty list reads as float64)
        return np.empty(0, np.int64)
    if given.ndim == 0 and given.dtype != bool:
        given = given.reshape(1)  # (one row: a frame of that client)
    elif given.ndim > 1:
        raise IndexError(
            f"{name}: an array of shape {given.shape} is not allowed; allowed: a row, 1-d row "
            f"numbers, or a boolean mask of length {n}"
        )
    if given.dtype == bool:  # a mask over the market
        if given.shape != (n,):
            raise IndexError(
                f"{name}: a boolean mask of shape {given.shape} is not allowed; allowed: a mask "
                f"of the market's length ({n},), or row numbers"
            )
        return np.flatnonzero(given)
    if given.dtype.kind not in "iu":
        raise IndexError(
            f"{name}: value {rows!r:.60} is not allowed; allowed: whole-number rows, or a "
            f"boolean mask of length {n}"
        )
    outside = given[(given < 0) | (given >= n)]
    if outside.size:
        raise IndexError(
            f"{name}: value {outside.flat[0]} is not allowed; allowed: a client row, 0 ≤ row < {n}"
        )
    return given.astype(np.int64)


class _Arrays:
    """Allocate declared arrays once; attribute access returns the arrays themselves.

    ``generation`` is an object that changes whenever a declared array is replaced by another
    (not when one is written in place): what is formed from the arrays is kept until then.
    """

    specs: tuple[ArraySpec, ...] = ()
    row_name = "row"

    def __init__(self, n: int) -> None:
        self.n = int(n)
        for spec in self.specs:
            setattr(self, spec.name, np.full(self.n, spec.init, dtype=spec.dtype))

    _declared: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._declared = frozenset(spec.name for spec in cls.specs)

    def __setattr__(self, name: str, value: object) -> None:
        # A declared array put in another's place: a new ``generation``, so that what was formed
        # from the old arrays (model.engine.scratch.formed, keyed on it) is formed again.
        object.__setattr__(self, name, value)
        if name in self._declared:
            object.__setattr__(self, "generation", object())

    def nbytes(self) -> int:
        """Bytes held by the declared arrays."""
        return sum(getattr(self, s.name).nbytes for s in self.specs)

    def copy(self):  # type: ignore[no-untyped-def]
        """An independent copy: the same size and values, arrays of its own."""
        out = object.__new__(type(self))
        out.__dict__.update(self.__dict__)
        for spec in self.specs:
            setattr(out, spec.name, getattr(self, spec.name).copy())
        return out

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of every array (for tests and checkpoints)."""
        return {s.name: getattr(self, s.name).copy() for s in self.specs}

    def frame(
        self, rows: np.ndarray | None = None, names: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The arrays as a table: one row per member (all, or ``rows``), one column per array.

        Coded arrays (stage, left_reason, aware_source) become categoricals with their names.
        The index is the row id (``client`` or ``staff``).
        """
        rows = np.arange(self.n) if rows is None else np.asarray(rows, dtype=np.int64)
        names = [s.name for s in self.specs] if names is None else list(names)
        columns = {}
        for name in names:
            values = getattr(self, name)[rows]
            codes = CODES.get(name)
            columns[name] = decode(values, codes) if codes is not None else values
        return pd.DataFrame(columns, index=pd.Index(rows, name=self.row_name))


class ClientState(_Arrays):
    """Every client's arrays (see :data:`CLIENT_ARRAYS`)."""

    specs = CLIENT_ARRAYS
    row_name = "client"
    stage: np.ndarray
    aware: np.ndarray
    aware_source: np.ndarray
    referrer: np.ndarray
    fit: np.ndarray
    spend: np.ndarray
    propensity: np.ndarray
    staff: np.ndarray
    tenure: np.ndarray
    months_lapsed: np.ndarray
    left_reason: np.ndarray
    satisfaction: np.ndarray
    expectation: np.ndarray
    paradox_bonus: np.ndarray
    value: np.ndarray
    revenue_total: np.ndarray
    acquired_month: np.ndarray
    experience: np.ndarray
    incident: np.ndarray
    direct_cost: np.ndarray
    heard_positive: np.ndarray
    heard_negative: np.ndarray
    leaves: np.ndarray
    joins: np.ndarray
    returns: np.ndarray

    def active_mask(self) -> np.ndarray:
        """Clients being served (ACTIVE or LOYAL)."""
        return (self.stage == Stage.ACTIVE) | (self.stage == Stage.LOYAL)

    def clear_scratch(self) -> None:
        """Reset one month's requests (in place)."""
        for name in ("incident", "direct_cost", "heard_positive", "heard_negative"):
            getattr(self, name)[:] = 0
        for name in ("leaves", "joins", "returns"):
            getattr(self, name)[:] = False


class StaffState(_Arrays):
    """Every staff member's arrays (see :data:`STAFF_ARRAYS`).

    Rows are allocated for the most staff the scenario could ever employ; the first ``employed``
    rows are the current staff (hiring extends the prefix, lay-offs shorten it).
    """

    specs = STAFF_ARRAYS
    row_name = "staff"
    employed: int = 0
    engagement: np.ndarray
    skill: np.ndarray
    budget_left: np.ndarray
    budget_used: np.ndarray
    clients: np.ndarray
    quits: np.ndarray


@dataclass
class FirmState:
    """Firm-level state: product quality, the competitors' frontier, innovation counts."""

    quality: float
    frontier: float
    novelty_dip: float = 0.0
    shipped_good: int = 0
    shipped_bad: int = 0
    shelved_good: int = 0
    shelved_bad: int = 0
    npv: float = 0.0
    ledger: dict[str, float] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Quality gap Qm - Qf (positive: competitors ahead)."""
        return self.frontier - self.quality
