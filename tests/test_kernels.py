"""Each compiled kernel gives its numpy reference's numbers bit for bit (model/engine/kernels).

Speed work must not change a number: here every kernel of the shared modules (keyed uniforms,
the empowered-spend walk, the passes over the network) is compared, element for element, with
the numpy code it replaced, on random inputs with the edge cases a month can bring (no rows, no
flagged neighbour, a uniform that rounds to 1, hubs past the packing, the fully mixed market).
"""

from __future__ import annotations

import platform

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit
from numba.core.errors import TypingError

from model.engine.kernels.hashing import hash_uniform
from model.engine.kernels.memory import prefetch
from model.engine.network import build_network
from model.engine.phases.word_of_mouth import reach_table
from model.engine.phases.work import greedy_spend, greedy_spend_numpy
from model.engine.randomness import Streams, hash_uniform_numpy


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**40), max_size=300),
    st.integers(0, 2**64 - 1),
)
def test_hash_uniform_equals_numpy(rows: list[int], key: int) -> None:
    r = np.array(rows, dtype=np.int64)
    expected = hash_uniform_numpy(r, np.uint64(key))
    got = hash_uniform(r, np.uint64(key))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_uniform_at_is_the_hash_of_the_months_key() -> None:
    s = Streams(2024)
    rows = np.arange(0, 5000, 7)
    key = s._state_words("attract.convert", 9)[:2].view(np.uint64)[0]
    np.testing.assert_array_equal(
        s.uniform_at("attract.convert", 9, rows), hash_uniform_numpy(rows, key)
    )


# Costs on a coarse grid and budgets of a few costs: ties, exact fits, zero costs and budgets.
@st.composite
def spending(draw):
    groups = draw(st.integers(1, 8))
    n = draw(st.integers(0, 80))
    group = np.sort(draw(st.lists(st.integers(0, groups - 1), min_size=n, max_size=n)))
    exact = draw(st.booleans())  # multiples of 1/8, or arbitrary floats (rounding differs)
    values = st.integers(0, 160).map(lambda k: k / 8.0) if exact else st.floats(0, 50)
    cost = draw(st.lists(values, min_size=n, max_size=n))
    budget = draw(st.lists(st.floats(0, 150), min_size=groups, max_size=groups))
    return np.array(group, dtype=np.int64), np.array(cost, float), np.array(budget, float)


@settings(max_examples=400, deadline=None)
@given(spending())
def test_greedy_spend_kernel_equals_numpy_rounds(problem) -> None:
    group, cost, budget = problem
    before = budget.copy()
    np.testing.assert_array_equal(
        greedy_spend(group, cost, budget), greedy_spend_numpy(group, cost, budget)
    )
    np.testing.assert_array_equal(budget, before)  # the caller's budget is not spent


