"""Probe the command line as a hostile user would, and print one table row per subcommand.

Usage: ``.venv/bin/python scripts/probe_cli.py [--no-signals]`` (about 5 minutes on 2 cores).

Each bad-input case runs ``retention`` (in this process, as the fuzz tests do) in a fresh folder
that already holds a previous result (``prev/``); each signal case runs it as a subprocess and
stops it with SIGINT, SIGTERM or SIGKILL at a random moment (fixed seed). A case is *clean* when
nothing below went wrong:

* traceback — a traceback on stderr (or an exception out of ``main``);
* wrong exit — bad input not refused with 2, or a stop not ending in 130/143 (SIGKILL: any);
* half-written — a staging folder, ``*.tmp`` file, or anything written outside ``--out``;
* lost — the previous result changed or went missing;
* orphans — a process the command started still alive 15 s after it ended.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.interfaces.cli.main import main  # noqa: E402

HUGE = "9" * 5000
TINY = ["--clients", "100", "--months", "2"]
SPEC = (
    'name = "p"\nseed = 1\nmonths = 2\nclients = 100\nreplications = 1\n'
    '[parameters]\n"levers.service_level" = ["low", "wow"]\n'
)
STOPS: Counter = Counter()  # signal cases stopped (True) or ended before the signal (False)
COLUMNS = ["tried", "clean", "tracebacks", "wrong exits", "half-written", "lost", "orphans"]


def big_log(clients: int = 600, seed: int = 1) -> str:
    """A transaction log long enough for calibrate to be stopped mid-fit (fixed seed): each
    client buys at their own rate (gamma) for amounts of their own mean (gamma)."""
    rng = random.Random(seed)
    rows = ["client,date,amount"]
    for c in range(clients):
        rate, mean = rng.gammavariate(1.5, 1 / 60), rng.gammavariate(3.0, 10.0)
        day = rng.randrange(0, 365)
        while day < 3 * 365:
            amount = rng.gammavariate(4.0, mean / 4)
            rows.append(
                f"{c},{2020 + day // 365}-{1 + day % 365 // 31:02d}-{1 + day % 28:02d},{amount:.2f}"
            )
            day += 1 + int(rng.expovariate(rate))
    return "\n".join(rows) + "\n"


def files() -> dict[str, str]:
    """Input files written into every case's folder (name -> text)."""
    return {
        "ok.toml": "[market]\nclients = 100\n[run]\nmonths = 2\n",
        "deep.toml": "x = " + "[" * 3000 + "]" * 3000 + "\n",
        "bool.toml": "[levers]\nservice_level = true\n",
        "escape.toml": 'name = "../../escape"\n[market]\nclients = 100\n[run]\nmonths = 2\n',
        "abs.toml": 'name = "/tmp/escape-abs"\n[market]\nclients = 100\n[run]\nmonths = 2\n',
        "long.toml": 'name = "' + "n" * 300 + '"\n[market]\nclients = 100\n[run]\nmonths = 2\n',
        "bin.toml": "\xff\xfe\x00",
        "huge_seed.toml": f"[run]\nseed = {HUGE}\n",
        "spec.toml": SPEC,
        "spec_big.toml": SPEC.replace("months = 2", "months = 24")
        .replace("clients = 100", "clients = 3000")
        .replace("replications = 1", "replications = 6\nbatch_size = 1"),
        "spec_deep.toml": SPEC + "x = " + "{a=" * 200 + "1" + "}" * 200 + "\n",
        "spec_zero.toml": SPEC.replace("replications = 1", "replications = 0"),
        "spec_huge.toml": SPEC.replace("replications = 1", "replications = 10000000"),
        "spec_kind.toml": SPEC + '[design]\nkind = "nope"\n',
        "t_str.toml": 'survival = ["a", "b"]\n',
        "t_ragged.toml": "survival = [[1], [2, 3]]\n",
        "t_scalar.toml": "survival = 5\n",
        "log.csv": "client,date,amount\n1,2020-01-01,5\n2,2020-02-01,7\n1,2021-03-01,4\n",
        "bad.csv": "client,date,amount\n1,not-a-date,5\n",
        "surv.csv": "year,alive\n0,10\n1,20\n",
        "big_log.csv": big_log(),
        "a_file": "not a folder\n",
    }


