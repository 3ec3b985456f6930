"""Control studies: the drawn study's worlds with some uncertainties pinned, compared world by world."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from experiments.analysis.pin_check import compare_pinned
from experiments.reporting.report import REPORTS
from experiments.running.pins import check_pins, parse_pin, pin_flags, pins_slug, pins_text
from experiments.running.study import Size, world_table
from experiments.verdicts.framework import Reading, judge
from tests.test_claim_study import _small_planted_study

BAND = Reading("effect", "e", "“e”", "s", "x", (0.0, 10.0))


def test_pins_are_read_as_the_uncertainty_declares_them():
    assert parse_pin("economics.overhead_share=0") == ("economics.overhead_share", 0.0)
    assert parse_pin(" retain.churn_response = Logistic") == ("retain.churn_response", "logistic")
    assert parse_pin("service.recovery_paradox_behavioural=TRUE")[1] is True
    pins = check_pins({"market.spend_sigma": 1.5, "economics.overhead_share": "0.1"})
    assert pins == (("economics.overhead_share", 0.1), ("market.spend_sigma", 1.5))  # sorted
    assert pins_text(pins) == "economics.overhead_share = 0.1; market.spend_sigma = 1.5"
    assert pins_slug(pins) == "economics.overhead_share=0.1+market.spend_sigma=1.5"


@pytest.mark.parametrize(
    ("pins", "says"),
    [
        ({"economics.overhead_share": 0.5}, "economics.overhead_share = 0.5: outside its "
         "plausible range; allowed: 0 ≤ x ≤ 0.2"),
        ({"economics.overhead_share": "lots"}, "allowed: 0 ≤ x ≤ 0.2"),
        ({"economics.overhead_share": float("nan")}, "outside its plausible range"),
        ({"overhead_share": 0}, "did you mean economics.overhead_share?"),
        ({"run.seed": 1}, "'run.seed': a setting the study's size decides"),
        ({"market.clients": 500}, "'market.clients': a setting the study's size decides"),
        ({"economics.discount_rate": 1.5}, "pin: economics.discount_rate: value 1.5 is not "
         "allowed; allowed: 0 ≤ x ≤ 1 (1/year)"),
        ({"satisfaction.promoter_threshold": 6}, "detractor_threshold must not exceed "
         "satisfaction.promoter_threshold (7.0 > 6.0)"),
        ({"satisfaction.detractor_threshold": 8.5, "satisfaction.promoter_threshold": 8},
         "(8.5 > 8.0)"),
        ({"market.initial_tenure": "old"}, "allowed: one of 'survivors', 'new'"),
        ({"retain.churn_response": "cubic"}, "allowed: exponential | logistic | linear"),
    ],
)  # fmt: skip
def test_a_bad_pin_names_the_key_the_value_and_what_is_allowed(pins, says):
    with pytest.raises(ValueError, match="pin") as err:
        check_pins(pins)
    assert says in str(err.value)


def test_a_setting_is_pinned_to_any_value_it_allows():
    """A setting is not drawn: a control study may move it anywhere its declaration allows."""
    assert parse_pin("economics.discount_rate=0.05") == ("economics.discount_rate", 0.05)
    assert parse_pin("economics.discount_rate=-0") == ("economics.discount_rate", 0.0)
    assert pins_slug(check_pins({"economics.discount_rate": -0.0})) == "economics.discount_rate=0"
    pins = check_pins({"word_of_mouth.enabled": "false", "market.initial_tenure": "new"})
    assert pins == (("market.initial_tenure", "new"), ("word_of_mouth.enabled", False))
    assert check_pins({"word_of_mouth.enabled": "TRUE"}) == (("word_of_mouth.enabled", True),)
    # Settings with a rule between them are judged together: alone, 6 is below the default 7.
    pair = {"satisfaction.detractor_threshold": 5, "satisfaction.promoter_threshold": 6}
    assert check_pins(pair) == (
        ("satisfaction.detractor_threshold", 5.0),
        ("satisfaction.promoter_threshold", 6.0),
    )


def test_a_pinned_setting_runs_in_the_drawn_studys_worlds(tmp_path, monkeypatch):
    """Every drawn column of the worlds is the drawn study's; the setting is added, constant, and
    is what each world's scenario runs with."""
    from model import Scenario
    from model.studies.worlds import world_scenario

    _, size = _small_planted_study(monkeypatch, plausible=True)
    drawn = world_table(size, 1, tmp_path / "drawn")
    pinned = world_table(size.pinned({"economics.discount_rate": 0.15}), 1, tmp_path / "pinned")
    assert "economics.discount_rate" not in drawn
    assert (pinned["economics.discount_rate"] == 0.15).all()
    drawn_columns = [c for c in drawn if "." in c or c in ("world", "seed")]
    pd.testing.assert_frame_equal(drawn[drawn_columns], pinned[drawn_columns])
    row = pinned.iloc[0].to_dict()
    assert world_scenario(Scenario(), row).economics.discount_rate == 0.15


