"""One sweep at a time in a store: the writer holds an exclusive lock on the store's folder.

Two sweeps started into the same folder at once each found it new (or resumable), deleted the
other's temporary files, ran every task twice, and could leave one sweep's manifest over the
other's spec and results. The lock is ``flock`` on the folder itself, so no file is added to it
(a folder holding anything but a sweep's files is refused as "not a sweep store"), and the
kernel drops it when the process ends, however it ends. Where ``fcntl`` does not exist
(Windows) no lock is taken.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from model.studies.sweep.spec import SweepError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["writer_lock"]


@contextmanager
def writer_lock(store: str | Path, busy: str | None = None) -> Iterator[None]:
    """Hold ``store`` (created if missing) for one writer while the block runs.

    ``busy`` is the error's message when another process holds it (default: a sweep's).

    Raises
    ------
    SweepError
        Another process holds it: a sweep is writing this store now.
    """
    store = Path(store)
    if fcntl is None or (store.exists() and not store.is_dir()):
        yield  # (a file in the way: the store's own checks say so)
        return
    try:
        store.mkdir(parents=True, exist_ok=True)
        fd = os.open(store, os.O_RDONLY)
    except OSError as exc:
        raise SweepError(f"--out {str(store)!r}: cannot be written ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepError(
                busy
                or f"--out {str(store)!r}: another sweep is writing this store now; allowed: one "
                "at a time (wait for it to finish, then run the same command to resume)"
            ) from None
        yield
    finally:
        os.close(fd)
