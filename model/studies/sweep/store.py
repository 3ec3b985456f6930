"""The results store: a folder a sweep writes into, one Parquet file per finished task.

Layout::

    STORE/manifest.json        spec digest, code version, design size, batch plan, package versions
    STORE/spec.toml            the spec file as written (when it came from a file), a header added
    STORE/spec.json            the spec as validated (base scenario fully resolved)
    STORE/design.parquet       one row per design point
    STORE/batches/batch-000007.parquet   summary rows of task 7 (one row per run)
    STORE/series/batch-000007.parquet    per-month series of task 7 (optional)

Every file is written to a temporary name in its own folder, flushed to disk and renamed into place
(:func:`write_parquet`), so a file that exists is complete; a summary file is the mark that its
task is done (a task writes its series first). Leftover temporary files of a killed run
(``.*.tmp``) are ignored and removed when the sweep starts again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from model.engine.numerics import numerics_class
from model.studies.files import atomic_file, raise_unless_damaged, write_atomic
from model.studies.sweep.changes import (
    differs_beyond_replications,
    spec_changes,
    stored_batch_size,
)
from model.studies.sweep.design_file import stored_design
from model.studies.sweep.layers import grown
from model.studies.sweep.spec import SweepError, SweepSpec
from model.version import version_record

__all__ = [
    "code_version",
    "done_batches",
    "open_store",
    "read_manifest",
    "read_stored",
    "same_code",
    "write_parquet",
    "write_spec",
]

FORMAT = 1
BATCH_RE = re.compile(r"^batch-(\d{6})\.parquet$")
#: The code that decides a run's numbers: the scenario and engine layers, the one-run entry
#: point, and the sweep's runner and batch (each run's seed, scenario and order). Editing
#: anything else (other studies, interfaces) cannot change a stored result, so only these
#: sources go into the code hash that guards a store.
SIMULATION = (
    "scenario",
    "engine",
    "studies/run.py",
    "studies/sweep/runner.py",
    "studies/sweep/batch.py",
)
#: What a sweep writes into its store; a folder holding only these (and no manifest) is a store
#: whose creation was interrupted, and is replaced.
STORE_ENTRIES = frozenset(
    {"manifest.json", "spec.toml", "spec.json", "design.parquet", "batches", "series"}
)
#: What is read off a store's results and kept beside them (the sweep's report, the sensitivity
#: command's default output): stale once the results are discarded.
DERIVED = (
    "report.html",
    "columns.csv",
    "sensitivity/sensitivity.csv",
    "sensitivity/sensitivity.png",
    "sensitivity/sensitivity.json",
)
MANIFEST_KEYS = frozenset({"format", "spec_digest", "code", "runs", "batch_size", "batches"})
MANIFEST_BYTES = 10_000_000
_FRESH = "run the sweep again with --fresh to discard the store's results"


def batch_name(batch: int) -> str:
    """The file name of a task's results."""
    return f"batch-{batch:06d}.parquet"


