"""Where a many-run command runs its replications: this process or a local process pool.

The pool's workers exit when this process dies, and an interrupt (Ctrl+C, SIGTERM) stops them at
once instead of waiting for their tasks (:func:`model.studies.pools.process_pool`).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from model.studies.pools import process_pool

__all__ = ["local_executor"]


@contextmanager
def local_executor(workers: int) -> Iterator[Executor | None]:
    """A local process pool for ``workers`` > 1, else None (runs in this process).

    Its workers are forked (the platform's default), not spawned as a sweep's are: a spawned
    worker imports the package again, which added about 5 s to a 7 s ``compare --workers 2``
    (measured 2026-12-02); a sweep's long runs carry that cost, a comparison's would not.
    """
    if workers <= 1:
        yield None
        return
    with process_pool(workers) as pool:
        yield pool
