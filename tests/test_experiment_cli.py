"""``retention experiment`` at the quick size: a report with P(holds) per reading, the index."""

from __future__ import annotations

import json
import subprocess
import sys

from experiments import EXPERIMENTS


def _retention(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "model.interfaces.cli.main", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def test_list_names_every_claim():
    out = _retention("experiment", "--list")
    assert out.returncode == 0
    assert all(name in out.stdout for name in EXPERIMENTS)


def test_unknown_claim_is_one_clear_line():
    out = _retention("experiment", "nonsense")
    assert out.returncode != 0
    assert "unknown experiment 'nonsense'" in out.stderr
    assert "Traceback" not in out.stderr


def test_quick_report_and_resume(tmp_path):
    out = _retention("experiment", "lost_client", "--size", "quick", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "lost_client.md").read_text(encoding="utf-8")
    assert "Worlds drawn: 40" in text and "P(holds)" in text and "Command:" in text
    assert (tmp_path / "lost_client_effects.png").stat().st_size > 0
    summary = json.loads((tmp_path / "lost_client.json").read_text(encoding="utf-8"))
    assert [r["reading"] for r in summary["rows"]] == ["no_churn", "expected", "expected_profit"]
    again = _retention("experiment", "lost_client", "--size", "quick", "--out", str(tmp_path))
    assert again.returncode == 0
    assert "worlds: " not in again.stdout  # resumed from the store: no world run again
    assert (tmp_path / "lost_client.md").read_text(encoding="utf-8").count("P(holds)") >= 1


def test_experiment_shows_a_bar_on_a_terminal_and_nothing_when_quiet(monkeypatch, capsys, tmp_path):
    """Issue 18, Build 5: the claim study counts its batches on a bar; --quiet prints nothing."""
    from model.interfaces import progress
    from model.interfaces.cli.main import main

    monkeypatch.setattr(progress, "watched", lambda enabled=True: enabled)
    args = ["experiment", "pareto", "--size", "quick", "--out", str(tmp_path / "a")]
    assert main(args) == 0
    shown = capsys.readouterr()
    assert "worlds:" in shown.err and "batch" in shown.err  # the bar, on stderr
    assert "P(holds)" in shown.out
    assert main([*args[:-1], str(tmp_path / "b"), "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert quiet.out == "" and "batch" not in quiet.err
    assert (tmp_path / "b" / "pareto.md").exists()


def test_a_study_on_one_process_or_several_gives_the_same_report(tmp_path):
    """The default is one worker process per core; the stored runs and the report must not depend
    on how many, nor on whether Dask runs them (the arms are gathered per batch, the analysis
    runs on the workers)."""
    places = [("--workers", "1"), ("--workers", "2")]
    try:
        import distributed  # noqa: F401  (the [dask] extra; installed in dev and CI)

        places.append(("--dask-local", "2"))
    except ImportError:
        pass
    reports = []
    for where in places:
        out = tmp_path / "-".join(where)
        done = _retention(
            "experiment", "word_of_mouth", "--size", "quick", *where, "--out", str(out)
        )
        assert done.returncode == 0, done.stderr
        summary = json.loads((out / "word_of_mouth.json").read_text(encoding="utf-8"))
        summary.pop("seconds")
        reports.append(summary)
    assert all(r == reports[0] for r in reports[1:])


def test_where_the_runs_go_is_checked_before_any_run(tmp_path):
    out = ["--out", str(tmp_path / "reports")]
    both = _retention("experiment", "word_of_mouth", "--workers", "2", "--dask-local", "2", *out)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    plain = _retention("experiment", "word_of_mouth", "--tls-ca-file", str(pem), *out)
    assert plain.returncode == 2
    assert "go with --scheduler tls://HOST:PORT" in plain.stderr
    assert "Traceback" not in plain.stderr and not (tmp_path / "reports").exists()
