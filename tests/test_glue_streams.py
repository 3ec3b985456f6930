"""Cheaper monthly draws and month opening: the numbers they replaced, bit for bit.

The compiled PCG64 now runs four interleaved chains of states and can fill an array it is given
(:func:`~model.engine.kernels.pcg64.pcg64_fill_float32`); :class:`~model.engine.randomness.Streams`
keeps the month's seed words and keys per decision and draws into buffers it is given
(:meth:`~model.engine.randomness.Streams.uniform_scratch`, one per decision;
:meth:`~model.engine.context.Context.uniform`, rows of a block the month's phases reuse). Each path is checked against numpy's
own generator (:meth:`~model.engine.randomness.Streams.uniform_numpy`), byte for byte, across
decisions, months (block boundaries included) and sizes; and
:meth:`~model.engine.context.Context.begin_month` against the steps it used to take.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from model.engine.context import LEDGER_LINES
from model.engine.kernels.month import open_month
from model.engine.kernels.pcg64 import pcg64_fill_float32, pcg64_float32
from model.engine.randomness import Streams, hash_uniform_numpy
from model.engine.retention_model import RetentionModel
from model.engine.schedule import frontier_leap
from model.engine.state import ClientState, Stage
from model.engine.targeting import monthly_targets
from model.scenario import Levers, Scenario
from tests.conftest import small_scenario

_DECISIONS = ["retain.churn", "attract.ad", "work.quality", "wom.positive", "staff.quit"]
_MONTHS = [0, 1, 126, 127, 128, 129, 255, 256, 400]
_SIZES = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 2_999, 3_000, 3_001, 70_000, 70_001]


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3, 2**64 - 1])
def test_every_draw_path_is_numpys_stream(seed: int) -> None:
    s = Streams(seed)
    for decision in _DECISIONS:
        for month in _MONTHS:
            for n in _SIZES:
                expected = s.uniform_numpy(decision, month, n).tobytes()
                assert s.uniform(decision, month, n).tobytes() == expected, (decision, month, n)
                got = s.uniform_scratch(decision, month, n)
                assert got.dtype == np.float32 and got.shape == (n,)
                assert got.tobytes() == expected, (decision, month, n)
                words = s._state_words(decision, month).view(np.uint64)
                assert pcg64_float32(words, n).tobytes() == expected
                out = np.full(n, np.nan, np.float32)
                pcg64_fill_float32(words, out)
                assert out.tobytes() == expected
                if n <= 17:  # (the float64 stream reads the same kept words)
                    np.testing.assert_array_equal(
                        s.uniform64(decision, month, n), s.uniform64_numpy(decision, month, n)
                    )


def test_draws_that_move_between_months_and_decisions_keep_their_streams() -> None:
    """The month's kept seed words are dropped when another month is drawn, whatever the order."""
    s, ref = Streams(99), Streams(99)
    order = [(127, "a"), (128, "a"), (127, "b"), (127, "a"), (3, "b"), (3, "a"), (128, "a")]
    for month, decision in order:
        expected = ref.uniform_numpy(decision, month, 101).tobytes()
        assert s.uniform_scratch(decision, month, 101).tobytes() == expected
        assert s.uniform(decision, month, 101).tobytes() == expected
    # A numpy integer month finds the same words as a Python one.
    assert s.uniform("a", np.int64(200), 9).tobytes() == ref.uniform_numpy("a", 200, 9).tobytes()
    assert s.uniform("a", 200, 9).tobytes() == ref.uniform_numpy("a", 200, 9).tobytes()


def test_keys_kept_for_the_month_are_the_seed_words_keys() -> None:
    """:meth:`Streams.key` (kept per month) is the first two seed words as one uint64, whatever
    the order of months, decisions and draws around it; and uniform_at hashes with it."""
    s = Streams(2026)
    rows = np.array([0, 1, 5, 2_999, 70_000], dtype=np.int64)
    order = [(5, "work.fix_cost"), (5, "attract.credit"), (127, "work.fix_cost"), (128, "x")]
    for month, decision in order + order[::-1] + [(5, "work.fix_cost")]:
        s.uniform_scratch("retain.churn", month + 1, 10)  # another month drawn in between
        words = np.ascontiguousarray(Streams(2026)._state_words(decision, month)[:2])
        expected = words.view(np.uint64)[0]
        got = s.key(decision, month)
        assert isinstance(got, np.uint64) and got == expected, (decision, month)
        assert s.key(decision, np.int64(month)) == expected
        assert (
            s.uniform_at(decision, month, rows).tobytes()
            == hash_uniform_numpy(rows, expected).tobytes()
        )
        assert s.uniform_scratch("retain.churn", month, 10).tobytes() == (
            Streams(2026).uniform_numpy("retain.churn", month, 10).tobytes()
        )