@pytest.mark.parametrize(
    ("kind", "n", "degree"),
    [("small_world", 400, 10), ("random", 400, 60), ("scale_free", 3000, 60)],
)
def test_pick_flagged_kernel_equals_numpy(kind: str, n: int, degree: int) -> None:
    net = build_network(kind, n, degree, 0.1, np.random.default_rng(5))
    rng = np.random.default_rng(6)
    for share in (0.0, 0.05, 0.5, 1.0):
        flag = rng.random(n) < share
        rows = np.sort(rng.choice(n, size=n // 3, replace=False))
        u = rng.random(rows.size, dtype=np.float32)
        u[:3] = [0.0, np.nextafter(np.float32(1), np.float32(0)), 0.5]
        np.testing.assert_array_equal(
            net.pick_flagged(rows, flag, u), net.pick_flagged_numpy(rows, flag, u)
        )
    empty = np.zeros(0, np.int64)
    assert net.pick_flagged(empty, flag, np.zeros(0, np.float32)).size == 0


def test_reach_table_entries_do_not_depend_on_its_length() -> None:
    """The kernel reads a table as long as the largest degree; numpy built one as long as this
    month's largest count. Each entry must be the same number either way."""
    for q in (0.01, 0.3, 0.9, 2.0):
        full = reach_table(q, 7.0, 300)
        for size in (1, 2, 5, 9, 17, 64):
            np.testing.assert_array_equal(reach_table(q, 7.0, size), full[:size])


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 400), st.integers(0, 2**32 - 1), st.integers(0, 40))
def test_open_month_equals_numpy(n: int, seed: int, winback_months: int) -> None:
    from model.engine.kernels.month import open_month
    from model.engine.state import Stage

    rng = np.random.default_rng(seed)
    stage = rng.integers(0, 4, n).astype(np.int8)
    lapsed = rng.integers(0, 50, n).astype(np.int16)
    served, within = np.empty(n, bool), np.empty(n, bool)
    # Last month's requests, as a month leaves them (clear_scratch's job is done in the pass).
    incident = rng.integers(0, 4, n).astype(np.int8)
    direct_cost = rng.random(n)
    flags = [rng.random(n) < 0.5 for _ in range(5)]
    listed = np.full(n + 1, -7, np.int64)
    k = open_month(
        stage, lapsed, int(Stage.ACTIVE), int(Stage.LOYAL), int(Stage.LAPSED), winback_months,
        served, within, incident, direct_cost, *flags, listed,
    )  # fmt: skip
    rows = listed[:k]
    assert not incident.any() and not direct_cost.any() and not any(f.any() for f in flags)
    assert not np.signbit(direct_cost).any()  # +0.0, as clear_scratch writes
    expected = (stage == Stage.ACTIVE) | (stage == Stage.LOYAL)
    np.testing.assert_array_equal(served, expected)
    np.testing.assert_array_equal(rows, np.flatnonzero(expected))
    np.testing.assert_array_equal(within, (stage == Stage.LAPSED) & (lapsed < winback_months))


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 60), st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=300)
)
def test_csr_by_counting_equals_csr_by_sorting(n: int, edges: list[tuple[int, int]]) -> None:
    """Self-loops, repeats and both directions of an edge: the same canonical CSR either way."""
    from model.engine.network import _csr, csr_numpy

    pairs = np.array([(a % n, b % n) for a, b in edges], dtype=np.int64).reshape(-1, 2)
    got = _csr("random", n, pairs[:, 0], pairs[:, 1])
    ref = csr_numpy("random", n, pairs[:, 0], pairs[:, 1])
    np.testing.assert_array_equal(got.indptr, ref.indptr)
    np.testing.assert_array_equal(got.indices, ref.indices)
    assert (got.indptr.dtype, got.indices.dtype) == (ref.indptr.dtype, ref.indices.dtype)


