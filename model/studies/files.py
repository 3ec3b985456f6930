"""Results written whole or not at all, as ordinary files.

Every results file (a sweep's batches and manifest, a calibrated scenario, a claim report) is
written to a temporary name in its own folder, flushed to disk and renamed over its path, so a
file that exists is complete and a killed run leaves the previous file as it was. ``mkstemp``
makes its files private (0600); results are shared between people and machines, so the file gets
the mode any new file would get (0666 less the umask, usually 0644). A stored file can still be
damaged afterwards (a disk fault, a truncation, a copy cut short): :func:`parquet_rows` is the
check a resumed sweep or claim study makes before it counts a stored task as done.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

__all__ = [
    "atomic_file",
    "damaged_content",
    "fsync_dir",
    "ordinary_mode",
    "parquet_footer",
    "parquet_rows",
    "raise_unless_damaged",
    "write_atomic",
]


def _umask() -> int:
    """The process's umask, read by setting it and putting it back: not safe while other
    threads create files, so read once, on import (under Python's import lock)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


def ordinary_mode(folder: bool = False) -> int:
    """The mode a new file (or folder) gets in this process: 0666 (0777) less the umask it
    started with."""
    return (0o777 if folder else 0o666) & ~_UMASK


@contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """A binary handle whose contents replace ``path`` when the block ends without error.

    The data go to ``.NAME.*.tmp`` beside ``path``, are flushed and fsynced, and the file is
    renamed over ``path`` (and the rename made durable where the folder can be fsynced). If the
    block raises, the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        # Renamed over, a folder would fail late and a device (/dev/null, as root) be replaced.
        raise FileExistsError(f"{path} exists and is not a regular file; it is left as it is")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            # (best effort: no fchmod on Windows, and some mounts keep no modes)
            with contextlib.suppress(AttributeError, OSError):
                os.fchmod(handle.fileno(), ordinary_mode())
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all (:func:`atomic_file`)."""
    with atomic_file(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def fsync_dir(folder: str | Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def parquet_rows(path: str | Path) -> int | None:
    """The number of rows a stored Parquet file's footer counts, or None if it cannot be read.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    int or None
        None when the file is missing, truncated, emptied or not Parquet (only its footer is
        read, not its data).

    Raises
    ------
    OSError
        Where the operating system could not read it (permission, an I/O fault, a network mount
        gone): the file may be whole, so it is not reported as damaged (see
        :func:`damaged_content`).
    """
    footer = parquet_footer(path)
    return None if footer is None else footer.num_rows


def parquet_footer(path: str | Path) -> Any:
    """A stored Parquet file's footer (``pyarrow.parquet.FileMetaData``: rows, columns' min and
    max by row group), or None if it cannot be read; errors as :func:`parquet_rows`'."""
    import pyarrow.parquet as pq

    try:
        return pq.read_metadata(path)
    except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
        raise_unless_damaged(exc, path)
        return None


def damaged_content(exc: BaseException) -> bool:
    """Whether a failed read of a stored file failed on the file's own bytes, or found no file.

    pyarrow reports bad bytes as ``ArrowInvalid`` (a ValueError: a cut-short or emptied file, no
    Parquet footer) or as an OSError without an ``errno`` (corrupt compressed data, a bad
    footer); a missing file is a FileNotFoundError (from pandas without an ``errno`` too). The
    operating system's other errors carry one (permission denied, an I/O fault, a stale network
    mount). Callers that remove a damaged file so that its task runs again must remove it only
    in the first cases: a file the system could not read today may be whole, and removing it
    would lose finished work.

    Parameters
    ----------
    exc : BaseException
        What the read raised.

    Returns
    -------
    bool
        True for damaged content or no file, False for anything else (re-raise it:
        :func:`raise_unless_damaged`).
    """
    if isinstance(exc, ValueError | FileNotFoundError):
        return True
    return isinstance(exc, OSError) and exc.errno is None


def raise_unless_damaged(exc: BaseException, path: str | Path) -> None:
    """Raise the operating system's error behind a failed read of ``path`` (naming the file
    where it names none: an I/O fault read from a file object says only "Input/output error");
    return where ``exc`` is damaged content or no file (:func:`damaged_content`), which the
    caller treats as such. Anything but an OSError returns: a caller catches only what a
    damaged file raises."""
    if not isinstance(exc, OSError) or damaged_content(exc):
        return
    if exc.filename:
        raise exc
    raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc  # (its own subclass)
