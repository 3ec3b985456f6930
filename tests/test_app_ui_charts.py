"""Issue 18, Why 3 ("empty charts show ±0.045 ticks"): the app's charts, before the first step and
when the paired difference is flat (firm B set like firm A), show real axes — no ticks like
±0.04 or ±1e-17 that read as results. Drawn without a browser.

Then the page itself, rendered by Solara without a browser: a render redraws only the charts
whose inputs changed, and play never runs ahead of what the page shows or on after Pause (a CI
run saw ▶ Play come back more than 10 s after Pause; a lever moved during play could replace the
page by an error).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

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


# ------------------------------------- the page rendered headless: what a render draws, and play
#: The chart functions the page draws with.
CHART_FUNCTIONS = ("stage_chart", "money_chart", "satisfaction_chart", "network_chart",
                   "difference_chart")  # fmt: skip
FOUR = Counter(dict.fromkeys(CHART_FUNCTIONS[:4], 1))  # each chart of one firm's page, once
WAIT_S = 60  # bound on waiting for the play thread (a busy 2-core machine is slow)


class Page:
    """The app's page rendered by Solara without a browser (in the layout the server gives it).

    Every chart function counts its calls in :attr:`drawn`; the counters are patched into
    :mod:`model.interfaces.app.charts` and, where the page imports them by name, into the page
    module too, so they count a chart however the page draws it. :attr:`stepped` counts months
    stepped (firm A's and B's).
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import solara

        from model.interfaces.app import page

        self.drawn: Counter[str] = Counter()
        self.last_firms: dict = {}
        self.stepped = 0
        self.images: list = []  # the session's ChartImages (its lock is the firms' lock)
        for name in CHART_FUNCTIONS:
            draw = self._counting(name, getattr(charts, name))
            monkeypatch.setattr(charts, name, draw)
            monkeypatch.setattr(page, name, draw, raising=False)
        real_step = AppModel.step

        def step(model, *args, **kwargs):
            self.stepped += 1
            return real_step(model, *args, **kwargs)

        monkeypatch.setattr(AppModel, "step", step)
        if hasattr(page, "ChartImages"):
            pages = self.images

            class Recorded(page.ChartImages):
                def __init__(self) -> None:
                    super().__init__()
                    pages.append(self)

            monkeypatch.setattr(page, "ChartImages", Recorded)
        self.box, self.rc = solara.render(
            solara.AppLayout(children=[page.RetentionApp()]), handle_error=False
        )

    def _counting(self, name: str, real: Callable) -> Callable:
        def draw(*args, **kwargs):
            self.drawn[name] += 1
            if args and isinstance(args[0], dict):  # (the network view takes firm A alone)
                self.last_firms = args[0]
            return real(*args, **kwargs)

        return draw

    def button(self, label: str):
        import ipyvuetify as v

        return self.rc.find(v.Btn, children=[label])

    def click(self, label: str) -> None:
        self.button(label).widget.click()

    def month(self) -> int:
        import ipyvuetify as v

        spans = [w.children[0] for w in self.rc.find(v.Html, tag="span").widgets if w.children]
        (shown,) = [t for t in spans if isinstance(t, str) and t.startswith("Month: ")]
        return int(shown.split()[1])

    def move(self, label: str, value) -> None:
        import ipyvuetify as v

        self.rc.find(v.Slider, label=label).widget.v_model = value

    def new_draws(self) -> Counter[str]:
        """The chart functions called since the last look."""
        drawn = Counter(self.drawn)
        self.drawn.clear()
        return drawn

    def firms(self) -> dict:
        """The firms, by name, of the last chart drawn of all of them (the page's firms once it
        has rendered)."""
        return dict(self.last_firms)

    def status(self) -> str:
        """The status table's markup (firms, months, lever moves)."""
        import solara

        tables = [w.unsafe_innerHTML for w in self.rc.find(solara.widgets.HTML).widgets]
        (table,) = [t for t in tables if t and "class='status'" in t]
        return table

    def play_threads(self) -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "retention-play"]

    def pause_and_wait(self) -> None:
        """Click Pause, then wait for the play thread to end (it must, after Pause)."""
        self.click("❚❚ Pause")
        for thread in self.play_threads():
            thread.join(WAIT_S)
        assert not self.play_threads(), "the play thread went on after Pause"
        assert len(self.button("▶ Play")) == 1


@pytest.fixture
def page(monkeypatch) -> Iterator[Page]:
    pytest.importorskip("solara")
    p = Page(monkeypatch)
    try:
        yield p
    finally:
        if len(p.button("❚❚ Pause")):
            p.pause_and_wait()
        p.rc.close()


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.05)


