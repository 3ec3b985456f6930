"""Where a many-run command runs its replications: this process or a local process pool."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["local_executor"]


@contextmanager
def local_executor(workers: int) -> Iterator[Executor | None]:
    """A local process pool for ``workers`` > 1, else None (runs in this process)."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool
