"""The index's PRIM boxes at the index's level (Holm over every box tested) and a claim's scope
under its title: from the reports' summaries."""

from __future__ import annotations

import json

import numpy as np
import pytest

from experiments.reporting.index import write_index
from experiments.reporting.prim_section import holm, index_level_lines


def _adjusted_holm(p: np.ndarray) -> np.ndarray:
    """Holm's adjusted p-values (the textbook form): max over j ≤ i of (m − j)·p_(j), capped at 1."""
    order = np.argsort(p, kind="stable")
    m = p.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order]).clip(max=1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


@pytest.mark.parametrize("seed", range(20))
def test_holm_rejects_what_the_adjusted_p_values_put_below_the_level(seed):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 0.004, rng.integers(0, 6)), rng.uniform(0, 1, 30)])
    assert holm(p) == list(_adjusted_holm(p) <= 0.05)


def test_holm_stops_at_the_first_failure():
    # 0.03 fails its 0.05 / 2 step, so 0.031 is not rejected though it would pass its 0.05 / 1.
    assert holm([0.001, 0.03, 0.031]) == [True, False, False]
    assert holm([]) == []
    assert holm([float("nan"), 0.001]) == [False, True]


def _box(reading: str, p: float, shown: bool, side: str = "holds") -> dict:
    return {"reading": reading, "side": side, "box": "a ≥ 1", "p": p, "shown": shown}


def test_the_index_names_which_shown_boxes_hold_over_every_box_tested():
    boxes = [("pareto", "pareto.md", _box("strong", 1e-5, True))]
    boxes += [("pareto", "pareto.md", _box("weak", 0.02, True, side="fails"))]
    boxes += [("lost_client", "l.md", _box(f"r{i}", 0.5, False)) for i in range(38)]
    text = "\n".join(index_level_lines(boxes, []))
    assert "The readings tested 40 boxes of where they hold or fail in all" in text
    assert "at most about 1.0 would pass that level by chance" in text
    assert "1 of the 2 boxes shown hold at the index's level" in text
    assert "| [pareto](pareto.md) | strong | a ≥ 1 | 1e-05 | yes |" in text
    # 0.02 passes the reading's 0.025 but not Holm's 0.05 / 39 over the index: a lead.
    assert "| [pareto](pareto.md) | weak | fails where a ≥ 1 | 0.02 | no: a lead |" in text
    assert index_level_lines([], []) == []
    # A report of older code keeps no boxes: no correction over a smaller family than was tested.
    older = "\n".join(index_level_lines(boxes, ["innovation"]))
    assert "Not judged: the summaries of innovation keep no PRIM boxes" in older
    assert "| yes |" not in older


def test_the_index_shows_a_claims_scope_and_its_boxes(tmp_path):
    summary = {
        "name": "client_centric", "title": "Sixty percent", "scope": "a move inside one firm",
        "drawn": 10, "kept": 5,
        "rows": [{
            "reading": "moved_25", "band": "40 to 80 % gain", "P(holds) [95%]": "0.05",
            "verdict": "not supported", "at the defaults": "1", "where it holds (PRIM)": "x",
            "spreads the effect most (PAWN)": "y",
        }],
        "boxes": [_box("moved_25", 0.001, True)],
    }  # fmt: skip
    (tmp_path / "client_centric.json").write_text(json.dumps(summary))
    text = write_index(tmp_path).read_text()
    assert "Sixty percent (tested as: a move inside one firm) | moved_25" in text
    assert "## Where it holds, at the index's level" in text
    assert "| moved_25 | a ≥ 1 | 0.001 | yes |" in text