def bad_cases() -> dict[str, list[list[str]]]:
    """Per subcommand: argument lists that must end in exit 2 (one line, nothing written)."""
    seeds = ["abc", "1.5", "-3", HUGE, str(2**64)]
    out = ["--out", "o"]
    return {
        "run": [
            *(["run", "ok.toml", "--seed", s, *out] for s in seeds),
            ["run", "ok.toml", "--set", f"run.seed={HUGE}", *out],
            ["run", "ok.toml", "--set", "levers.service_level=true", *out],
            ["run", "ok.toml", "--set", "word_of_mouth.enabled=yes", *out],
            ["run", "ok.toml", "--set", "nosection.x=1", *out],
            ["run", "ok.toml", "--clients", "50000000", "--months", "1200", *out],
            ["run", "ok.toml", "--set", "staff.capacity=1e-9", *out],
            ["run", "ok.toml", "--months", "0", *out],
            ["run", "ok.toml", "--clients", "x", *out],
            ["run", "deep.toml", *out],
            ["run", "bool.toml", *out],
            ["run", "bin.toml", *out],
            ["run", "huge_seed.toml", *out],
            ["run", "/dev/zero", *out],
            ["run", "inputs_dir", *out],
            ["run", "missing.toml", *out],
            ["run", "ok.toml", "--out", "x" * 300],
            ["run", "ok.toml", "--out", "a_file/o"],
            ["run", "ok.toml", "--out", "/proc/o"],
            ["run", "ok.toml", "--replications", "0", *out],
        ],
        "compare": [
            *(["compare", "ok.toml", "ok.toml", *TINY, "--seed", s, *out] for s in seeds),
            ["compare", "ok.toml", "missing.toml", *TINY, *out],
            ["compare", "ok.toml", "deep.toml", *TINY, *out],
            ["compare", "ok.toml", "ok.toml", *TINY, "--replications", "0", *out],
            ["compare", "ok.toml", "ok.toml", *TINY, "--workers", "0", *out],
            ["compare", "ok.toml", "ok.toml", *TINY, "--workers", "x", *out],
            ["compare", "ok.toml", "ok.toml", *TINY, "--out", "a_file"],
            ["compare", "ok.toml", "ok.toml", *TINY, "--set", f"run.seed={HUGE}", *out],
        ],
        "optimize": [
            *(["optimize", "ok.toml", *TINY, "--seed", s, *out] for s in seeds),
            ["optimize", "ok.toml", *TINY, "--grid", "100000", *out],
            ["optimize", "ok.toml", *TINY, "--grid", "-1", *out],
            ["optimize", "ok.toml", *TINY, "--budget", "nan", *out],
            ["optimize", "ok.toml", *TINY, "--budget", "-1", *out],
            ["optimize", "ok.toml", *TINY, "--levers", "nope", *out],
            ["optimize", "ok.toml", *TINY, "--robust", "nope.x=1,2", *out],
            ["optimize", "ok.toml", *TINY, "--out", "x" * 300],
        ],
        "sweep": [
            ["sweep", "spec_deep.toml", *out],
            ["sweep", "spec_zero.toml", *out],
            ["sweep", "spec_huge.toml", *out],
            ["sweep", "spec_kind.toml", *out],
            ["sweep", "ok.toml", *out],
            ["sweep", "spec.toml", "--out", "prev"],  # a folder that is not a store
            ["sweep", "spec.toml", "--out", "a_file"],
            ["sweep", "spec.toml", *out, "--scheduler", "tls://h:1"],
            ["sweep", "spec.toml", *out, "--scheduler", "ucx://h:1"],
            ["sweep", "spec.toml", *out, "--scheduler", "nowhere"],
            ["sweep", "spec.toml", *out, "--workers", "0"],
            ["sweep", "spec.toml", *out, "--dask-local", "-1"],
            ["sweep", "spec.toml", *out, "--workers", HUGE],
            ["sweep", "--status", "prev"],
        ],
        "sensitivity": [
            ["sensitivity", "prev", *out],
            ["sensitivity", "missing", *out],
            ["sensitivity", "a_file", *out],
            ["sensitivity", "prev", "--metric", "nope", *out],
        ],
        "calibrate": [
            ["calibrate", "--targets", "t_str.toml", "--out", "o/fit.toml"],
            ["calibrate", "--targets", "t_ragged.toml", "--out", "o/fit.toml"],
            ["calibrate", "--targets", "t_scalar.toml", "--out", "o/fit.toml"],
            ["calibrate", "--targets", "deep.toml", "--out", "o/fit.toml"],
            *(
                [
                    "calibrate",
                    "--transactions",
                    "log.csv",
                    "--period-months",
                    m,
                    "--out",
                    "o/f.toml",
                ]
                for m in ("0", "-3", "nan", "inf")
            ),
            ["calibrate", "--transactions", "bad.csv", "--out", "o/fit.toml"],
            ["calibrate", "--survival", "surv.csv", "--out", "o/fit.toml"],
            ["calibrate", "--survival", "/dev/zero", "--out", "o/fit.toml"],
            ["calibrate", "--targets", "t_str.toml", "--out", "x" * 300],
        ],
        "experiment": [
            ["experiment", "nonexistent"],
            ["experiment", "--all", "--out", "a_file"],
            ["experiment", "--all", "--out", "/proc/x"],
            ["experiment", "--all", "--seed", "-1"],
            ["experiment", "--all", "--seed", HUGE],
        ],
        "params": [["params", "--section", "nope"], ["params", "--section", HUGE]],
        "presets": [
            ["presets", "--copy", "nope", "o"],
            ["presets", "--copy", "baseline", "a_file"],
        ],
        "app": [
            ["app", "--port", "99999"],
            ["app", "--port", "abc"],
            ["app", "--host", "999.1.1.1", "--port", "0"],
            ["app", "--host", "", "--port", "0"],
        ],
    }


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() or p.is_dir()
    }


