"""Fuzzing the command line (hypothesis): argument lists and input files for every subcommand.

Whatever the input, the command ends with exit status 0 or 2; a 2 is one line on stderr with no
traceback; nothing is half-written (no staging folders, no temp files); and nothing outside the
example's own folder changes. Budgets are fixed and the search derandomised, so a CI run is
reproducible and short; raise ``FUZZ_EXAMPLES`` locally to search longer.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.interfaces.cli.main import main

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------------------- values
HUGE = "9" * 5000
nasty_text = st.sampled_from(
    [
        "",
        " ",
        "abc",
        "1.5",
        "-3",
        "nan",
        "inf",
        "-inf",
        "1e309",
        HUGE,
        "0x10",
        "٣",
        "true",
        "yes",
        "\x00",
        "../../x",
        "/dev/zero",
        "x" * 300,
        "[1, [2]]",
        "{a = 1}",
        '"wow"',
        "1_000",
        "+7",
    ]
)
small_int = st.integers(-5, 150).map(str)
value = st.one_of(nasty_text, small_int, st.floats(allow_nan=True).map(repr))
KEYS = [
    "market.clients",
    "run.months",
    "run.seed",
    "levers.service_level",
    "staff.capacity",
    "word_of_mouth.enabled",
    "word_of_mouth.degree",
    "nosection.x",
    "levers",
    "levers.nope",
]
set_pair = st.tuples(st.sampled_from(KEYS), value).map(lambda kv: f"{kv[0]}={kv[1]}")

TOML_LINES = [
    "[market]\nclients = 120\n",
    "[run]\nmonths = 2\n",
    "[run]\nmonths = 0\n",
    "[levers]\nservice_level = true\n",
    '[levers]\nservice_level = "wow"\n',
    f"[run]\nseed = {HUGE}\n",
    "x = " + "[" * 3000 + "]" * 3000 + "\n",
    "[[[\n",
    "\xff\n",
    'name = "../../escape"\n',
    'name = "/tmp/escape-abs"\n',
    "[word_of_mouth]\nenabled = 1\n",
    "[staff]\ncapacity = 1e-9\n",
    "[nosuch]\na = 1\n",
    'name = "' + "n" * 300 + '"\n',
]
toml_text = st.lists(st.sampled_from(TOML_LINES), max_size=4).map(
    lambda parts: "[market]\nclients = 100\n[run]\nmonths = 2\n" + "".join(parts)
)
SPEC_LINES = [
    "replications = 0\n",
    "replications = 2\n",
    "batch_size = 1\n",
    "seed = -1\n",
    "clients = 100\n",
    "months = 2\n",
    '[design]\nkind = "sobol"\n',
    '[design]\nkind = "nope"\n',
    '[parameters]\n"levers.service_level" = ["low", "wow"]\n',
    '[parameters]\n"nope.x" = [1]\n',
    '[parameters]\n"retain.satisfaction_sensitivity" = { low = 0.0, high = 1.0 }\n',
    '[output]\nseries = ["active"]\n',
    "x = " + "{a=" * 200 + "1" + "}" * 200 + "\n",
]
spec_text = st.lists(st.sampled_from(SPEC_LINES), max_size=4).map(
    lambda parts: 'name = "f"\nclients = 100\nmonths = 2\nreplications = 1\n' + "".join(parts)
)
TARGET_LINES = [
    "survival = [1000, 800, 700, 650]\n",
    'survival = ["a"]\n',
    "survival = [[1], [2, 3]]\n",
    "survival = 5\n",
    "annual_retention = 0.8\n",
    "nps = nan\n",
    "top20_share = inf\n",
    "cohort_size = -1\n",
    "bogus = 1\n",
    "targets = 3\n",
]
target_text = st.lists(st.sampled_from(TARGET_LINES), min_size=1, max_size=3).map("".join)
csv_text = st.sampled_from(
    [
        "client,date,amount\n1,2020-01-01,5\n2,2020-02-01,7\n1,2021-03-01,4\n",
        "client,date,amount\n1,not-a-date,5\n",
        "a,b\n1,2\n",
        "",
        "year,alive\n0,1000\n1,800\n2,700\n3,650\n",
        "year,alive\n0,10\n1,20\n",
        "\xff\xfe",
    ]
)


# ------------------------------------------------------------------------------- the harness
def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def check(make_argv) -> None:
    """Run ``make_argv(inputs, work)`` in a fresh folder and check the outcome."""
    with tempfile.TemporaryDirectory() as root_name:
        root = Path(root_name)
        inputs, work = root / "inputs", root / "work"
        inputs.mkdir()
        work.mkdir()
        argv = [str(a) for a in make_argv(inputs, work)]
        before_inputs = snapshot(inputs)
        before_parent = sorted(p.name for p in root.parent.iterdir() if "escape" in p.name)
        err, out = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        os.chdir(work)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                try:
                    code = main(argv)
                except SystemExit as exc:  # --help
                    code = int(exc.code or 0)
        finally:
            os.chdir(cwd)
        text = err.getvalue()
        assert code in (0, 2), (argv, code, text)
        assert "Traceback" not in text, (argv, text)
        if code == 2:
            assert len(text.strip().splitlines()) == 1, (argv, text)
        assert snapshot(inputs) == before_inputs, argv
        assert sorted(p.name for p in root.iterdir()) == ["inputs", "work"], argv
        written = [p for p in work.rglob("*")]
        assert not [p for p in written if ".partial-" in p.name or p.name.endswith(".tmp")], argv
        outside = [p for p in written if p.parts[len(work.parts)] not in ("o", "out")]
        assert outside == [], argv
        after_parent = sorted(p.name for p in root.parent.iterdir() if "escape" in p.name)
        assert after_parent == before_parent, argv


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path


common = st.lists(
    st.one_of(
        st.tuples(st.just("--clients"), st.one_of(st.integers(10, 150).map(str), nasty_text)),
        st.tuples(st.just("--months"), st.one_of(st.integers(1, 3).map(str), nasty_text)),
        st.tuples(st.just("--seed"), value),
        st.tuples(st.just("--set"), set_pair),
        st.tuples(st.just("--out"), st.sampled_from(["o", "x" * 300, "/dev/null/o", ""])),
    ),
    max_size=3,
).map(lambda pairs: [x for pair in pairs for x in pair])


# ------------------------------------------------------------------------------- subcommands
@pytest.mark.slow
@FUZZ
@given(text=toml_text, extra=common, figures=st.booleans())
def test_fuzz_run(text, extra, figures):
    def argv(inputs, work):
        size = ["--clients", "100", "--months", "2"]
        return ["run", write(inputs, "s.toml", text), *size, *extra, "--quiet"] + (
            [] if figures else ["--no-figures"]
        )

    check(argv)


@pytest.mark.slow
@FUZZ
@given(a=toml_text, b=toml_text, extra=common, reps=st.sampled_from(["1", "2", "0", "x"]))
def test_fuzz_compare(a, b, extra, reps):
    def argv(inputs, work):
        files = [write(inputs, "a.toml", a), write(inputs, "b.toml", b)]
        return [
            "compare",
            *files,
            "--clients",
            "100",
            "--months",
            "2",
            *extra,
            "--replications",
            reps,
            "--out",
            "o",
        ]

    check(argv)


@pytest.mark.slow
@settings(FUZZ, max_examples=max(EXAMPLES // 2, 3))
@given(
    extra=common,
    grid=st.sampled_from(["0", "1", "-1", "100000", "x"]),
    budget=st.sampled_from(["100", "0", "-5", "nan", "inf", "abc"]),
)
def test_fuzz_optimize(extra, grid, budget):
    def argv(inputs, work):
        base = write(inputs, "s.toml", "[market]\nclients = 100\n[run]\nmonths = 2\n")
        return [
            "optimize",
            base,
            "--clients",
            "100",
            "--months",
            "2",
            "--replications",
            "1",
            "--grid",
            grid,
            "--budget",
            budget,
            "--levers",
            "ad_budget,winback_spend",
            *extra,
            "--out",
            "o",
        ]

    check(argv)


@pytest.mark.slow
@FUZZ
@given(
    text=spec_text,
    where=st.sampled_from(
        [
            ["--workers", "1"],
            ["--workers", "0"],
            ["--workers", "x"],
            ["--scheduler", "tls://h:1"],
            ["--scheduler", "ucx://h:1"],
            ["--dask-local", "-1"],
            ["--workers", HUGE],
        ]
    ),
    fresh=st.booleans(),
    out=st.sampled_from(["o", "x" * 300, "/dev/null/o"]),
)
def test_fuzz_sweep(text, where, fresh, out):
    def argv(inputs, work):
        spec = write(inputs, "spec.toml", text)
        return ["sweep", spec, "--out", out, *where, "--quiet"] + (["--fresh"] if fresh else [])

    check(argv)


@pytest.mark.slow
@FUZZ
@given(
    kind=st.sampled_from(["--targets", "--transactions", "--survival"]),
    targets=target_text,
    log=csv_text,
    months=st.sampled_from(["12", "0", "-3", "nan", "inf", "x"]),
    out=st.sampled_from(["o/fit.toml", "o", "x" * 300]),
)
def test_fuzz_calibrate(kind, targets, log, months, out):
    def argv(inputs, work):
        data = (
            write(inputs, "t.toml", targets) if kind == "--targets" else write(inputs, "d.csv", log)
        )
        extra = {
            "--transactions": ["--period-months", months],
            "--targets": ["--seeds", "1", "--replicates", "0"],  # (only targets read them)
        }.get(kind, [])
        (work / "o").mkdir(exist_ok=True)
        return ["calibrate", kind, data, *extra, "--out", out]

    check(argv)


@pytest.mark.slow
@FUZZ
@given(
    args=st.lists(
        st.sampled_from(
            [
                "params",
                "--section",
                "market",
                "levers",
                "nope",
                "sensitivity",
                "o",
                "--metric",
                "npv",
                "experiment",
                "--list",
                "nonexistent",
                "--seed",
                "-1",
                HUGE,
                "--out",
                "x" * 300,
                "--status",
                "app",
                "--port",
                "99999",
                "--host",
                "--help",
            ]
        ),
        max_size=5,
    )
)
def test_fuzz_other_subcommands(args):
    # Never a real app server or a full experiment: those run elsewhere.
    if "app" in args and "--help" not in args and not {"--port"} & set(args):
        args = [*args, "--port", "99999"]
    if "experiment" in args and not {"--list", "nonexistent", "--help"} & set(args):
        args = [*args, "nonexistent"]
    check(lambda inputs, work: args)