def test_a_render_that_changes_no_chart_draws_no_chart(page):
    """A step redraws the charts, a lever move only those that mark it; a Pause, a slider that
    applies on Reset, the "edit firm" toggle draw none (before, a lever move redrew all four)."""
    import ipyvuetify as v

    assert page.new_draws() == FOUR  # the first page
    page.click("Step")
    assert page.month() == 1 and page.new_draws() == FOUR

    page.move("service level", 0.9)  # acts from month 2, and is marked there from now on
    assert page.new_draws() == Counter(dict.fromkeys(CHART_FUNCTIONS[:3], 1))
    page.move("market size (applies on Reset)", 2000)
    assert page.new_draws() == Counter()

    page.click("▶ Play")
    _wait_until(lambda: page.month() >= 2)
    page.new_draws()
    at = page.stepped
    page.pause_and_wait()  # each month played meanwhile draws its four charts; Pause draws none
    assert page.new_draws() == Counter(dict.fromkeys(CHART_FUNCTIONS[:4], page.stepped - at))

    page.rc.find(v.Switch).widget.v_model = True  # A vs B: two new firms, drawn once each chart
    assert page.new_draws() == Counter(dict.fromkeys(
        ("stage_chart", "money_chart", "satisfaction_chart", "difference_chart"), 1))  # fmt: skip
    page.rc.find(v.BtnToggle).widget.v_model = 1  # now editing firm B
    page.rc.find(v.Html, children=["the levers below are firm B's"]).assert_single()
    assert page.new_draws() == Counter()


def test_a_vs_b_turned_on_mid_run_forks_b_off_a_and_keeps_the_run(page):
    """Turning A vs B on threw the months played away and started A again with its moved lever
    from month 1 (a user's report). Now the run goes on: B is A as it stands, B − A is zero
    until B's levers move, and turning it off leaves A where it was."""
    import ipyvuetify as v

    firms = page.firms
    for _ in range(3):
        page.click("Step")
    page.move("service level", 0.9)  # firm A, from month 4
    page.click("Step")
    page.rc.find(v.Switch).widget.v_model = True
    a, b = firms()["A"], firms()["B"]
    assert page.month() == a.month == b.month == 4
    assert a is not b and b.params.schedule == a.params.schedule  # the move at month 4 kept
    assert a.timeseries().equals(b.timeseries())  # (NaN where both have none)
    page.rc.find(v.BtnToggle).widget.v_model = 1  # now editing firm B
    page.move("service level", 0.3)
    for _ in range(3):
        page.click("Step")
    assert a.month == b.month == 7
    assert b.timeseries()["service"].iloc[-1] < a.timeseries()["service"].iloc[-1]
    assert (a.timeseries()["service"].iloc[:4] == b.timeseries()["service"].iloc[:4]).all()
    page.rc.find(v.Switch).widget.v_model = False
    assert list(firms()) == ["A"] and firms()["A"] is a and page.month() == 7


def test_a_raid_redraws_the_charts_that_mark_it_and_not_the_network_view(page):
    """A raid, like a lever move, is marked on the time series from the next month: they are
    redrawn at once, the network view is not."""
    page.new_draws()
    page.click("Step")
    assert page.new_draws() == FOUR
    page.click("Raid 10%")
    assert page.new_draws() == Counter(dict.fromkeys(CHART_FUNCTIONS[:3], 1))
    assert "month 2: a raid takes 10%" in page.status() and "for good" not in page.status()


def test_a_raid_for_good_on_b_alone_shows_what_the_lost_clients_cost(page):
    """The raid buttons act on the firm being edited, from the next month: B raided for good
    ends with fewer clients than A, A is untouched, and the status table lists the raid."""
    import ipyvuetify as v

    firms = page.firms
    page.click("Step")
    page.rc.find(v.Switch).widget.v_model = True
    page.rc.find(v.BtnToggle).widget.v_model = 1  # now editing firm B
    page.click("Raid 10% for good")
    assert "month 2: a raid takes 10% for good" in page.status()
    for _ in range(3):
        page.click("Step")
    a, b = firms()["A"], firms()["B"]
    assert a.params.shocks == () and len(b.params.shocks) == 1 and b.params.shocks[0].permanent
    ta, tb = a.timeseries(), b.timeseries()
    assert ta["poached"].sum() == 0 < tb["poached"].iloc[1] == tb["poached"].sum()
    assert tb["active"].iloc[-1] < ta["active"].iloc[-1]


