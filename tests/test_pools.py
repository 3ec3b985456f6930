"""Local process pools stop with their parent, even when a worker dies in the middle of a result.

The failure this guards against was seen in CI: a stopped ``run --replications`` printed its
line and then never exited, because a worker stopped while sending its result left the pool's
manager thread reading the rest of that message, and the interpreter's exit waits on that thread.
"""

from __future__ import annotations

import multiprocessing
import struct
import sys
import time
from pathlib import Path

import pytest

from model.studies.pools import process_pool

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork (POSIX)"
)


def _send_half_a_result(flag: str) -> None:
    """In a worker: write the start of a result message (a header promising 1 MiB, then 100
    bytes) on the pool's result pipe, say so, and hang, as a worker stopped mid-send leaves it.
    The pipe is found on the stack of CPython's worker loop."""
    frame = sys._getframe()
    while frame.f_code.co_name != "_process_worker":
        frame = frame.f_back
    writer = frame.f_locals["result_queue"]._writer
    writer._send(struct.pack("!i", 1 << 20) + b"x" * 100)
    Path(flag).touch()
    time.sleep(120)


def test_a_worker_stopped_mid_result_does_not_leave_the_manager_thread_reading(tmp_path):
    flag = tmp_path / "sent"
    context = multiprocessing.get_context("fork")
    with pytest.raises(KeyboardInterrupt), process_pool(1, mp_context=context) as pool:
        pool.submit(_send_half_a_result, str(flag))
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert flag.exists(), "the worker never wrote its half message"
        time.sleep(0.2)  # the manager thread is now waiting for the other 1 MiB
        manager, results = pool._executor_manager_thread, pool._result_queue
        assert manager.is_alive()
        raise KeyboardInterrupt  # a stop: the pool is stopped, not waited for
    try:
        assert not manager.is_alive(), "the manager thread still reads a message nobody sends"
    finally:  # on failure, free it so this test process can still exit
        if manager.is_alive():
            results._writer.close()
            manager.join(timeout=10)


def test_a_spawned_worker_does_not_print_a_note_its_caller_has_told(capfd):
    """A step after the horizon is told once, by the process that hands out the runs, under its
    own warning filters: a spawned worker, which starts without them, printed it raw as well
    (its stderr is this process's, captured here)."""
    import warnings

    from model.scenario import Scenario
    from model.studies.horizon_notes import horizon_notes_told
    from model.studies.kept_runs import run_all

    late = Scenario.build({"schedule": [{"month": 5, "set": {"service_level": 0.9}}]})
    late = late.with_overrides({"market.clients": 200, "run.months": 2})
    runs = [late.with_overrides({"run.seed": s}) for s in (1, 2)]
    spawn = multiprocessing.get_context("spawn")
    with process_pool(1, mp_context=spawn) as pool:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run_all(runs, executor=pool, chunk=1)
        with warnings.catch_warnings(record=True) as after:
            warnings.simplefilter("always")  # (so only the told notes' own filter hides them)
            with horizon_notes_told(runs):
                quiet = run_all(runs, executor=pool, chunk=1)
    told = [str(w.message) for w in caught if "horizon" in str(w.message)]
    assert told == ["schedule step at month 5: after the 2-month horizon, no effect"]
    assert not [w for w in after if "horizon" in str(w.message)]
    assert [r.seed for r in quiet] == [1, 2]
    assert "horizon" not in capfd.readouterr().err


def test_chunks_on_a_thread_pool_leave_the_warning_filters_alone(monkeypatch):
    """Chunks on an executor run through ``run_many``, which gives no note of a step after the
    horizon, so no worker enters a ``catch_warnings`` of this project's: in a thread (Dask's
    threads) that context saves and restores the filters every thread shares, and two at once can
    leave them changed."""
    import threading
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    from model.scenario import Scenario
    from model.studies.kept_runs import run_all

    late = Scenario.build({"schedule": [{"month": 5, "set": {"service_level": 0.9}}]})
    late = late.with_overrides({"market.clients": 200, "run.months": 2})
    runs = [late.with_overrides({"run.seed": s}) for s in (1, 2, 3)]
    in_workers = []
    real = warnings.catch_warnings

    def spy(*args, **kwargs):  # (this project's own contexts; pandas enters some of its own)
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.startswith(("model.", "experiments.")):
            in_workers.append(threading.current_thread() is not threading.main_thread())
        return real(*args, **kwargs)

    with real(record=True) as caught:
        warnings.simplefilter("always")
        monkeypatch.setattr(warnings, "catch_warnings", spy)
        with ThreadPoolExecutor(2) as pool:
            done = run_all(runs, executor=pool, chunk=1)
        monkeypatch.undo()
    assert [r.seed for r in done] == [1, 2, 3]
    assert not any(in_workers)
    told = [str(w.message) for w in caught if "horizon" in str(w.message)]
    assert told == ["schedule step at month 5: after the 2-month horizon, no effect"]
