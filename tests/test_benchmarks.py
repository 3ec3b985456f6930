"""The benchmark command runs and writes the rows the performance issue asks for (no timings asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.__main__ import main

FIELDS = {"engine", "clients", "active_clients", "months", "client_steps_per_s", "bytes_per_client"}


def test_quick_benchmark_writes_every_field(tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    assert main(["--quick", "--out", str(out)]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert {r["engine"] for r in rows} >= {"array", "reference"}
    for r in rows:
        assert set(r) >= FIELDS
        assert r["client_steps_per_s"] > 0 and r["bytes_per_client"] > 0
        assert 0 < r["active_clients"] <= r["clients"]
    assert "M steps/s" in capsys.readouterr().out


def test_bad_kernel_passes_is_refused(capsys) -> None:
    assert main(["--kernel-passes", "0"]) == 2
    assert "--kernel-passes: 0 is not allowed; allowed: >= 1" in capsys.readouterr().err


def test_phase_times_cover_every_phase() -> None:
    from benchmarks.phases import phase_times
    from model.engine.phases import PHASES

    spent, total, built = phase_times(2_000, 2)
    assert list(spent) == [name for name, _ in PHASES]
    assert all(s > 0 for s in spent.values()) and sum(spent.values()) <= total and built > 0