def prepare(root: Path) -> None:
    for name, text in files().items():
        (root / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    (root / "inputs_dir").mkdir()
    (root / "prev").mkdir()
    (root / "prev" / "summary.json").write_text('{"previous": true}\n')


def judge(
    root: Path, before: dict, code: int, text: str, want: set[int], done: bool = False
) -> Counter:
    """Count what went wrong in ``root`` after a case (each column at most once).

    ``done``: the command finished (exit 0) as asked, so it may replace ``prev/`` when that was
    its ``--out``.
    """
    found = Counter()
    found["tracebacks"] += "Traceback" in text
    found["wrong exits"] += code not in want or (code == 2 and len(text.strip().splitlines()) != 1)
    after = snapshot(root)
    lost = {k: v for k, v in before.items() if k.startswith("prev") and after.get(k) != v}
    found["lost"] += bool(lost) and not done
    new = set(after) - set(before)
    outs = ("o", "out", "res", "store", "cmp", *(("prev",) if done else ()))
    stray = [k for k in new if k.split("/")[0] not in outs]
    partial = [k for k in new if ".partial-" in k or k.endswith(".tmp")]
    escaped = [p for p in (root.parent / "escape", Path("/tmp/escape-abs")) if p.exists()]
    found["half-written"] += bool(stray or partial or escaped)
    return found


def workers() -> list[psutil.Process]:
    """This process's children, but multiprocessing's resource tracker (one per process, kept by
    design until this process exits)."""
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if "resource_tracker" not in " ".join(p.cmdline())
    ]


def bad_input(command: str, argv: list[str]) -> Counter:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        prepare(root)
        before = snapshot(root)
        err, cwd = io.StringIO(), os.getcwd()
        os.chdir(root)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                try:
                    code = main(argv)
                except SystemExit as exc:
                    code = int(exc.code or 0) if not isinstance(exc.code, str) else 2
                except BaseException:  # a real traceback
                    import traceback

                    err.write(traceback.format_exc())
                    code = -1
        finally:
            os.chdir(cwd)
        found = judge(root, before, code, err.getvalue(), {2})
        found["orphans"] += bool(workers())
        return found