def test_scratch_draws_are_read_only_and_reuse_their_decisions_buffer() -> None:
    s = Streams(3)
    first = s.uniform_scratch("retain.churn", 4, 50)
    assert not first.flags.writeable
    with pytest.raises(ValueError):
        first[0] = 0.5
    kept = first.copy()
    again = s.uniform_scratch("retain.churn", 5, 50)
    assert again is first  # the same array, refilled with month 5's draw
    assert again.tobytes() == s.uniform_numpy("retain.churn", 5, 50).tobytes()
    assert kept.tobytes() == s.uniform_numpy("retain.churn", 4, 50).tobytes()
    other = s.uniform_scratch("retain.poach", 5, 50)
    assert other is not first and not np.shares_memory(other, first)
    resized = s.uniform_scratch("retain.churn", 5, 60)  # a new size: a new buffer
    assert resized.shape == (60,) and not resized.flags.writeable
    assert resized.tobytes() == s.uniform_numpy("retain.churn", 5, 60).tobytes()
    # The fresh draws stay the caller's own, read-only as before.
    fresh = s.uniform("retain.churn", 5, 60)
    assert fresh is not resized and not fresh.flags.writeable


@pytest.mark.parametrize("how", ["deepcopy", "copy", "pickle"])
def test_a_copied_streams_draws_into_its_own_buffers(how: str) -> None:
    """A copy (a model's deep copy, a pickle to another process) keeps drawing the right numbers,
    into buffers of its own, and leaves the original's alone."""
    s = Streams(11)
    original = s.uniform_scratch("retain.churn", 3, 40)
    s.key("work.fix_cost", 3)
    twin = {
        "deepcopy": copy.deepcopy,
        "copy": copy.copy,
        "pickle": lambda x: pickle.loads(pickle.dumps(x)),
    }[how](s)
    for month in (3, 4, 130):
        got = twin.uniform_scratch("retain.churn", month, 40)
        assert got.tobytes() == Streams(11).uniform_numpy("retain.churn", month, 40).tobytes()
        assert not np.shares_memory(got, original)
        assert twin.key("work.fix_cost", month) == Streams(11).key("work.fix_cost", month)
    assert original.tobytes() == Streams(11).uniform_numpy("retain.churn", 3, 40).tobytes()
    assert s.uniform_scratch("retain.churn", 5, 40) is original


def test_context_draws_the_streams_numbers() -> None:
    model = RetentionModel(small_scenario({"run.months": 3}))
    model.step()
    ctx = model.ctx
    for decision in ("retain.churn", "wom.negative", "test.new"):
        got = ctx.uniform(decision)
        expected = ctx.streams.uniform_numpy(decision, ctx.month, ctx.clients.n)
        assert got.tobytes() == expected.tobytes()


def test_a_phases_draws_are_its_own_and_the_next_phase_reuses_their_rows() -> None:
    """Within a phase every draw and work array has its own row of the context's block; the
    next phase writes into the same rows, so after its first month a run holds as many
    market-long 4-byte rows as one phase takes at most (four here), not an array per decision
    and work array."""
    model = RetentionModel(small_scenario({"run.months": 4, "levers.loyalty_discount": 0.05}))
    model.run()
    ctx, n = model.ctx, model.clients.n
    # Work: two draws, quality and experience; attract: a draw, a work row and two row lists.
    assert ctx.work.block.shape == (4, n)
    ctx.begin_phase()
    a, b = ctx.uniform("retain.churn"), ctx.uniform("retain.poach")
    assert not np.shares_memory(a, b) and not a.flags.writeable
    assert a.tobytes() == ctx.streams.uniform_numpy("retain.churn", ctx.month, n).tobytes()
    assert b.tobytes() == ctx.streams.uniform_numpy("retain.poach", ctx.month, n).tobytes()
    ctx.begin_phase()
    c = ctx.uniform("wom.positive")
    assert np.shares_memory(c, a)  # the next phase's first draw, in the last phase's first row
    assert c.tobytes() == ctx.streams.uniform_numpy("wom.positive", ctx.month, n).tobytes()
    rows = ctx.work32(2, np.int32)  # a phase's own work rows: the block's next, writable
    assert rows.shape == (2, n) and rows.dtype == np.int32 and rows.flags.writeable
    assert np.shares_memory(rows, b) and not np.shares_memory(rows, c)
    # A phase that takes more rows than the block holds gets a larger block; what it was
    # handed before stays as it was.
    kept = c.copy()
    more = ctx.work32(3)
    assert ctx.work.block.shape == (6, n) and not np.shares_memory(more, c)
    assert c.tobytes() == kept.tobytes()


def test_a_copied_model_draws_into_rows_of_its_own() -> None:
    model = RetentionModel(small_scenario({"run.months": 6}))
    model.run(3)
    twin = copy.deepcopy(model)
    assert twin.ctx.work.block.size == 0 and twin.ctx.work.taken == 0
    twin.run(), model.run()
    assert twin.timeseries().equals(model.timeseries())
    assert not np.shares_memory(twin.ctx.work.block, model.ctx.work.block)
    sent = pickle.loads(pickle.dumps(model.ctx))  # (a context alone pickles; a model does not)
    assert sent.work.block.size == 0 and sent.uniform("wom.positive").tobytes() == (
        model.ctx.streams.uniform_numpy("wom.positive", model.ctx.month, model.clients.n).tobytes()
    )