def test_play_stays_one_month_ahead_of_the_page_at_most_and_stops_at_pause(page):
    """While the page's render lock is held (as a click's render holds it), play steps at most
    the month it has started: it waits for each month to be rendered, so the thread that holds
    the lock renders one month, not every month stepped meanwhile (before, play stepped on every
    PLAY_INTERVAL_S, and that thread kept rendering them while the next click waited)."""
    from model.interfaces.app.page import PLAY_INTERVAL_S

    page.click("Step")
    page.click("▶ Play")
    _wait_until(lambda: page.stepped >= 3)
    with page.rc.thread_lock:
        before = page.stepped
        time.sleep(10 * PLAY_INTERVAL_S)  # ten months' time, as if a click rendered that long
        during = page.stepped - before
    assert during <= 1, f"{during} months stepped while no render could show them"
    page.pause_and_wait()
    assert page.month() == page.stepped  # every month stepped is on the page


def test_no_month_is_started_after_pause(page):
    """A play thread held up just before its next month (the firms' lock taken: a lever move or a
    chart being drawn) and paused meanwhile does not step once it goes on."""
    page.click("▶ Play")
    _wait_until(lambda: page.stepped >= 1)
    (images,) = page.images
    with images.lock:
        time.sleep(0.5)  # the play thread reaches its next month and waits for the lock
        at = page.stepped
        page.click("❚❚ Pause")
    page.pause_and_wait()
    assert page.stepped == at == page.month()


def test_levers_moved_during_play_never_break_the_page(page, monkeypatch):
    """A lever moved while playing renders the charts in the click's thread while the play thread
    steps: charts never read a month half-written (before: a chart could, and its ValueError,
    "Length of values (n+1) does not match length of index (n)", replaced the page)."""
    died: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))
    page.click("▶ Play")
    for value in (0.7, 0.8, 0.9, 1.0, 0.6):
        stepped = page.stepped
        _wait_until(lambda: page.stepped > stepped)  # noqa: B023 (read at once, in this pass)
        page.move("service level", value)
    assert died == [] and len(page.button("❚❚ Pause")) == 1
    page.pause_and_wait()
    assert died == []


def test_a_lever_moved_during_play_waits_for_no_chart(page):
    """While a month's charts are drawn (the play thread holds the firms' lock), a lever move
    returns at once and the play thread applies it with its next month (before, the move waited
    for the drawing, 0.4-1 s, and a Pause right after it waited behind: 0.9-1.4 s in a browser)."""
    page.click("▶ Play")
    _wait_until(lambda: page.stepped >= 1)
    (images,) = page.images
    moved = threading.Event()

    def move() -> None:
        page.move("service level", 0.9)
        moved.set()

    with images.lock:  # as the play thread holds it while it draws a month's charts
        threading.Thread(target=move, daemon=True).start()
        assert moved.wait(WAIT_S), "the lever move waited for the charts being drawn"
        assert "service_level=0.9" not in page.status()  # not applied yet: no month since
    _wait_until(lambda: "service_level=0.9" in page.status())  # with the next month
    page.pause_and_wait()
    assert "service_level=0.9" in page.status()


def test_a_reset_that_fails_keeps_the_moves_made_during_play(page):
    """A Reset refused (an invalid market) leaves the firms on screen running: a lever move made
    during play, shown on its slider, must still reach them (a review found it dropped)."""
    page.click("▶ Play")
    _wait_until(lambda: page.stepped >= 1)
    (images,) = page.images
    with images.lock:  # the play thread is drawing a month: the move waits for it
        page.move("service level", 0.9)
        page.move("market size (applies on Reset)", -5)  # an invalid market: the Reset fails
        page.click("Reset")
    for thread in page.play_threads():
        thread.join(WAIT_S)
    page.click("Step")
    assert "service_level=0.9" in page.status()


def _slider(page, label: str):
    import ipyvuetify as v

    return page.rc.find(v.Slider, label=label).widget


def _captions(page) -> list[str]:
    """The value-and-unit lines under the lever sliders."""
    import solara

    found = [w.unsafe_innerHTML for w in page.rc.find(solara.widgets.HTML).widgets]
    return [t for t in found if t and "lever-value" in t]


