"""Sweeps: designs, seeds, executors, the resumable store, spec validation and sensitivity.

Markets are tiny (300–1,000 clients, 12–24 months) so the file runs in well under a minute and a
half on two cores. Equality across executors, batchings and a kill-and-resume is exact: every run's
numbers depend only on (spec seed, design point, replicate), so any difference is a bug, not noise.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from model.interfaces.cli import main as cli_main
from model.scenario import PARAMS
from model.studies.sweep import (
    SweepError,
    build_design,
    executor,
    load,
    load_series,
    parse_spec,
    run_sweep,
    seed_for,
    status,
)
from model.studies.sweep.store import done_batches

REPO = Path(__file__).resolve().parents[1]

#: A 2 x 2 grid of a lever and a behavioural assumption, 2 replications, 8 runs in 3 tasks.
GRID = {
    "name": "tiny",
    "seed": 11,
    "months": 12,
    "clients": 400,
    "replications": 2,
    "batch_size": 3,
    "design": {"kind": "grid"},
    "parameters": {
        "levers.service_level": ["low", "wow"],
        "retain.satisfaction_sensitivity": [0.0, 5.0],
    },
    "output": {"series": ["active", "profit"]},
}


def spec_of(**changes):
    return parse_spec({**GRID, **changes})


def sweep(spec, store, **kw):
    return run_sweep(spec, store, progress=False, **kw)


# ================================================================================ seeds, designs
def test_seed_is_the_spawn_tree_and_independent_of_everything_else():
    tree = np.random.SeedSequence(5).spawn(4)[3].spawn(3)[2]
    expected = int(tree.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    assert seed_for(5, 3, 2) == expected
    seeds = {seed_for(5, p, r) for p in range(50) for r in range(4)}
    assert len(seeds) == 200  # distinct per (point, replicate)
    assert seed_for(5, 0, 1, common=True) == seed_for(5, 9, 1, common=True)


def test_a_spec_built_from_numpy_numbers_is_the_spec_of_plain_ones():
    """np.int64(12) months were refused as "not an integer"; so were numpy samples and bounds."""
    params = {"levers.service_level": [0.3, 0.9], "retain.loyal_tenure_months": [6, 36]}
    base = {**GRID, "parameters": params, "output": {}, "design": {"kind": "lhs", "samples": 4}}
    plain = parse_spec({**base, "months": 12, "seed": 3})
    numpy_params = {"levers.service_level": [np.float64(0.3), np.float32(0.9)],
                    "retain.loyal_tenure_months": [np.int64(6), np.int32(36)]}  # fmt: skip
    made = parse_spec({**base, "parameters": numpy_params, "months": np.int64(12),
                       "seed": np.uint8(3), "design": {"kind": "lhs", "samples": np.int64(4)}})  # fmt: skip
    assert made.months == plain.months and type(made.months) is int
    assert made.design == plain.design and type(made.design.samples) is int
    bounds = [(q.low, q.high, q.integer) for q in made.parameters]
    assert bounds == [(0.3, float(np.float32(0.9)), False), (6.0, 36.0, True)]
    for bad in (np.float64(12.5), np.True_, True, float("inf")):  # still not whole numbers
        with pytest.raises(SweepError, match=r"months: value .* is not allowed"):
            parse_spec({**base, "months": bad})
    # A whole float is the whole number, as a scenario's whole-number fields take it.
    whole = parse_spec(
        {**base, "months": 12.0, "seed": np.float64(3), "design": {"kind": "lhs", "samples": 4.0}}
    )
    assert whole == plain and type(whole.months) is int and type(whole.design.samples) is int


def test_designs_have_the_documented_sizes_and_stay_in_bounds():
    params = {"levers.service_level": [0.3, 0.9], "retain.loyal_tenure_months": [6, 36]}
    base = {**GRID, "parameters": params, "output": {}}
    lhs = build_design(parse_spec({**base, "design": {"kind": "lhs", "samples": 10}}))
    sobol = build_design(parse_spec({**base, "design": {"kind": "sobol", "samples": 8}}))
    morris = build_design(parse_spec({**base, "design": {"kind": "morris", "samples": 5}}))
    assert (len(lhs), len(sobol), len(morris)) == (10, 8 * (2 * 2 + 2), 5 * (2 + 1))
    for d in (lhs, sobol, morris):
        assert d["levers.service_level"].between(0.3, 0.9).all()
        assert d["retain.loyal_tenure_months"].between(6, 36).all()
        assert d["retain.loyal_tenure_months"].dtype == np.int64  # integer parameter rounded
    # Latin hypercube: exactly one sample in each of the 10 strata of a continuous dimension.
    strata = np.floor((lhs["levers.service_level"] - 0.3) / 0.6 * 10).astype(int)
    assert sorted(strata) == list(range(10))
    grid = build_design(spec_of())
    assert len(grid) == 4 and grid["levers.service_level"].tolist() == [0.35, 0.35, 0.9, 0.9]


# ================================================================================ executors
def test_in_process_pool_and_dask_give_identical_stores(tmp_path):
    pytest.importorskip("distributed")  # the [dask] extra; installed in dev and CI
    spec = spec_of()
    frames, series = {}, {}
    for name, how in {
        "inproc": {"workers": 1},
        "pool": {"workers": 2},
        "dask": {"dask_local": 2},
    }.items():
        with executor(**how) as (pool, slots, _):
            sweep(spec, tmp_path / name, pool=pool, slots=slots)
        frames[name], series[name] = load(tmp_path / name), load_series(tmp_path / name)
    for name in ("pool", "dask"):
        assert_frame_equal(frames["inproc"], frames[name], check_exact=True)
        assert_frame_equal(series["inproc"], series[name], check_exact=True)
    # ... and the batching does not change a single number either.
    sweep(spec_of(batch_size=1), tmp_path / "one")
    assert_frame_equal(frames["inproc"], load(tmp_path / "one"), check_exact=True)


def test_cli_on_a_running_dask_scheduler_gives_the_same_store(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec_file = tmp_path / "tiny.toml"
    spec_file.write_text(
        "seed = 11\nmonths = 12\nclients = 400\nreplications = 2\nbatch_size = 3\n"
        '[parameters]\n"levers.service_level" = ["low", "wow"]\n'
        '"retain.satisfaction_sensitivity" = [0.0, 5.0]\n',
        encoding="utf-8",
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        args = ["sweep", str(spec_file), "--out", str(tmp_path / "d"), "--quiet"]
        assert cli_main([*args, "--scheduler", cluster.scheduler_address]) == 0
    sweep(spec_of(output={}), tmp_path / "serial")
    assert_frame_equal(load(tmp_path / "d"), load(tmp_path / "serial"), check_exact=True)


def test_a_serial_sweep_leaves_the_thread_settings_as_they_were(tmp_path, monkeypatch):
    # It once set OMP_NUM_THREADS=1 for good, and later large markets built on one thread.
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")
    with executor(workers=1) as (pool, slots, _):
        sweep(spec_of(), tmp_path / "s", pool=pool, slots=slots)
    assert "OMP_NUM_THREADS" not in os.environ and os.environ["MKL_NUM_THREADS"] == "3"


def test_load_returns_one_table_of_design_seed_replicate_and_summary(tmp_path):
    spec = spec_of()
    sweep(spec, tmp_path / "s")
    frame = load(tmp_path / "s")
    design = pd.read_parquet(tmp_path / "s" / "design.parquet")
    assert list(frame.columns[:5]) == ["point", *spec.keys, "replicate", "seed"]
    assert len(frame) == len(design) * spec.replications == 8
    assert {"profit_total", "npv", "active_end"} <= set(frame.columns)
    merged = frame.merge(design, on="point", suffixes=("", "_design"))
    for key in spec.keys:
        assert (merged[key] == merged[f"{key}_design"]).all()
    # A grid pairs its points on common random numbers by default: one seed per replicate.
    assert (frame.groupby("replicate")["seed"].nunique() == 1).all()
    assert frame.groupby("point")["seed"].apply(tuple).nunique() == 1
    assert frame.groupby("point")["replicate"].apply(list).tolist() == [[0, 1]] * 4
    # The lever does something: wow service keeps more clients than low service, every seed.
    low = frame[frame["levers.service_level"] == 0.35]["active_end"].to_numpy()
    wow = frame[frame["levers.service_level"] == 0.9]["active_end"].to_numpy()
    assert (wow > low).all()
    ts = load_series(tmp_path / "s")
    assert len(ts) == 8 * spec.months and list(ts.columns) == [
        "point",
        "replicate",
        "month",
        "active",
        "profit",
    ]
    # A series file lost (the batches' summaries intact): load_series answered with part of
    # the sweep in silence while --status reported the damage; it now says how much it holds.
    lost = sorted((tmp_path / "s" / "series").glob("batch-*.parquet"))[0]
    kept = len(ts) - len(pd.read_parquet(lost))
    lost.unlink()
    with pytest.warns(UserWarning, match=rf"sweep unfinished, {kept // spec.months} of 8 runs"):
        assert len(load_series(tmp_path / "s")) == kept


# ================================================================================ the store
def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    spec_file = tmp_path / "kill.toml"
    spec_file.write_text(
        'name = "kill"\nseed = 3\nmonths = 24\nclients = 800\nreplications = 3\nbatch_size = 3\n'
        '[design]\nkind = "lhs"\nsamples = 20\n'
        '[parameters]\n"levers.service_level" = [0.3, 0.9]\n"levers.ad_budget" = [0.0, 800.0]\n',
        encoding="utf-8",
    )
    store = tmp_path / "killed"
    cmd = [sys.executable, "-m", "model", "sweep", str(spec_file), "--out", str(store)]
    proc = subprocess.Popen([*cmd, "--workers", "1", "--quiet"], cwd=REPO)
    deadline = time.monotonic() + 120
    try:
        while len(done_batches(store)) < 1:
            assert proc.poll() is None, "the sweep ended before any batch was written"
            assert time.monotonic() < deadline, "no batch written within 120 s"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = {p.name: p.stat().st_mtime_ns for p in (store / "batches").glob("batch-*.parquet")}
    total = status(store).batches
    assert 1 <= len(before) < total == 20, "kill must land halfway: some but not all batches"
    # A temp file a killed writer could leave: ignored by status and load, removed on resume.
    (store / "batches" / ".batch-000011.parquet.zz.tmp").write_bytes(b"half a parquet file")
    assert status(store).batches_done == len(before)

    assert (
        cli_main(["sweep", str(spec_file), "--out", str(store), "--workers", "1", "--quiet"]) == 0
    )
    assert not list((store / "batches").glob("*.tmp"))
    after = {p.name: p.stat().st_mtime_ns for p in (store / "batches").glob("batch-*.parquet")}
    assert len(after) == total and all(after[n] == t for n, t in before.items())  # not redone

    cli_main(
        ["sweep", str(spec_file), "--out", str(tmp_path / "whole"), "--workers", "1", "--quiet"]
    )
    assert_frame_equal(load(store), load(tmp_path / "whole"), check_exact=True)
    # Each column of the store's tables is named with its unit (an analyst found the Parquet
    # batches carried none, where a run's folder has columns.csv).
    columns = pd.read_csv(store / "columns.csv")
    summary = columns[columns["table"] == "summary"]
    assert list(summary["column"]) == list(load(store).columns)
    assert "?" not in set(columns["unit"])  # (every column declared)
    units = summary.set_index("column")["unit"]
    assert units["npv"] == "currency" and units["retention_annual_mean"] == "share"
    assert units["levers.ad_budget"] == PARAMS["levers.ad_budget"].unit  # (a swept parameter)
    assert "series" not in set(columns["table"])  # (this sweep kept no monthly series)
    from model.interfaces.sweep_columns import sweep_columns

    kept = sweep_columns(["point", "npv"], ["active", "revenue"])
    series = kept[kept["table"] == "series"].set_index("column")["unit"]
    assert series.to_dict() == {
        "point": "-", "replicate": "-", "month": "month", "active": "clients",
        "revenue": "currency/month",
    }  # fmt: skip


def test_leftover_temp_file_is_ignored_and_cleaned(tmp_path):
    spec = spec_of()
    store = tmp_path / "s"
    sweep(spec, store)
    reference = load(store)
    (store / "batches" / "batch-000001.parquet").unlink()  # as if killed before its rename
    (store / "batches" / ".batch-000001.parquet.abc123.tmp").write_bytes(b"PAR1 truncated")
    (store / "series" / ".batch-000001.parquet.abc124.tmp").write_bytes(b"")
    st = status(store)
    assert (st.batches_done, st.temp_files) == (st.batches - 1, 2)
    with pytest.warns(UserWarning, match="unfinished"):
        partial = load(store)
    assert len(partial) == len(reference) - spec.batch_size
    run = sweep(spec, store)
    assert (run.ran, run.skipped) == (1, st.batches - 1)
    assert not list(store.rglob("*.tmp"))
    assert_frame_equal(load(store), reference, check_exact=True)


def test_store_refuses_another_spec_or_other_code_unless_fresh(tmp_path, monkeypatch):
    store = tmp_path / "s"
    sweep(spec_of(), store)
    load_first = load(store)
    # (the message says what changed: a user's report had to guess; more replications grow
    # the store instead: tests/test_sweep_grow.py)
    with pytest.raises(SweepError, match="written: seed 11 → 12\\); refusing"):
        sweep(spec_of(seed=12), store)
    import model.studies.sweep.store as store_module

    real = store_module.code_version()
    monkeypatch.setattr(store_module, "code_version", lambda: {**real, "source_hash": "0" * 64})
    with pytest.raises(SweepError, match="different model code"):
        sweep(spec_of(), store)
    # The same code where numpy's exp/log give other last bits: other numbers from the same seeds.
    monkeypatch.setattr(store_module, "code_version", lambda: {**real, "numerics": "0" * 12})
    with pytest.raises(SweepError, match=f"numerics class {real['numerics']}; here 000000000000"):
        sweep(spec_of(), store)
    monkeypatch.undo()
    sweep(spec_of(seed=12), store, fresh=True)
    assert len(load(store)) == 4 * 2 and set(load(store)["seed"]) != set(load_first["seed"])
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not a sweep store"):
        sweep(spec_of(), tmp_path / "other", fresh=True)
    assert (tmp_path / "other" / "notes.txt").exists()
    # A folder of what a store's results are read into, and nothing of a store, is not one: a
    # user's columns.csv was taken for a store's and replaced (a reviewer's run).
    for name in ("columns.csv", "report.html"):
        (tmp_path / name).mkdir()
        (tmp_path / name / name).write_text("mine")
        with pytest.raises(SweepError, match="not a sweep store"):
            sweep(spec_of(), tmp_path / name, fresh=True)
        assert (tmp_path / name / name).read_text() == "mine"


def test_fresh_discards_what_was_read_off_the_old_results(tmp_path):
    """--fresh left the old sweep's report.html and sensitivity table beside the new store (an
    interrupted fresh run showed the discarded sweep's report as its own)."""
    store = tmp_path / "s"
    sweep(spec_of(), store)
    (store / "report.html").write_text("old report")
    (store / "columns.csv").write_text("old columns")
    (store / "sensitivity").mkdir()
    for name in ("sensitivity.csv", "sensitivity.png", "sensitivity.json", "notes.txt"):
        (store / "sensitivity" / name).write_text("old")
    sweep(spec_of(replications=3), store, fresh=True)
    assert not (store / "report.html").exists() and not (store / "columns.csv").exists()
    assert sorted(p.name for p in (store / "sensitivity").iterdir()) == ["notes.txt"]  # (yours)