# ================================================================================ writing
def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` to ``path`` atomically: temp file in the same folder, fsync, rename
    (:func:`model.studies.files.atomic_file`)."""
    with atomic_file(path) as fh:
        frame.to_parquet(fh, index=False)


# ============================================================================ code version
def code_version() -> dict[str, Any]:
    """The package version, the git commit (if any), a SHA-256 of the simulation's sources and
    the numerics class (:func:`model.engine.numerics.numerics_class`: whose last bits)."""
    return {
        **version_record(),  # (the version as --version shows it, and the full commit)
        "source_hash": simulation_digest(),
        "numerics": numerics_class(),
    }


def simulation_digest(newlines: bool = False) -> str:
    """SHA-256 (hex) of the simulation's sources (:data:`SIMULATION`: paths and contents).

    As stores record it (``newlines=False``: the bytes as they are); with ``newlines=True``,
    CRLF read as LF, as a Dask worker is asked (:class:`model.studies.sweep.executors.
    SameCodeExecutor`: a Windows checkout of the same code answers the same).
    """
    root = Path(__file__).resolve().parents[2]  # the model package
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if not any(rel == part or rel.startswith(part + "/") for part in SIMULATION):
            continue
        text = path.read_bytes()
        digest.update(
            rel.encode() + b"\0" + (text.replace(b"\r\n", b"\n") if newlines else text) + b"\0"
        )
    return digest.hexdigest()


def _package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in ("numpy", "scipy", "pandas", "pyarrow", "SALib", "mesa"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


# ============================================================================ opening
def read_manifest(store: str | Path) -> dict[str, Any]:
    """The store's manifest, or a :class:`SweepError` if the folder is not a sweep store."""
    path = Path(store) / "manifest.json"
    if Path(store).exists() and not Path(store).is_dir():
        raise SweepError(f"{str(store)!r}: a file, not a sweep store; allowed: a store's folder")
    try:
        if path.is_file() and path.stat().st_size > MANIFEST_BYTES:
            raise ValueError(f"larger than {MANIFEST_BYTES:,} bytes")
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(
            f"{str(store)!r}: not a sweep store (no manifest.json); run 'retention sweep SPEC "
            f"--out {store}' first"
        ) from None
    except (ValueError, RecursionError) as exc:  # (the system's OSError is raised: not --fresh)
        raise SweepError(f"{str(path)!r}: cannot be read ({exc}); {_FRESH}") from None
    missing = sorted(MANIFEST_KEYS - set(manifest)) if isinstance(manifest, dict) else ["all"]
    counts = ("runs", "batch_size", "batches")  # (whole numbers, or status and resume fail)
    missing += [k for k in counts if k in manifest and type(manifest[k]) is not int]
    if "layers" in manifest and not _layers_ok(manifest["layers"]):
        missing.append("layers")
    if missing or not isinstance(manifest.get("code"), dict):
        raise SweepError(
            f"{str(path)!r}: damaged (not a sweep manifest; missing {', '.join(missing) or 'code'}); "
            f"{_FRESH}"
        )
    return manifest


def _layers_ok(layers: Any) -> bool:
    """Whether a manifest's ``layers`` is a list of tables of whole numbers (a grown store's)."""
    fields = ("first_rep", "last_rep", "points", "batch_size", "first_batch")
    if not isinstance(layers, list):
        return False
    return all(isinstance(x, dict) and all(type(x.get(f)) is int for f in fields) for x in layers)


def open_store(
    store: str | Path, spec: SweepSpec, design: pd.DataFrame, *, fresh: bool = False
) -> dict[str, Any]:
    """Create the store, or check that an existing one holds this spec, design and code.

    Raises :class:`SweepError` when the folder holds another spec's or another code version's
    results (unless ``fresh``, which empties a previous store first), or is some other folder.
    """
    store = Path(store)
    code = code_version()
    manifest = {
        "format": FORMAT,
        "name": spec.name,
        "spec_digest": spec.digest(),
        "code": code,
        "design": spec.design.kind,
        "parameters": spec.keys,
        "points": len(design),
        "replications": spec.replications,
        "runs": len(design) * spec.replications,
        "batch_size": spec.batch_size,
        "batches": -(-len(design) * spec.replications // spec.batch_size),
        "series": list(spec.series),
        "packages": _package_versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if store.exists() and not store.is_dir():
        raise SweepError(f"--out {str(store)!r}: exists and is not a folder")
    existing = store / "manifest.json"
    if store.is_dir() and not existing.is_file() and _sweep_only(store, results=fresh):
        _empty(store)  # an interrupted creation (the manifest is written last): start again
    if store.is_dir() and any(store.iterdir()):
        if not existing.is_file():
            raise SweepError(
                f"--out {str(store)!r}: folder exists and is not a sweep store; allowed: a new or "
                "empty folder, or a store written by 'retention sweep'"
            )
        if fresh:
            _empty(store)
        else:
            old = read_manifest(store)
            if _check_same(store, old, manifest, design, spec):
                old = _grow(store, old, spec)
            (store / "batches").mkdir(exist_ok=True)
            (store / "series").mkdir(exist_ok=True)
            clean_temp(store)
            return old
    try:
        for sub in ("batches", "series"):
            (store / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SweepError(f"--out {str(store)!r}: cannot be written ({exc.strerror})") from None
    write_spec(store, spec)
    write_parquet(design, store / "design.parquet")
    # The manifest last: a store without one is an unfinished creation and may be replaced.
    write_atomic(existing, json.dumps(manifest, indent=2) + "\n")
    return manifest


#: The first lines of a store's spec.toml: where its relative paths point, and how to resume.
_SPEC_TOML_HEADER = (
    "# The sweep's spec file as written: a [base] scenario path in it is relative to that file's\n"
    "# folder, not this store's. `retention sweep --out STORE` (no SPEC) resumes this store\n"
    "# from its spec.json, where the base scenario is resolved in full.\n"
)


def write_spec(store: Path, spec: SweepSpec) -> None:
    """The spec as written (spec.toml, when it came from a file) and as validated (spec.json)."""
    if spec.text:
        write_atomic(store / "spec.toml", _SPEC_TOML_HEADER + spec.text)
    data = {"description": spec.description, "base_set": list(spec.base_set), **spec.canonical()}
    write_atomic(store / "spec.json", json.dumps(data, indent=2, sort_keys=True) + "\n")


def _sweep_only(store: Path, results: bool) -> bool:
    """True when ``store`` holds only what a sweep writes (and temp files), no manifest: with
    ``results`` False, ``batches/`` and ``series/`` hold nothing yet (a creation cut short before
    its manifest, which is written before any task runs); with ``results`` True they may hold
    task files (a store that lost its manifest: emptied only on ``--fresh``). A folder holding
    anything else (a user's ``series/my.csv``) is never emptied."""

    def temp(name: str) -> bool:
        return name.startswith(".") and name.endswith(".tmp")

    names = {p.name for p in store.iterdir() if not temp(p.name)}
    # (a store's report and sensitivity outputs, read off its results, go with them)
    derived = {Path(d).parts[0] for d in DERIVED} if results else set()
    # (derived files alone are no store: a user's folder of a columns.csv is not emptied)
    if not names & STORE_ENTRIES or not names <= STORE_ENTRIES | derived:
        return False
    for sub in ("batches", "series"):
        folder = store / sub
        if folder.exists() and (not folder.is_dir() or any(
            not (temp(f.name) or (results and BATCH_RE.match(f.name))) for f in folder.iterdir()
        )):  # fmt: skip
            return False
    return True


def _check_same(store: Path, old: dict, new: dict, design: pd.DataFrame, spec: SweepSpec) -> bool:
    """Refuse a store that holds another sweep's results; True when it holds this sweep's with
    fewer replications than ``spec`` asks for (it grows: :func:`_grow`). A lost or damaged
    ``design.parquet`` is written again where its runs agree (:mod:`~.design_file`)."""
    how = f"use a new --out folder, or --fresh to discard the results in {str(store)!r}"
    if old.get("format") != FORMAT:
        raise SweepError(f"{str(store)!r}: written by an incompatible store format; {how}")
    grow = False
    if old["spec_digest"] != new["spec_digest"]:
        had, wants = int(old["replications"]), spec.replications
        same_sweep = not differs_beyond_replications(store, spec)
        grow = same_sweep and wants > had
        if not grow:
            fewer = (
                f"; a store's replications can grow ({had} → more: the runs done are kept), "
                "not shrink"
                if same_sweep and wants < had
                else ""
            )
            if same_sweep and wants == had:  # (the batch size alone: say how to resume)
                size = stored_batch_size(store)
                fewer = (
                    f"; its runs are cut into batches of {size}: set batch_size = {size} in the "
                    "spec to resume (the results are the same whatever the batch size)"
                )
            raise SweepError(
                f"{str(store)!r}: holds results of a different spec (the spec, its base scenario "
                f"or its batch size changed since spec.json was written"
                f"{spec_changes(store, spec)}){fewer}; refusing to mix them; {how}"
            )
    was, now = old["code"], new["code"]
    if was["source_hash"] != now["source_hash"]:
        raise SweepError(
            f"{str(store)!r}: holds results of different model code (version {was['version']}, "
            f"commit {was['git_commit']}, source hash {was['source_hash'][:12]}; now "
            f"{now['version']}, {now['git_commit']}, {now['source_hash'][:12]}); refusing to mix "
            f"them; {how}"
        )
    if not _same_class(was, now):
        raise SweepError(
            f"{str(store)!r}: holds results computed where numpy gives exp, log… other last bits "
            f"(numerics class {was['numerics']}; here {now['numerics']}), so the same seeds give "
            f"other numbers here; refusing to mix them (docs/ODD.md §8); resume it on a machine "
            f"of that class, or {how}"
        )
    stored = stored_design(store, design)  # (made again where lost: spec and code are the store's)
    if not stored.equals(design):
        raise SweepError(
            f"{str(store)!r}: the design generated now differs from design.parquet (a scipy or "
            f"SALib upgrade?); refusing to mix them; {how}"
        )
    return grow


def _grow(store: Path, old: dict[str, Any], spec: SweepSpec) -> dict[str, Any]:
    """Add a layer of replications to the store (:func:`model.studies.sweep.layers.grown`).

    The spec files first, the manifest last (atomic): a store killed between them still has
    the old manifest, so the same command grows it again (spec.json then already differs in
    its replications only). A spec.toml left from a file is removed when the spec given has no
    text, and what was read off the old runs (:data:`DERIVED`: the report, the sensitivity
    table) goes, as it describes fewer runs than the store will hold. Returns the manifest,
    with ``grown_now`` (from, to) for the caller to tell (not written).
    """
    write_spec(store, spec)
    if not spec.text:
        (store / "spec.toml").unlink(missing_ok=True)
    for name in DERIVED:
        (store / name).unlink(missing_ok=True)
    manifest = {**grown(old, spec.replications, spec.batch_size), "spec_digest": spec.digest()}
    write_atomic(store / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return {**manifest, "grown_now": (int(old["replications"]), spec.replications)}


def _empty(store: Path) -> None:
    """Remove what a sweep wrote (and nothing else a user may have put there)."""
    for name in ("manifest.json", "spec.toml", "spec.json", "design.parquet", *DERIVED):
        (store / name).unlink(missing_ok=True)
    for sub in ("batches", "series"):
        shutil.rmtree(store / sub, ignore_errors=True)
    with contextlib.suppress(OSError):  # (only if nothing else is in it)
        (store / "sensitivity").rmdir()
    clean_temp(store)


def clean_temp(store: str | Path) -> int:
    """Remove temporary files a killed run left behind; returns how many."""
    temporary = [t for sub in ("", "batches", "series") for t in (Path(store) / sub).glob(".*.tmp")]
    for tmp in temporary:
        tmp.unlink(missing_ok=True)
    return len(temporary)


# ============================================================================ reading
def done_batches(store: str | Path) -> set[int]:
    """Task numbers whose summary file exists (temp files and strangers are ignored)."""
    folder = Path(store) / "batches"
    if not folder.is_dir():
        return set()
    return {int(m.group(1)) for p in folder.iterdir() if (m := BATCH_RE.match(p.name))}


def same_code(was: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether a store's runs are this code's and this numerics class's."""
    return was["source_hash"] == now["source_hash"] and _same_class(was, now)


def _same_class(was: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether a store's recorded numerics class is this machine's (a store written before
    classes were recorded names none: its class is not checked)."""
    return was.get("numerics", now["numerics"]) == now["numerics"]


def read_stored(path: Path, remedy: str, remove: tuple[Path, ...] = ()) -> pd.DataFrame:
    """A stored Parquet file, or a one-line :class:`SweepError` naming it if it is damaged (the
    files ``remove`` removed first: a task's batch damaged inside its data, its footer intact,
    passed the sweep's check of finished tasks, so "run the sweep again" redid nothing). The
    system's errors (permission, I/O) are raised as they are: the file may be whole, and is kept."""
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise_unless_damaged(exc, path)
        for damaged in remove:
            damaged.unlink(missing_ok=True)
        raise SweepError(f"{str(path)!r}: damaged, cannot be read ({exc}); {remedy}") from None
