"""A claim study whose stored batches were damaged after they were written (truncated, emptied)
resumes by running those batches again, says so, and reports what the undamaged study reports;
it ended in an ArrowInvalid traceback (exit 1) on every rerun."""

from __future__ import annotations

import json

from conftest import cli


def _report(folder):
    data = json.loads((folder / "acquisition_cost.json").read_text())
    data.pop("seconds", None)  # (how long it took)
    return data


def test_damaged_batches_run_again_and_the_report_is_the_same(tmp_path, capsys):
    args = ("experiment", "acquisition_cost", "--size", "quick", "--workers", "1", "--quiet")
    assert cli(*args, "--out", tmp_path) == 0
    before = _report(tmp_path)
    store = next((tmp_path / ".store").iterdir())
    world = sorted((store / "worlds").glob("batch-*[0-9].parquet"))[1]
    world.write_bytes(world.read_bytes()[: world.stat().st_size // 2])  # truncated
    series = sorted((store / "worlds").glob("batch-*.series.parquet"))[0]
    series.write_bytes(b"")  # emptied
    claim = sorted((store / "claims" / "acquisition_cost").glob("batch-*.parquet"))[0]
    claim.write_bytes(claim.read_bytes()[:100])
    rep = sorted((store / "defaults" / "acquisition_cost").glob("rep-*.parquet"))[0]
    rep.write_bytes(b"PAR1")
    capsys.readouterr()
    assert cli(*args, "--out", tmp_path) == 0
    err = capsys.readouterr().err
    assert "damaged stored batch" in err and "Traceback" not in err
    assert _report(tmp_path) == before


def test_a_batch_damaged_inside_its_data_is_named_removed_and_run_again(tmp_path, capsys):
    """Bytes damaged inside a batch's data, its footer intact, passed the footer check and
    stopped the study on pyarrow's traceback, every run again. Now the run names the batch,
    removes it and asks for a rerun, which redoes it and reports what the undamaged study did."""
    args = ("experiment", "acquisition_cost", "--size", "quick", "--workers", "1", "--quiet")
    assert cli(*args, "--out", tmp_path) == 0
    before = _report(tmp_path)
    store = next((tmp_path / ".store").iterdir())
    claim = sorted((store / "claims" / "acquisition_cost").glob("batch-*.parquet"))[0]
    data = bytearray(claim.read_bytes())
    data[4:40] = b"\xff" * 36  # (the first page's header: the footer still reads)
    claim.write_bytes(bytes(data))
    capsys.readouterr()
    assert cli(*args, "--out", tmp_path) == 2
    err = capsys.readouterr().err
    assert claim.name in err and "damaged stored batch" in err and "Traceback" not in err
    assert not claim.exists()
    assert cli(*args, "--out", tmp_path) == 0
    assert _report(tmp_path) == before


def test_a_world_batch_needs_its_series_and_a_lone_series_is_left(tmp_path):
    """A world batch whose series file is missing cannot be used (its baselines are read from
    it): it runs again. A series file whose batch is not there yet may be another study's,
    being written now (the worlds stage is shared): it is left alone."""
    import pandas as pd

    from experiments.running.store import drop_damaged

    worlds = tmp_path / "worlds"
    worlds.mkdir()
    frame = pd.DataFrame({"world": [0, 1]})
    for name in ("batch-00000", "batch-00001"):
        frame.to_parquet(worlds / f"{name}.parquet")
    frame.to_parquet(worlds / "batch-00000.series.parquet")
    frame.to_parquet(worlds / "batch-00002.series.parquet")  # (its batch still being written)
    assert drop_damaged(worlds) == 1
    assert sorted(p.name for p in worlds.iterdir()) == [
        "batch-00000.parquet", "batch-00000.series.parquet", "batch-00002.series.parquet",
    ]  # fmt: skip