def test_a_pin_that_is_not_a_number_or_a_key_says_so():
    for value in ("lots", True, None):
        with pytest.raises(ValueError, match=r"not a number; allowed: 0 ≤ x ≤ 0\.2"):
            check_pins({"economics.overhead_share": value})
    with pytest.raises(ValueError, match="a key as text"):
        check_pins([(("economics", "overhead_share"), 0)])


def test_two_pins_never_share_a_folder_and_print_as_typed():
    a, b = (check_pins({"economics.overhead_share": v}) for v in ("0.1234561", "0.1234564"))
    assert pins_slug(a) != pins_slug(b)
    assert pins_slug(a) == "economics.overhead_share=0.1234561"
    both = check_pins({"economics.overhead_share": 0, "service.recovery_paradox_behavioural": True})
    assert pin_flags(both) == (
        "--pin economics.overhead_share=0 --pin service.recovery_paradox_behavioural=true"
    )
    assert check_pins([parse_pin(f.strip()) for f in pin_flags(both).split("--pin ")[1:]]) == both


def test_a_pin_given_twice_or_without_a_value_is_refused():
    with pytest.raises(ValueError, match="given twice"):
        check_pins([("economics.overhead_share", 0), ("economics.overhead_share", 0.1)])
    for text in ("economics.overhead_share", "=0", "economics.overhead_share="):
        with pytest.raises(ValueError, match="allowed: KEY=VALUE"):
            parse_pin(text)


def test_a_pinned_size_runs_every_arm_pinned_and_stores_apart():
    size = Size(wave=4, target=0, max_waves=1, clients=40, months=13, pilot=1, max_reps=1,
                defaults=1, batch=2, scale_clients=60, scale_worlds=2)  # fmt: skip
    pinned = size.pinned({"economics.overhead_share": 0})
    assert pinned.settings()["economics.overhead_share"] == 0.0
    assert pinned.manifest(1)["pins"] == [["economics.overhead_share", 0.0]]
    assert pinned.scale_clients == 0  # (the drawn study answers the size question)
    # The drawn study's manifest is as before pins existed: its stored runs stay valid.
    assert pinned.without_pins().manifest(1) == size.manifest(1) and "pins" not in size.manifest(1)
    with pytest.raises(ValueError, match="none given"):
        size.pinned({})


