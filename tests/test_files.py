"""Results files are written whole or not at all, and as ordinary files (``model.studies.files``)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from model.studies.files import atomic_file, write_atomic

ROOT = Path(__file__).resolve().parents[1]


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_file_gets_the_mode_a_new_file_gets_here(tmp_path, umask, mode):
    """mkstemp's files are private (0600); a results file gets what any new file gets (a review
    found reports, manifests and calibrated scenarios written 0600 beside 0644 figures)."""
    code = (
        f"import os; os.umask({umask});"
        "from model.studies.calibration.data import fader_hardie;"
        "from model.studies.calibration.fit import calibrate_survival;"
        "from model.studies.files import write_atomic;"
        f"write_atomic({str(tmp_path / 'a.json')!r}, '{{}}');"
        "calibrate_survival(fader_hardie('regular'), fit_periods=7)"
        f".write({str(tmp_path / 'f.toml')!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)
    assert _mode(tmp_path / "a.json") == mode and _mode(tmp_path / "f.toml") == mode
    assert (tmp_path / "a.json").read_text() == "{}"


def test_writing_from_threads_leaves_the_umask_alone(tmp_path):
    """The mode is read once per process: setting the umask to read it, on every write, raced
    between threads (a Dask worker's tasks) and could leave another umask behind."""
    before = os.umask(0o022)
    os.umask(before)

    def write(k: int) -> None:
        for i in range(50):
            write_atomic(tmp_path / f"{k}-{i}.txt", "x")

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often: a race shows
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    after = os.umask(before)
    assert after == before and len(list(tmp_path.iterdir())) == 200


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path):
    path = write_atomic(tmp_path / "r.md", b"before")
    with pytest.raises(RuntimeError), atomic_file(path) as handle:
        handle.write(b"half")
        raise RuntimeError("killed")
    assert path.read_bytes() == b"before"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]  # no temporary left
