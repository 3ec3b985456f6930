"""The month's service in one compiled call (work, satisfaction, retain) is the phases' own
numbers: where it is fused, and what it binds. The numbers of whole runs, both ways, on
scenarios that take each branch: ``tests/test_month_end.py`` (its ``UNFUSED`` runs neither
stretch fused)."""

from __future__ import annotations

import numpy as np

from model.engine import fusion, month_end, serve
from model.engine.phases import PHASES
from model.engine.retention_model import RetentionModel
from model.scenario import Scenario
from tests.test_month_end import UNFUSED


def test_fuse_replaces_each_run_of_the_three_phases() -> None:
    names = [n for n, _ in serve.fuse(PHASES)]
    assert names[:3] == ["staff", serve.NAME, "word_of_mouth"] and len(names) == len(PHASES) - 2
    twice = (*PHASES[1:4], ("between", lambda ctx: None), *PHASES[1:4])
    assert [n for n, _ in serve.fuse(twice)] == [serve.NAME, "between", serve.NAME]
    assert serve.fuse(UNFUSED) is UNFUSED  # (its retain is another function)
    reordered = (PHASES[2], PHASES[1], PHASES[3])
    assert serve.fuse(reordered) is reordered
    assert serve.fuse(()) == ()
    default = fusion.fuse(PHASES)
    assert fusion.fuse(PHASES) is default  # (one tuple: lockstep groups the models that run it)
    assert [n for n, _ in default] == [
        "staff", serve.NAME, "word_of_mouth", "attract", "win_back", "innovate", month_end.NAME,
    ]  # fmt: skip
    assert fusion.fuse(UNFUSED) is UNFUSED


def test_a_client_array_put_in_anothers_place_is_read_from_then_on() -> None:
    """The fused service binds the client arrays once per market: a propensity array replaced
    mid-run (a new generation of the client state) is the one read, as the phases read it."""
    s = Scenario().with_overrides({"market.clients": 600, "run.months": 8, "run.seed": 3})
    tables = []
    for phases in (PHASES, UNFUSED):
        model = RetentionModel(s, phases=phases).run(months=3)
        model.clients.propensity = np.minimum(model.clients.propensity * 3.0, 1.0)
        model.run()
        tables.append(model._table)
    assert tables[0].tobytes() == tables[1].tobytes()
    assert not np.array_equal(tables[0], RetentionModel(s).run()._table)  # (it did change)
