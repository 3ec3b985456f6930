"""A band's assumed margin, halved and doubled (experiments.verdicts.margins), and its declarations."""

from __future__ import annotations

import importlib
import math

import pytest

from experiments import EXPERIMENTS
from experiments.verdicts.claim import Reading
from experiments.verdicts.margins import margin_bands

INF = math.inf

#: Bands that are the source's own range, not a figure with a margin of ours: Reichheld's
#: 25-85% and 25-95%, its "up to 95%" and Gallo's "five to 25 times".
PUBLISHED = {
    ("retention_profit", "customer_lifetime"),
    ("retention_profit", "customer_npv"),
    ("retention_profit", "firm_profit"),
    ("retention_profit", "firm_profit_up_to"),
    ("acquisition_cost", "average_wide"),
}


def _shipped():
    for name in EXPERIMENTS:
        claim = importlib.import_module(f"experiments.claims.{name}").CLAIM
        for r in claim.readings:
            yield claim, r


@pytest.mark.parametrize(
    ("band", "margin", "halved", "doubled"),
    [
        ((4.0, 6.0), "difference", (4.5, 5.5), (3.0, 7.0)),
        ((40.0, 80.0), "difference", (50.0, 70.0), (20.0, 100.0)),
        ((-INF, -10.0), "difference", (-INF, -5.0), (-INF, -20.0)),
        ((0.5, INF), "difference", (0.25, INF), (1.0, INF)),
        ((5.6, 8.75), "ratio", (7 / 1.25**0.5, 7 * 1.25**0.5), (7 / 1.25**2, 7 * 1.25**2)),
    ],
)
def test_the_margin_is_halved_and_doubled_about_the_figure(band, margin, halved, doubled):
    got = margin_bands(band, margin)
    assert got is not None
    for found, want in zip(got, (halved, doubled), strict=True):
        assert found == pytest.approx(want)


def test_a_two_sided_margin_halved_lies_inside_and_doubled_around_the_band():
    for band, margin in (((70.0, 90.0), "difference"), ((0.65, 2.6), "ratio")):
        (hl, hh), (dl, dh) = margin_bands(band, margin)
        assert dl < band[0] < hl < hh < band[1] < dh
    # A ratio keeps the geometric middle, a difference the arithmetic one.
    (hl, hh), (dl, dh) = margin_bands((0.65, 2.6), "ratio")
    assert math.sqrt(hl * hh) == pytest.approx(1.3) == math.sqrt(dl * dh)
    assert margin_bands((4.0, 6.0), "") is None


@pytest.mark.parametrize(
    ("band", "margin", "why"),
    [
        ((0.0, INF), "difference", "a threshold at 0 is a sign"),
        ((-INF, 0.0), "difference", "a threshold at 0 is a sign"),
        ((1.0, INF), "ratio", "a ratio margin needs a two-sided band above 0"),
        ((-1.0, 2.0), "ratio", "a ratio margin needs a two-sided band above 0"),
        ((1.0, 2.0), "percent", "not a kind of margin"),
    ],
)
def test_a_margin_that_cannot_be_halved_is_refused_naming_field_value_and_allowed(
    band, margin, why
):
    with pytest.raises(ValueError, match="assumed_margin") as err:
        Reading("r", "w", "e", "s", "u", band, assumed_margin=margin)
    text = str(err.value)
    assert repr(margin) in text and why in text and "allowed: one of" in text
    assert "in reading 'r'" in text


def test_every_shipped_band_either_declares_its_assumed_margin_or_is_the_sources_own():
    """A figure with a margin of ours must say so (the report then judges it halved and doubled);
    a sign or a range the source states needs no margin."""
    for claim, r in _shipped():
        lo, hi = r.band
        sign = (math.isinf(lo) and hi == 0) or (math.isinf(hi) and lo == 0)
        own = sign or (claim.name, r.name) in PUBLISHED
        assert bool(r.assumed_margin) != own, (claim.name, r.name, r.band)
        if r.assumed_margin:  # (and its source tells the reader it is an assumption)
            assert "assumption" in r.source.lower(), (claim.name, r.name)


