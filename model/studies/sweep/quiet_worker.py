"""A Dask preload for the workers of a sweep's LocalCluster: Ctrl+C is left to the sweep.

A terminal's Ctrl+C reaches its whole process group, the LocalCluster's worker processes
included: each printed a KeyboardInterrupt traceback while the sweep's own process, which also
got it, closed the cluster and said in one line what was kept. The workers ignore it instead
(Dask runs this module in each worker process as it starts, :func:`dask_setup`); they still
stop when the cluster closes them or their parent dies. A Ctrl+C in the second or two before
a worker has run it still reaches that worker.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

__all__ = ["dask_setup"]


def dask_setup(worker: Any) -> None:
    """Ignore SIGINT in this worker process (only the main thread may set a handler)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