# ================================================================================ bad specs
def _params(**p):
    return {**GRID, "parameters": p}


BAD = [
    (
        _params(**{"levers.service_lvl": [0.3, 0.6]}),
        r"'levers.service_lvl'.*unknown parameter.*did you mean 'levers.service_level'",
    ),
    (_params(**{"nonsense.x": [1, 2]}), r"'nonsense.x'.*unknown parameter.*sections: run, market"),
    ({**GRID, "parameters": {}}, r"parameters: missing or empty"),
    (
        {
            **_params(**{"levers.ad_budget": [100.0, 100.0]}),
            "design": {"kind": "lhs", "samples": 8},
        },
        r"'levers.ad_budget'.*empty range \[100.0, 100.0\]",
    ),
    (
        {
            **_params(**{"levers.ad_budget": [500.0, 100.0]}),
            "design": {"kind": "lhs", "samples": 8},
        },
        r"empty range \[500.0, 100.0\]",
    ),
    (_params(**{"levers.ad_budget": []}), r"'levers.ad_budget': empty range"),
    (
        {
            **_params(**{"levers.ad_budget": [0.0, 100.0, 200.0]}),
            "design": {"kind": "sobol", "samples": 8},
        },
        r"sobol design needs bounds \[low, high\]; got a list of 3 values",
    ),
    (
        {
            **_params(**{"levers.ad_budget": {"values": [0.0, 100.0]}}),
            "design": {"kind": "sobol", "samples": 8},
        },
        r"sobol samples a range, so it needs bounds",
    ),
    (
        {
            **_params(**{"levers.loyalty_discount": [0.0, 0.8]}),
            "design": {"kind": "morris", "samples": 4},
        },
        r"'levers.loyalty_discount'.*bounds \[0.0, 0.8\] lie outside the declared range 0 ≤ x ≤ 0.5",
    ),
    (
        _params(**{"levers.loyalty_discount": [0.1, 0.9]}),
        r"'levers.loyalty_discount' value 0.9.*allowed: 0 ≤ x ≤ 0.5",
    ),
    (_params(**{"levers.service_level": ["great"]}), r"'levers.service_level' value 'great'"),
    (
        {**_params(**{"levers.ad_budget": [0.0, 9.0]}), "design": {"kind": "sobol", "samples": 10}},
        r"design.samples: value 10.*power of 2 \(e.g. 8 or 16\)",
    ),
    (
        {**_params(**{"levers.ad_budget": [0.0, 9.0]}), "design": {"kind": "sobol"}},
        r"design.samples: missing; sobol needs its base size N \(runs N\(2D\+2\)\): an integer ≥ 2",
    ),
    (
        {**_params(**{"levers.ad_budget": [0.0, 9.0]}), "design": {"kind": "lhs", "samples": 1}},
        r"design.samples: value 1 is not allowed; lhs needs the number of points: an integer ≥ 2",
    ),
    (
        {**GRID, "design": {"kind": "factorial"}},
        r"design.kind: value 'factorial'.*allowed: grid, lhs, sobol, morris",
    ),
    ({**GRID, "design": {"kind": "grid", "samples": 4}}, r"design.samples: not used by a grid"),
    (
        {
            **_params(**{"word_of_mouth.enabled": [False, True]}),
            "design": {"kind": "lhs", "samples": 4},
        },
        r"'word_of_mouth.enabled': word_of_mouth.enabled is not numeric",
    ),
    (
        _params(**{"levers.ad_budget": {"low": 0.0, "high": 9.0}}),
        r"a grid over \[low, high\] needs levels = N",
    ),
    (_params(**{"run.seed": [1, 2]}), r"'run.seed'.*cannot be varied"),
    (  # (an analyst set it in the base and was told it could not be varied)
        {**GRID, "base": {"set": {"run.months": 12}}},
        r"base.set.'run.months': cannot be set here; the horizon is the spec's 'months'",
    ),
    (  # (an analyst was given the seeds' and months' reason for it)
        _params(**{"run.track_clients": [0, 10]}),
        r"'run.track_clients': cannot be varied here; a sweep's runs keep summaries and series",
    ),
    (
        _params(**{"market.clients": [500, 1000]}),
        r"parameters.'market.clients': cannot be varied; the market size is the spec's 'clients'",
    ),
    (
        {**GRID, "replications": 0},
        r"replications: value 0 is not allowed; allowed: an integer 1 ≤ x",
    ),
    ({**GRID, "clients": 5}, r"clients: value 5 is not allowed; allowed: an integer 10 ≤ x"),
    ({**GRID, "repetitions": 2}, r"repetitions: unknown key; allowed: name, description, seed"),
    (
        {**GRID, "output": {"series": ["profits"]}},
        r"output.series: unknown metric 'profits'; did you mean 'profit'",
    ),
    (
        {**GRID, "base": {"set": {"levers.service_level": 2.0}}},
        r"base: .*levers.service_level.*2.0.*0 ≤ x ≤ 1",
    ),
    ({**GRID, "base": {"scenario": "no/such.toml"}}, r"base: .*no/such.toml.*does not exist"),
    ({"levers": {"service_level": 0.3}}, r"levers: unknown key.*looks like a scenario file"),
    ({**GRID, "base": {"set": 5}}, r"base.set: value 5 is not allowed; allowed: a table"),
    (  # a misspelt range key was read as a parameter 'levers.service_level.low'
        _params(levers={"service_level": {"low": 0.3, "high": 0.9, "level": 3}}),
        r"parameters.'levers.service_level': unknown key 'level'; did you mean 'levels'\?",
    ),
    (
        {**GRID, "clients": 2000, "base": {"set": {"market.clients": 500}}},
        r"clients: value 2000 disagrees with base.set's market.clients \(500\)",
    ),
    (  # accepted and ignored, it read as in effect (an analyst's levels = 4 in a Sobol' design)
        {**GRID, "design": {"kind": "lhs", "samples": 4, "levels": 4}},
        r"design.levels: not used by a lhs design \(only morris's\)",
    ),
    (  # a level's name as a bound: its number said (an analyst's ["low", "wow"])
        _params(levers={"service_level": ["low", "wow"]})
        | {"design": {"kind": "lhs", "samples": 4}},
        r"bounds \['low', 'wow'\] must be two finite numbers \(as numbers, \[0.35, 0.9\]",
    ),
    (
        {**GRID, "design": {"kind": "morris", "samples": 4, "second_order": False}},
        r"design.second_order: not used by a morris design \(only sobol's\)",
    ),
    (  # TOML's dotted and quoted keys are two keys, one parameter: the first was dropped
        _params(levers={"loyalty_discount": [0.1]}, **{"levers.loyalty_discount": [0.0, 0.05]}),
        r"parameters: levers.loyalty_discount is given twice \(\[0.1\] and \[0.0, 0.05\]\)",
    ),
    (
        {**GRID, "base": {"set": {"levers.ad_budget": 300.0, "levers": {"ad_budget": 5.0}}}},
        r"base.set: levers.ad_budget is given twice \(300.0 and 5.0\)",
    ),
    (  # built and checked value by value before the design's size refused it: hours
        _params(levers={"service_level": {"low": 0.3, "high": 0.6, "levels": 100_000_000}}),
        r"the design needs 100,000,000 points x 2 replications = 200,000,000 runs",
    ),
    (  # levels under the cap, but the grid's runs over it: refused before building 10^5 values
        _params(levers={"service_level": {"low": 0.3, "high": 0.6, "levels": 100_000}})
        | {"replications": 200},
        r"the design needs 100,000 points x 200 replications = 20,000,000 runs",
    ),
    ({**GRID, "name": 5}, r"name: value 5 is not allowed; allowed: a string"),
    ({**GRID, "description": {"x": 1}}, r"description: value \{'x': 1\} is not allowed"),
]