def test_the_sliders_show_the_levers_in_force_with_their_units(page):
    """A preset's own schedule moved service level to 0.35 while its slider still read 0.6, so a
    one-notch nudge jumped to 0.61; and no lever's value or unit could be read in the page."""
    import ipyvuetify as v
    import solara

    from model.scenario import PARAMS

    captions = _captions(page)
    assert any(f"300 {PARAMS['levers.ad_budget'].unit}" in c for c in captions), captions
    # Each says what its lever does on hover, and all of them are listed in one folded block.
    from model.interfaces.app.controls import CONTROL_HELP

    assert any("title='advertising a month per 1,000 people" in c for c in captions), captions
    found = [w.unsafe_innerHTML for w in page.rc.find(solara.widgets.HTML).widgets]
    (folded,) = [t for t in found if t and "control-help" in t]
    assert "<dt><b>client focus</b></dt>" in folded and "<dt><b>market size</b></dt>" in folded
    assert folded.count("<dt>") == len(CONTROL_HELP)
    assert any(">10,000 people<" in c for c in captions), captions  # (not 1e+04)
    page.rc.find(v.Select, label="preset").widget.v_model = "policies/service_cut"
    for _ in range(11):  # the cut applies from month 12
        page.click("Step")
    assert _slider(page, "service level").v_model == pytest.approx(0.35)
    assert any(">0.35 " in c for c in _captions(page))
    page.move("service level", 0.36)  # a nudge from what is in force
    page.move("service level", 0.37)  # ... and another before the month: one step, the last
    assert page.status().count("from month 12") == 2  # the preset's step and this month's move
    assert "service_level=0.37" in page.status() and "service_level=0.36" not in page.status()


def test_the_launch_marker_is_in_the_legend() -> None:
    """The ▼ marks of product launches were drawn after the legends, so no legend said what
    they were, in the app's charts and in the PNGs."""
    from model.interfaces.figures import awareness, money, satisfaction_nps, stage_flow

    firm = AppModel(clients=500).run(36)
    assert firm.timeseries()["shipped_good"].iloc[-1] > 0  # launches to mark
    for chart in (charts.stage_chart, charts.money_chart, charts.satisfaction_chart):
        legend = chart({"A": firm}).axes[0].get_legend()
        assert "product launch" in [t.get_text() for t in legend.get_texts()], chart.__name__
    for figure in (stage_flow, money, satisfaction_nps, awareness):
        legend = figure(firm.timeseries(), scenario=firm.params).axes[0].get_legend()
        assert "product launch" in [t.get_text() for t in legend.get_texts()], figure.__name__


def test_the_network_view_says_its_active_clients_are_not_the_loyal_ones() -> None:
    """Its 'active (N)' left out the loyal clients the status table's active clients include."""
    firm = AppModel(clients=500).run(3)
    labels = [t.get_text() for t in charts.network_chart(firm).axes[0].get_legend().get_texts()]
    assert any(label.startswith("active, not loyal (") for label in labels), labels


