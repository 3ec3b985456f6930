"""``retention experiment`` at the quick size: a report with P(holds) per reading, the index."""

from __future__ import annotations

import contextlib
import json
import re
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
    # A line per tenth of the batches, on stderr even in a pipe: stdout holds the results.
    assert "worlds: " in out.stderr and "batches" not in out.stdout
    # An empty store is said first: a fresh clone's study ran for minutes after its title alone.
    store = tmp_path / ".store" / "quick-seed1"
    assert f"  no stored runs at {store}: every run is made now" in out.stdout.splitlines()[1]
    text = (tmp_path / "lost_client.md").read_text(encoding="utf-8")
    assert "Worlds drawn: 160" in text and "P(holds)" in text and "Command:" in text
    # Each reading's line counts the worlds near an edge and those too noisy to place.
    counted = re.findall(r"\((\d+) worlds near an edge, (\d+) of them too noisy", out.stdout)
    assert len(counted) == 5 and all(int(u) <= int(n) for n, u in counted)
    assert (tmp_path / "lost_client_effects.png").stat().st_size > 0
    summary = json.loads((tmp_path / "lost_client.json").read_text(encoding="utf-8"))
    assert [r["reading"] for r in summary["rows"]] == [
        "no_churn",
        "expected",
        "expected_profit",
        "lost_sales",
        "arithmetic",
    ]
    # Every reading is the article's five years: a 24-month study says it cannot judge them,
    # not that they fail (a 24-month run cannot reach a five-year band).
    assert all(
        r["verdict"] == "not judged: the source's figure speaks of 60 months and this study's "
        "runs are 24"
        for r in summary["rows"]
    ), [r["verdict"] for r in summary["rows"]]
    # ...and says so in every section that would judge them (the facts' narrower ranges, the
    # larger market, the boxes), not that they are undefined there.
    for heading in (
        "## How much the verdict owes",
        "## Does the verdict depend",
        "## Where it holds",
    ):
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        assert section.count("| not judged: the source's figure speaks of 60 months") == 5, heading
    assert "undefined in every" not in text
    raw = (tmp_path / "lost_client.json").read_text(encoding="utf-8")
    assert "undefined in every" not in raw and raw.count('"not_judged": "not judged: ') >= 10
    # The folder's index is written with the report, and the report's link to its bottom line
    # lands on it: none of the five readings judged, none said to stand a check.
    assert "(README.md#the-bottom-line-claim-by-claim)" in text
    index = (tmp_path / "README.md").read_text(encoding="utf-8")
    line = next(x for x in index.splitlines() if "(lost_client.md)" in x and x.startswith("- "))
    assert "**No reading judged**" in line and "stand" not in line
    # A README of the user's own in the folder is never replaced by one claim's run.
    (tmp_path / "README.md").write_text("# my notes\n", encoding="utf-8")
    again = _retention("experiment", "lost_client", "--size", "quick", "--out", str(tmp_path))
    assert again.returncode == 0
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# my notes\n"
    assert "index: not written" in again.stdout
    assert "worlds: " not in again.stderr  # resumed from the store: no world run again
    assert "no stored runs" not in again.stdout
    assert (tmp_path / "lost_client.md").read_text(encoding="utf-8").count("P(holds)") >= 1


def test_experiment_shows_a_bar_on_a_terminal_and_nothing_when_quiet(monkeypatch, capsys, tmp_path):
    """Issue 18, Build 5: the claim study counts its batches on a bar; --quiet prints nothing."""
    from model.interfaces import progress
    from model.interfaces.cli.main import main

    monkeypatch.setattr(progress, "watched", lambda enabled=True: enabled)
    from experiments.running.stages import batches_run

    args = ["experiment", "pareto", "--size", "quick", "--out", str(tmp_path / "a")]
    first = batches_run()
    assert main(args) == 0 and batches_run() > first  # a fresh study runs its batches
    shown = capsys.readouterr()
    assert "worlds:" in shown.err and "batch" in shown.err  # the bar, on stderr
    assert "P(holds)" in shown.out
    # Each stage named, each line once (16 world batches: a line at each tenth, not 16).
    assert "pareto, first look: " in shown.err and "pareto, scale: " in shown.err
    lines = [line for line in shown.err.splitlines() if line.startswith("  worlds: ")]
    assert len(lines) == len(set(lines)) <= 10
    # The batches this process ran, counted (a store's read back are not: see the --all timing).
    before = batches_run()
    assert main([*args, "--quiet"]) == 0 and batches_run() == before
    capsys.readouterr()
    assert main([*args[:-1], str(tmp_path / "b"), "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert quiet.out == "" and "batch" not in quiet.err
    assert (tmp_path / "b" / "pareto.md").exists()


def test_a_study_on_one_process_or_several_gives_the_same_report(tmp_path):
    """The default is one worker process per core; the stored runs and the report must not depend
    on how many, nor on whether Dask runs them (the arms are gathered per batch, the analysis
    runs on the workers)."""
    places = [("--workers", "1"), ("--workers", "2")]
    stack = contextlib.ExitStack()
    try:
        import distributed  # (the [dask] extra; installed in dev and CI)
    except ImportError:
        distributed = None
    if distributed is not None:
        # A running scheduler (its workers are asked which code they run before any task) and
        # a LocalCluster the command starts itself.
        cluster = stack.enter_context(
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None,
            )
        )  # fmt: skip
        places += [("--scheduler", cluster.scheduler_address), ("--dask-local", "2")]
    with stack:
        reports = [_quick_report(tmp_path / f"run{i}", w) for i, w in enumerate(places)]
    assert all(r == reports[0] for r in reports[1:])


def _quick_report(out, where: tuple[str, str]) -> dict:
    """The quick word_of_mouth study's JSON summary (less its timing), run ``where`` into the
    fresh folder ``out``."""
    done = _retention("experiment", "word_of_mouth", "--size", "quick", *where, "--out", str(out))
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "word_of_mouth.json").read_text(encoding="utf-8"))
    summary.pop("seconds")
    return summary


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


