"""A store resumes from its own spec (model.studies.sweep.stored): ``retention sweep --out STORE``.

Before, the store's spec.toml was the only spec file it kept, and a ``[base] scenario`` path in it
is relative to where the spec was: rerun from the store (or after the spec moved), the base could
not be found, so an interrupted sweep could not be finished from what the store holds.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SWEEP_GRID, cli
from pandas.testing import assert_frame_equal

from model.studies.sweep import SweepError, load, load_spec, parse_spec, run_sweep
from model.studies.sweep.store import batch_name
from model.studies.sweep.stored import stored_spec

SPEC = """\
name = "moved"
months = 4
clients = 200
replications = 2
batch_size = 1
seed = 3

[base]
scenario = "scenarios/mine.toml"
set = {"levers.staffing" = 0.05}

[parameters]
"levers.ad_budget" = [500.0, 2000.0]
"""


def _spec_file(folder):
    (folder / "scenarios").mkdir(parents=True)
    (folder / "scenarios" / "mine.toml").write_text(
        '[levers]\nservice_level = "wow"\n', encoding="utf-8"
    )
    (folder / "spec.toml").write_text(SPEC, encoding="utf-8")
    return folder / "spec.toml"


def test_a_store_whose_spec_moved_is_finished_from_its_own_spec(tmp_path):
    spec_path = _spec_file(tmp_path / "work")
    store, whole = tmp_path / "store", tmp_path / "whole"
    spec = load_spec(spec_path)
    run_sweep(spec, whole, progress=False)
    run_sweep(spec, store, progress=False)
    (store / "batches" / batch_name(2)).unlink()  # an interrupted sweep: a task left to do
    shutil.rmtree(tmp_path / "work")  # ...and the spec and its base scenario gone
    again = stored_spec(store)
    assert again == spec and again.digest() == spec.digest()
    assert again.base_set == ("levers.staffing",) and again.description == spec.description
    with pytest.raises(SweepError, match=r"scenario file 'scenarios/mine\.toml' does not exist"):
        load_spec(store / "spec.toml")
    assert "relative to that file's" in (store / "spec.toml").read_text(encoding="utf-8")
    assert cli("sweep", "--out", store, "--workers", "1", "--quiet") == 0
    assert_frame_equal(load(store), load(whole))  # the same runs as the sweep never stopped


def test_resuming_without_a_spec_refuses_what_it_cannot_trust(tmp_path, capsys):
    store = tmp_path / "s"
    assert cli("sweep", "--out", tmp_path / "none", "--quiet") == 2
    assert "not a sweep store (no manifest.json)" in capsys.readouterr().err
    run_sweep(parse_spec({**SWEEP_GRID}), store, progress=False)
    assert cli("sweep", "--out", store, "--fresh", "--quiet") == 2
    assert "--fresh: not allowed without a SPEC" in capsys.readouterr().err
    data = json.loads((store / "spec.json").read_text(encoding="utf-8"))
    (store / "spec.json").write_text(json.dumps({**data, "seed": 6}), encoding="utf-8")
    assert cli("sweep", "--out", store, "--quiet") == 2
    assert "is not the spec the store's manifest was written for" in capsys.readouterr().err
    (store / "spec.json").write_text("{", encoding="utf-8")
    assert cli("sweep", "--out", store, "--quiet") == 2
    assert "spec.json': cannot be read" in capsys.readouterr().err
    (store / "spec.json").unlink()
    with pytest.raises(SweepError, match="missing, so the store's spec is unknown"):
        stored_spec(store)