def test_the_horizon_and_market_size_default_to_the_bases(tmp_path):
    """A spec without months or clients ran its base at 10,000 clients x 120 months, whatever
    the base scenario said."""
    firm = tmp_path / "firm.toml"
    firm.write_text("[run]\nmonths = 24\n[market]\nclients = 500\n")
    spec = parse_spec({**{k: v for k, v in GRID.items() if k not in ("months", "clients")},
                       "base": {"scenario": "firm.toml"}}, root=tmp_path)  # fmt: skip
    assert (spec.months, spec.clients) == (24, 500)
    assert spec.base_scenario().market.clients == 500
    inline = parse_spec({**GRID, "base": {"set": {"market.clients": 700}}} | {"clients": 700})
    assert inline.clients == 700
    bare = {k: v for k, v in GRID.items() if k not in ("months", "clients")}
    assert (parse_spec({**bare, "base": {"set": {"market.clients": 300}}}).clients) == 300
    stated = parse_spec({**bare, "months": 6, "base": {"scenario": "firm.toml"}}, root=tmp_path)
    assert (stated.months, stated.clients) == (6, 500)  # the spec's months, the base's clients


@pytest.mark.parametrize(("data", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_specs_get_clear_errors(data, message):
    with pytest.raises(SweepError, match=message):
        parse_spec(data)


def test_a_bad_combination_of_design_values_fails_before_running(tmp_path):
    spec = parse_spec(
        _params(
            **{
                # Each value is allowed alone; the point (8.5, 8.0) breaks detractor <= promoter.
                "satisfaction.detractor_threshold": [6.0, 8.5],
                "satisfaction.promoter_threshold": [8.0, 9.0],
            }
        )
    )
    with pytest.raises(SweepError, match=r"design point 2 .*detractor_threshold must not exceed"):
        sweep(spec, tmp_path / "s")
    assert not done_batches(tmp_path / "s")


def test_cli_reports_bad_input_as_one_line_exit_2(tmp_path, capsys):
    assert cli_main(["sweep", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.toml" in err and "does not exist" in err
    assert cli_main(["sweep", "--status", str(tmp_path)]) == 2
    assert "not a sweep store" in capsys.readouterr().err
    (tmp_path / "afile").write_text("x")  # a file: not "run the sweep again with --fresh"
    assert cli_main(["sweep", "--status", str(tmp_path / "afile")]) == 2
    err = capsys.readouterr().err
    assert "a file, not a sweep store" in err and "--fresh" not in err
    assert cli_main(["sweep", "x.toml", "--out", "s", "--workers", "2", "--dask-local", "2"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
    # (a user's report: --fresh and --workers with --status were ignored without a word)
    for extra in (["--fresh"], ["--workers", "2"]):
        assert cli_main(["sweep", "--status", str(tmp_path), *extra]) == 2
        err = capsys.readouterr().err
        assert f"{extra[0]}: not allowed with --status" in err and err.count("\n") == 1
    # A sweep spec given to `run` (its error listed every section once per key: 3,000
    # characters) says what it is and how to run it.
    spec = tmp_path / "kill.toml"
    spec.write_text('months = 6\n[parameters]\n"levers.ad_budget" = [1.0, 2.0]\n')
    for command in (["run", str(spec)], ["compare", str(spec), "baseline"]):
        assert cli_main(command) == 2
        err = capsys.readouterr().err
        assert "this looks like a sweep spec" in err and "retention sweep" in err
        assert err.count("\n") == 1 and len(err) < 200 + 2 * len(str(spec))


def test_example_spec_is_valid_and_small():
    from model.studies.sweep import load_spec

    spec = load_spec(REPO / "model" / "presets" / "sweeps" / "example.toml")
    runs = len(build_design(spec)) * spec.replications
    assert runs * spec.clients * spec.months <= 2_000_000  # ~a minute on 2 cores at worst


# ================================================================================ sensitivity
SENS_PARAMS = {
    "levers.service_level": [0.3, 0.9],
    "retain.base_churn": [0.01, 0.05],
    # Inert while every loyalty-economics effect is 0 (the default): a negative control.
    "loyalty_economics.horizon_years": [1.0, 20.0],
}


def _sens_store(tmp_path, kind, samples):
    from model.studies.sensitivity import analyze

    spec = parse_spec(
        {
            "name": kind,
            "seed": 7,
            "months": 12,
            "clients": 300,
            "replications": 1,
            "common_random_numbers": True,
            "design": {"kind": kind, "samples": samples},
            "parameters": SENS_PARAMS,
        }
    )
    sweep(spec, tmp_path / kind)
    return analyze(tmp_path / kind, ["profit_total", "active_end"])


def test_sobol_indices_are_finite_for_each_parameter_and_metric(tmp_path):
    whole = _sens_store(tmp_path, "sobol", 8)  # 8 x (2*3 + 2) = 64 runs
    # Each metric: a row a parameter, then one a pair with the S2 the N(2D+2) runs paid for.
    pairs = whole[whole["S2"].notna()]
    table = whole[whole["S2"].isna()]
    assert (len(table), len(pairs)) == (2 * 3, 2 * 3)
    assert np.isfinite(pairs[["S2", "S2_conf"]].to_numpy()).all()
    assert pairs["flag"].str.contains("S2").all()  # (N = 8: every pair's S2 is noise, and said)
    assert set(pairs["parameter"]) == {
        f"{a} × {b}" for a, b in itertools.combinations(SENS_PARAMS, 2)
    }
    # A metric named that does not vary: refused, not a SALib warning and made-up zeros.
    from model.studies.sensitivity import analyze

    with pytest.raises(
        SweepError, match=r"metric 'months' \(--metric\): the same value \(12\) in every run"
    ):
        analyze(tmp_path / "sobol", ["months"])
    # The command says so and leaves no empty output folder behind.
    assert cli_main(["sensitivity", str(tmp_path / "sobol"), "--metric", "months"]) == 2
    assert not (tmp_path / "sobol" / "sensitivity").exists()
    assert set(table["parameter"]) == set(SENS_PARAMS)
    assert np.isfinite(table[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    # Common random numbers + an inert parameter: its total index is exactly zero, and no
    # caveat about seeds of each point's own is printed.
    inert = table[table["parameter"] == "loyalty_economics.horizon_years"]
    assert (inert["ST"] == 0).all()
    from model.studies.sensitivity import caveats

    assert not any("seeds of its own" in line for line in caveats(whole))


@pytest.mark.filterwarnings("error::RuntimeWarning")  # (a 6-sample lhs leaked numpy's 0/0)
def test_morris_separates_a_lever_from_an_inert_parameter_and_cli_writes_outputs(tmp_path, capsys):
    table = _sens_store(tmp_path, "morris", 6)  # 6 x (3 + 1) = 24 runs
    assert np.isfinite(table[["mu", "mu_star", "sigma", "mu_star_conf"]].to_numpy()).all()
    star = table.set_index(["metric", "parameter"])["mu_star"]
    assert star["active_end", "loyalty_economics.horizon_years"] == 0
    assert star["active_end", "levers.service_level"] > 0
    # Each row says its unit (mu, mu* and sigma had none in the table or the CSV).
    units = table.set_index(["metric", "parameter"])["unit"]
    assert units["active_end", "levers.service_level"] == "clients, over the parameter's range"
    assert units["profit_total", "levers.service_level"].startswith("currency, over")
    out = tmp_path / "sens"
    assert (
        cli_main(["sensitivity", str(tmp_path / "morris"), "--metric", "npv", "--out", str(out)])
        == 0
    )
    csv = pd.read_csv(out / "sensitivity.csv")
    assert (
        list(csv["parameter"]) == list(SENS_PARAMS) and (out / "sensitivity.png").stat().st_size > 0
    )
    assert (
        cli_main(["sensitivity", str(tmp_path / "morris"), "--metric", "top20_value_share_end"])
        == 2
    )
    assert "no finite value" in capsys.readouterr().err
    # Another store's indices in the same folder are not replaced without --force (an analyst
    # pointed a second store's command at the first's folder: its Morris became a Sobol').
    _sens_store(tmp_path, "lhs", 6)
    other = ["sensitivity", str(tmp_path / "lhs"), "--metric", "npv", "--out", str(out)]
    capsys.readouterr()
    assert cli_main(other) == 2
    assert "holds the results of a different sweep store's sensitivity analysis; allowed" in (
        capsys.readouterr().err
    )
    assert list(pd.read_csv(out / "sensitivity.csv")["parameter"]) == list(SENS_PARAMS)
    assert "mu_star" in pd.read_csv(out / "sensitivity.csv").columns  # (still the Morris)
    again = ["sensitivity", str(tmp_path / "morris"), "--metric", "npv", "--out", str(out)]
    assert cli_main([*again, "--quiet"]) == 0  # (the same inputs: replaced, as any command)
    # The same store moved (its design the same) or grown (its folder the same) is its own.
    shutil.copytree(tmp_path / "morris", tmp_path / "moved")
    moved = ["sensitivity", str(tmp_path / "moved"), "--metric", "npv", "--out", str(out)]
    assert cli_main([*moved, "--quiet"]) == 0
    assert cli_main([*again, "--metric", "active_end", "--quiet"]) == 0  # (its other metrics)
    record = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))
    record["inputs"]["spec_digest"] = "grown since"  # (a store grown: its design changed)
    (out / "sensitivity.json").write_text(json.dumps(record), encoding="utf-8")
    assert cli_main([*again, "--quiet"]) == 0
    assert cli_main([*other, "--force", "--quiet"]) == 0
    assert "mu_star" not in pd.read_csv(out / "sensitivity.csv").columns
    recorded = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))["inputs"]
    assert recorded["store"] == str((tmp_path / "lhs").resolve()) and recorded["metrics"] == ["npv"]
    # The store after --metric (which takes several) was "the following arguments are
    # required: store"; it is read as the store, and a missing one says what to give.
    after = tmp_path / "after"
    args = ["sensitivity", "--metric", "npv", str(tmp_path / "morris"), "--out", str(after)]
    assert cli_main(args) == 0
    assert pd.read_csv(after / "sensitivity.csv")["metric"].unique().tolist() == ["npv"]
    for bare in (["--metric", "npv", "cac"], []):
        assert cli_main(["sensitivity", *bare]) == 2
        assert "STORE: missing; allowed: a finished sweep's folder" in capsys.readouterr().err


def test_sensitivity_refuses_a_grid_store(tmp_path, capsys):
    sweep(spec_of(), tmp_path / "g")
    assert cli_main(["sensitivity", str(tmp_path / "g")]) == 2
    assert "needs a sobol, morris or lhs design" in capsys.readouterr().err


def test_run_count_is_printed_before_the_sweep(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(
        'seed = 1\nmonths = 12\nclients = 300\n[design]\nkind = "sobol"\nsamples = 2\n'
        '[parameters]\n"levers.ad_budget" = [0.0, 600.0]\n"levers.rd_share" = [0.0, 0.1]\n'
        '"retain.base_churn" = [0.01, 0.03]\n',
        encoding="utf-8",
    )
    assert cli_main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "N=2, D=3: N(2*D+2) = 2 x 8 = 16" in out and "16 runs" in out
    assert math.isclose(len(load(tmp_path / "s")), 16)


def test_a_step_after_the_horizon_is_warned_of_once_a_sweep_in_one_line(tmp_path, capsys):
    """Each task printed Python's raw warning (``runner.py:129: UserWarning: …`` and its source
    line), once per task (a user's report); ``retention run`` says it in one line."""
    spec = tmp_path / "s.toml"
    spec.write_text(
        'replications = 2\nmonths = 6\nclients = 300\n[base]\nscenario = "policies/service_cut"\n'
        '[parameters]\n"levers.ad_budget" = [1000.0, 2000.0]\n',
        encoding="utf-8",
    )
    for workers in ("1", "2"):
        out = tmp_path / f"s{workers}"
        assert cli_main(["sweep", str(spec), "--out", str(out), "--workers", workers]) == 0
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if "horizon" in line]
        assert lines == [
            "retention: warning: schedule step at month 12; schedule step at month 18: after "
            "the 6-month horizon, no effect"
        ], err
        assert "UserWarning" not in err
    quiet = ["sweep", str(spec), "--out", str(tmp_path / "q"), "--workers", "1", "--quiet"]
    assert cli_main(quiet) == 0
    assert "horizon" not in capsys.readouterr().err


def test_optimize_warns_of_a_step_after_the_horizon_once_and_quiet_not_at_all(tmp_path, capsys):
    """Each of an optimizer's evaluations printed it again (30 times for 15 evaluations; a
    model's clock opens catch_warnings, which forgets Python's "once per place"), --quiet too."""
    argv = ["optimize", "policies/service_cut", "--clients", "300", "--months", "6"]
    argv += ["--replications", "2", "--grid", "0", "--levers", "ad_budget,winback_spend"]
    assert cli_main([*argv, "--out", str(tmp_path / "o")]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "horizon" in line]
    assert lines == [
        "retention: warning: schedule step at month 12; schedule step at month 18: after "
        "the 6-month horizon, no effect"
    ]
    assert cli_main([*argv, "--out", str(tmp_path / "q"), "--quiet"]) == 0
    assert "horizon" not in capsys.readouterr().err


def test_a_sensitivity_figure_that_cannot_be_written_leaves_the_last_table(tmp_path, monkeypatch):
    """The table was overwritten before the figure failed, leaving a new table beside an old
    figure."""
    from model.studies import sensitivity

    (tmp_path / "sensitivity.csv").write_text("last")

    def cannot(table, path):
        raise IsADirectoryError(21, "Is a directory")

    monkeypatch.setattr(sensitivity, "plot", cannot)
    with pytest.raises(IsADirectoryError):
        sensitivity.write(pd.DataFrame({"metric": ["npv"]}), tmp_path)
    assert (tmp_path / "sensitivity.csv").read_text() == "last"


def test_a_preset_name_beside_a_file_of_that_name_warns_that_the_file_is_not_read(tmp_path):
    """``scenario = "baseline"`` ran the shipped preset while the user's edited baseline.toml
    lay beside the spec (a user's report): it still means the preset, and says so."""
    from model.studies.sweep import load_spec

    (tmp_path / "baseline.toml").write_text("[levers]\nservice_level = 0.9\n", encoding="utf-8")
    text = 'months = 3\nclients = 200\n[base]\nscenario = "{}"\n[parameters]\n' \
        '"levers.ad_budget" = [1.0, 2.0]\n'  # fmt: skip
    spec = tmp_path / "s.toml"
    spec.write_text(text.format("baseline"), encoding="utf-8")
    with pytest.warns(UserWarning, match=r"'baseline' is the shipped preset; .*baseline\.toml"):
        assert load_spec(spec).base_scenario().levers.service_level == 0.6
    spec.write_text(text.format("baseline.toml"), encoding="utf-8")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_spec(spec).base_scenario().levers.service_level == 0.9


def test_a_varied_lever_the_bases_schedule_sets_again_is_warned(tmp_path):
    """A sweep of service_level over ``service_cut`` (low from month 12, standard from 18)
    varied each point's level only until month 12, without a word; ``retention run --set``
    warned. Now the sweep does, once, before it runs; not where the horizon ends first."""
    import warnings

    grid = {"levers.service_level": ["low", "wow"]}
    spec = spec_of(base={"scenario": "policies/service_cut"}, months=13, parameters=grid)
    with pytest.warns(UserWarning) as told:
        sweep(spec, tmp_path / "cut")
    lines = [str(w.message) for w in told if "holds only until" in str(w.message)]
    assert lines == [
        "sweep 'tiny': levers.service_level holds only until month 12: the scenario's schedule "
        "sets service_level from then on (at month 12)"
    ]
    with warnings.catch_warnings(record=True) as short:  # (months 11: the step lies beyond)
        warnings.simplefilter("always")
        sweep(spec_of(base={"scenario": "policies/service_cut"}, months=11, parameters=grid),
              tmp_path / "short")  # fmt: skip
    assert not [w for w in short if "holds only until" in str(w.message)]
    # A lever every point gets from [base] set, which the schedule sets again, is said too.
    fixed = spec_of(
        base={"scenario": "policies/service_cut", "set": {"levers": {"service_level": "wow"}}},
        months=13,
        parameters={"retain.satisfaction_sensitivity": [0.0, 5.0]},
    )
    with warnings.catch_warnings(record=True) as told_fixed:
        warnings.simplefilter("always")
        sweep(fixed, tmp_path / "fixed")
    assert [
        w for w in told_fixed if "levers.service_level holds only until month 12" in str(w.message)
    ]


def test_a_morris_integer_parameter_must_land_on_whole_levels():
    """4 levels over [0.6, 3.4] rounded to 1, 2, 2, 3, while SALib divided each change by the
    nominal step 1.87: μ* was 46% off (an analyst's pass). Bounds whose levels are whole run."""
    base = {**GRID, "output": {}, "design": {"kind": "morris", "samples": 4, "levels": 4}}
    for bad in ([0.6, 3.4], [0, 5]):
        # (refused as the spec is read, named as its other errors are: the file, the key quoted)
        with pytest.raises(
            SweepError,
            match=r"^sweep spec: parameters.'win_back.target_months': bounds .* multiple of "
            r"levels - 1 = 3",
        ):
            parse_spec({**base, "parameters": {"win_back.target_months": bad}})
    good = parse_spec({**base, "parameters": {"win_back.target_months": [2, 11]}})
    levels = sorted(set(build_design(good)["win_back.target_months"]))
    assert set(levels) <= {2, 5, 8, 11} and len(levels) >= 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (5, r"sweep spec: value 5 is not allowed; allowed: a mapping"),
        ("notadict", r"sweep spec: value 'notadict' is not allowed; allowed: a mapping"),
        (
            {"parameters": "levers.service_level"},
            r"parameters: value 'levers.service_level' is not allowed; allowed: a table",
        ),
        ({"parameters": {}}, r"parameters: missing or empty"),
    ],
)
def test_parse_spec_names_a_value_of_the_wrong_type(data, message):
    """parse_spec(5) raised a bare TypeError ('int' object is not iterable), a string's
    letters were read as its keys ("a: unknown key"), and parameters given as a string were
    "missing or empty"."""
    from model.studies.sweep import parse_spec

    with pytest.raises(SweepError, match=message):
        parse_spec(data)


def test_more_workers_than_cores_are_said_to_wait_for_them(monkeypatch):
    """1,000 processes on 2 cores ran 14 times slower than one, said as "1000 local processes"."""
    from model.studies.sweep import executors

    monkeypatch.setattr(executors, "usable_cores", lambda: 1)
    with executors.executor(workers=2) as (_pool, n, text):
        assert n == 2
        assert text == "2 local processes (more than this machine's 1 core: they wait for them)"


def test_two_linked_parameters_are_checked_together_at_each_point(tmp_path):
    """The NPS bands' order was checked for each parameter alone against the base's value of
    the other (promoter 5 against the base's detractor 7): a design whose every point keeps
    detractor ≤ promoter was refused, naming a 7.0 the spec does not hold."""
    linked = {"satisfaction.promoter_threshold": [5.0, 9.0]}
    ok = parse_spec(
        {**_params(**linked, **{"satisfaction.detractor_threshold": [2.0, 4.0]}),
         "design": {"kind": "lhs", "samples": 6}, "clients": 50, "months": 2}
    )  # fmt: skip
    assert run_sweep(ok, tmp_path / "ok", progress=False).runs == 6 * 2  # (two replications)
    crossing = parse_spec(
        {**_params(**linked, **{"satisfaction.detractor_threshold": [2.0, 8.0]}),
         "design": {"kind": "lhs", "samples": 20}, "clients": 50, "months": 2}
    )  # fmt: skip
    with pytest.raises(SweepError, match=r"design point \d+ .*must not exceed"):
        run_sweep(crossing, tmp_path / "crossing", progress=False)
    # A value outside its own range is still refused at once, by the parameter's name.
    with pytest.raises(SweepError, match=r"promoter_threshold.*\[5.0, 30.0\] lie outside"):
        parse_spec({**_params(**{"satisfaction.promoter_threshold": [5.0, 30.0]}),
                    "design": {"kind": "lhs", "samples": 6}})  # fmt: skip


def test_load_series_reads_the_runs_load_and_status_count(tmp_path):
    """After a stop between a task's series and its summary, load_series returned a run that
    load and --status did not count (and the sweep would write again), and said nothing."""
    spec = parse_spec({**GRID, "output": {"series": ["active"]}})
    store = tmp_path / "s"
    run_sweep(spec, store, progress=False)
    (store / "batches" / "batch-000001.parquet").unlink()  # (its series stays)
    with pytest.warns(UserWarning, match="sweep unfinished") as said:
        summary = load(store)
    with pytest.warns(UserWarning, match="sweep unfinished") as said_too:
        series = load_series(store)
    assert str(said[0].message) == str(said_too[0].message)
    runs = summary[["point", "replicate"]].drop_duplicates()
    assert len(series[["point", "replicate"]].drop_duplicates()) == len(runs)
    assert status(store).runs_done == len(runs)


def test_a_lost_design_file_is_made_again_where_the_runs_agree(tmp_path):
    """A store without design.parquet was called damaged, with the advice --fresh, which
    discards every finished run; the spec and code are the store's, so the design is made again
    where the finished runs have its points' values, and refused where they have not."""
    spec = parse_spec(GRID)
    store = tmp_path / "s"
    run_sweep(spec, store, progress=False)
    before = load(store)
    (store / "design.parquet").unlink()
    assert run_sweep(spec, store, progress=False).ran == 0  # (nothing run again)
    assert (store / "design.parquet").exists()
    assert_frame_equal(load(store), before)
    # Lost again, beside a task file cut short: the design is made again from the whole ones,
    # and the damaged task runs again (it stopped on pyarrow's traceback).
    (store / "design.parquet").unlink()
    first = sorted((store / "batches").glob("batch-*.parquet"))[0]
    first.write_bytes(first.read_bytes()[:100])
    assert run_sweep(spec, store, progress=False).ran == 1
    assert_frame_equal(load(store), before)
    # Runs whose point values are not the design's (another design was generated): refused.
    (store / "design.parquet").write_bytes(b"PAR1 cut short")
    batch = sorted((store / "batches").glob("batch-*.parquet"))[0]
    runs = pd.read_parquet(batch)
    key = next(k for k in runs.columns if k.startswith("levers."))
    runs[key] = runs[key] + 0.01
    runs.to_parquet(batch, index=False)
    with pytest.raises(SweepError, match="design generated now is not its runs'"):
        run_sweep(spec, store, progress=False)