def test_compare_pinned_separates_which_worlds_are_kept_from_what_the_pin_does():
    def values(effects: dict[int, float]) -> pd.DataFrame:
        return pd.DataFrame(
            [(w, 0, e) for w, e in effects.items()], columns=["world", "rep", "effect"]
        )

    # Worlds 0-5 kept in both; 6-7 kept drawn only (they fail); 8 kept pinned only (holds).
    drawn = values({0: 5, 1: 5, 2: 50, 3: 50, 4: 5, 5: np.nan, 6: 50, 7: 50, 8: 5})
    pinned = values({0: 5, 1: 5, 2: 5, 3: 5, 4: 50, 5: 5, 6: 5, 7: 5, 8: 5})
    c = compare_pinned(BAND, drawn, pinned, set(range(8)), {*range(6), 8})
    assert (c.drawn.worlds, c.pinned.worlds) == (8, 7)
    assert c.drawn.p == pytest.approx(3 / 7)  # world 5 undefined
    assert c.pinned.p == pytest.approx(6 / 7)
    assert (c.drawn_both.worlds, c.pinned_both.worlds) == (6, 6)
    assert (c.drawn_both.p, c.pinned_both.p) == pytest.approx((3 / 5, 5 / 6))
    # Paired over the five defined in both: 2 and 3 hold pinned only, 4 drawn only.
    assert (c.effect.paired, c.effect.only_first, c.effect.only_second) == (5, 1, 2)
    assert c.effect.p_value == pytest.approx(binomtest(1, 3, 0.5).pvalue)
    assert (c.defined.paired, c.defined.only_first, c.defined.only_second) == (6, 0, 1)
    # Like with like: world 9, near an edge in the drawn study only, ran three more replications
    # there, which move its mean out of the band; on the replication both ran it does not flip.
    extra = pd.DataFrame([(9, r, 50.0) for r in (1, 2, 3)], columns=["world", "rep", "effect"])
    d9 = pd.concat([drawn, values({9: 5.0}), extra], ignore_index=True)
    p9 = pd.concat([pinned, values({9: 5.0})], ignore_index=True)
    assert judge(BAND, d9[d9["world"] == 9])[1].p == 0.0  # (its own verdict: the mean, 38.75)
    c9 = compare_pinned(BAND, d9, p9, {*range(8), 9}, {*range(6), 8, 9})
    assert (c9.effect.paired, c9.effect.only_first, c9.effect.only_second) == (6, 1, 2)

    # (Counted in band: world 9's replications set the drawn study's noise, which every subset
    # of it is judged with — here wider than the band, so its worlds near an edge are unknown.)
    def counted(v):
        return v.shares["in band"] * v.worlds / v.defined

    assert counted(c9.drawn_both) == pytest.approx(4 / 6) and counted(c9.drawn) == pytest.approx(
        3 / 8
    )
    assert c9.drawn_both.bounded and (c9.drawn_both.low, c9.drawn_both.high) == (0.0, 1.0)
    assert not c9.pinned_both.bounded  # (the pinned study has no replications: no noise known)
    # World 10's shared replication is undefined in both, its drawn extras defined: counted on
    # the shared one, it is undefined in both (neither paired nor a definedness flip).
    extra10 = pd.DataFrame([(10, r, 5.0) for r in (1, 2, 3)], columns=["world", "rep", "effect"])
    d10 = pd.concat([d9, values({10: np.nan}), extra10], ignore_index=True)
    p10 = pd.concat([p9, values({10: np.nan})], ignore_index=True)
    assert judge(BAND, d10[d10["world"] == 10])[1].p == 1.0  # (its own: 3 of 4 defined, held)
    c10 = compare_pinned(BAND, d10, p10, {*range(8), 9, 10}, {*range(6), 8, 9, 10})
    assert (c10.effect.paired, c10.effect.only_first, c10.effect.only_second) == (6, 1, 2)
    assert (c10.defined.paired, c10.defined.only_first, c10.defined.only_second) == (8, 0, 1)
    assert counted(c10.drawn) == pytest.approx(4 / 9)  # (its own study counts it; world 9 fails)
    # The same study on both sides: nothing moves.
    same = compare_pinned(BAND, drawn, drawn, set(range(8)), set(range(8)))
    assert same.drawn == same.pinned and same.effect.only_first == same.effect.only_second == 0
    assert judge(BAND, drawn[drawn["world"] < 8])[1].p == same.drawn.p