def stopped(command: str, argv: list[str], sig: int, delay: float) -> Counter:
    """Start ``retention argv`` over a previous result, send ``sig`` after ``delay`` seconds."""
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        prepare(root)
        before = snapshot(root)
        proc = subprocess.Popen(
            [sys.executable, "-m", "model", *argv],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen: set[psutil.Process] = set()
        end = time.monotonic() + delay
        while time.monotonic() < end and proc.poll() is None:
            with contextlib.suppress(psutil.NoSuchProcess):
                seen.update(psutil.Process(proc.pid).children(recursive=True))
            time.sleep(0.05)
        sent = proc.poll() is None  # else it ended on its own: judged as a plain run
        if sent:
            proc.send_signal(sig)
        _, text = proc.communicate(timeout=120)
        _, alive = psutil.wait_procs(list(seen), timeout=15)
        for p in alive:
            p.kill()
        stop = {signal.SIGINT: 130, signal.SIGTERM: 143}.get(sig, proc.returncode)
        want = {0, stop} if sent else {0}
        found = judge(root, before, proc.returncode, text, want, done=proc.returncode == 0)
        STOPS[sent] += 1
        if sig == signal.SIGKILL:  # a killed store may hold its staging files: resume cleans
            found["half-written"] = 0
        found["orphans"] += bool(alive)
        if any(found.values()):
            tail = " | ".join(text.strip().splitlines()[-6:])[-1500:]
            print(f"    rc {proc.returncode}, signal sent: {sent}; stderr: {tail}", file=sys.stderr)
        return found


def signal_cases() -> dict[str, list[tuple[list[str], int]]]:
    big = ["--clients", "20000", "--months", "60"]
    spec = ["sweep", "spec_big.toml", "--out", "store", "--quiet"]
    sigs = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
    return {
        "run": [(["run", "ok.toml", *big, "--out", "prev", "--force"], s) for s in sigs[:2]] * 2,
        "compare": [
            (
                [
                    "compare",
                    "ok.toml",
                    "ok.toml",
                    *big,
                    "--replications",
                    "8",
                    "--workers",
                    "2",
                    "--out",
                    "cmp",
                ],
                s,
            )
            for s in sigs
        ],
        "sweep": [([*spec, "--workers", "2"], s) for s in sigs]
        + [([*spec, "--dask-local", "2"], s) for s in sigs[1:]],
        "optimize": [(["optimize", "ok.toml", *big, "--out", "o"], s) for s in sigs[:2]],
        "calibrate": [
            (["calibrate", "--transactions", "big_log.csv", "--out", "o/fit.toml"], s)
            for s in sigs[:2]
        ],
    }


def main_probe() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-signals", action="store_true", help="bad inputs only")
    args = parser.parse_args()
    rows: dict[str, Counter] = defaultdict(Counter)
    for command, cases in bad_cases().items():
        for argv in cases:
            found = bad_input(command, argv)
            rows[command]["tried"] += 1
            rows[command]["clean"] += not any(found.values())
            rows[command].update(found)
            if any(found.values()):
                print(f"  {command}: {[a[:40] for a in argv]} -> {dict(+found)}", file=sys.stderr)
    if not args.no_signals:
        rng = random.Random(19)
        for command, cases in signal_cases().items():
            for argv, sig in cases:
                found = stopped(command, argv, sig, rng.uniform(1.5, 5.0))
                key = f"{command} (stops)"
                rows[key]["tried"] += 1
                rows[key]["clean"] += not any(found.values())
                rows[key].update(found)
                if any(found.values()):
                    print(f"  {key}: {argv[:3]} {sig!r} -> {dict(+found)}", file=sys.stderr)
    print("| subcommand | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for command, row in rows.items():
        print(f"| {command} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
    total = sum(rows.values(), Counter())
    print("| **all** | " + " | ".join(str(total[c]) for c in COLUMNS) + " |")
    if STOPS:
        print(
            f"\nsignal cases: {STOPS[True]} stopped mid-run, {STOPS[False]} ended before the signal"
        )


if __name__ == "__main__":
    main_probe()
