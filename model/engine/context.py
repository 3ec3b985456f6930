"""What every phase receives: the run's state in one place, and this month's levers and tallies.

A phase is ``step(ctx: Context) -> None``. It reads the state as it stood when the phase began,
writes its own outputs (requests in the clients' scratch arrays, money in ``ctx.ledger``, counts in
``ctx.tally``) and never changes a stage: :mod:`model.engine.phases.resolve` does that, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from model.engine.kernels.month import open_month
from model.engine.ledger import LEDGER_LINES, SPEND_LINES
from model.engine.network import Network
from model.engine.randomness import Streams
from model.engine.schedule import frontier_leap
from model.engine.scratch import WorkRows
from model.engine.state import ClientState, FirmState, StaffState, Stage
from model.engine.targeting import monthly_targets
from model.scenario import Levers, Scenario

# (LEDGER_LINES and SPEND_LINES: declared in model.engine.ledger, with how each line is charged.)
__all__ = ["LEDGER_LINES", "SPEND_LINES", "Context"]

# Stage codes as plain ints, read once (an IntEnum costs a conversion at every kernel call).
_ACTIVE, _LOYAL, _LAPSED = int(Stage.ACTIVE), int(Stage.LOYAL), int(Stage.LAPSED)

# The ledger at the start of a month, copied for each month, and the charged rows of a month in
# which nobody unserved was charged (shared: an empty array has nothing to write into).
_ZERO_LEDGER: dict[str, float] = dict.fromkeys(LEDGER_LINES, 0.0)
_NO_ROWS = np.zeros(0, np.int64)


@dataclass
class Context:
    """The state of one run plus one month's working values.

    Attributes
    ----------
    params : Scenario
        The validated scenario.
    levers : Levers
        The levers in force this month (after schedules and shocks).
    month : int
        The month being simulated, 1-based.
    served : ndarray of bool
        Clients active when the month began: the ones served this month.
    ad_cost_factor : float
        Multiplier on the cost of reaching prospects (a price war raises it).
    targeted : dict of str to ndarray of bool
        Each lever's segment this month (:func:`model.engine.targeting.monthly_targets`), chosen as the
        month begins so that every phase reads the same choice.
    charged_unserved : ndarray of int
        Rows of clients not served this month who were charged a direct cost (win-back spend on
        lapsed clients), so that accounting need not search the whole market for them.
    """

    params: Scenario
    clients: ClientState
    staff: StaffState
    firm: FirmState
    network: Network
    streams: Streams
    levers: Levers
    month: int = 0
    served: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    served_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    promoters: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    wom_probability: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    ad_cost_factor: float = 1.0
    charged_unserved: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    targeted: dict[str, np.ndarray] = field(default_factory=dict)
    revenue: float = 0.0
    client_revenue: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ledger: dict[str, float] = field(default_factory=dict)
    tally: dict[str, float] = field(default_factory=dict)
    #: The month's row of the model's results table while its metrics are yet to be written
    #: (set when the month opens; None once written, or for a context stepped by hand).
    metrics_row: np.ndarray | None = field(default=None, repr=False, compare=False)
    # The month's draws and the phases' work arrays: rows of one block, reused phase by phase.
    work: WorkRows = field(init=False, repr=False)
    #: While a lockstep driver runs one phase for several models of the same seed and market
    #: size: the (decision, month) draws made so far in that phase by any of them, which the
    #: others read instead of drawing again (:mod:`model.engine.lockstep`); else None.
    shared_draws: dict[tuple[str, int], np.ndarray] | None = field(
        default=None, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self.work = WorkRows(self.clients.n)

    def __getstate__(self) -> dict:
        """Copied and pickled without another model's draws lent for a phase (a copy made
        inside a phase would keep them)."""
        return {**self.__dict__, "shared_draws": None}

    def begin_month(self, month: int, levers: Levers, ad_cost_factor: float) -> None:
        """Reset the month's working values; snapshot who is served."""
        self.month = month
        self.levers = levers
        self.ad_cost_factor = ad_cost_factor
        # A competitor's leap lands before anyone decides anything this month (not in a market
        # held still), within the 0-1 quality scale.
        # (Most scenarios have no shocks at all: then there is nothing to look for.)
        p = self.params
        leap = frontier_leap(p, month) if p.shocks and not p.market.hold_still else 0.0
        if leap:
            self.firm.frontier = min(max(self.firm.frontier + leap, 0.0), 1.0)
        # Who is served (and their rows: most phases work on them), who can be won back, and
        # last month's requests cleared (ClientState.clear_scratch): one compiled pass.
        cl, n = self.clients, self.clients.n
        # Last month's arrays let go before this month's are made: unless something else holds
        # them, their blocks are free again for the new ones of the same size (at 10⁶ clients
        # two months' arrays at once would add 10 MB to the peak).
        self.served = self.served_idx = self.charged_unserved = _NO_ROWS
        self.targeted = {}
        self.served = np.empty(n, dtype=bool)
        within = np.empty(n, dtype=bool)
        # The served rows, listed into an array one longer than the market whatever the count:
        # the same size every month, so the allocator reuses last month's block instead of
        # leaving holes of slightly different sizes in the heap (at 10⁶ clients, 30 MB of
        # resident memory over a run).
        rows = np.empty(n + 1, np.int64)
        self.served_idx = rows[: open_month(
            cl.stage, cl.months_lapsed, _ACTIVE, _LOYAL, _LAPSED,
            p.win_back.target_months, self.served, within,
            cl.incident, cl.direct_cost, cl.heard_positive, cl.heard_negative,
            cl.leaves, cl.joins, cl.returns, rows,
        )]  # fmt: skip
        self.targeted = monthly_targets(cl, self.served, p, within)
        self.charged_unserved = _NO_ROWS
        self.revenue = 0.0
        self.ledger = _ZERO_LEDGER.copy()  # (a copy: a seventh of dict.fromkeys' time)
        self.tally = {}
        self.work.reset()

    def begin_phase(self) -> None:
        """Start a phase: the last one's draws and work rows (:meth:`uniform`, :meth:`work32`)
        may be overwritten now."""
        self.work.reset()

    @property
    def dense(self) -> bool:
        """Whether most of the market is served this month.

        Then a phase may compute over whole arrays (contiguous passes) and mask the result to the
        served, which is cheaper than gathering and scattering them; element by element the
        numbers are the same either way.
        """
        return 2 * self.served_idx.size >= self.clients.n

    @property
    def served_rows(self) -> slice | np.ndarray:
        """What to index client arrays with: every row when :attr:`dense` (mask the result with
        ``served``), else the served rows."""
        return slice(None) if self.dense else self.served_idx

    def rows_at(self, positions: np.ndarray) -> np.ndarray:
        """Client rows of ``positions`` in arrays indexed by :attr:`served_rows`."""
        return positions if self.dense else self.served_idx[positions]

    def update_served(
        self,
        rule: Callable[..., Sequence[np.ndarray]],
        reads: Sequence[str],
        writes: Sequence[str],
    ) -> None:
        """Apply an elementwise ``rule`` to the served clients: ``writes = rule(*reads)``.

        ``reads`` and ``writes`` name client arrays. The rule sees the served clients' values and
        returns the new values of ``writes`` in order, as new arrays (not views of its inputs);
        nobody else's values change. When most of
        the market is served, the rule runs over whole arrays (contiguous passes) and the others'
        values are put back; otherwise over the served clients gathered. Both give the same
        numbers, element by element.
        """
        cl, idx = self.clients, self.served_idx
        if not self.dense:
            outs = rule(*(getattr(cl, name)[idx] for name in reads))
            for name, out in zip(writes, outs, strict=True):
                getattr(cl, name)[idx] = out
            return
        others = np.flatnonzero(~self.served)
        kept = [getattr(cl, name)[others] for name in writes]
        outs = rule(*(getattr(cl, name) for name in reads))
        for name, out, old in zip(writes, outs, kept, strict=True):
            array = getattr(cl, name)
            array[...] = out
            array[others] = old

    def uniform(self, decision: str) -> np.ndarray:
        """This month's per-client uniforms for a decision (element i is client i's).

        Read-only, and valid until the next phase begins (:meth:`begin_phase`): a phase's draws
        and work arrays are rows of one block that every phase reuses (:attr:`work`) — from the
        second month, as many rows as the phase that takes most, not an array per decision and
        work array. Within a phase no row is handed out twice; copy a draw to keep it longer.
        """
        shared = self.shared_draws
        if shared is not None:
            # Models of one seed and size draw the same numbers: the phase's first drawer's row
            # (read-only, and not handed out again before its next phase, which in lockstep
            # begins after every model's current one).
            key = (decision, self.month)
            found = shared.get(key)
            if found is None:
                found = shared[key] = self._draw(decision)
            return found
        return self._draw(decision)

    def _draw(self, decision: str) -> np.ndarray:
        """:meth:`uniform`'s numbers, drawn into the next row of the work block."""
        w = self.work
        k = w.taken
        if k < len(w.rows):  # (WorkRows.take(1), inline: a draw a phase, every month)
            w.taken = k + 1
        else:
            w.take(1)
        self.streams.uniform_into(decision, self.month, w.rows[k])
        return w.read[k]

    def work32(self, rows: int = 0, dtype: type = np.float32) -> np.ndarray:
        """A writable work array of the market's length for this phase's own use (contents
        undefined), from the block :meth:`uniform` draws into: valid until the next phase
        begins, and never one of this phase's draws or other work arrays.

        Parameters
        ----------
        rows : int
            0 for one array of shape (clients,); else a (rows, clients) array.
        dtype : {numpy.float32, numpy.int32}
            A 4-byte type: the block's float32 rows viewed as it.
        """
        return self.work.float32(rows, dtype)

    def work64(self, rows: int = 0) -> np.ndarray:
        """:meth:`work32` in float64: each array row made of two of the block's rows."""
        return self.work.float64(rows)

    def uniform_at(self, decision: str, rows: np.ndarray) -> np.ndarray:
        """This month's uniforms for a decision about a few clients only (``rows``)."""
        return self.streams.uniform_at(decision, self.month, rows)