def test_a_pinned_study_is_the_drawn_study_but_for_the_pin(tmp_path, monkeypatch):
    """The planted claim holds where market.spend_sigma > 1.26: pinned at 1.5 it holds in every
    world, and the worlds it failed in with sigma drawn are exactly the flips."""
    from experiments.analysis.evidence import run_claim
    from experiments.reporting.index import write_index
    from experiments.reporting.report import write_report

    module, size = _small_planted_study(monkeypatch, plausible=True)
    size = dataclasses.replace(size, wave=20, batch=10)
    pinned = size.pinned({"market.spend_sigma": 1.5})
    with pytest.raises(ValueError, match="drawn_store"):
        run_claim(module, pinned, tmp_path / "pinned")
    drawn_worlds = world_table(size, 1, tmp_path / "drawn")
    pinned_worlds = world_table(pinned, 1, tmp_path / "pinned")
    # The same worlds: every column but the pinned one (and what the runs measured) is equal.
    assert (pinned_worlds["market.spend_sigma"] == 1.5).all()
    assert drawn_worlds["market.spend_sigma"].nunique() == 20
    same = ["world", "seed", "market.fit_alpha", "economics.overhead_share"]
    pd.testing.assert_frame_equal(drawn_worlds[same], pinned_worlds[same])
    ev = run_claim(module, pinned, tmp_path / "pinned", size_name="test",
                   drawn_store=tmp_path / "drawn")  # fmt: skip
    failing = int((drawn_worlds["market.spend_sigma"] <= 1.26).sum())
    assert 0 < failing < 20
    effect = ev.readings[0]
    assert effect.pinned is not None and effect.verdict.p == 1.0
    assert effect.pinned.drawn.p == pytest.approx(1 - failing / 20)
    assert effect.pinned.pinned.p == 1.0
    flips = effect.pinned.effect
    assert (flips.paired, flips.only_first, flips.only_second) == (20, 0, failing)
    # "sometimes" is defined only where sigma > 1.26: pinned, everywhere.
    assert effect.pinned is not None
    assert (ev.readings[2].pinned.defined.only_first, ev.readings[2].pinned.defined.only_second) == (
        0, failing,
    )  # fmt: skip
    assert ev.pin_worlds == {"drawn": 20, "kept_drawn": 20, "kept_pinned": 20, "kept_both": 20}
    # The pinned column is constant: no box or ranking can name it.
    assert "market.spend_sigma" not in set(effect.drivers.get("uncertainty", []))
    out = tmp_path / "out"
    text = write_report(ev, out).read_text()
    assert "## What pinning changed" in text and "market.spend_sigma = 1.5" in text
    assert f"20 (0 / {failing})" in text.replace("100% of ", "").replace(
        f"{failing / 20:.0%} of ", ""
    )
    summary = json.loads((out / f"{module.CLAIM.name}.json").read_text())
    pin = summary["pin"]
    assert pin["pins"] == [["market.spend_sigma", 1.5]] and pin["kept_both"] == 20
    row = pin["readings"][0]
    assert row["reading"] == "effect" and row["effect"]["only_second"] == failing
    assert row["p"][:2] == [pytest.approx(1 - failing / 20), 1.0]
    # A drawn study's report has neither.
    drawn_ev = run_claim(module, size, tmp_path / "drawn", size_name="test")
    assert all(r.pinned is None for r in drawn_ev.readings) and drawn_ev.pin_worlds == {}
    write_report(drawn_ev, tmp_path / "drawn-out")
    assert (
        json.loads((tmp_path / "drawn-out" / f"{module.CLAIM.name}.json").read_text())["pin"]
        is None
    )
    # The index of a pinned study's reports says what was pinned and what it changed.
    monkeypatch.setattr(
        "experiments.reporting.index.EXPERIMENTS", {module.CLAIM.name: module.__name__}
    )
    monkeypatch.setattr("experiments.reporting.index.load", lambda name: module)
    index = write_index(out).read_text()
    assert index.startswith("# The claims, tested as evidence — control study: market.spend_sigma")
    assert "## What pinning changed" in index and f"(0 / {failing})" in index
    assert "one effect test per reading (3 here): below 0.017" in index
    # (Written here by Python, not in the command's DIR/pinned/KEY=VALUE: the index says where
    # the command would put them.)
    again = (
        f"`retention experiment --all --workers 2 --pin market.spend_sigma=1.5 --out {out}` (it "
        f"writes them to `{out / 'pinned' / 'market.spend_sigma=1.5'}`, not here)"
    )
    assert again in " ".join(index.split())
    drawn_index = write_index(tmp_path / "drawn-out").read_text()
    assert "## What pinning changed" not in drawn_index and "## Control studies" not in drawn_index
    # A drawn study's index links the control studies written beside its reports.
    (tmp_path / "drawn-out" / "pinned").mkdir()
    (out / "README.md").rename(tmp_path / "drawn-out" / "pinned" / "README.md")
    control = tmp_path / "drawn-out" / "pinned" / "market.spend_sigma=1.5"
    control.mkdir()
    (tmp_path / "drawn-out" / "pinned" / "README.md").rename(control / "README.md")
    drawn_index = write_index(tmp_path / "drawn-out").read_text()
    assert "- [market.spend_sigma=1.5](pinned/market.spend_sigma=1.5/README.md)" in drawn_index
    # With the control study's reports there, the readings it moves are named beside the link.
    name = f"{module.CLAIM.name}.json"
    (control / name).write_text((out / name).read_text())
    drawn_index = write_index(tmp_path / "drawn-out").read_text()
    drawn_p = 1 - failing / 20
    assert (
        "(pinned/market.spend_sigma=1.5/README.md): 1 of 3 readings move — "
        f"{module.CLAIM.name} effect {drawn_p:.2f} → 1.00"
    ) in drawn_index


