"""Issue 18, Why 3 ("empty charts show ±0.045 ticks"): the app's charts, before the first step and
when the paired difference is flat (firm B set like firm A), show real axes — no ticks like
±0.04 or ±1e-17 that read as results. Drawn without a browser."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

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


# ---------------------------------------------- Why 3 / Build 6: what the charts show, non-browser
def test_app_charts_count_years_use_the_pngs_colours_and_mark_events():
    """Years on the axis, the PNGs' stage colours, and the shock, a lever moved live and the
    product launches marked (as the run figures do)."""
    from model.interfaces.figures import STAGE_COLOURS
    from model.scenario import Scenario, preset_path

    spell = Scenario.from_toml(preset_path("policies/bad_service_spell"))
    firm = AppModel(spell, clients=500, months=36, rd_share=0.1, seed=2)
    firm.run(14)
    firm.set_levers(service_level=0.9)  # moved live: marked from month 15
    firm.run(10)
    firms = {"A": firm}
    money = charts.money_chart(firms)
    FigureCanvasAgg(money).draw()
    profit = money.axes[0]
    assert money.axes[-1].get_xlabel() == "year" and profit.get_xlim() == (0.0, 3.0)
    texts = " ".join(t.get_text() for t in profit.texts)
    assert "bad_service" in texts and "service_level=0.9" in texts
    assert len(profit.patches) >= 1  # the shock's span, months 12-17
    shipped = (firm.timeseries()["shipped_good"] + firm.timeseries()["shipped_bad"]).iloc[-1]
    launches = [line for line in profit.lines if line.get_label() == "product launch"]
    assert (len(launches) == 1) == (shipped > 0)

    stages = charts.stage_chart(firms)
    fills = stages.axes[0].collections[: len(STAGE_COLOURS)]
    hexes = [to_hex(f.get_facecolor()[0]) for f in fills]
    assert hexes == list(STAGE_COLOURS.values())


def test_the_app_starts_at_the_clis_default_size_and_takes_mesas_rng():
    """Why 3: not 2,000 × 240 against the CLI's 10,000 × 120. Why 4: Mesa's ``rng`` works."""
    from model.interfaces.cli.arguments import load_scenario

    cli_default = load_scenario(None)
    m = AppModel()
    assert (m.params.market.clients, m.months) == (cli_default.market.clients, 120)
    assert (m.params.market.clients, m.months) == (10_000, cli_default.run.months)
    assert AppModel(clients=300, rng=5).seed == 5 == AppModel(clients=300, rng=5).params.run.seed
    fresh = AppModel(clients=300, rng=None)
    assert fresh.params.run.seed == fresh.seed  # a fresh seed, recorded: the run reproduces
    assert AppModel(clients=300, rng=None, seed=9).seed == 9  # the seed control wins over None


def test_chart_images_redraw_a_chart_only_when_what_it_shows_changes():
    """A month stepped redraws all four; a lever moved (marked on the time series) three, not the
    network view; nothing changed, none; new firms of the same settings (a Reset), all four."""
    a = AppModel(clients=400, months=24, seed=3)
    images = charts.ChartImages()
    first = images.images({"A": a})
    assert images.draws == 4 and all(png.startswith(b"\x89PNG") for png in first)
    assert images.images({"A": a}) == first and images.draws == 4
    a.step()
    stepped = images.images({"A": a})
    assert images.draws == 8
    a.set_levers(service_level=0.9)
    moved = images.images({"A": a})
    assert images.draws == 11 and moved[3] is stepped[3]  # the network view is kept
    again = AppModel(clients=400, months=24, seed=3)  # may reuse a freed model's id: still new
    del a
    images.images({"A": again})
    assert images.draws == 15
    images.images({"A": again, "B": AppModel(clients=400, months=24, seed=3)})
    assert images.draws == 19  # two firms: every chart changes, the fourth is B minus A
