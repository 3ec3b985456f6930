"""The benchmark command runs and writes the rows the performance issue asks for (no timings asserted)."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import pytest
from numba.core.registry import CPUDispatcher

from benchmarks.__main__ import main, plan
from benchmarks.targets import TARGETS, Target, verdicts
from benchmarks.targets import main as targets_main
from model.engine.numerics import numerics_class

FIELDS = {"engine", "clients", "active_clients", "months", "client_steps_per_s", "bytes_per_client"}


def test_quick_benchmark_writes_every_field(tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    assert main(["--quick", "--out", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    rows = written["rows"]
    engines = {r["engine"] for r in rows}
    assert engines >= {"array", "reference", "lifecycle_kernel", "array_ensemble[8]"}
    for r in rows:
        assert set(r) >= FIELDS
        assert r["client_steps_per_s"] > 0 and r["bytes_per_client"] > 0
        assert 0 < r["active_clients"] <= r["clients"]
    # Runs per second for many small runs, solo and as an ensemble, consistent with the time.
    many = [r for r in rows if "runs" in r and r["engine"].startswith("array")]
    assert {r["engine"] for r in many} == {"array", "array_ensemble[8]"}
    for r in many:
        assert r["runs_per_s"] == pytest.approx(r["runs"] / r["step_s"], rel=0.01)
        assert r["ms_per_run"] == pytest.approx(1000 / r["runs_per_s"])
    # Every model row ran between two runs of the yardstick at its size, and is set beside them.
    for r in rows:
        if r["engine"].startswith("array"):
            before, after = r["yardstick_beside"]
            assert before > 0 and after > 0
            assert r["yardstick_ratio"] == pytest.approx(
                r["client_steps_per_s"] / ((before + after) / 2)
            )
        else:
            assert "yardstick_ratio" not in r
    assert len(written["meta"]["load_average"]["start"]) == 3
    from model.version import shown_version

    assert written["meta"]["code_version"] == shown_version()  # which code the numbers are of
    assert written["meta"]["numerics"] == numerics_class()  # whose last bits (docs/ODD.md §8)
    assert "SSE2" in written["meta"]["simd"] or platform.machine() not in ("x86_64", "AMD64")
    assert "git" in written["meta"]  # the commit, in a checkout (None in an installed wheel)
    printed = capsys.readouterr().out
    assert "M steps/s" in printed and "yardstick" in printed and "load average" in printed
    # The targets are at full sizes: a quick run measures none of them, and says so.
    assert [v["met"] for v in written["targets"]] == [None] * len(TARGETS)
    assert "targets met: 0 of 0 measured" in printed


def test_bad_kernel_passes_is_refused(capsys) -> None:
    assert main(["--kernel-passes", "0"]) == 2
    assert "--kernel-passes: 0 is not allowed; allowed: >= 1" in capsys.readouterr().err


def test_phase_times_cover_every_phase() -> None:
    from benchmarks.phases import phase_times
    from model.engine.month_end import NAME
    from model.engine.phases import PHASES

    spent, total, built = phase_times(2_000, 2)
    # (the default month's last two phases and its metrics run as one step: month_end)
    assert list(spent) == [name for name, _ in PHASES[:-2]] + [NAME]
    assert all(s > 0 for s in spent.values()) and sum(spent.values()) <= total and built > 0


def test_kernel_times_cover_the_compiled_passes_and_put_them_back(capsys) -> None:
    from benchmarks.phases import kernel_times
    from benchmarks.phases import main as phases_main
    from model.engine import randomness
    from model.engine.kernels import month_end, word_of_mouth

    passes, total, state = kernel_times(2_000, 3)
    end = "month_end.month_end"  # (the ledger, resolve and metrics passes, called compiled)
    for key in ("word_of_mouth.speak_and_hear", end, "pcg64.pcg64_fill_float32"):
        seconds, calls, nbytes, edges = passes[key]
        assert 0 < seconds < total and calls >= 3 and nbytes > edges >= 0
    assert "metrics.month_pass" not in passes  # (inside the month's end)
    assert passes["pcg64.pcg64_fill_float32"][1] > passes[end][1]  # 8 a month
    assert state > 0 and passes["word_of_mouth.speak_and_hear"][3] > 0  # the edges, apart
    assert passes[end][3] == 0
    # its arrays, handed in tuples, counted: at least the market's value (8 bytes a client) and
    # stage (1) in each of the 3 months
    assert passes[end][2] >= 3 * (8 + 1) * 2_000
    for fn in (word_of_mouth.speak_and_hear, month_end.month_end, randomness.pcg64_fill_float32):
        assert isinstance(fn, CPUDispatcher)  # the wrappers are gone after the run
    assert phases_main(["--clients", "500", "--months", "2", "--kernels"]) == 0
    assert "compiled passes:" in capsys.readouterr().out


def test_split_times_put_each_phases_passes_and_python_apart(capsys) -> None:
    """Every step and the month's own bookkeeping get a row; their seconds add up to the
    months'; each row's compiled seconds are within its own and its calls are counted where
    they happen (the opening pass outside the steps, retain's pass inside retain)."""
    from benchmarks.phases import OUTSIDE, STEPS, split_times
    from benchmarks.phases import main as phases_main
    from model.engine import randomness
    from model.engine.kernels import month_end

    months = 3
    rows, months_s = split_times(2_000, months)
    assert list(rows) == [*(name for name, _ in STEPS), OUTSIDE]
    assert sum(r[0] for r in rows.values()) == pytest.approx(months_s)
    for name, (seconds, compiled, _, dispatch) in rows.items():
        assert 0 <= compiled <= seconds, name
        assert 0 <= dispatch <= compiled, name
    assert rows["word_of_mouth"][3] > 0  # its pass's 29 arguments are handed over each month
    assert rows["retain"][2] >= 2 * months  # its draw and its pass, each month
    assert rows[OUTSIDE][2] >= months  # the month's opening pass
    assert rows["month_end"][2] >= months  # the ledger, resolve and metrics: one call a month
    assert rows["innovate"][1] < rows["work"][1]  # one number drawn, against the served's work
    assert isinstance(month_end.month_end, CPUDispatcher)  # put back after the run
    assert isinstance(randomness.pcg64_fill_float32, CPUDispatcher)
    assert phases_main(["--clients", "500", "--months", "2", "--split"]) == 0
    printed = capsys.readouterr().out
    assert "compiled passes" in printed and "runs/s" in printed and OUTSIDE in printed
    assert "a compiled month" in printed and "dispatch" in printed


def test_rounds_keep_each_rows_fastest_and_every_rate(tmp_path: Path, capsys) -> None:
    """--repeat runs every row in turn that many times; each row keeps its fastest round and
    the rates of all rounds beside it; a model row's ratio is the median of its rounds' ratios
    to the yardstick run beside it (not a ratio of two fastest rounds, minutes apart)."""
    out = tmp_path / "bench.json"
    assert main(["--quick", "--repeat", "2", "--out", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    models = 0
    for r in rows:
        rates = r["client_steps_per_s_rounds"]
        assert len(rates) == 2 and r["client_steps_per_s"] == max(rates)
        if r["engine"].startswith("array"):
            ratios = r["yardstick_ratio_rounds"]
            assert len(ratios) == 2 and r["yardstick_ratio"] == pytest.approx(sum(ratios) / 2)
            models += 1
    assert models >= 5
    assert main(["--quick", "--repeat", "0", "--out", str(out)]) == 2
    assert "--repeat: 0 is not allowed; allowed: >= 1" in capsys.readouterr().err


def test_the_ratio_is_the_median_of_rounds_beside_their_own_yardstick(monkeypatch) -> None:
    """Each model row is bracketed by yardstick runs of its own size and horizon; over rounds
    its ratio is the median of the rounds' (not their mean), in round order, and its rate the
    fastest round's."""
    import benchmarks.__main__ as bench

    asked, rates = [], iter([10.0, 30.0, 40.0, 20.0, 20.0, 20.0, 10.0, 10.0, 10.0])
    monkeypatch.setattr(bench, "bench_lifecycle", lambda n, m: asked.append((n, m)) or
                        {"client_steps_per_s": next(rates)})  # fmt: skip
    model = iter([4.0, 6.0, 5.0])
    monkeypatch.setattr(bench, "measure", lambda *a: {"engine": "array", "clients": a[1],
                        "client_steps_per_s": next(model)})  # fmt: skip
    rounds = [[bench.bracketed("solo", 3_000, 24, 2, 60)] for _ in range(3)]
    assert asked == [(3_000, 24)] * 6  # before and after, at the row's own size and horizon
    (row,) = bench.fastest(rounds)
    assert row["yardstick_ratio_rounds"] == [4.0 / 20.0, 6.0 / 30.0, 5.0 / 20.0]
    assert row["yardstick_ratio"] == 0.2  # the median (the mean would be 0.2167)
    assert row["client_steps_per_s"] == 6.0 and row["yardstick_beside"] == [40.0, 20.0]
    assert row["yardstick_beside_rounds"] == [[10.0, 30.0], [40.0, 20.0], [20.0, 20.0]]


def test_every_target_is_a_number_the_full_benchmark_measures() -> None:
    """Each target names a row of the full plan (engine, size, horizon) and a field that row
    writes, so no target can be left unmeasured by a full run."""
    runs_rows = {"solo": "array", "ensemble": "array_ensemble[{runs}]", "process": "process"}
    measured = set()
    for kind, n, months, runs in plan(quick=False, huge=False, process=True):
        fields = {"yardstick_ratio", "bytes_per_client", "client_steps_per_s"}
        if kind in runs_rows:
            fields.add("runs_per_s")
        engine = runs_rows.get(kind, kind).format(runs=runs)
        measured |= {(engine, n, months, f) for f in fields}
    for t in TARGETS:
        assert (t.engine, t.clients, t.months, t.field) in measured, t.name


def test_targets_are_read_off_their_own_row_against_their_bar(tmp_path: Path, capsys) -> None:
    """A value at the bar meets it, either side of it as the bar says; a row of another size,
    horizon or engine is not read; a missing row is *not measured*, and the command's exit
    status says whether every target was measured and met."""
    at_least = Target("runs", "array", 3_000, 120, "runs_per_s", 20.0)
    at_most = Target("bytes", "process", 1_000_000, 120, "bytes_per_client", 200.0, at_most=True)
    rows = [
        {"engine": "array", "clients": 3_000, "months": 12, "runs_per_s": 99.0},  # other horizon
        {"engine": "array", "clients": 3_000, "months": 120, "runs_per_s": 20.0},
        {"engine": "process", "clients": 1_000_000, "months": 120, "bytes_per_client": 200.5},
    ]
    found = verdicts(rows, (at_least, at_most))
    assert [(v["value"], v["met"]) for v in found] == [(20.0, True), (200.5, False)]
    rows[1]["runs_per_s"] = 19.99
    rows[2]["bytes_per_client"] = 150.0
    found = verdicts(rows, (at_least, at_most))
    assert [(v["value"], v["met"]) for v in found] == [(19.99, False), (150.0, True)]
    assert verdicts(rows[:1], (at_least,))[0]["met"] is None  # only another horizon's row
    # The command, on stored results: 1 while any is unmet or unmeasured, 2 for no results.
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"rows": rows}), encoding="utf-8")
    assert targets_main([str(path)]) == 1
    assert "not met" in capsys.readouterr().out
    met: dict[tuple, dict] = {}  # one row per engine, size and horizon, as a run writes them
    for t in TARGETS:
        r = met.setdefault((t.engine, t.clients, t.months), {"engine": t.engine,
                           "clients": t.clients, "months": t.months})  # fmt: skip
        r[t.field] = t.bar + (-1.0 if t.at_most else 1.0)
    path.write_text(json.dumps({"rows": list(met.values())}), encoding="utf-8")
    assert targets_main([str(path)]) == 0
    assert f"targets met: {len(TARGETS)} of {len(TARGETS)} measured" in capsys.readouterr().out
    path.write_text("{}", encoding="utf-8")
    assert targets_main([str(path)]) == 2
    assert "is not a benchmark's JSON" in capsys.readouterr().err