@pytest.mark.parametrize("length", [31, 32, 33, 200])
def test_csr_sorts_short_and_long_neighbour_lists_alike(length: int) -> None:
    """A hub whose list, before repeats are dropped, is ``length`` long — up to the insertion
    sort's limit and past it (numba's sort) — given largest first with three edges twice: the
    same canonical CSR as the numpy reference."""
    from model.engine.kernels.network import _SHORT
    from model.engine.network import _csr, csr_numpy

    assert _SHORT == 32  # (the cases straddle the limit)
    distinct = length - 3
    n = distinct + 1
    others = np.arange(n - 1, 0, -1)  # the hub's neighbours, largest first
    again = others[[0, distinct // 2, -1]]  # three edges a second time, the other way round
    src = np.concatenate((np.zeros(distinct, np.int64), again))
    dst = np.concatenate((others, np.zeros(3, np.int64)))
    assert src.size == length  # every edge is the hub's: its list before repeats are dropped
    got, ref = _csr("random", n, src, dst), csr_numpy("random", n, src, dst)
    np.testing.assert_array_equal(got.indptr, ref.indptr)
    np.testing.assert_array_equal(got.indices, ref.indices)
    assert got.indptr[1] == distinct


@pytest.mark.parametrize("kind", ["small_world", "random", "scale_free"])
def test_built_networks_equal_the_sorted_build(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from model.engine import network as nw

    built, original = [], nw._csr

    def both(kind, n, src, dst):
        built.append(nw.csr_numpy(kind, n, src.copy(), dst.copy()))
        return original(kind, n, src, dst)

    monkeypatch.setattr(nw, "_csr", both)
    net = nw.build_network(kind, 5000, 12, 0.1, np.random.default_rng(9))
    np.testing.assert_array_equal(net.indptr, built[0].indptr)
    np.testing.assert_array_equal(net.indices, built[0].indices)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**64 - 1),
    st.sampled_from(["retain.churn", "wom.positive", "work.quality", "staff.quit"]),
    st.integers(0, 400),
    st.integers(0, 5000),
)
def test_compiled_pcg64_draws_numpys_stream(seed: int, decision: str, month: int, n: int) -> None:
    from model.engine.kernels.pcg64 import pcg64_float32, pcg64_float64

    s = Streams(seed)
    words = s._state_words(decision, month).view(np.uint64)
    got = pcg64_float32(words, n)
    expected = s._seeded(decision, month).random(n, dtype=np.float32)
    assert got.dtype == np.float32 and got.shape == (n,)
    np.testing.assert_array_equal(got, expected)
    got64 = pcg64_float64(words, n)
    assert got64.dtype == np.float64 and got64.shape == (n,)
    np.testing.assert_array_equal(got64, s._seeded(decision, month).random(n))
    # One firm-level number, as a float: the stream's first value.
    one = s.uniform64_one(decision, month)
    assert type(one) is float and one == s._seeded(decision, month).random()


def test_streams_draw_numpys_numbers_at_every_size() -> None:
    s = Streams(20261129)
    for n in (0, 1, 2, 3, 2_999, 20_001, 1_000_001):
        u = s.uniform("attract.ad", 7, n)
        np.testing.assert_array_equal(u, s.uniform_numpy("attract.ad", 7, n))
        assert not u.flags.writeable  # shared read-only with the kernels' one variant
        np.testing.assert_array_equal(
            s.uniform64("init.fit", 0, n), s.uniform64_numpy("init.fit", 0, n)
        )


def test_stale_kernel_cache_is_cleared_when_any_kernel_source_changes(tmp_path) -> None:
    """numba keys a kernel's cache by its own file; a helper edited in another file must still
    reach every kernel that inlines it, so any source change clears the whole cache once."""
    from model.engine.kernels import clear_stale_cache

    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "a.f-1.py312.nbi").write_text("index")
    (cache / "a.f-1.py312.1.nbc").write_text("code")
    (cache / "a.cpython-312.pyc").write_text("bytecode")
    assert clear_stale_cache(tmp_path)  # no stamp yet: cleared
    assert not list(cache.glob("*.nb*")) and (cache / "a.cpython-312.pyc").exists()
    (cache / "a.f-1.py312.nbi").write_text("index")
    assert not clear_stale_cache(tmp_path)  # nothing changed: the cache stays
    assert (cache / "a.f-1.py312.nbi").exists()
    (tmp_path / "b.py").write_text("y = 3\n")  # a helper in another file changes
    assert clear_stale_cache(tmp_path)
    assert not (cache / "a.f-1.py312.nbi").exists()


def test_clip_keeps_nan_and_negative_zero_as_numpy_does() -> None:
    from numba import njit

    from model.engine.kernels.scalar import clip

    one_clip = njit(lambda x: clip(x, np.float32(0.0), np.float32(1.0)))
    values = np.array([-0.0, 0.0, np.nan, -2.0, 0.25, 1.0, 3.0, np.inf, -np.inf], np.float32)
    got = np.array([one_clip(v) for v in values], np.float32)
    expected = np.clip(values, 0.0, 1.0)
    assert got.tobytes() == expected.tobytes()  # bytes: -0.0 and NaN compared exactly


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 400))
def test_deliver_equals_numpy_quality_and_incidents(seed: int, n: int) -> None:
    from model.engine.kernels.work import deliver
    from model.engine.phases.work import delivered_quality, incident_probability
    from model.engine.randomness import NORMAL_TABLE, normal_from_uniform
    from model.scenario import Scenario

    svc = Scenario().service
    rng = np.random.default_rng(seed)
    market = n + 5
    rows = np.sort(rng.choice(market, size=n, replace=False)).astype(np.int64)
    staff_of = rng.integers(0, 7, market).astype(np.int32)
    staff_term = rng.normal(0, 0.1, 7).astype(np.float32)
    fit = rng.random(market, dtype=np.float32)
    uq, ui = rng.random(market, dtype=np.float32), rng.random(market, dtype=np.float32)
    level, dip = float(rng.choice([0.0, 0.35, 0.9, 1.2])), float(rng.choice([0.0, 0.05]))
    q, x = np.empty(n, np.float32), np.empty(n, np.float32)
    hits = deliver(
        rows, staff_of, staff_term, fit, uq, ui, NORMAL_TABLE, np.float32(svc.fit_experience_effect),
        np.float32(svc.quality_noise), np.float32(level), np.float32(svc.incident_rate_max),
        np.float32(dip), q, x,
    )  # fmt: skip
    ref_q = delivered_quality(
        level, np.take(staff_term, staff_of[rows]), fit[rows], normal_from_uniform(uq[rows]), svc
    )
    ref_hits = np.flatnonzero(ui[rows] < incident_probability(ref_q, svc))
    assert q.tobytes() == ref_q.tobytes()
    assert x.tobytes() == (ref_q - np.float32(dip)).tobytes()
    np.testing.assert_array_equal(hits, ref_hits)