def _entry(reading: str, words: tuple[str, str, str], diagnostic: bool = False) -> dict:
    bands = [
        {"label": label, "low": lo, "high": None, "worlds": 10, "p": p, "p_low": p - 0.1,
         "p_high": min(p + 0.1, 1.0), "undefined": 0.0, "words": w}
        for label, lo, p, w in zip(
            ("as stated", "margin halved", "margin doubled"), (1.0, 0.5, 2.0), (0.5, 0.9, 0.1),
            words, strict=True,
        )
    ]  # fmt: skip
    changes = len(set(words)) > 1
    return {"reading": reading, "margin": "difference", "changes": changes, "bands": bands,
            "diagnostic": diagnostic}  # fmt: skip


def test_the_index_lists_the_readings_whose_verdict_changes_with_the_margin_first():
    from experiments.reporting.margin_section import margin_index_lines

    same = ("depends on the world",) * 3
    turning = ("depends on the world", "supported", "not supported")
    lines = margin_index_lines(
        [("a", "a.md", _entry("steady", same)), ("b", "b.md", _entry("moved", turning, True))]
    )
    rows = [line for line in lines if line.startswith("| [")]
    assert rows[0].startswith(
        "| [b](b.md) | moved; a diagnostic (changes) | ≥ 1: 0.50 [0.40, 0.60]"
    )
    assert "| ≥ 0.5: 0.90 [0.80, 1.00] supported |" in rows[0]
    assert rows[1].startswith("| [a](a.md) | steady | ") and "(changes)" not in rows[1]
    assert "changes with the margin in 1 of them" in " ".join(lines)
    # None turning says so; none listed (or none judged) writes no section.
    text = " ".join(margin_index_lines([("a", "a.md", _entry("steady", same))]))
    assert "No verdict says otherwise of P(holds) with the margin" in text
    assert margin_index_lines([]) == []
    assert margin_index_lines([("a", "a.md", {**_entry("x", same), "not_judged": "n"})]) == []


def test_the_readmes_short_table_gives_p_with_the_margin_where_the_verdict_changes(tmp_path):
    import json
    import shutil
    from pathlib import Path

    from experiments.reporting.in_short import in_short_table

    reports = Path(__file__).resolve().parents[1] / "experiments" / "reports"
    for name in EXPERIMENTS:
        shutil.copy(reports / f"{name}.json", tmp_path / f"{name}.json")
    path = tmp_path / "innovation.json"
    summary = json.loads(path.read_text())
    summary["margins"] = [_entry("good_shipped", ("a", "b", "a")), _entry("npv_change", ("a",) * 3)]
    path.write_text(json.dumps(summary))
    rows = {line.split(" | ")[1].split(" (")[0]: line for line in in_short_table(tmp_path)[2:]}
    assert rows["good_shipped"].endswith(" · its margin halved / doubled: 0.90 / 0.10 |")
    assert "margin halved" not in rows["npv_change"]
    # A verdict that turns whole along an uncertainty at the index's level says so (the README's
    # readers otherwise take its P(holds) over every world for the claim's); one that only
    # turns does not crowd the short table.
    from experiments.reporting.conditional_section import index_level, index_turn_marks

    summaries = {n: json.loads((tmp_path / f"{n}.json").read_text()) for n in EXPERIMENTS}
    pairs = sum(len(s["rows"]) * s.get("uncertainties", 0) for s in summaries.values())
    assert index_level(list(summaries.values())) == 0.05 / pairs
    along = [(n, "", a) for n, s in summaries.items() for a in s.get("along", [])]
    marks = index_turn_marks(along, 0.05 / pairs)
    table = "\n".join(in_short_table(tmp_path))
    for (name, reading), mark in marks.items():
        for part in mark.split(" · ")[1:]:
            assert (f" · {part}" in table) == part.startswith("turns whole"), (name, reading, part)
    assert any("turns whole" in m for m in marks.values())
