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
    for _ in range(_TRIES):
        fd = _open_folder(store)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SweepError(
                busy
                or f"--out {str(store)!r}: another sweep is writing this store now; allowed: one "
                "at a time (wait for it to finish, then run the same command to resume)"
            ) from None
        if _still_there(fd, store):
            break
        # The folder was removed (and perhaps made again) between the open and the lock, by a
        # writer that held it and finished: this lock holds nothing; take the folder anew.
        os.close(fd)
    else:
        raise SweepError(busy or f"--out {str(store)!r}: removed again and again while opened")
    try:
        yield
    finally:
        os.close(fd)


#: Attempts at locking a folder that a finishing writer removes meanwhile.
_TRIES = 5


def _open_folder(store: Path) -> int:
    try:
        store.mkdir(parents=True, exist_ok=True)
        return os.open(store, os.O_RDONLY)
    except OSError as exc:
        raise SweepError(f"--out {str(store)!r}: cannot be written ({exc.strerror})") from None


def _still_there(fd: int, store: Path) -> bool:
    """Whether the folder ``fd`` holds is still the one at ``store``."""
    held = os.fstat(fd)
    try:
        now = os.stat(store)
    except OSError:
        return False
    return held.st_nlink > 0 and (held.st_ino, held.st_dev) == (now.st_ino, now.st_dev)
