"""A claim study's store: which code and which size made the runs kept in each folder.

A study resumes from its stored batches (:mod:`experiments.study`). Resuming is only honest when
the stored runs were made by the same code at the same size: a baseline from yesterday's engine
paired with an arm from today's would be an effect of nothing. Each stage folder therefore holds a
``manifest.json`` written before its first batch — the size, the seed and a *fingerprint* (SHA-256)
of every source file that decides the numbers (the scenario, engine and studies layers, the study
and arms modules and, for a claim's folder, the claim's module). A folder whose manifest differs
is refused with :class:`StaleStore`, which says how to start again (``--fresh``); reporting code
(``report.py``, ``index.py``, …) is not in the fingerprint, so rewriting reports reuses the runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["StaleStore", "check_manifest", "fingerprint", "source_files"]

_ROOT = Path(__file__).resolve().parent.parent
#: The layers whose code decides a run's numbers (interfaces only present them).
_NUMBER_LAYERS = ("model/scenario", "model/engine", "model/studies")
#: The experiments modules every stored run depends on.
_STUDY_MODULES = ("experiments/study.py", "experiments/arms.py", "experiments/store.py")


class StaleStore(ValueError):
    """A stored stage was made by other code or at another size than the study now asks for."""


def source_files(extra: Iterable[str] = ()) -> list[Path]:
    """The source files whose content the fingerprint covers (sorted, relative to the root)."""
    files: set[Path] = set()
    for layer in _NUMBER_LAYERS:
        files.update((_ROOT / layer).rglob("*.py"))
    for name in (*_STUDY_MODULES, *extra):
        path = _ROOT / name
        if path.exists():
            files.add(path)
    return sorted(files)


def fingerprint(extra: Iterable[str] = ()) -> str:
    """SHA-256 over the path and content of every file in :func:`source_files` (hex, 16 digits)."""
    digest = hashlib.sha256()
    for path in source_files(extra):
        digest.update(path.relative_to(_ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def check_manifest(folder: Path, expected: Mapping[str, Any]) -> None:
    """Write ``folder/manifest.json`` (first use) or check it equals ``expected``.

    Raises
    ------
    StaleStore
        When the folder holds batches but no manifest, or a manifest that differs; the message
        names the first field that differs and the way out.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.json"
    want = json.loads(json.dumps(dict(expected)))  # the form it has once read back
    if path.exists():
        try:
            have = json.loads(path.read_text())
        except (OSError, ValueError):
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
            "(discards them) or write to another --out"
        )
    if any(folder.glob("*.parquet")):
        raise StaleStore(
            f"{folder} holds runs but no manifest.json (an older version of the study); "
            "rerun with --fresh or write to another --out"
        )
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".manifest.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(want, handle, indent=1, sort_keys=True)
    os.replace(tmp, path)
