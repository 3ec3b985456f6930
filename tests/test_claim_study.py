"""The claim study's store and replication rule: stale runs refused, noisy worlds replicated."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.running.stages import batches_run
from experiments.running.store import StaleStore, check_manifest, claim_fingerprint, fingerprint
from experiments.running.study import Size, claim_values
from experiments.verdicts.framework import Claim, Reading, judge
from experiments.verdicts.holds import placing
from model.studies.worlds import FACTS, draw_worlds

_FACT_NAMES = {f.name for f in FACTS}

TINY = Size(
    wave=12, target=0, max_waves=1, clients=60, months=13, pilot=4, max_reps=3, defaults=1, batch=5
)


def _fake_claim() -> types.ModuleType:
    """A claim whose effect is 10 (the band's upper edge) in even worlds and 50 in odd ones,
    ±0.5 by replication (sd 0.71): only the even worlds sit near an edge."""
    module = types.ModuleType("fake_claim_for_tests")
    module.CLAIM = Claim(  # type: ignore[attr-defined]
        "fake", "a fake claim", (Reading("effect", "e", "“e”", "s", "x", (0.0, 10.0)),), "d"
    )

    def measure(base, seed):
        world_seed = seed - seed % 16  # the world's first seed (replications add 0, 1, 2 …)
        level = 10.0 if (world_seed // 16) % 2 == 0 else 50.0
        return {"effect": level + (0.5 if (seed - world_seed) % 2 == 0 else -0.5)}

    module.measure = measure  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module


def _worlds() -> pd.DataFrame:
    worlds = draw_worlds(TINY.wave, seed=4)
    worlds["kept"] = True
    return worlds


def test_worlds_near_a_band_edge_get_more_replications(tmp_path):
    module = _fake_claim()
    worlds = _worlds()
    values = claim_values(module, worlds, TINY, tmp_path)
    reps = values.groupby("world")["rep"].apply(sorted)
    even = {
        int(w) for w, s in zip(worlds["world"], worlds["seed"], strict=True) if s // 16 % 2 == 0
    }
    assert 0 < len(even) < len(worlds)  # the test needs both kinds
    pilot = set(worlds["world"].iloc[: TINY.pilot])
    for world, r in reps.items():
        if world in even:
            assert r == list(range(TINY.max_reps)), world  # near the edge at 10: replicated
        else:
            assert r == ([0, 1] if world in pilot else [0]), world
    per, _ = judge(module.CLAIM.readings[0], values)
    assert set(per.loc[per["n"] == TINY.max_reps, "world"]) == even
    # Resuming runs nothing new: the same table.
    again = claim_values(module, worlds, TINY, tmp_path)
    pd.testing.assert_frame_equal(values, again)


def test_a_rerun_asks_for_no_new_replications_with_random_noise(tmp_path):
    """The near-edge rule reads the first pass only: the replications it added must not move the
    pooled noise and pull more worlds in on a rerun."""
    module = _fake_claim()

    worlds = draw_worlds(40, seed=4)
    worlds["kept"] = True
    world_of = dict(zip(worlds["seed"], worlds["world"], strict=True))

    def noisy(base, seed):
        world = world_of[seed - seed % 16]
        level = 10.0 + 0.7 * (world % 7 - 3)  # 0 to 2.1 from the edge at 10
        sd = 0.2 if world < TINY.pilot else 2.0  # the pilot is quiet: later pools are not
        return {"effect": level + np.random.default_rng(seed).normal(0.0, sd)}

    module.measure = noisy  # type: ignore[attr-defined]
    size = Size(**{**TINY.__dict__, "wave": 40, "max_reps": 4})
    first = claim_values(module, worlds, size, tmp_path)
    assert first.groupby("world").size().max() == 4  # some worlds were replicated
    for _ in range(2):
        pd.testing.assert_frame_equal(first, claim_values(module, worlds, size, tmp_path))


def test_worlds_near_an_edge_by_their_own_noise_get_more_replications(tmp_path):
    """The second look: worlds 3 from the edge, measured once, are far from it by the quiet
    pilot's noise, but near it by the noise of the replicated worlds, a third of which swing by
    ±5; they are replicated too, the worlds far from the edge by both are not, and a rerun asks
    for nothing new."""
    module = _fake_claim()
    worlds = draw_worlds(40, seed=4)
    worlds["kept"] = True
    world_of = dict(zip(worlds["seed"], worlds["world"], strict=True))
    size = Size(**{**TINY.__dict__, "wave": 40, "max_reps": 4})
    pilot = set(worlds["world"].iloc[: size.pilot])

    def kind(world: int) -> str:
        return "pilot" if world in pilot else ("swing", "three", "far")[world % 3]

    def measure(base, seed):
        world, rep = world_of[seed - seed % 16], seed % 16
        sign = 1.0 if rep % 2 else -1.0
        return {
            "effect": {
                "pilot": 10.0 + 0.1 * sign,  # on the edge, quiet: the typical noise is small
                "swing": 10.1 if rep == 0 else 10.0 + 5.0 * sign,  # near at first, then noisy
                "three": 13.0 + 0.1 * sign,
                "far": 50.0 + 0.1 * sign,
            }[kind(world)]
        }

    module.measure = measure  # type: ignore[attr-defined]
    values = claim_values(module, worlds, size, tmp_path)
    reps = values.groupby("world").size()
    for world, n in reps.items():
        assert n == (1 if kind(world) == "far" else size.max_reps), (world, kind(world), n)
    pd.testing.assert_frame_equal(values, claim_values(module, worlds, size, tmp_path))


def test_worlds_too_noisy_to_place_run_up_to_the_deep_replications(tmp_path):
    """Worlds on the edge at 10: the quiet ones (±0.1) are placed with the study's four
    replications; those swinging by ±3 after a first 10.1 are near an edge with a standard error
    ~30 times the median of the worlds near it, unresolved (experiments.verdicts.holds.placing), and run
    up to eight. A rerun asks for nothing new, and the same store read at a size without the
    third look gives what a fresh study of that size does (the deep replications unread)."""
    module = _fake_claim()
    worlds = draw_worlds(40, seed=4)
    worlds["kept"] = True
    world_of = dict(zip(worlds["seed"], worlds["world"], strict=True))
    size = Size(**{**TINY.__dict__, "wave": 40, "max_reps": 4, "deep_reps": 8})
    pilot = set(worlds["world"].iloc[: size.pilot])

    def kind(world: int) -> str:
        return "pilot" if world in pilot else ("noisy", "quiet", "far", "quiet")[world % 4]

    def measure(base, seed):
        world, rep = world_of[seed - seed % 16], seed % 16
        sign = 1.0 if rep % 2 else -1.0
        level = 50.0 if kind(world) == "far" else 10.0
        swing = (0.1 if rep == 0 else 3.0) if kind(world) == "noisy" else 0.1
        return {"effect": level + swing * sign}

    module.measure = measure  # type: ignore[attr-defined]
    values = claim_values(module, worlds, size, tmp_path / "deep")
    want = {"far": 1, "quiet": 4, "pilot": 4, "noisy": 8}
    reps = values.groupby("world").size()
    assert {kind(int(w)) for w in reps.index} == set(want)
    for world, n in reps.items():
        assert n == want[kind(int(world))], (world, kind(int(world)), n)
    pd.testing.assert_frame_equal(values, claim_values(module, worlds, size, tmp_path / "deep"))
    shallow = Size(**{**size.__dict__, "deep_reps": 0})
    pd.testing.assert_frame_equal(
        claim_values(module, worlds, shallow, tmp_path / "deep"),
        claim_values(module, worlds, shallow, tmp_path / "fresh"),
    )
    assert (
        claim_values(module, worlds, shallow, tmp_path / "fresh").groupby("world").size().max() == 4
    )


def test_more_deep_replications_extend_the_store_and_lose_none(tmp_path):
    """A study asked for more replications of its unplaced worlds (``--deep-reps``) on a stored
    one runs only the new replications and reads what a fresh study of that size does: the new
    batches took the names of the stored ones (first world, same look) and replaced them, so the
    worlds ended with 8 of 12 replications and the runs 4-7 were lost."""
    module = _fake_claim()
    worlds = draw_worlds(40, seed=4)
    worlds["kept"] = True
    world_of = dict(zip(worlds["seed"], worlds["world"], strict=True))
    size = Size(**{**TINY.__dict__, "wave": 40, "max_reps": 4, "deep_reps": 8})

    def measure(base, seed):  # every fourth world on the edge at 10, swinging by ±3
        world, rep = world_of[seed - seed % 16], seed % 16
        swing = (0.1 if rep == 0 else 3.0) if world % 4 == 0 else 0.1
        return {"effect": 10.0 + swing * (1.0 if rep % 2 else -1.0)}

    module.measure = measure  # type: ignore[attr-defined]
    first = claim_values(module, worlds, size, tmp_path / "store")
    assert first.groupby("world").size().max() == 8
    more = Size(**{**size.__dict__, "deep_reps": 12})
    extended = claim_values(module, worlds, more, tmp_path / "store")
    pd.testing.assert_frame_equal(extended, claim_values(module, worlds, more, tmp_path / "fresh"))
    assert extended.groupby("world").size().max() == 12
    # Read back at the first size, the extended store still holds every run it had: nothing is
    # run again (the old names lost the 5th to 8th replications, which a read-back reran).
    ran = batches_run()
    pd.testing.assert_frame_equal(claim_values(module, worlds, size, tmp_path / "store"), first)
    assert batches_run() == ran


def test_no_world_is_read_as_unplaced_without_its_third_look(tmp_path):
    """The looks go on until they ask for nothing new. Here the third look replicates ten noisy
    worlds on the edge (±9), whose later runs lie far above it: they leave the worlds near the
    edge, whose median noise falls to the quiet worlds' (±0.1), and five middling worlds (±1),
    placed beside the noisy ones after four replications, become too noisy to place beside the
    rest. Three looks left them unresolved on four replications; a fourth gives them eight."""
    module = _fake_claim()
    worlds = draw_worlds(40, seed=4)
    worlds["kept"] = True
    world_of = dict(zip(worlds["seed"], worlds["world"], strict=True))
    size = Size(**{**TINY.__dict__, "wave": 40, "max_reps": 4, "deep_reps": 8})
    position = {int(w): i for i, w in enumerate(worlds["world"])}

    def kind(world: int) -> str:
        i = position[world]
        if i < size.pilot:
            return "quiet"
        return ("noisy", "noisy", "quiet", "mid", "far")[i % 5] if i < 30 else "far"

    def measure(base, seed):
        world, rep = world_of[seed - seed % 16], seed % 16
        sign = 1.0 if rep % 2 else -1.0
        return {
            "far": lambda: {"effect": 50.0},
            "quiet": lambda: {"effect": 10.0 + 0.1 * sign},
            "mid": lambda: {"effect": 10.05 if rep == 0 else 10.0 + sign},
            "noisy": lambda: {
                "effect": 10.1 if rep == 0 else 10.0 + 9.0 * sign if rep < 4 else 40.0
            },
        }[kind(world)]()

    module.measure = measure  # type: ignore[attr-defined]
    values = claim_values(module, worlds, size, tmp_path)
    per, _ = judge(module.CLAIM.readings[0], values)
    near, unresolved = placing(per["effect"].to_numpy(float), per["se"].to_numpy(float), (0, 10))
    kinds = np.array([kind(int(w)) for w in per["world"]])
    assert set(kinds[unresolved]) == {"mid"} and unresolved.sum() == 5
    assert (per["n"].to_numpy()[unresolved] == size.deep_reps).all()
    assert not near[kinds == "noisy"].any()  # (what moved the median)
    pd.testing.assert_frame_equal(values, claim_values(module, worlds, size, tmp_path))


def test_an_extended_study_is_the_fresh_study_of_all_its_worlds(tmp_path):
    """Another wave can move the second look: in the first 12 worlds a third of the replicated
    ones swing by ±5, so the worlds 3 from the edge are near by their own noise; 48 quiet worlds
    on the edge, of the swinging worlds' mean effect, added, they no longer are. The extended
    study returns what a fresh one of all 60 worlds does (their stored replications unread), and
    the first did replicate them."""
    module = _fake_claim()
    worlds = draw_worlds(60, seed=4)
    worlds["kept"] = True
    world_of = dict(zip(worlds["seed"], worlds["world"], strict=True))
    position = {int(w): i for i, w in enumerate(worlds["world"])}
    size = Size(**{**TINY.__dict__, "wave": 60, "max_reps": 4})

    def kind(world: int) -> str:
        i = position[world]
        return "pilot" if i < size.pilot else ("swing", "three")[i % 2] if i < 12 else "quiet"

    def measure(base, seed):
        world, rep = world_of[seed - seed % 16], seed % 16
        level = {"pilot": 10.0, "swing": 10.0, "three": 13.0, "quiet": 10.0}[kind(world)]
        if kind(world) == "swing":  # ±5 about 10, its mean the quiet worlds' (one size)
            return {"effect": level + (-0.1, 5.0, -5.0, 0.1)[rep]}
        return {"effect": level + (0.1 if rep % 2 else -0.1)}

    module.measure = measure  # type: ignore[attr-defined]
    first = claim_values(module, worlds.iloc[:12], size, tmp_path / "extended")
    three = [w for w in first["world"].unique() if kind(int(w)) == "three"]
    assert three and all((first["world"] == w).sum() == size.max_reps for w in three)
    extended = claim_values(module, worlds, size, tmp_path / "extended")
    fresh = claim_values(module, worlds, size, tmp_path / "fresh")
    pd.testing.assert_frame_equal(extended, fresh)
    assert all((fresh["world"] == w).sum() == 1 for w in three)


def test_a_store_made_by_other_code_or_size_is_refused(tmp_path):
    from experiments import load

    lost = load("lost_client")
    claim_values(lost, _worlds(), TINY, tmp_path / "lost")
    code = json.loads((tmp_path / "lost" / "claims" / "lost_client" / "manifest.json").read_text())
    assert code["code"] == fingerprint([lost]) != fingerprint()  # the claim's own file counts
    module = _fake_claim()
    claim_values(module, _worlds(), TINY, tmp_path)
    folder = tmp_path / "claims" / "fake"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["clients"] == TINY.clients and manifest["seed"] == 1
    bigger = Size(**{**TINY.__dict__, "clients": 61})
    with pytest.raises(StaleStore, match=r"clients = 60, now 61.*--fresh"):
        claim_values(module, _worlds(), bigger, tmp_path)
    manifest["code"] = "0" * 16
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StaleStore, match="code = '0000000000000000'"):
        claim_values(module, _worlds(), TINY, tmp_path)
    # Runs made where numpy gives exp, log… other last bits (docs/ODD.md §8): not paired with these.
    manifest["code"] = fingerprint([module])
    manifest["numerics"] = "0" * 12
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StaleStore, match=r"numerics = '000000000000', now '[0-9a-f]{12}'"):
        claim_values(module, _worlds(), TINY, tmp_path)


def test_batches_without_a_manifest_are_refused(tmp_path):
    (tmp_path / "batch-w000001.parquet").write_bytes(b"old")
    with pytest.raises(StaleStore, match=r"no manifest\.json"):
        check_manifest(tmp_path, {"code": "x"})


def test_the_fingerprint_follows_the_code_that_makes_runs_not_the_rest():
    from experiments.running.store import source_files

    names = {p.as_posix() for p in source_files(["experiments/claims/lost_client.py"])}
    for made_by in (
        "model/engine/phases/retain.py",
        "model/scenario/sections/retain.py",
        "model/studies/worlds.py",
        "experiments/running/baseline.py",
        "experiments/running/tasks.py",
        "experiments/running/arms.py",
        "experiments/running/together.py",
        "experiments/running/lifetime.py",
        "experiments/claims/lost_client.py",
    ):
        assert any(n.endswith(made_by) for n in names), made_by
    for shown_by in (
        "experiments/reporting/report.py",
        "experiments/running/study.py",  # sizes and waves: how many runs, not what they hold
        "model/interfaces/figures.py",
        "model/studies/calibration/fit.py",
        "model/studies/sweep/runner.py",
    ):
        assert not any(n.endswith(shown_by) for n in names), shown_by
    with pytest.raises(FileNotFoundError, match="nope"):
        source_files(["experiments/nope.py"])


def test_a_moved_module_of_the_fingerprint_is_an_error_not_left_out(monkeypatch):
    import experiments.running.store as store

    monkeypatch.setattr(store, "_NUMBER_CODE", (*store._NUMBER_CODE, "experiments/baseline.py"))
    with pytest.raises(FileNotFoundError, match=r"experiments/baseline\.py does not exist"):
        store.source_files()


def test_cli_refuses_a_stale_store_in_one_line(tmp_path):
    def retention(*args: str) -> subprocess.CompletedProcess:
        cmd = [str(Path(sys.executable).with_name("retention")), *args]  # as a user runs it
        return subprocess.run(cmd, capture_output=True, text=True, timeout=600)

    args = ("experiment", "lost_client", "--size", "quick", "--out", str(tmp_path))
    assert retention(*args).returncode == 0
    manifest = tmp_path / ".store" / "quick-seed1" / "worlds" / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "code": "f" * 16}))
    out = retention(*args)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "--fresh" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    fresh = retention(*args, "--fresh")
    assert fresh.returncode == 0, fresh.stderr


def _planted_claim() -> types.ModuleType:
    """A claim that holds (effect 5, inside its band) where ``market.spend_sigma`` is above the
    middle of its range (0.84–1.68) and fails (effect 50) elsewhere: PRIM has a box to find.
    A third reading is defined only there (a box of where it is defined)."""
    module = types.ModuleType("planted_claim_for_tests")
    module.CLAIM = Claim(  # type: ignore[attr-defined]
        "planted",
        "a planted claim",
        (
            Reading("effect", "e", "“e”", "s", "x", (0.0, 10.0)),
            # (a margin of ours: the report judges it halved and doubled too)
            Reading("other", "o", "“o”", "s", "x", (0.0, 10.0), assumed_margin="difference"),
            Reading("sometimes", "s", "“s”", "s", "x", (0.0, 10.0)),
        ),
        "d",
        beside=(("sigma", "log-spend sd", "the world's spend sigma"),),
    )

    def measure(base, seed):
        sigma = base.run.scenario.market.spend_sigma
        noise = (seed % 7) / 10.0
        return {
            "effect": (5.0 if sigma > 1.26 else 50.0) + noise,
            "other": 12.0 + sigma,  # (above its band, inside it with the margin doubled)
            "sometimes": 5.0 + noise if sigma > 1.26 else float("nan"),  # defined in half
            "sigma": sigma,  # (measured beside the readings, not judged)
        }

    module.measure = measure  # type: ignore[attr-defined]
    return module


def test_the_analysis_on_the_workers_is_the_analysis_here(tmp_path, monkeypatch):
    """run_claim sends each reading's PRIM searches and PAWN ranking to the shared pool; what comes
    back must be what the same calls give in this process, reading by reading and box by box."""
    from experiments.analysis.discovery import prim_box
    from experiments.analysis.evidence import UNDEFINED_BOX_SHARE, _uncertainty_columns, run_claim
    from experiments.analysis.pawn import sensitivity
    from experiments.running.pool import shared_pool
    from experiments.running.study import defaults_values, world_table
    from experiments.verdicts.holds import Measured

    module = _planted_claim()
    monkeypatch.setitem(sys.modules, module.__name__, module)  # (claim_batch imports it by name)
    size = Size(
        wave=80, target=0, max_waves=1, clients=40, months=13, pilot=4, max_reps=2, defaults=1,
        batch=40,
    )  # fmt: skip
    import experiments.running.study

    judged = (
        experiments.running.study.judge_worlds
    )  # every world plausible: a market this small rarely is
    monkeypatch.setattr(
        experiments.running.study, "judge_worlds", lambda *a: judged(*a).assign(plausible=True)
    )
    # The runs here (a claim module made in a test cannot be imported by a worker); the
    # analysis of the stored runs on two workers.
    store = tmp_path / "store"
    claim_values(module, world_table(size, 1, store), size, store)
    defaults_values(module, size, 1, store)
    with shared_pool(2, quiet=True):
        ev = run_claim(module, size, tmp_path / "store", size_name="test", workers=2)
    worlds = world_table(size, 1, tmp_path / "store")  # stored now: nothing runs again
    kept = worlds[worlds["kept"]]
    x = kept.set_index("world")[_uncertainty_columns(kept)]
    assert ev.kept == len(x) == 80
    boxes = defined_boxes = 0
    for reading, got in zip(module.CLAIM.readings, ev.readings, strict=True):
        assert got.verdict.reading.name == reading.name
        per = got.per_world.set_index("world")
        assert per.index.equals(x.index)
        defined = (per["status"] != "undefined").to_numpy()
        holds = (per["status"] == "in band").to_numpy()[defined]
        measured = Measured(per, reading.band)
        assert got.box == prim_box(x[defined], holds, measured=measured)
        assert got.fail_box == prim_box(x[defined], ~holds, measured=measured, failing=True)
        pd.testing.assert_frame_equal(got.drivers, sensitivity(x, per["effect"].to_numpy()))
        boxes += (got.box is not None) + (got.fail_box is not None)
        often = got.verdict.shares["undefined"] >= UNDEFINED_BOX_SHARE
        assert got.defined_box == (prim_box(x, defined) if often else None)
        defined_boxes += got.defined_box is not None
    assert boxes  # a box was found, so boxes were compared, not only Nones
    assert defined_boxes == 1  # the third reading's: where spend_sigma is high
    # Each reading judged again on the kept worlds within each narrower range of a fact, as judge
    # judges that subset; and the fact its effects rank with most closely.
    from experiments.analysis.fact_ranges import TIGHTER_BOUNDS, closest_fact

    values = claim_values(module, worlds, size, tmp_path / "store")
    facts = kept.set_index("world")[[c for c in kept.columns if c in _FACT_NAMES]]
    subsets = nearest = 0
    for reading, got in zip(module.CLAIM.readings, ev.readings, strict=True):
        assert list(got.bounded) == [b.key for b in TIGHTER_BOUNDS]
        assert {name for name, _, _ in got.bounded} == {"operating_margin", "referral_share"}
        for (name, lo, hi), verdict in got.bounded.items():
            inside = facts.index[facts[name].between(lo, hi)]
            # (by repr: an empty subset's P(holds) is NaN, which == never equals)
            assert repr(verdict) == repr(judge(reading, values[values["world"].isin(inside)])[1])
            subsets += 0 < verdict.worlds < ev.kept
        per = got.per_world.set_index("world")
        assert got.nearest_fact == closest_fact(per["effect"], facts)
        nearest += got.nearest_fact is not None
    assert subsets  # some bound kept some worlds and not others: the subsets were compared
    assert nearest  # and some reading has a nearest fact, so more than None == None was compared


def test_closest_fact_is_the_largest_rank_correlation_signed():
    from experiments.analysis.fact_ranges import closest_fact

    # World 8's effect is a censored bound (+inf: above every other), world 14's undefined.
    effect = pd.Series(
        [1.0, 2.0, np.inf, 4.0, 5.0, np.nan], index=pd.Index([3, 5, 8, 9, 12, 14], name="world")
    )
    facts = pd.DataFrame(
        {
            # over worlds 3, 5, 9, 12, 8 (effect ranks 1..5): a ranks 1 2 4 3 5 (rho 0.9);
            # b ranks 2 3 4 5 1, perfect (rho 1) only if the censored world were dropped
            "a": [5.0, 3.0, 1.0, 2.0, 4.0, 0.0],
            "b": [0.0, 4.0, 1.0, 2.0, 3.0, 9.0],
            "c": [-1.0, -1.0, -1.0, -1.0, -1.0, 7.0],  # constant over the measured worlds
        },
        index=pd.Index([8, 12, 3, 5, 9, 14], name="world"),  # another order: aligned by world
    )
    name, rho = closest_fact(effect, facts)
    assert (name, rho) == ("a", pytest.approx(0.9))
    name, rho = closest_fact(-effect, facts)
    assert (name, rho) == ("a", pytest.approx(-0.9))  # signed
    assert closest_fact(effect.iloc[:2], facts) is None  # fewer than three measured worlds
    assert closest_fact(effect, facts[["c"]]) is None  # no fact varies
    assert closest_fact(effect * 0 + 1.0, facts) is None  # a constant effect


def _small_planted_study(monkeypatch, plausible: bool) -> tuple[types.ModuleType, Size]:
    """The planted claim, importable by name, and a 12-world study of it whose worlds are all
    plausible or none (a 40-client market rarely reproduces the facts on its own)."""
    import experiments.running.study

    module = _planted_claim()
    monkeypatch.setitem(sys.modules, module.__name__, module)
    judged = experiments.running.study.judge_worlds
    monkeypatch.setattr(
        experiments.running.study, "judge_worlds", lambda *a: judged(*a).assign(plausible=plausible)
    )
    size = Size(
        wave=12, target=0, max_waves=1, clients=40, months=13, pilot=2, max_reps=2, defaults=1,
        batch=6,
    )  # fmt: skip
    return module, size


def test_a_study_that_keeps_no_world_says_so(tmp_path, monkeypatch):
    """ABC rejection can keep nothing (a quick study, a strict fact): the report must say so, not
    fail or print nan."""
    from experiments.analysis.evidence import run_claim
    from experiments.reporting.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=False)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    assert ev.kept == 0
    figure = tmp_path / "out" / f"{module.CLAIM.name}_effects.png"
    figure.parent.mkdir()
    figure.write_bytes(b"an older study's figure")  # would belong to other worlds
    path = write_report(ev, tmp_path / "out")
    text = path.read_text()
    assert "no plausible worlds" in text and "(no plausible world: nothing to rank)" in text
    assert not re.search(r"\bnan\b", text, re.IGNORECASE) and "[, ]" not in text
    assert "not searched" not in text  # (no world: not "defined in ≥ 90% of worlds")
    assert not figure.exists()
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    assert summary["kept"] == 0 and len(summary["facts"]) == len(module.CLAIM.readings)
    # (no world to summarise what it measures beside the readings: None, not NaN, in JSON)
    assert summary["beside"][0]["worlds"] == 0 and summary["beside"][0]["median"] is None
    # (what made its runs, so a reader can tell whether a report is this code's)
    assert summary["code"] == claim_fingerprint(module.CLAIM.name) == fingerprint()


def test_the_report_judges_each_reading_under_each_narrower_range(tmp_path, monkeypatch):
    from experiments.analysis.evidence import run_claim
    from experiments.analysis.fact_ranges import TIGHTER_BOUNDS
    from experiments.reporting.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=True)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    text = write_report(ev, tmp_path / "out").read_text()
    section = text.split("## How much the verdict owes to the stylised facts")[1].split("\n## ")[0]
    header = next(line for line in section.splitlines() if line.startswith("| reading"))
    assert header == (
        "| reading | as kept | margin 0% to 45% | margin -10% to 30% | referral share 2% to 50% "
        "| referral share 20% to 65% | nearest fact (Spearman ρ) |"
    )
    assert "Bughin, Doogan & Vetvik 2010" in section
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    for row, r in zip(summary["facts"], ev.readings, strict=True):
        kept, *narrower = row["bounds"]
        assert kept["fact"] is None and kept["worlds"] == r.verdict.worlds == ev.kept
        assert [(b["fact"], b["low"], b["high"]) for b in narrower] == [
            b.key for b in TIGHTER_BOUNDS
        ]
        assert [b["worlds"] for b in narrower] == [r.bounded[b.key].worlds for b in TIGHTER_BOUNDS]
    # What the claim measures beside its readings: its spread over the kept worlds, not judged.
    (beside,) = summary["beside"]
    sigmas = ev.world_values["market.spend_sigma"]
    assert beside["worlds"] == ev.kept == len(sigmas)
    assert beside["median"] == pytest.approx(float(np.median(sigmas)))
    assert beside["p10"] == pytest.approx(float(np.percentile(sigmas, 10)))
    part = text.split("## Measured beside the readings")[1].split("\n## ")[0]
    assert "Latin-hypercube" not in part  # (after the design's method, not inside it)
    assert f"| sigma | the world's spend sigma (log-spend sd) | {beside['median']:.4g} [" in part


def test_the_report_judges_a_reading_again_with_its_assumed_margin_halved_and_doubled(
    tmp_path, monkeypatch
):
    """``other`` (12.8–13.7, a band of 0 to 10 with a margin of ours) lies above its band as
    stated and with the margin halved (2.5 to 7.5), inside it with the margin doubled (-5 to
    15): each band judged over the same worlds as the verdict; readings whose band is the
    source's own are not listed."""
    from experiments.analysis.evidence import run_claim
    from experiments.reporting.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=True)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    text = write_report(ev, tmp_path / "out").read_text()
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    (entry,) = summary["margins"]  # (only the reading that declares one)
    assert entry["reading"] == "other" and entry["margin"] == "difference"
    stated, halved, doubled = entry["bands"]
    assert [(b["label"], b["low"], b["high"]) for b in entry["bands"]] == [
        ("as stated", 0.0, 10.0),
        ("margin halved", 2.5, 7.5),
        ("margin doubled", -5.0, 15.0),
    ]
    (other,) = (r for r in ev.readings if r.verdict.reading.name == "other")
    assert stated["p"] == other.verdict.p and stated["words"] == other.verdict.words
    assert all(b["worlds"] == ev.kept for b in entry["bands"])
    # Each band is judged as the verdict is: the same function on the same values, its band moved.
    assert other.margins is not None
    for b, v in zip((halved, doubled), other.margins, strict=True):
        assert v.reading.band == (b["low"], b["high"])
        assert (b["p"], b["p_low"], b["p_high"]) == (v.p, v.low, v.high)
    assert stated["p"] == halved["p"] == 0.0 and doubled["p"] == pytest.approx(1.0)
    assert entry["changes"] is True and doubled["words"] != stated["words"]
    section = text.split("## How much the verdict owes to the bands' assumed margins")[1]
    section = section.split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0] == "| reading | margin | as stated | margin halved | margin doubled |"
    assert len(rows) == 2 and rows[1].startswith("| other | in the effect's unit | 0 to 10 x: ")
    assert "| 2.5 to 7.5 x: " in rows[1] and "| -5 to 15 x: " in rows[1]


