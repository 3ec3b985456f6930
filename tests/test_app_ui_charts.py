"""Issue 18, Why 3 ("empty charts show ±0.045 ticks"): the app's charts, before the first step and
when the paired difference is flat (firm B set like firm A), show real axes — no ticks like
±0.04 or ±1e-17 that read as results. Drawn without a browser."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from model.interfaces.app import charts
from model.interfaces.app.app_model import AppModel


def _labels(fig) -> list[list[str]]:
    FigureCanvasAgg(fig).draw()
    return [[t.get_text() for t in ax.get_yticklabels() if t.get_text()] for ax in fig.axes]


def _meaningless(labels: list[str]) -> list[str]:
    """Tick labels that are neither 0 nor at least 0.1 in size (±0.04, 1e-17, …)."""
    out = []
    for t in labels:
        v = float(t.replace("−", "-").replace(",", ""))
        if v != 0 and abs(v) < 0.1:
            out.append(t)
    return out


@pytest.fixture
def twins():
    """Firms A and B with the same settings on the same seed: their difference is exactly 0."""
    return {
        "A": AppModel(clients=400, months=24, seed=3),
        "B": AppModel(clients=400, months=24, seed=3),
    }


@pytest.mark.parametrize(
    "chart",
    [charts.stage_chart, charts.money_chart, charts.satisfaction_chart, charts.difference_chart],
)
def test_empty_charts_have_real_axes(twins, chart):
    fig = chart(twins)
    for labels in _labels(fig):
        assert labels and not _meaningless(labels), labels
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "press Step or ▶ Play" in texts


def test_a_flat_paired_difference_is_not_ticked_as_a_result(twins):
    for _ in range(3):
        for firm in twins.values():
            firm.step()
    fig = charts.difference_chart(twins)
    for ax, labels in zip(fig.axes, _labels(fig), strict=True):
        assert not _meaningless(labels), (ax.get_ylabel(), labels)
        lo, hi = ax.get_ylim()
        assert lo <= 0 <= hi and hi - lo >= 2  # ±1 of the axis' unit around the flat 0