def test_the_network_views_legend_fits_in_its_figure() -> None:
    """In one row of four, the legend ran from x = -13 to 513 of a 500-pixel figure (a user's
    screenshot read "◦ prospect (112) … lapsed ("); it must lie inside the figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    firm = AppModel(clients=2000).run(20)
    fig = charts.network_chart(firm)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    box, page = fig.axes[0].get_legend().get_window_extent(renderer), fig.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0, (box, page)
    points = fig.axes[0].get_window_extent(renderer)
    assert box.y1 <= points.y0 + 1  # below the clients, not over them


def test_the_app_starts_on_the_scenario_file_it_was_given(tmp_path, monkeypatch):
    """``retention app FILE`` lists the file first and starts on it (the server reads it from
    :data:`~model.interfaces.cli.app.SCENARIOS_ENV`)."""
    import ipyvuetify as v

    from model.interfaces.cli.app import SCENARIOS_ENV

    firm = tmp_path / "myfirm.toml"
    firm.write_text('name = "myfirm"\n[market]\nclients = 500\n[levers]\nservice_level = 0.8\n')
    monkeypatch.setenv(SCENARIOS_ENV, str(firm))
    page = Page(monkeypatch)
    try:
        assert page.rc.find(v.Select, label="preset").widget.v_model == "file: myfirm.toml"
        assert "<b>myfirm</b>: 500 people" in page.status()
        assert _slider(page, "service level").v_model == pytest.approx(0.8)
    finally:
        page.rc.close()


def test_one_month_is_drawn_and_the_charts_read_on_a_projector() -> None:
    """After one Step the stage, profit and NPV charts drew nothing (a single point makes no
    line or area); shown two to a row at 416 px, their labels were 5-8 px tall."""
    from model.interfaces.app.app_model import AppModel
    from model.interfaces.app.charts import FONT_SIZE, ChartImages, money_chart, stage_chart

    m = AppModel(clients=300)
    m.step()
    (stages,) = stage_chart({"A": m}).axes[:1]
    (area,) = [c for c in stages.collections if c.get_paths()][:1]
    assert area.get_paths()[0].get_extents().width > 0  # (month 1 drawn over (0, 1] months)
    profit = money_chart({"A": m}).axes[0]
    assert profit.lines[0].get_marker() == "o"
    m.step()
    assert money_chart({"A": m}).axes[0].lines[0].get_marker() in (None, "None", "")
    assert FONT_SIZE >= 12
    pngs = ChartImages().images({"A": m})  # (drawn at the app's font size, not the default)
    assert all(png.startswith(b"\x89PNG") for png in pngs)


def test_a_control_waiting_for_reset_is_said_and_an_ended_run_stops_its_buttons(page):
    """Market size set mid-run read as the market running (only the status line said 10,000
    people), and at month 120 of 120 Step, Play and the raids stayed enabled and did nothing."""
    import solara

    def waiting() -> list[str]:
        found = [w.unsafe_innerHTML for w in page.rc.find(solara.widgets.HTML).widgets]
        return [t for t in found if t and "waiting-reset" in t]

    page.click("Step")
    assert waiting() == []
    page.move("market size (applies on Reset)", 2000)
    (line,) = waiting()
    assert "Waiting for Reset: market size 2,000 (running: 10,000)" in line
    page.click("Reset")
    assert waiting() == [] and page.firms()["A"].params.market.clients == 2000
    a = page.firms()["A"]
    a.run(a.months - a.month - 1)  # (to the last month but one, then the page's own Step)
    page.click("Step")
    assert page.month() == a.months
    for label in ("Step", "▶ Play", "Raid 10%", "Raid 10% for good"):
        assert page.button(label).widget.disabled, label
    # A lever moved now is no move (there is no next month): it waits for Reset, and says so
    # (it was refused, "changes nothing", and then Reset used it all the same).
    import ipyvuetify as v

    page.move("ad budget", 450.0)
    (line,) = waiting()
    assert "ad budget 450 (this run began at 300)" in line
    assert not page.rc.find(v.Alert)  # (no error shown)
    assert _slider(page, "ad budget").v_model == 450.0
    page.click("Reset")
    assert page.month() == 0 and not page.button("Step").widget.disabled
    assert page.firms()["A"].params.levers.ad_budget == 450.0 and waiting() == []


def test_two_firms_charts_name_their_lines_and_shade_no_band() -> None:
    """A teacher's reading: NPS had no firm A / firm B legend, NPV's panel said "currency" and
    "NPV" (cumulative? discounted?), and B − A was shaded down to 0 like compare's 95% band."""
    from matplotlib.collections import PolyCollection

    a = AppModel(clients=300, months=24, seed=2)
    a.run(2)
    b = AppModel(clients=300, months=24, seed=2, service_level=0.9)
    b.run(2)
    firms = {"A": a, "B": b}
    _, nps = charts.satisfaction_chart(firms).axes
    assert [t.get_text() for t in nps.get_legend().get_texts()] == ["NPS, firm A", "NPS, firm B"]
    _, npv = charts.money_chart(firms).axes
    assert npv.get_ylabel() == "currency (discounted)"
    assert "NPV, cumulative, firm A" in [t.get_text() for t in npv.get_legend().get_texts()]
    for ax in charts.difference_chart(firms).axes:
        assert not [c for c in ax.collections if isinstance(c, PolyCollection)]


def test_a_second_move_in_a_month_redraws_the_charts_that_label_it() -> None:
    """Two moves of one lever before the next month are one step (the last): the charts kept
    the first move's label, since only the number of steps was compared."""
    a = AppModel(clients=300, months=24, seed=3)
    a.run(2)
    images = charts.ChartImages()
    images.images({"A": a})
    a.set_levers(service_level=0.61)
    images.images({"A": a})
    drawn = images.draws
    a.set_levers(service_level=0.66)  # (the same month: still one step)
    assert len(a.params.schedule) == 1
    images.images({"A": a})
    assert images.draws == drawn + 3  # the stage, money and satisfaction charts mark it


def test_an_event_label_near_the_right_edge_is_written_to_its_left_and_over_the_legend():
    """A move in the last month read "service_" (cut at the edge); a legend hid a raid's label."""
    from matplotlib.figure import Figure

    from model.studies.axes import mark_events

    ax = Figure().subplots()
    ax.set_xlim(0.0, 1.0)
    legend = ax.legend(handles=ax.plot([0, 1], [0, 1], label="profit"))
    marks = [("schedule", 12, 12, "service_level=1"), ("shock", 2, 3, "raid")]
    mark_events(ax, marks)
    late, early = ax.texts
    assert late.get_ha() == "right" and late.get_text() == "service_level=1 "
    assert early.get_ha() == "left" and early.get_text() == " raid"
    assert min(t.get_zorder() for t in ax.texts) > legend.get_zorder()
