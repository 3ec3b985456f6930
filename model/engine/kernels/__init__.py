"""Compiled kernels (numba) for the engine's per-client passes that numpy makes many calls of.

A small market's month is mostly the fixed cost of numpy calls (a few microseconds each, whatever
the array's length), and a large market's is mostly passes over memory; a kernel does in one
compiled loop what several numpy calls do.

**Exactness.** Each kernel gives the same numbers, bit for bit, as the numpy code it replaces,
which stays beside it as the readable reference (named in each docstring; ``tests/test_kernels.py``
compares the two on random inputs, ``tests/test_engine_golden.py`` guards the engine as a whole).
To stay exact a kernel uses only integer arithmetic, comparisons, gathers, and float additions and
multiplications in the reference's own order and precision (float32 where numpy computes in
float32) — never numba's transcendental functions (numpy's SIMD ``exp``/``log``/``pow`` differ from
the C library's in the last bit: a kernel either leaves them to numpy between two passes or calls
numpy's own loop on a chunk of its buffer, :mod:`~model.engine.kernels.numpy_loops`) and float
sums only as numpy forms them
(:mod:`~model.engine.kernels.reduce`: numpy's pairwise summation, bit for bit), or in any order
where the kernel proves the sum exact (:func:`model.engine.kernels.metrics.top_sum`).

**Compilation.** Kernels compile on first use and are cached on disk (``cache=True``: a
``__pycache__`` beside each module, or numba's per-user cache directory where that is read-only),
so a later process loads them in a fraction of a second.

**Layout.** One module per concern: :mod:`~model.engine.kernels.hashing` (keyed uniforms),
:mod:`~model.engine.kernels.network` (passes over the social network's edges),
:mod:`~model.engine.kernels.memory` (a prefetch hint for loops over scattered rows),
:mod:`~model.engine.kernels.reduce` (numpy's float sums), :mod:`~model.engine.kernels.numpy_loops`
(numpy's ufunc loops, called from a kernel), :mod:`~model.engine.kernels.scalar` (numpy's rules
for one element) and one per phase that has kernels (two for work: its incidents apart). Kernels import
numpy and numba (and, for numpy's loops, ctypes and llvmlite) only, never the engine.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

__all__ = [
    "FIRST_COMPILE_NOTE",
    "clear_stale_cache",
    "compiled_on_disk",
    "note_first_compile",
    "quiet_first_compile",
]


def clear_stale_cache(folder: Path = Path(__file__).parent) -> bool:
    """Drop numba's cached machine code here if any kernel source changed since it was cached.

    numba keys each kernel's cache by its own file only, so a kernel that inlines a helper from
    another file (``hashing.hash_one``, ``scalar.clip``, ``attract.rows_where``) would keep running
    the old helper after an edit. A digest of every kernel source, kept beside the cache, notices
    any such edit and clears the cache once (the kernels then compile again, about 30 s). Returns
    whether it cleared. A read-only install (no writable ``__pycache__``) is left as it is.
    """
    digest = hashlib.sha256()
    for source in sorted(folder.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    cache = folder / "__pycache__"
    stamp = cache / "kernels-sources.sha256"
    try:
        if stamp.exists() and stamp.read_text() == digest.hexdigest():
            return False
        cache.mkdir(exist_ok=True)
        for compiled in (*cache.glob("*.nbi"), *cache.glob("*.nbc")):
            compiled.unlink(missing_ok=True)
        stamp.write_text(digest.hexdigest())
    except OSError:
        return False
    return True


def compiled_on_disk() -> bool | None:
    """Whether numba's disk cache holds the month's main kernels, so a run loads them instead of
    compiling them (about 30 s, once after installing or after a kernel changed).

    Looks for the cache index of four kernels every month runs (where numba keeps it for them:
    here, or its per-user folder for a read-only install). ``None`` when it cannot tell (numba
    changed how its cache is laid out): then nothing should be said.
    """
    from model.engine.kernels import month, month_end, word_of_mouth, work

    kernels = (month.open_month, work.work_month, word_of_mouth.speak_and_hear, month_end.month_end)
    try:  # numba's cache objects are not public API
        return all(os.path.exists(k._cache._cache_file._index_path) for k in kernels)
    except AttributeError:
        return None


#: What a run says before compiling the kernels (once after installing or after a kernel changed).
FIRST_COMPILE_NOTE = "first run of this version: compiling the engine's kernels (about 30 s, once)"


#: Whether this process has said :data:`FIRST_COMPILE_NOTE`, or was told never to (a quiet
#: command; a study's worker processes, whose parent says it).
_said = False


def note_first_compile() -> None:
    """Say :data:`FIRST_COMPILE_NOTE` on stderr, once a process, when the kernels must be
    compiled before the next run's first month (a silent 20 s, in a notebook cell or a terminal,
    looks like a hang); nothing once they are on disk, or when it cannot tell."""
    global _said
    if not _said and compiled_on_disk() is False:
        print(FIRST_COMPILE_NOTE, file=sys.stderr, flush=True)
    _said = True


def quiet_first_compile() -> None:
    """Never say :data:`FIRST_COMPILE_NOTE` in this process (``--quiet``; worker processes)."""
    global _said
    _said = True


clear_stale_cache()
