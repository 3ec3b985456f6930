"""Results files are written whole or not at all, and as ordinary files (``model.studies.files``)."""

from __future__ import annotations

import os
import stat

import pytest

from model.studies.calibration.data import fader_hardie
from model.studies.calibration.fit import calibrate_survival
from model.studies.files import atomic_file, ordinary_mode, write_atomic


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_file_gets_the_mode_a_new_file_gets_here(tmp_path, umask_022):
    """mkstemp's files are private (0600); a results file is not (a review found reports,
    manifests and calibrated scenarios written 0600 beside 0644 figures)."""
    out = write_atomic(tmp_path / "a.json", "{}")
    assert _mode(out) == ordinary_mode() == 0o644
    assert out.read_text() == "{}"
    fitted = calibrate_survival(fader_hardie("regular"), fit_periods=7).write(tmp_path / "f.toml")
    assert _mode(fitted) == 0o644


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path):
    path = write_atomic(tmp_path / "r.md", b"before")
    with pytest.raises(RuntimeError), atomic_file(path) as handle:
        handle.write(b"half")
        raise RuntimeError("killed")
    assert path.read_bytes() == b"before"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]  # no temporary left