def test_a_side_word_within_the_worlds_sampling_of_its_cut_off_is_noted(tmp_path, monkeypatch):
    """``effect`` misses its band above in about half of 12 worlds: whether that is *stronger
    than claimed* or no side at all is within the count's sampling, and the report says so."""
    from experiments.analysis.evidence import run_claim
    from experiments.reporting.report import write_report
    from experiments.verdicts.verdict_words import SIDES, side_words

    module, size = _small_planted_study(monkeypatch, plausible=True)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    text = write_report(ev, tmp_path / "out").read_text()
    summary = json.loads((tmp_path / "out" / f"{module.CLAIM.name}.json").read_text())
    sides = {s["reading"]: s for s in summary["sides"]}
    assert "effect" in sides
    for row in summary["rows"]:
        if row["reading"] not in sides:
            continue
        s = sides[row["reading"]]
        (r,) = (r for r in ev.readings if r.verdict.reading.name == row["reading"])
        status = r.per_world["status"]
        assert (s["above"], s["below"]) == ((status == "above").sum(), (status == "below").sum())
        # The side it names is the verdict's own, and another lies within the sampling.
        assert s["side"] == side_words(s["above"] / s["defined"], s["below"] / s["defined"])
        named = [side for side in SIDES if side in row["verdict"]]
        assert named == ([s["side"]] if s["side"] else []), row["verdict"]
        assert s["near"] and s["side"] not in s["near"]
    note = next(line for line in text.splitlines() if line.startswith("*Sides near"))
    assert "effect (" in note and "within their sampling" in note


