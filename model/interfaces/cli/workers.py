"""Where a many-run command runs its replications: this process or a local process pool.

The pool's workers exit when this process dies, and an interrupt (Ctrl+C, SIGTERM) stops them at
once instead of waiting for their tasks (:func:`model.studies.pools.process_pool`).
"""

from __future__ import annotations

import argparse
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from model.studies.pools import process_pool

__all__ = ["local_executor", "study_places"]


@contextmanager
def local_executor(workers: int) -> Iterator[Executor | None]:
    """A local process pool for ``workers`` > 1, else None (runs in this process).

    Its workers are forked where the platform can fork (asked for by name: Python 3.14 makes
    forkserver the default, whose workers would see the server as the parent they watch), not
    spawned as a sweep's are: a spawned worker imports the package again, which added about 5 s
    to a 7 s ``compare --workers 2`` (measured 2026-12-02); a sweep's long runs carry that cost,
    a comparison's would not. Elsewhere (Windows) they are spawned.
    """
    if workers <= 1:
        yield None
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with process_pool(workers, mp_context=multiprocessing.get_context(method)) as pool:
        yield pool


@contextmanager
def study_places(
    args: argparse.Namespace,
    outdir: Path,
    outputs: tuple[str, ...],
    made_by: str,
    runs: int | None,
    desc: str,
) -> Iterator[tuple[Path, Executor | None, Any]]:
    """Where a many-run command works: its staging folder (its runs kept beside ``outdir``, or inside
    it where its parent cannot be written, as they finish:
    :func:`~model.interfaces.cli.staging.staging_folder`), its pool
    (``args.workers``) and its progress bar over ``runs`` (None: unknown), as
    ``(staging, executor, bar)``."""
    from model.interfaces.cli.staging import staging_folder
    from model.interfaces.progress import bar

    with (
        staging_folder(
            outdir, outputs, made_by, keep_runs=True, fresh=args.fresh, quiet=args.quiet
        ) as staging,
        local_executor(args.workers) as pool,
        bar(runs, desc, enabled=not args.quiet) as progress,
    ):
        yield staging, pool, progress
