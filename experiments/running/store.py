"""A claim study's store: which code and which size made the runs kept in each folder.

A study resumes from its stored batches (:mod:`experiments.running.study`). Resuming is only honest when
the stored runs were made by the same code at the same size: a baseline from yesterday's engine
paired with an arm from today's would be an effect of nothing. Each stage folder therefore holds a
``manifest.json`` written before its first batch — the market size, horizon, wave size, the seed
and a *fingerprint* (SHA-256) of every source file that decides the numbers (the scenario and
engine layers, the run and worlds modules, the study's run-making modules and, for a claim's
folder, the claim's module). A folder whose manifest differs is refused with :class:`StaleStore`,
which says how to start again (``--fresh``). The counts (waves, replications) and the reporting
code are not in it, so a study can be extended and its reports rewritten from the stored runs.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from model.engine.numerics import numerics_class
from model.studies.files import parquet_rows, raise_unless_damaged, write_atomic

__all__ = [
    "StaleStore",
    "check_manifest",
    "claim_fingerprint",
    "drop_damaged",
    "fingerprint",
    "open_stage",
    "read_batch",
    "source_files",
    "study_digest",
]

_ROOT = Path(__file__).resolve().parents[2]  # (the repository: experiments/running/store.py)
#: The code that decides a stored number: the scenario and engine layers, the studies modules a
#: claim study runs through, and the study's own run-making modules. Interfaces, calibration,
#: sweeps, reports and the study's orchestration (sizes, waves, progress) only decide how many
#: runs there are or how they are shown.
_NUMBER_CODE = (
    "model/scenario",
    "model/engine",
    "model/studies/run.py",
    "model/studies/worlds.py",
    "experiments/running/baseline.py",
    "experiments/running/arms.py",
    "experiments/running/tasks.py",
    "experiments/running/together.py",  # hands each world its own arms' runs
    "experiments/running/lifetime.py",  # the runs that follow a year's clients for life
)


class StaleStore(ValueError):
    """A stored stage was made by other code or at another size than the study now asks for.

    ``folder`` is the stage's folder (None where it is not known).
    """

    def __init__(self, message: str, folder: Path | None = None) -> None:
        super().__init__(message)
        self.folder = folder


def _claim_file(module: ModuleType | str) -> Path | None:
    """A claim module's source file (None for a module without one, as in tests)."""
    if isinstance(module, str):
        return _ROOT / module
    name = getattr(module, "__file__", None)
    return Path(name) if name else None


def source_files(extra: Iterable[ModuleType | str] = ()) -> list[Path]:
    """The source files whose content the fingerprint covers (sorted).

    ``extra``: claim modules (or paths relative to the repository root) whose file joins them;
    a named file that does not exist is an error, never silently left out.
    """
    files: set[Path] = set()
    for name in _NUMBER_CODE:
        path = _ROOT / name
        if not path.exists():  # (a module moved or renamed would drop out of every fingerprint)
            raise FileNotFoundError(f"fingerprint: {path} does not exist (store._NUMBER_CODE)")
        found = path.rglob("*.py") if path.is_dir() else [path]
        files.update(p for p in found if p.is_file() and not p.is_symlink())
    for module in extra:
        path = _claim_file(module)
        if path is None:
            continue
        if not path.is_file():
            raise FileNotFoundError(f"fingerprint: {path} does not exist")
        files.add(path.resolve())
    return sorted(files)


def fingerprint(extra: Iterable[ModuleType | str] = ()) -> str:
    """SHA-256 of the path and content of every file in :func:`source_files` (hex, 16 digits).

    Line endings are normalised (a CRLF checkout fingerprints as an LF one).
    """
    digest = hashlib.sha256()
    for path in source_files(extra):
        try:
            rel = path.relative_to(_ROOT).as_posix()
        except ValueError:  # an installed claim module outside the tree: its name is enough
            rel = path.name
        digest.update(rel.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:16]


def claim_fingerprint(name: str) -> str:
    """:func:`fingerprint` of the code that makes claim ``name``'s runs, its own module included
    (a claim the package does not ship: the shared code's alone).

    A claim's report records it (``code`` in ``NAME.json``), so that whoever reads the report
    later can tell whether this code would make the same runs.
    """
    from experiments import EXPERIMENTS

    module = EXPERIMENTS.get(name)
    return fingerprint([module.replace(".", "/") + ".py"] if module else [])


def study_digest() -> str:
    """:func:`fingerprint` with every claim's module: what each task of a claim study on a Dask
    scheduler checks its worker gives first (:class:`model.studies.sweep.executors.
    SameCodeExecutor`), since a worker running other code would store its runs under this
    code's fingerprint."""
    from experiments import EXPERIMENTS

    # With the numerics class: a worker whose numpy computes exp, log… to other last bits would
    # store other numbers for the same seeds (docs/ODD.md §8), and is refused saying so.
    code = fingerprint(EXPERIMENTS[name].replace(".", "/") + ".py" for name in EXPERIMENTS)
    return f"{code}/{numerics_class()}"


def check_manifest(folder: Path, expected: Mapping[str, Any]) -> None:
    """Write ``folder/manifest.json`` (first use) or check it equals ``expected``.

    ``expected`` gains the numerics class (``numerics``: whose last bits numpy's exp, log… give
    here, docs/ODD.md §8), so runs made on a machine of another class are not paired with these.

    Raises
    ------
    StaleStore
        When the folder holds batches but no manifest, or a manifest that differs; the message
        names the first field that differs and the way out.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.json"
    want = json.loads(json.dumps({**expected, "numerics": numerics_class()}))  # (as read back)
    if path.exists():
        try:
            have = json.loads(path.read_text())
        except ValueError:  # (damaged; the system's OSError is raised: --fresh would discard)
            have = None
        if have == want:
            return
        if not isinstance(have, dict):
            field = "manifest.json (unreadable)"
        else:
            field = next(
                (f"{k} = {have.get(k)!r}, now {want[k]!r}" for k in want if have.get(k) != want[k]),
                "its fields",
            )
        raise StaleStore(
            f"the stored runs in {folder} were made with {field}; rerun with --fresh "
            "(discards them) or write to another --out",
            folder,
        )
    if any(folder.glob("*.parquet")):
        raise StaleStore(
            f"{folder} holds runs but no manifest.json (an older version of the study); "
            "rerun with --fresh or write to another --out",
            folder,
        )
    write_atomic(path, json.dumps(want, indent=1, sort_keys=True))


def drop_damaged(folder: Path) -> int:
    """Remove a stage's stored batches that cannot be read; returns how many batches (they run
    again, as if never run).

    A batch is written atomically, so a damaged one was damaged afterwards (a disk fault, a
    truncation, a copy cut short); its task cannot count as done. A batch counts as readable
    when Parquet reads its footer and it holds rows; a world batch also needs its ``.series``
    file, and a damaged series file removes its batch too.
    """

    def readable(path: Path) -> bool:
        return (parquet_rows(path) or 0) > 0  # (None: cannot be read)

    # A world batch (the worlds stages: their batches come with a series file) needs its series;
    # a series file without its batch is left alone: its batch may be being written now by
    # another study of the same size and seed, which shares the stage, and a rerun overwrites it.
    worlds = "worlds" in folder.name  # (worlds, worlds2, … and scale-worlds)
    dropped = 0
    for path in sorted(folder.glob("*.parquet")):
        if path.name.endswith(".series.parquet"):
            continue
        series = path.with_name(path.name.removesuffix(".parquet") + ".series.parquet")
        if readable(path) and (readable(series) if worlds or series.exists() else True):
            continue
        path.unlink(missing_ok=True)
        series.unlink(missing_ok=True)
        dropped += 1
    return dropped


def read_batch(path: Path) -> Any:
    """A stored batch read whole (a pandas DataFrame), or, where its data cannot be read, the
    batch (and its series file) removed and a :class:`StaleStore` that says so.

    :func:`drop_damaged` reads footers only: bytes damaged inside a batch's data passed it, and
    the study then stopped on pyarrow's traceback, every run again.
    """
    import pandas as pd

    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # (ArrowInvalid is a ValueError)
        raise_unless_damaged(exc, path)  # (the system's error, not the file's: kept)
        series = path.with_name(path.name.removesuffix(".parquet") + ".series.parquet")
        batch = path.with_name(path.name.replace(".series.parquet", ".parquet"))
        for damaged in (batch, series):
            damaged.unlink(missing_ok=True)
        raise StaleStore(
            f"{path}: a damaged stored batch ({type(exc).__name__}: {str(exc)[:120]}); removed: "
            "run the same command again, it redoes that batch",
            path.parent,
        ) from None


def open_stage(folder: Path, expected: Mapping[str, Any]) -> None:
    """A stage's folder ready to resume: its manifest checked (:func:`check_manifest`) and its
    damaged batches removed (:func:`drop_damaged`), which is said on stderr."""
    check_manifest(folder, expected)
    dropped = drop_damaged(folder)
    if dropped:
        print(
            f"{folder}: {dropped} damaged stored batch{'es' if dropped > 1 else ''} removed; "
            "run again",
            file=sys.stderr,
        )