def test_a_name_all_and_list_are_one_choice(tmp_path):
    """``--all`` won silently over a name or ``--list`` (``--all --list`` started the whole
    study; ``NAME --all`` ran every experiment into the committed reports)."""
    out = ["--out", str(tmp_path / "reports")]
    for args in (("--all", "--list"), ("pareto", "--all"), ("pareto", "--list")):
        refused = _retention("experiment", *args, *out)
        assert refused.returncode == 2, args
        assert "allowed: one of an experiment's name, --all or --list" in refused.stderr
        assert "Traceback" not in refused.stderr and not (tmp_path / "reports").exists()


def test_deep_reps_extends_the_study_and_a_later_run_reads_the_sizes_own(tmp_path, capsys):
    """--deep-reps N replicates the worlds still too noisy to place up to N (the report says
    so, and so does its command); run again without it, the study reads only what its size asks
    for and writes the report a fresh study of that size writes. Below the size's replications
    near an edge it is refused, naming the flag, the value and the range."""
    from model.interfaces.cli.main import main

    deep = ["experiment", "lost_client", "--size", "quick", "--workers", "1", "--quiet"]
    assert main([*deep, "--deep-reps", "6", "--out", str(tmp_path / "a")]) == 0
    text = (tmp_path / "a" / "lost_client.md").read_text(encoding="utf-8")
    assert "up to 6 in those still too noisy to place" in text and "--deep-reps 6" in text
    assert main([*deep, "--out", str(tmp_path / "a")]) == 0
    assert main([*deep, "--out", str(tmp_path / "b")]) == 0

    def rows(folder: str) -> list:
        return json.loads((tmp_path / folder / "lost_client.json").read_text(encoding="utf-8"))[
            "rows"
        ]

    assert rows("a") == rows("b")
    assert main([*deep, "--deep-reps", "1", "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert (
        "--deep-reps: value '1' is not allowed; allowed: an integer, 2 ≤ x ≤ 64, and at least "
        "the size's replications near an edge (4 at default, 2 at quick)"
    ) in err


def test_worlds_extends_the_study_and_a_later_run_reads_the_sizes_own(tmp_path, capsys):
    """--worlds N draws more waves until N plausible worlds are kept (the report says so, and so
    does its command); run again without it, the study reads only the size's own waves and writes
    the report a fresh study of that size writes. Outside 1..MAX_WORLDS it is refused, naming the
    flag, the value and the range."""
    from experiments.cli import MAX_WORLDS
    from model.interfaces.cli.main import main

    quick = ["experiment", "lost_client", "--size", "quick", "--workers", "1", "--quiet"]

    def summary(folder: str) -> dict:
        return json.loads((tmp_path / folder / "lost_client.json").read_text(encoding="utf-8"))

    assert main([*quick, "--out", str(tmp_path / "b")]) == 0
    one_wave = summary("b")["kept"]
    want = one_wave + 1  # more than the quick size's one wave keeps
    assert main([*quick, "--worlds", str(want), "--out", str(tmp_path / "a")]) == 0
    more = summary("a")
    assert more["drawn"] >= 2 * summary("b")["drawn"] and more["kept"] >= want
    assert more["wanted"] == want  # (the index's regenerate command repeats it)
    text = (tmp_path / "a" / "lost_client.md").read_text(encoding="utf-8")
    assert f"until {want:,} are plausible" in text and f"--worlds {want}" in text
    assert main([*quick, "--out", str(tmp_path / "a")]) == 0
    assert summary("a")["kept"] == one_wave and summary("a")["rows"] == summary("b")["rows"]
    capsys.readouterr()
    for bad in ("0", str(MAX_WORLDS + 1)):
        assert main([*quick, "--worlds", bad, "--out", str(tmp_path / "c")]) == 2
        err = capsys.readouterr().err
        assert f"--worlds: value '{bad}' is not allowed" in err and f"1 ≤ x ≤ {MAX_WORLDS}" in err


def test_the_all_timing_says_whether_the_study_was_run_or_read_back():
    """A resumed ``--all`` takes minutes where a fresh one takes tens: its sentence says which."""
    from experiments.cli import took_sentence

    fresh = took_sentence("retention experiment --all", 21.6, "default", "2 processes", 1234)
    assert fresh.endswith(
        "(size 'default', on 2 processes; 1,234 batches of runs run, the rest read from the store)."
    )
    again = took_sentence("retention experiment --all", 2.6, "default", "2 processes", 0)
    assert again.startswith("The last `retention experiment --all` took 2.6 minutes")
    assert again.endswith("; every run read from the store).")