def _begin_month_before(p: Scenario, cl: ClientState, frontier: float, month: int) -> dict:
    """What :meth:`Context.begin_month` set as it was (on ``cl``, which it clears), by name."""
    leap = 0.0 if p.market.hold_still else frontier_leap(p, month)
    if leap:
        frontier = min(max(frontier + leap, 0.0), 1.0)
    served, within = np.empty(cl.n, dtype=bool), np.empty(cl.n, dtype=bool)
    listed = np.empty(cl.n + 1, np.int64)
    idx = listed[: open_month(
        cl.stage, cl.months_lapsed, int(Stage.ACTIVE), int(Stage.LOYAL), int(Stage.LAPSED),
        p.win_back.target_months, served, within,
        cl.incident, cl.direct_cost, cl.heard_positive, cl.heard_negative,
        cl.leaves, cl.joins, cl.returns, listed,
    )]  # fmt: skip
    return {
        "frontier": frontier,
        "served": served,
        "served_idx": idx,
        "targeted": monthly_targets(cl, served, p, within),
        "charged_unserved": np.zeros(0, np.int64),
        "ledger": dict.fromkeys(LEDGER_LINES, 0.0),
    }


_LEAPS = [
    {"kind": "competitor_leap", "start": 2, "size": 0.3},
    {"kind": "competitor_leap", "start": 5, "size": 0.2},
    {"kind": "competitor_leap", "start": 5, "size": 0.9},  # two in a month, past the top
    {"kind": "price_war", "start": 3, "months": 2, "size": 0.5},
]


@pytest.mark.parametrize("shocks", [[], _LEAPS])
@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"market.hold_still": True},
        {"targeting.loyalty": "top_value", "targeting.winback": "at_risk"},
    ],
)
def test_begin_month_sets_what_it_set_before(overrides: dict, shocks: list) -> None:
    base = small_scenario({"run.months": 8, **overrides})
    scenario = Scenario.build({**base.model_dump(), "shocks": shocks}) if shocks else base
    model = RetentionModel(scenario)
    ctx = model.ctx
    opened = ctx.begin_month
    ledgers: list[dict] = []

    def checked(month: int, levers: Levers, ad_cost_factor: float) -> None:
        clients, frontier = ctx.clients.copy(), ctx.firm.frontier
        opened(month, levers, ad_cost_factor)
        expected = _begin_month_before(ctx.params, clients, frontier, month)
        assert ctx.month == month and ctx.levers is levers and ctx.ad_cost_factor == ad_cost_factor
        assert ctx.firm.frontier == expected["frontier"]
        for name in ("served", "served_idx", "charged_unserved"):
            got, want = getattr(ctx, name), expected[name]
            assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), name
        for name in vars(clients):  # the month's requests cleared, nothing else touched
            if isinstance(getattr(clients, name), np.ndarray):
                assert getattr(ctx.clients, name).tobytes() == getattr(clients, name).tobytes()
        assert list(ctx.targeted) == list(expected["targeted"])
        for lever, mask in ctx.targeted.items():
            assert mask.tobytes() == expected["targeted"][lever].tobytes(), lever
        assert list(ctx.ledger.items()) == list(expected["ledger"].items())
        assert all(ctx.ledger is not other for other in ledgers)  # each month its own ledger
        ledgers.append(ctx.ledger)
        assert ctx.revenue == 0.0 and ctx.tally == {}

    ctx.begin_month = checked  # type: ignore[method-assign]
    frontiers = []
    for _ in range(scenario.run.months):
        model.step()
        frontiers.append(ctx.firm.frontier)
    assert len(ledgers) == scenario.run.months
    if shocks and not scenario.market.hold_still:
        assert frontiers[1] != frontiers[0]  # (the leaps landed)


@pytest.mark.parametrize("clients", [300, 301])
def test_float64_work_rows_are_aligned_pairs_of_the_blocks_rows(clients: int) -> None:
    """work64's rows are two of the block's 4-byte rows each, aligned for float64 even in a
    market of odd size after an odd number of rows taken (then one row is skipped)."""
    ctx = RetentionModel(small_scenario({"market.clients": clients, "run.months": 1})).ctx
    ctx.begin_phase()
    first = ctx.work32()
    pair = ctx.work64(2)
    assert pair.shape == (2, clients) and pair.dtype == np.float64 and pair.flags.aligned
    assert pair.flags.c_contiguous and not np.shares_memory(pair, first)
    pair[:] = 1.5
    assert first.flags.writeable and ctx.work.taken == 5 + (clients % 2)
    single = ctx.work64()
    assert single.shape == (clients,) and single.flags.aligned
    assert not np.shares_memory(single, pair)
