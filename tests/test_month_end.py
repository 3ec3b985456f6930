"""The month's end in one compiled call gives the numbers of its phases one by one, bit for bit.

:func:`model.engine.month_end.step` runs the account phase, the resolve phase and the month's
metrics (:func:`model.engine.metrics.compute_into`) as one compiled call. Here runs with it are
compared with runs of the same phases one by one on scenarios that take each of its branches
(shared costs with and without joiners and revenue, a loyalty segment, tenure trends, a
premium, a cost to serve by spend, overhead, referral credit, shocks and schedules, nobody
served, joiners in a month nobody is served, a tiny market), month by month, and on months
forced into its rarer branches (no revenue; a value share numpy's partition takes), and the
compiled ``sum`` with the interpreter's own.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from model.engine import metrics, month_end
from model.engine.context import Context
from model.engine.kernels import metrics as kernels_metrics
from model.engine.kernels.month_end import python_sum
from model.engine.metric_names import METRICS
from model.engine.month_end import NAME, fuse
from model.engine.phases import PHASES, account, resolve
from model.engine.retention_model import RetentionModel
from model.scenario import Scenario
from tests.test_engine_golden import scenario_of


def _resolve_alone(ctx: Context) -> None:
    """The resolve phase, as another function: a phase list ending with it is not fused."""
    resolve.step(ctx)


#: The default phases as declared, run one by one (the month's end not fused).
UNFUSED: tuple = (*PHASES[:-1], ("resolve", _resolve_alone))

_SMALL: dict[str, Any] = {"market.clients": 800, "run.months": 30}

#: name -> (overrides, schedule, shocks)
CASES: dict[str, tuple[dict[str, Any], list, list]] = {
    "defaults": ({**_SMALL, "run.seed": 41}, [], []),
    "trends_premium_segment": (
        {
            **_SMALL,
            "run.seed": 42,
            "loyalty_economics.spend_growth": 0.06,
            "loyalty_economics.price_premium": 0.03,
            "loyalty_economics.serve_cost_trend": -0.05,
            "levers.loyalty_discount": 0.08,
            "targeting.loyalty": "at_risk",
            "service.cost_form": "share_of_spend",
        },
        [],
        [],
    ),
    "overhead_credit_rd": (
        {
            **_SMALL,
            "run.seed": 43,
            "economics.overhead_share": 0.15,
            "economics.fixed_overhead": 500.0,
            "word_of_mouth.referral_credit_share": 0.3,
            "levers.rd_share": 0.05,
            "levers.winback_spend": 40.0,
        },
        [],
        [],
    ),
    "schedule_and_shocks": (
        {**_SMALL, "run.seed": 44},
        [{"month": 6, "set": {"service_level": "low", "staffing": 1.3}}],
        [
            {"kind": "bad_service", "start": 4, "months": 3, "size": 0.3},
            {"kind": "price_war", "start": 8, "months": 6, "size": 0.5},
            {"kind": "poaching", "start": 12, "months": 2, "size": 0.1, "permanent": True},
        ],
    ),
    "nobody_served": (
        {**_SMALL, "run.seed": 45, "market.initial_active_share": 0.0, "levers.ad_budget": 0.0},
        [],
        [],
    ),
    # nobody served in the first month, but joiners (acquisition shared among them)
    "starts_empty": ({**_SMALL, "run.seed": 47, "market.initial_active_share": 0.0}, [], []),
    "tiny_market": ({"market.clients": 12, "run.months": 36, "run.seed": 46}, [], []),
}


def _scenario(case: str) -> Scenario:
    return scenario_of(CASES[case])


def _assert_same(a: np.ndarray, b: np.ndarray, what: str) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape, what
    if a.tobytes() == b.tobytes():
        return
    if a.shape[-1:] == (len(METRICS),):  # a row or table of metrics: name the columns

        def bits(x: np.ndarray) -> np.ndarray:
            x = np.ascontiguousarray(x).reshape(-1, len(METRICS))
            return x.view(np.uint8).reshape(len(x), len(METRICS), x.itemsize)

        differ = (bits(a) != bits(b)).any(axis=(0, 2))
        names = [m for m, d in zip(METRICS, differ, strict=True) if d]
        raise AssertionError(f"{what}: the metrics {', '.join(names)} differ (a column or a "
                             "value)")  # fmt: skip
    raise AssertionError(f"{what}: differ")


@pytest.mark.parametrize("case", list(CASES))
def test_the_fused_end_gives_the_phases_numbers(case: str) -> None:
    fused = RetentionModel(_scenario(case))
    assert fused.month_steps()[-1][0] == NAME  # (the default phases: fused)
    alone = RetentionModel(_scenario(case), phases=UNFUSED)
    assert alone.month_steps() is UNFUSED
    for _ in range(fused.months):  # month by month: the ledger and tallies each month
        fused.step()
        alone.step()
        assert fused.ctx.ledger == alone.ctx.ledger and fused.ctx.tally == alone.ctx.tally
        # (Python's sum() compensates only Python floats, and the kernel always does)
        assert all(type(v) is float for v in alone.ctx.ledger.values())
        assert [type(v) for v in fused.ctx.tally.values()] == [
            type(v) for v in alone.ctx.tally.values()
        ]
        assert fused.ctx.metrics_row is None and alone.ctx.metrics_row is None
    _assert_same(fused._table, alone._table, "results")
    for name, values in alone.clients.snapshot().items():
        _assert_same(fused.clients.snapshot()[name], values, name)
    assert fused.firm == alone.firm
    assert fused.ctx.revenue == alone.ctx.revenue
    _assert_same(fused.ctx.client_revenue, alone.ctx.client_revenue, "client_revenue")


def test_a_month_with_clients_served_and_no_revenue() -> None:
    """Every served client's spend at 0 for a month: no revenue, so the shared costs fall on
    the clients served equally (the branch of cost_shares for zero revenue)."""
    s = Scenario().with_overrides({"market.clients": 400, "run.months": 6, "run.seed": 8})
    rows = []
    for phases in (PHASES, UNFUSED):
        model = RetentionModel(s, phases=phases).run(months=3)
        model.clients.spend[:] = 0.0
        model.step()
        assert model.ctx.tally["revenue"] == 0.0 and model.ctx.served_idx.size > 0
        rows.append(model._table[3])
    _assert_same(rows[0], rows[1], "the month's row")


def test_a_copy_taken_inside_a_month_writes_its_own_row() -> None:
    """A model copied while a month is open (between opening and closing it, as a lockstep
    driver or a watcher may see it) writes that month's metrics into its own table."""
    s = Scenario().with_overrides({"market.clients": 300, "run.months": 4, "run.seed": 12})
    model = RetentionModel(s).run(months=2)
    model.open_month()
    copied = copy.deepcopy(model)
    for m in (model, copied):
        m.run_phases()
        m.close_month()
    assert np.isfinite(copied._table[2, :3]).all()
    _assert_same(copied._table, model._table, "results")