def test_codes_written_into_kernels_match_the_engines_enumerations() -> None:
    """Kernels import numpy and numba only, so a few take the engine's codes as constants."""
    from model.engine.kernels import retain
    from model.engine.state import Reason, Stage

    assert (retain._BAD_SERVICE, retain._COMPETITOR) == (Reason.BAD_SERVICE, Reason.COMPETITOR)
    # kernels/metrics.py counts stages 0-3 in this order
    assert [Stage.PROSPECT, Stage.ACTIVE, Stage.LOYAL, Stage.LAPSED] == [0, 1, 2, 3]


@settings(max_examples=80, deadline=None)
@given(
    st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 2**200)),  # past the pool: a long seed
    st.integers(0, 2**32 - 1),
    st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=6),
    st.integers(1, 9),
)
def test_compiled_seed_words_are_numpys_seedsequence(
    seed: int, tag: int, months: list[int], n_words: int
) -> None:
    from model.engine.randomness import seed_words, seed_words_fast

    got = seed_words_fast(seed, tag, np.array(months, np.uint32), n_words)
    assert got.dtype == np.uint32 and got.shape == (len(months), n_words)
    np.testing.assert_array_equal(got, seed_words(seed, tag, np.array(months), n_words))
    for row, month in zip(got, months, strict=True):
        seq = np.random.SeedSequence(seed, spawn_key=(tag, month))
        np.testing.assert_array_equal(row, seq.generate_state(n_words, np.uint32))


def test_compiled_on_disk_reads_numbas_cache_of_the_months_kernels(monkeypatch) -> None:
    import model.engine.kernels as kernels
    from model import RetentionModel, Scenario
    from model.engine.kernels import month

    RetentionModel(Scenario().with_overrides({"market.clients": 200, "run.months": 1})).run()
    assert kernels.compiled_on_disk() is True  # the run above compiled or loaded them: on disk
    monkeypatch.setattr(kernels.os.path, "exists", lambda path: False)
    assert kernels.compiled_on_disk() is False  # no index file: the next run compiles
    monkeypatch.setattr(month, "open_month", lambda *args: None)  # no numba cache object at all
    assert kernels.compiled_on_disk() is None  # cannot tell: say nothing


def test_prefetch_is_a_hint_that_changes_no_value() -> None:
    """A loop that asks for every element ahead (and one past the end) reads what numpy sums."""

    @njit
    def summed(values: np.ndarray, ahead: int) -> float:
        total = 0.0
        for i in range(values.size):
            prefetch(values, min(i + ahead, values.size))  # up to one past the end
            total += values[i]
        return total

    values = np.random.default_rng(0).random(10_001)
    want = float(np.cumsum(values)[-1])  # the same left-to-right order
    assert summed(values, 16) == want
    assert summed(values, 0) == want
    with pytest.raises(TypingError):  # strided: the address would not be the element's
        summed(values[::2], 16)
    if platform.machine() in ("x86_64", "AMD64"):  # the hint reaches the machine code
        assert "prefetcht0" in next(iter(summed.inspect_asm().values()))
