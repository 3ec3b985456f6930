"""Agent-level output: every client's state as a table, and a followed sample month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import RetentionModel, Scenario
from model.engine.retention_model import TRACKED
from model.engine.state import CLIENT_ARRAYS, Stage
from model.interfaces.cli import main
from model.scenario import ScenarioError

SMALL = {"market.clients": 800, "run.months": 10, "run.seed": 5}


def test_clients_frame_is_the_state_arrays() -> None:
    m = RetentionModel(Scenario().with_overrides(SMALL)).run()
    frame = m.clients_frame()
    assert [c for c in frame.columns if c != "active"] == [s.name for s in CLIENT_ARRAYS]
    assert frame.index.name == "client" and frame.shape[0] == 800
    assert np.array_equal(frame["value"].to_numpy(), m.clients.value)
    assert np.array_equal(frame["stage"].cat.codes.to_numpy(), m.clients.stage)
    assert (frame["stage"] == "lapsed").sum() == np.count_nonzero(m.clients.stage == Stage.LAPSED)
    rows = np.array([3, 77, 500])
    assert frame.loc[rows].equals(m.clients_frame(rows))


def test_a_client_view_reads_and_sets_its_row_but_not_a_fixed_trait() -> None:
    """``model.client(row)`` is an agent's view of the arrays; fit, a trait drawn with the
    market (the attract phase keeps every client's fit term formed from it), is read-only."""
    from model.engine.phases import attract

    m = RetentionModel(Scenario().with_overrides(SMALL)).run(months=2)
    view = m.client(7)
    view.satisfaction = 0.25
    assert m.clients.satisfaction[7] == np.float32(0.25) and view.satisfaction == 0.25
    assert view.fit == float(m.clients.fit[7])
    with pytest.raises(AttributeError, match="fit: a trait fixed when the market is drawn"):
        view.fit = 0.5
    with pytest.raises(ValueError, match="read-only"):
        m.clients.fit[7] = 0.5
    # Another fit array put in its place (deliberately) forms the term again, from it.
    m.clients.fit = np.linspace(0.0, 1.0, m.clients.n, dtype=np.float32)
    term = attract._constants(m.ctx)[2]
    expected = attract.conversion_fit_term(m.clients.fit, m.params.attract)
    assert term.tobytes() == expected.tobytes() and not term.flags.writeable


def test_followed_sample_records_each_month_and_changes_no_result() -> None:
    plain = RetentionModel(Scenario().with_overrides(SMALL))
    traced = RetentionModel(Scenario().with_overrides({**SMALL, "run.track_clients": 25}))
    rows = traced.tracked_rows
    assert rows.size == 25 and np.all(np.diff(rows) > 0)
    for month in range(1, 11):
        plain.step()
        traced.step()
        now = traced.tracked()
        assert len(now) == 25 * month
        last = now[now["month"] == month].set_index("client")
        for name in TRACKED:  # the month's row is the state at that month's end
            expected = traced.clients_frame(rows)[name]
            assert np.array_equal(last[name].to_numpy(), expected.to_numpy()), name
    pd.testing.assert_frame_equal(plain.timeseries(), traced.timeseries())  # own stream
    again = RetentionModel(Scenario().with_overrides({**SMALL, "run.track_clients": 25})).run()
    pd.testing.assert_frame_equal(again.tracked(), traced.tracked())


def test_no_sample_gives_an_empty_table_and_a_bad_size_is_named() -> None:
    m = RetentionModel(Scenario().with_overrides(SMALL)).run()
    with pytest.warns(UserWarning, match=r"no client is followed.*run\.track_clients"):
        frame = m.tracked()
    assert frame.empty and list(frame.columns) == ["month", "client", *TRACKED]
    with pytest.raises(ScenarioError, match=r"run\.track_clients.*-1.*0 ≤ x ≤ 10000"):
        Scenario().with_overrides({"run.track_clients": -1})


def test_cli_writes_agent_tables(tmp_path) -> None:
    out = tmp_path / "res"
    args = ["run", "--clients", "600", "--months", "4", "--track", "7", "--clients-table"]
    assert main([*args, "--no-figures", "--quiet", "--out", str(out)]) == 0
    tracked = pd.read_parquet(out / "tracked.parquet")
    assert tracked.shape[0] == 7 * 4 and tracked["month"].max() == 4
    clients = pd.read_parquet(out / "clients.parquet")
    assert clients.index.name == "client" and len(clients) > 0
    assert not (clients["stage"] == "prospect").any()
    assert str(clients["stage"].dtype) == "category"