def test_a_narrower_range_must_lie_inside_its_facts():
    from experiments.analysis.fact_ranges import TighterBound
    from model.studies.worlds import FACTS, OPERATING_MARGIN

    with pytest.raises(ValueError, match=r"operating_margin: -0.2\.\.0.3 must lie inside"):
        TighterBound("margin", OPERATING_MARGIN, -0.2, 0.3, "wider than the fact")
    with pytest.raises(ValueError, match="must lie inside"):
        TighterBound("margin", OPERATING_MARGIN, 0.3, 0.3, "empty")
    nps = next(f for f in FACTS if f.name == "nps")  # points, not a share: no percentages
    with pytest.raises(ValueError, match="nps: only a fact that is a share"):
        TighterBound("NPS", nps, 0.0, 50.0, "printed as 0% to 5000%")


def test_every_task_is_given_absolute_paths_from_a_relative_store(tmp_path, monkeypatch):
    """A Dask worker on another machine resolves a relative path against its own working folder
    (seen: a study with ``--out rel`` failed there); every path a task gets must be absolute."""
    import experiments.running.pool
    from experiments.analysis.evidence import run_claim
    from model.studies.sweep.executors import InProcessExecutor

    module, size = _small_planted_study(monkeypatch, plausible=True)
    given: list[str] = []

    def paths(value) -> None:  # every path-like string in a task's arguments, however nested
        if isinstance(value, str) and value.endswith(".parquet"):
            given.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                paths(v)
        elif isinstance(value, list | tuple):
            for v in value:
                paths(v)

    class Recording(InProcessExecutor):
        def submit(self, fn, /, *args, **kwargs):
            paths(args)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(experiments.running.pool, "_POOL", [(Recording(), True)])
    ev = run_claim(module, size, Path("rel") / "store", size_name="test")
    assert ev.kept == 12
    kinds = {Path(p).name.split("-")[0] for p in given}
    assert {"batch", "rep"} <= kinds and any(p.endswith(".series.parquet") for p in given)
    assert all(Path(p).is_absolute() for p in given), [
        p for p in given if not Path(p).is_absolute()
    ]


