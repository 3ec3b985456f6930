"""The app's page: controls a teacher can run a class with, the charts, and export.

* **Preset** — start from the baseline, a teaching, industry or policy preset, or a scenario file
  given to ``retention app FILE`` (listed first; the app starts on it) — a new run.
* **Step / ▶ Play / ❚❚ Pause / Reset** — one step is one month; Reset starts the run again.
* **Levers** move the running firm from the next month on (a schedule step, marked on the
  charts); the world (general overhead, loyal clients' spend growth), market size and seed need a
  new market and say "applies on Reset".
* **Raid** — a competitor takes a tenth of the clients the firm being edited serves next month
  (a ``poaching`` shock in that firm's scenario, listed in the status table): "Raid 10%" lets them
  come back as any lapsed client may, "Raid 10% for good" never (the lost-client arithmetic's
  case). With A vs B on, raiding B alone shows month by month what the lost clients cost. Reset
  starts again without the raids made here (they are not sliders).
* **A vs B** — a second firm on the same seed; the sliders edit the firm chosen under "edit firm",
  and a chart shows B minus A month by month (a paired difference: only the levers differ).
  Turned on mid-run, B starts as a copy of A as it stands (its months so far, its levers): the
  run goes on, and B − A is zero until B's levers move. Turned off, A runs on alone.
* **Export** — the monthly table (CSV, both firms) and the run's HTML report.

While playing, a thread steps a month, draws its charts (before it asks for a render: a click is
rendered at once, never behind a chart), then waits until that month has been rendered before the
next: if a render takes longer than :data:`PLAY_INTERVAL_S`, play goes slower instead of piling up
months that the thread serving the page's clicks would keep rendering (seen: a Pause queued behind
them for over 10 s, and a chart that read a month half-written, which replaced the page by an error).
"""

from __future__ import annotations

import copy
import html
import threading
from collections.abc import Callable
from typing import Any

import solara
from solara.alias import rw

from model.interfaces.app.app_model import RAID_SHARE, AppModel
from model.interfaces.app.charts import ChartImages
from model.interfaces.app.controls import (
    CONTROL_HELP,
    FIRM_RESET_KEYS,
    LIVE_KEYS,
    RESET_KEYS,
    control,
    control_values,
    first_preset,
    flat_name,
    plain_label,
    presets,
    waiting_for_reset,
)
from model.interfaces.app.lever_moves import LeverMoves
from model.interfaces.app.status import status_table
from model.scenario import Scenario, ScenarioError

__all__ = ["RetentionApp", "build_firms", "export_csv", "export_report"]

#: Seconds between months while playing (more when a month takes longer to render).
PLAY_INTERVAL_S = 0.15
#: Seconds between looks at whether the month just stepped has been rendered.
_SHOWN_POLL_S = 0.02


def build_firms(preset: str, values: dict[str, dict[str, Any]], compare: bool) -> dict:
    """Firm A (and B) from a preset and the sliders' values; both on the same seed."""
    base = Scenario.from_toml(presets()[preset])
    shared = {flat_name(k): values["A"][flat_name(k)] for k in RESET_KEYS}
    firms = {"A": AppModel(base, **values["A"])}
    if compare:
        firms["B"] = AppModel(base, **{**values["B"], **shared})
    return firms


def export_csv(firms: dict) -> bytes:
    """Both firms' monthly tables, one row per (firm, month)."""
    import pandas as pd

    from model.studies.units import counts_as_integers

    frames = [m.timeseries().assign(firm=name) for name, m in firms.items()]
    return counts_as_integers(pd.concat(frames, ignore_index=True)).to_csv(index=False).encode()


def export_report(firm: AppModel) -> bytes:
    """The run's HTML report (as ``retention run`` writes it), live lever moves as its schedule."""
    from model.interfaces.html_report import run_report

    figures = {}
    # The months run so far, as the scenario the report shows (and reproduces): a report taken
    # at month 12 of 120 is the report of a 12-month run, which gives these numbers.
    params = firm.params
    if 0 < firm.month < firm.months:
        params = params.with_overrides({"run.months": firm.month})
    if firm.month:
        from model.interfaces.figures import render_standard_figures

        figures = render_standard_figures(firm.timeseries(), scenario=params)
    return run_report(params, firm.timeseries(), firm.summary(), figures, _provenance()).encode()