def test_top_shares_left_to_numpy_are_taken_there(monkeypatch: pytest.MonkeyPatch) -> None:
    """A market where a twentieth of the clients are in profit and the rest a little in loss:
    the value's top fifth reaches below zero, which the compiled selection leaves to numpy's
    partition (as compute_into does); the fused end takes it there, with the same row."""
    taken: list[bool] = []

    def counted(ctx: Context, of_revenue: bool, n: float) -> float:
        taken.append(of_revenue)
        return metrics.top_share_of(ctx, of_revenue, n)

    monkeypatch.setattr(month_end, "top_share_of", counted)
    s = Scenario().with_overrides({"market.clients": 500, "run.months": 8, "run.seed": 9})
    rows = []
    for phases in (PHASES, UNFUSED):
        model = RetentionModel(s, phases=phases).run(months=6)
        rng = np.random.default_rng(5)
        n = model.clients.n
        model.clients.value[:] = np.where(rng.random(n) < 0.05, 40.0 * n, -rng.random(n))
        model.step()
        rows.append(model._table[6])
    assert taken == [False]  # the value's share, numpy's way, once
    assert (
        (list(METRICS).index("top20_revenue_share"), True, kernels_metrics.PAYING),
        (list(METRICS).index("top20_value_share"), False, kernels_metrics.EVER),
    ) == month_end._TOP_SHARES
    _assert_same(rows[0], rows[1], "the month's row")
    assert np.isfinite(rows[0][34])


def test_fuse_replaces_only_the_default_ending() -> None:
    fused = fuse(PHASES)
    assert fuse(PHASES) is fused  # (one tuple: lockstep groups the models that run it)
    assert [n for n, _ in fused] == [n for n, _ in PHASES[:-2]] + [NAME]
    custom = (("first", lambda ctx: None), *PHASES[-2:])
    assert [n for n, _ in fuse(custom)] == ["first", NAME]
    assert fuse(UNFUSED) is UNFUSED
    reordered = (PHASES[-1], PHASES[-2])
    assert fuse(reordered) is reordered
    assert fuse(()) == ()


def test_a_context_stepped_by_hand_runs_the_two_phases() -> None:
    """Without a row to write (no model opened the month), the step is the two phases."""
    s = Scenario().with_overrides({"market.clients": 300, "run.months": 3, "run.seed": 7})
    a, b = RetentionModel(s), RetentionModel(s)
    for m in (a, b):
        m.open_month()
        m.ctx.metrics_row = None
        for _name, phase in PHASES[:-2]:
            m.ctx.begin_phase()
            phase(m.ctx)
    fuse(PHASES)[-1][1](a.ctx)
    account.step(b.ctx)
    resolve.step(b.ctx)
    assert a.ctx.tally == b.ctx.tally and a.ctx.ledger == b.ctx.ledger
    assert np.isnan(a._table[0]).all()  # no row written