def _retention(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "model.interfaces.cli.main", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def test_a_bad_pin_on_the_command_line_is_one_clear_line(tmp_path):
    out = _retention("experiment", "pareto", "--pin", "economics.overhead_share=0.9",
                     "--out", str(tmp_path))  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "economics.overhead_share = '0.9': outside its plausible range" in out.stderr
    twice = _retention("experiment", "pareto", "--pin", "economics.overhead_share=0",
                       "--pin", "economics.overhead_share=0.1", "--out", str(tmp_path))  # fmt: skip
    assert twice.returncode != 0 and "given twice" in twice.stderr
    assert "Traceback" not in twice.stderr
    assert not any(tmp_path.iterdir())  # refused before anything ran


def test_a_stale_drawn_store_says_how_to_clear_it(tmp_path):
    """--fresh with --pin clears the pinned study's store only; where the drawn study's is stale,
    the error says so instead of advising a --fresh that would not clear it."""
    stale = tmp_path / ".store" / "quick-seed1" / "worlds"
    stale.mkdir(parents=True)
    (stale / "manifest.json").write_text('{"clients": 1}')
    out = _retention("experiment", "pareto", "--size", "quick", "--workers", "1", "--quiet",
                     "--pin", "economics.overhead_share=0", "--fresh", "--out", str(tmp_path))  # fmt: skip
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "that is the drawn study's store" in out.stderr
    assert (stale / "manifest.json").read_text() == '{"clients": 1}'  # (kept, as said)


def test_a_stale_pinned_store_is_cleared_by_fresh_as_the_error_says(tmp_path):
    stale = tmp_path / ".store" / "quick-seed1-pinned" / "economics.overhead_share=0" / "worlds"
    stale.mkdir(parents=True)
    (stale / "manifest.json").write_text('{"clients": 1}')
    args = ("experiment", "pareto", "--size", "quick", "--workers", "1", "--quiet",
            "--pin", "economics.overhead_share=0", "--out", str(tmp_path))  # fmt: skip
    out = _retention(*args)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "rerun with --fresh" in out.stderr and "drawn study's store" not in out.stderr
    assert _retention(*args, "--fresh").returncode == 0  # as it said


def test_a_pin_on_a_key_the_claims_arms_set_is_refused_naming_both():
    from experiments.running.pins import arm_conflicts, pin_refusal

    keys = ("levers.ad_budget", "word_of_mouth.positive")
    pins = check_pins({"economics.overhead_share": 0, "word_of_mouth.positive": False})
    assert arm_conflicts(keys, pins) == ["word_of_mouth.positive"]
    claim = SimpleNamespace(name="word_of_mouth", arm_keys=keys)
    text = pin_refusal(claim, pins)
    assert text.startswith("value word_of_mouth.positive=false is not allowed: claim")
    assert "allowed: an uncertainty or setting its arms leave alone (`retention params`;" in text
    assert text.endswith("its arms set word_of_mouth.positive)")  # (levers: never pinnable)
    assert pin_refusal(SimpleNamespace(name="pareto", arm_keys=()), pins) == ""
    assert pin_refusal(claim, check_pins({"economics.overhead_share": 0})) == ""


def test_run_claim_refuses_a_pin_its_arms_would_override_before_running(tmp_path):
    from experiments import load
    from experiments.analysis.evidence import run_claim
    from experiments.running.sizes import SIZES

    pinned = SIZES["quick"].pinned({"word_of_mouth.positive": False})
    with pytest.raises(ValueError, match=r"^pins: value word_of_mouth\.positive=false is not"):
        run_claim(load("word_of_mouth"), pinned, tmp_path / "s", drawn_store=tmp_path / "d")
    assert not any(tmp_path.iterdir())  # nothing ran, nothing stored


def test_a_pin_the_claims_arms_set_is_one_clear_line_and_all_skips_that_claim(tmp_path):
    out = _retention("experiment", "word_of_mouth", "--pin", "word_of_mouth.positive=false",
                     "--out", str(tmp_path))  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "experiment word_of_mouth --pin: value word_of_mouth.positive=false" in out.stderr
    assert not any(tmp_path.iterdir())  # refused before anything ran


def test_a_pinned_index_says_which_claims_were_not_run_and_why(tmp_path, monkeypatch):
    """A control study's index: a claim whose arms set the pinned key has no report, and its row
    says why (not "no report yet", which would invite running it)."""
    from experiments.claims import word_of_mouth
    from experiments.reporting.index import write_index

    control = REPORTS / "pinned" / "economics.overhead_share=0"
    planted = json.loads((control / "pareto.json").read_text())
    planted["pin"]["pins"] = [["word_of_mouth.positive", False]]
    (tmp_path / "pareto.json").write_text(json.dumps(planted))
    monkeypatch.setattr(
        "experiments.reporting.index.EXPERIMENTS",
        {"pareto": "experiments.claims.pareto", "word_of_mouth": word_of_mouth.__name__},
    )
    index = write_index(tmp_path).read_text()
    assert (
        "| word_of_mouth: " + word_of_mouth.CLAIM.title + " | (not run with this pin: claim "
        "word_of_mouth's arms set word_of_mouth.positive themselves"
    ) in index
    # A report of it left in the folder (written before claims declared their arm keys) is
    # stale, not listed as if it had tested the pin.
    stale = json.loads((control / "word_of_mouth.json").read_text())
    stale["pin"]["pins"] = [["word_of_mouth.positive", False]]
    (tmp_path / "word_of_mouth.json").write_text(json.dumps(stale))
    again = write_index(tmp_path).read_text()
    assert "(not run with this pin: claim word_of_mouth's arms set" in again
    assert "[word_of_mouth](" not in again
    (tmp_path / "word_of_mouth.json").unlink()
    # Unpinned, or pinned elsewhere, the same missing report is just not written yet.
    planted["pin"]["pins"] = [["economics.overhead_share", 0]]
    (tmp_path / "pareto.json").write_text(json.dumps(planted))
    assert "(no report yet)" in write_index(tmp_path).read_text()


def test_all_with_a_pin_some_claims_arms_set_runs_the_others_and_says_why(tmp_path, monkeypatch):
    import experiments.cli as experiments_cli
    from experiments import EXPERIMENTS, load
    from model.interfaces.cli.main import main

    ran: list[str] = []
    monkeypatch.setattr(experiments_cli, "_run_one", lambda name, *a: ran.append(name))
    argv = ["experiment", "--all", "--pin", "word_of_mouth.positive=false", "--out", str(tmp_path)]
    assert main(argv) == 0
    setting = [n for n in EXPERIMENTS if "word_of_mouth.positive" in load(n).CLAIM.arm_keys]
    assert setting == ["word_of_mouth"] and ran == [n for n in EXPERIMENTS if n not in setting]
    index = (tmp_path / "pinned" / "word_of_mouth.positive=false" / "README.md").read_text()
    # No report ran here (the claims were stubbed), so the folder's name says what was pinned:
    # the refused claim says so, the others have no report yet.
    assert "(no report yet)" in index
    assert "| word_of_mouth: " in index and "(not run with this pin: claim word_of_mouth's" in index