def test_every_round_builds_its_own_markets(monkeypatch) -> None:
    """A round's runs are timed with their build: the rounds run the same seeds, and a market
    shared from the round before would make the build free (and the rate too high)."""
    import model.engine.initial as initial
    from benchmarks.__main__ import bench_runs

    drawn = []
    draw = initial._draw_clients
    monkeypatch.setattr(initial, "_draw_clients", lambda p, s: drawn.append(s.seed) or draw(p, s))
    for ensemble in (False, True):
        drawn.clear()
        bench_runs(300, 3, 4, ensemble=ensemble)
        first = sorted(drawn)
        drawn.clear()
        bench_runs(300, 3, 4, ensemble=ensemble)
        assert sorted(drawn) == first  # the second round built every market again
        assert len(first) == (1 if ensemble else 4)  # an ensemble's arms share their seed's


def test_the_ensemble_proxy_prints_a_round_of_rates(capsys) -> None:
    """``benchmarks.ensemble_proxy`` (an array program's ceiling, measured on one market of
    runs × clients) prints its rates; the numbers are the benchmark's, not asserted here."""
    from benchmarks.ensemble_proxy import main as proxy_main

    assert proxy_main(["--runs", "2", "--clients", "300", "--months", "3", "--rounds", "1",
                       "--timed-months", "2"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith("round 1: yardstick ") and "one market of 2 x 300" in out
    assert "runs/s" in out and "of the yardstick" in out


def test_the_ensemble_phases_add_up_to_the_ensemble(capsys) -> None:
    """``benchmarks.ensemble_phases`` times each phase inside the benchmark's ensemble (models
    stepped together): every phase is timed, and the months and what lies outside them add up to
    the ensemble's wall time (the rates are the benchmark's, not asserted here)."""
    from benchmarks.ensemble_phases import ensemble_phase_times, main
    from benchmarks.phases import STEPS

    spent, outside, wall = ensemble_phase_times(4, 300, 3)
    assert set(spent) == {name for name, _ in STEPS} | {"open_month", "close_month (agents, row)"}
    assert all(seconds > 0 for seconds in spent.values()) and 0 < sum(spent.values()) < wall
    assert set(outside) == {"build", "results"} and all(s > 0 for s in outside.values())
    assert sum(spent.values()) + sum(outside.values()) < wall
    assert main(["--runs", "4", "--clients", "300", "--months", "3", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ensemble of 4 runs, 300 clients x 3 months: ")
    assert "a month, all of the above" in out and "outside the months" in out
    assert "builds" in out and "results" in out and "lockstep's own loop" in out
    with pytest.raises(SystemExit):
        main(["--runs", "2"])  # (fewer runs than arms: refused, not a silent round of 4)