_SUMS = [
    [],
    [1.5],
    [-0.0],
    [-0.0, -0.0],
    [1e100, 1.0, -1e100],
    [0.1] * 10,
    [1e16, 1.0, 1.0, -1e16],
    [math.inf, 1.0],
    [math.inf, -math.inf],
    [math.nan, 1.0],
    [1e308, 1e308, -1e308],
    [3.0, -1e-300, 2.0],
]


@pytest.mark.parametrize("values", _SUMS)
def test_python_sum_is_the_interpreters(values: list[float]) -> None:
    got = python_sum(np.array(values, np.float64), np.zeros(len(values), np.int8), -1)
    want = float(sum(values))
    assert np.float64(got).tobytes() == np.float64(want).tobytes() or (
        math.isnan(got) and math.isnan(want)
    )


def test_python_sum_on_random_ledgers() -> None:
    rng = np.random.default_rng(3)
    for _ in range(2_000):
        k = int(rng.integers(1, 14))
        values = rng.normal(0, 1, k) * 10.0 ** rng.integers(-8, 9, k)
        ways = rng.integers(0, 4, k).astype(np.int8)
        way = int(rng.integers(-1, 4))
        chosen = [float(v) for v, w in zip(values, ways, strict=True) if way < 0 or w == way]
        got = python_sum(values, ways, way)
        assert np.float64(got).tobytes() == np.float64(float(sum(chosen))).tobytes()


def test_a_one_month_run_uses_the_same_compiled_kernel() -> None:
    """A one-month table's only row is contiguous where longer tables' rows are strided: the
    month's end hands the kernel a strided row either way (numba would compile it again)."""
    from model.engine.kernels import month_end as kernel

    s = Scenario().with_overrides({"market.clients": 200, "run.months": 4, "run.seed": 3})
    four = RetentionModel(s).run()
    compiled = set(kernel.month_end.signatures)
    one = RetentionModel(s.with_overrides({"run.months": 1})).run()
    assert set(kernel.month_end.signatures) == compiled
    _assert_same(one._table[0], four._table[0], "the first month")


def test_a_client_array_put_in_anothers_place_is_read() -> None:
    """What the month's end binds once is bound again when a client array is replaced (not
    written in place), as the phases one by one read it each month."""
    s = Scenario().with_overrides({"market.clients": 300, "run.months": 4, "run.seed": 4})
    rows = []
    for phases in (PHASES, UNFUSED):
        model = RetentionModel(s, phases=phases).run(months=2)
        model.clients.spend = model.clients.spend * np.float32(2.0)
        model.step()
        rows.append(model._table[2])
    _assert_same(rows[0], rows[1], "the month after")
    assert rows[0][13] > 0  # (revenue: read from the new array)


def test_the_phases_are_kept_as_a_tuple() -> None:
    listed = list(UNFUSED)
    model = RetentionModel(Scenario().with_overrides({"market.clients": 100}), phases=listed)
    assert model.phases == UNFUSED and isinstance(model.phases, tuple)
    listed.clear()  # (the model's own is not the caller's list)
    assert model.month_steps() == UNFUSED


def test_the_kernels_columns_come_from_metrics_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled month's end writes what it computes where METRICS puts each name (its
    machine code, cached on disk, holds no column of its own): metrics in another order move
    its columns, and a metric it does not write, or one it writes that METRICS lacks, stops the
    import with the name."""
    from model.engine.ledger import LEDGER_LINES

    others = [k for k in METRICS if k not in LEDGER_LINES]  # (the cost lines stay together)
    shuffled = {k: METRICS[k] for k in [*reversed(others[:20]), *LEDGER_LINES, *others[20:]]}
    assert list(shuffled) != list(METRICS)
    monkeypatch.setattr(month_end, "METRICS", shuffled)
    columns, copied = month_end._columns()
    kernel = month_end.kernel
    for name, column in zip(kernel.WRITES, columns.tolist(), strict=True):
        if name != "cost lines":
            assert list(shuffled)[column] == name
    for i, column in copied.tolist():
        assert list(shuffled)[column] == kernel.EARLY[i]
    monkeypatch.setattr(month_end, "METRICS", {**METRICS, "new_metric": ("-", "a new one")})
    with pytest.raises(RuntimeError, match="does not write new_metric"):
        month_end._columns()
    monkeypatch.setattr(month_end, "METRICS", {k: v for k, v in METRICS.items() if k != "gap"})
    with pytest.raises(RuntimeError, match="writes gap, not in METRICS"):
        month_end._columns()