def _provenance() -> dict[str, Any]:
    """The report's "Reproduce" section for a run made in the app: which code and numerics ran
    it and when; the scenario itself is the report's own tables (what it sets, its schedule and
    shocks, over the declared defaults)."""
    import time

    from model.engine.numerics import numerics_class
    from model.version import version_record

    return {
        "command": "retention app — the scenario is this report's tables (what it sets, its "
        "schedule and its shocks) over this version's declared defaults",
        **version_record(),
        "numerics": numerics_class(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _slider(key: str, value: Any, on_value) -> None:
    spec = control(key)
    if spec["type"] == "InputText":
        solara.InputText(
            spec["label"], value=str(value), on_value=on_value, continuous_update=False
        )
        return
    widget = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
    widget(spec["label"], value=value, min=spec["min"], max=spec["max"], step=spec["step"],
           on_value=on_value, thumb_label=True)  # fmt: skip
    # The value and its unit under the slider, always in view (the thumb's label shows only
    # while it is dragged): a class can read what the lever is set to. Below the slider's row,
    # not pulled up into it (the slider hides its details line: a negative margin laid the value
    # over the lever's name).
    # (what the control does, on hover; every one is listed under "What the controls do")
    _html(
        f"<div class='lever-value' style='font-size:0.8em;margin:0 0 10px;cursor:help;"
        f"text-decoration:underline dotted' "
        f"title='{html.escape(CONTROL_HELP[key], quote=True)}'>"
        f"{html.escape(f'{value:,.10g}')} {html.escape(spec['unit'])}</div>"
    )


def _help() -> str:
    """Every control's one sentence, folded under a heading a teacher opens (docs/ODD.md's
    sections in brackets)."""
    items = "".join(
        f"<dt><b>{html.escape(plain_label(k))}</b></dt>"
        f"<dd style='margin:0 0 6px 10px'>{html.escape(CONTROL_HELP[k])}</dd>"
        for k in (*LIVE_KEYS, *FIRM_RESET_KEYS, *RESET_KEYS)  # (the sidebar's order)
    )
    return (
        "<details class='control-help' style='font-size:0.85em'><summary>What the controls "
        f"do (sections of docs/ODD.md)</summary><dl>{items}</dl></details>"
    )


class _Renders:
    """How many times a session's page has rendered (read by its play thread, so it waits for one)."""

    def __init__(self) -> None:
        self.count = 0


@solara.component
def RetentionApp():
    """One app per browser session: each session builds and steps its own firms."""
    preset = solara.use_reactive(solara.use_memo(first_preset, []))
    compare = solara.use_reactive(False)
    editing = solara.use_reactive("A")
    playing = solara.use_reactive(False)
    tick = solara.use_reactive(0)
    error = solara.use_reactive("")
    start = solara.use_memo(lambda: control_values(Scenario.from_toml(presets()[preset.value])),
                            [])  # fmt: skip
    values = solara.use_reactive({"A": dict(start), "B": dict(start)})
    firms = solara.use_reactive(solara.use_memo(lambda: build_firms(preset.value, values.value,
                                                                    False), []))  # fmt: skip
    images = solara.use_memo(ChartImages, [])
    renders = solara.use_memo(_Renders, [])
    moves = solara.use_memo(LeverMoves, [])

    def rendered() -> None:
        renders.count += 1

    solara.use_effect(rendered)  # no dependencies: after every render of the page

    def rebuild(new_values=None, new_preset=None) -> None:
        playing.value = False
        try:
            built = build_firms(
                new_preset or preset.value,
                new_values or values.value,
                compare.value,
            )
        except ScenarioError as exc:  # the firms on screen go on, and get the moves pending
            error.value = str(exc)
        else:
            with images.lock:  # no move of the old firms lands on the new ones
                moves.take()  # (the sliders' values, moves included, build the new firms)
                firms.value = built
            error.value = ""
        tick.value += 1

    def apply_moves() -> str | None:
        """Apply the lever moves not yet applied, in order (under ``images.lock``); the error to
        show: the last move refused, else ``""``, or None when there was no move. The caller
        shows it once it has let the lock go (a render under the lock would show a month not
        yet stepped)."""
        done = moves.take()
        shown = None if not done else ""
        for firm, name, value in done:
            if firm in firms.value:
                try:
                    firms.value[firm].set_levers(**{name: value})  # from the next month on
                except ScenarioError as exc:
                    shown = str(exc)
        return shown

    def show(message: str | None) -> None:
        if message is not None:
            error.value = message

    def advance(stop: threading.Event | None = None) -> bool:
        """Step every firm a month and draw its charts, then render; False if Pause came first."""
        with images.lock:
            if stop is not None and (stop.is_set() or not playing.value):
                return False  # Pause was asked for: no new month
            message = apply_moves()
            for firm in firms.value.values():
                if firm.month < firm.months:
                    firm.step()
            # Drawn here, not in the render: a click's render never waits behind a chart.
            images.images(firms.value)
        show(message)
        tick.value += 1
        return True

    def step() -> None:
        advance()

    def play() -> Callable[[], None] | None:
        """While playing, a thread steps a month every PLAY_INTERVAL_S; the cleanup stops it."""
        if not playing.value:
            return None
        stop = threading.Event()

        def loop() -> None:
            try:
                while not stop.wait(PLAY_INTERVAL_S):
                    if firms.value["A"].month >= firms.value["A"].months:
                        playing.value = False
                        return
                    before = renders.count
                    if not advance(stop):
                        return
                    # The render ran here, or is left to the thread that holds the render lock
                    # (a click's): wait for it before the next month, so that thread renders one
                    # month, not every month we would step meanwhile (it could not read its next
                    # click).
                    while renders.count == before:
                        if stop.wait(_SHOWN_POLL_S):
                            return
            finally:
                # Moves made after this thread's last month (a Pause right after one): applied
                # and shown here, not by the thread that reads clicks.
                with images.lock:
                    message = apply_moves()
                if message is not None:
                    error.value = message
                    tick.value += 1

        threading.Thread(target=loop, name="retention-play", daemon=True).start()
        return stop.set

    # An effect-owned thread, not solara.lab.use_task: every use_task registers a Singleton in
    # Solara's process-wide kernel-start list and never removes it, so each browser session's
    # firms stayed in memory after its kernel closed (the app grew by every session ever opened).
    solara.use_effect(play, [playing.value])

    def pick_preset(name: str) -> None:
        chosen = control_values(Scenario.from_toml(presets()[name]))
        preset.value = name
        values.value = {"A": dict(chosen), "B": dict(chosen)}
        rebuild(values.value, name)

    def set_value(key: str, value: Any) -> None:
        name, firm = flat_name(key), editing.value
        values.value = {**values.value, firm: {**values.value[firm], name: value}}
        running = firms.value.get(firm)
        # (an ended run takes no move: the value waits for Reset, and the line says so)
        if key in LIVE_KEYS and running is not None and running.month < running.months:
            moves.add(firm, name, value)
            if playing.value:
                return  # the play thread applies it, and redraws, with its next month
            with images.lock:  # not while a Step click steps or draws
                message = apply_moves()
            show(message)
            tick.value += 1

    def raid(permanent: bool) -> None:
        """A competitor's raid on the edited firm from next month (a shock, as a move is a step)."""
        with images.lock:  # not while a Step click or the play thread steps or draws
            message = apply_moves()
            try:
                if editing.value in firms.value:
                    firms.value[editing.value].raid(permanent)
            except ScenarioError as exc:
                message = str(exc)
        show(message)
        tick.value += 1

    def toggle_compare(on: bool) -> None:
        """Fork firm B off A as it stands, or drop it; the run goes on (a rebuild here threw
        the months played away and started A again with its moved levers from month 1)."""
        playing.value = False
        compare.value = on
        if not on:
            editing.value = "A"
        with images.lock:  # not while a Step click steps or draws
            message = apply_moves()  # A's pending moves first: B is forked with them
            a = firms.value["A"]
            firms.value = {"A": a, "B": copy.deepcopy(a)} if on else {"A": a}
        if on:
            values.value = {**values.value, "B": dict(values.value["A"])}
        show(message)
        tick.value += 1

    a = firms.value["A"]
    with solara.Sidebar():
        _html("<h3>Retention Lab</h3><p>One step is one month.</p>")
        solara.Select("preset", value=preset.value, values=list(presets()), on_value=pick_preset)
        over = a.month >= a.months  # (Step, Play and a raid did nothing, and said nothing)
        with solara.Row():
            solara.Button("Step", on_click=step, disabled=playing.value or over)
            if playing.value:
                solara.Button("❚❚ Pause", on_click=lambda: playing.set(False))
            else:
                solara.Button("▶ Play", on_click=lambda: playing.set(True), disabled=over)
            solara.Button("Reset", on_click=lambda: rebuild())
        solara.Text(
            f"Month: {a.month} of {a.months}" + " — the run is over: Reset runs it again" * over
        )
        solara.Switch(label="A vs B (two firms, same seed)", value=compare.value,
                      on_value=toggle_compare)  # fmt: skip
        if compare.value:
            solara.ToggleButtonsSingle(value=editing.value, values=["A", "B"],
                                       on_value=editing.set)  # fmt: skip
            solara.Text(f"the levers below are firm {editing.value}'s")
        _html("<b>Levers</b> (apply from the next month)")
        # The levers in force next month (a preset's schedule moves them too), and the moves
        # the play thread has not applied yet: what the firm will do, not what was last set.
        shown = dict(values.value[editing.value])
        edited = firms.value.get(editing.value)
        if edited is not None and edited.month < edited.months:  # (ended: the values set)
            shown.update(edited.levers_now())
            shown.update(moves.pending(editing.value))
        for key in LIVE_KEYS:
            name = flat_name(key)
            _slider(key, shown[name], lambda v, k=key: set_value(k, v))
        for key in FIRM_RESET_KEYS:  # (this firm's own, kept until Reset)
            name = flat_name(key)
            _slider(key, values.value[editing.value][name], lambda v, k=key: set_value(k, v))
        _html("<b>A competitor's raid</b> (next month)")
        with solara.Row():
            solara.Button(f"Raid {RAID_SHARE:.0%}", on_click=lambda: raid(False), disabled=over)
            solara.Button(
                f"Raid {RAID_SHARE:.0%} for good", on_click=lambda: raid(True), disabled=over
            )
        _html("<b>Market and world</b> (apply on Reset; firms A and B share them)")
        for key in RESET_KEYS:
            name = flat_name(key)
            _slider(key, values.value["A"][name], lambda v, k=key: _set_reset(values, k, v))
        if waiting := waiting_for_reset(values.value, firms.value):
            _html(f"<p class='waiting-reset'><b>{html.escape(waiting)}</b></p>")
        if error.value:
            solara.Error(error.value)
        _html(_help())
        _html("<b>Export this run</b>")
        with solara.Row():
            solara.FileDownload(lambda: _locked(images, export_csv, firms.value),
                                filename="timeseries.csv", label="timeseries.csv")  # fmt: skip
            solara.FileDownload(lambda: _locked(images, export_report, firms.value["A"]),
                                filename="report.html", label="report.html (A)")  # fmt: skip
    # Rendered again only when its arguments change (Reacton compares them): a Pause, a toggle or
    # a Reset-only slider leaves the charts alone; and then each chart is redrawn only if it changed.
    _Charts(firms.value, tick.value, images)


def _locked(images: ChartImages, export: Callable[[Any], bytes], what: Any) -> bytes:
    """An export read while no month is being stepped (a table half-written has uneven columns)."""
    with images.lock:
        return export(what)


def _set_reset(values: solara.Reactive, key: str, value: Any) -> None:
    name = flat_name(key)
    values.value = {firm: {**v, name: value} for firm, v in values.value.items()}


@solara.component
def _Charts(firms: dict, tick: int, images: ChartImages) -> None:
    """The status table and the four charts (``tick`` only says that the firms changed)."""
    with images.lock:  # not while the play thread steps
        status = status_table(firms)
        stages, money, satisfaction, fourth = images.images(firms)
    solara.Title("Retention Lab")
    _html(status)
    # Each image as wide as its column (a fixed 640 px left half of a 1920 px screen empty)
    wide = {"width": "100%", "height": "auto"}
    with solara.Columns([1, 1]):
        rw.Image(value=stages, format="png", layout=wide)
        rw.Image(value=money, format="png", layout=wide)
    with solara.Columns([1, 1]):
        rw.Image(value=satisfaction, format="png", layout=wide)
        rw.Image(value=fourth, format="png", layout=wide)  # B minus A, or the network view


def _html(markup: str) -> None:
    """Static markup (not solara.Markdown, whose front end fetches KaTeX from a CDN: offline)."""
    solara.HTML(tag="div", unsafe_innerHTML=markup)