def test_the_effects_figure_labels_its_unit_its_band_and_the_worlds_past_its_axis(
    tmp_path, monkeypatch
):
    """A unit of "x" was the axis label "x"; a note "6 beyond, in this end bin" sat over the
    first bar; a band of 4 to 6 hid under the defaults' line on an axis to 50."""
    import matplotlib.pyplot as plt

    from experiments.analysis.evidence import run_claim
    from experiments.reporting.report import _axis_unit, _figure

    assert _axis_unit("x") == "× (times)" and _axis_unit("x first year") == "× first year"
    assert _axis_unit("% of revenue") == "% of revenue"
    module, size = _small_planted_study(monkeypatch, plausible=True)
    ev = run_claim(module, size, tmp_path / "store", size_name="test")
    drawn = []
    monkeypatch.setattr(plt, "close", drawn.append)
    _figure(ev, tmp_path / "effects.png")
    monkeypatch.undo()
    (fig,) = drawn
    for ax, r in zip(fig.axes, ev.readings, strict=True):
        label = ax.get_xlabel()
        assert label.startswith(_axis_unit(r.verdict.reading.unit)) and not ax.texts
        y = r.per_world["effect"].to_numpy(float)
        y = y[np.isfinite(y)]
        lo, hi = np.quantile(y, [0.05, 0.95])
        lo, hi = min(lo, r.verdict.reading.band[0]), max(hi, r.verdict.reading.band[1])
        outside = int(np.count_nonzero((y < lo) | (y > hi)))
        said = re.findall(r"(\d+) (?:below|above)", label)
        assert sum(map(int, said)) == outside
        edges = [b for b in r.verdict.reading.band if np.isfinite(b)]
        dotted = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == ":"]
        assert dotted == edges
    plt.close(fig)
