"""The app's controls, generated from the parameter declarations (default, unit, range): never typed twice."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model.interfaces.cli.app import SCENARIOS_ENV
from model.interfaces.labels import labelled
from model.scenario import PARAMS, ParamInfo, Scenario, ScenarioError

#: The parameters the app lets a user move, as declared in :mod:`model.scenario` (docs/ODD.md §7).
APP_KEYS: tuple[str, ...] = (
    "levers.service_level",
    "levers.empowerment_budget",
    "levers.empowerment_cap",
    "levers.ad_budget",
    "levers.winback_spend",
    "levers.loyalty_discount",
    "levers.training_spend",
    "levers.staffing",  # (the teaching presets set both: a cost cutter's thin staff, for one)
    "levers.autonomy",
    "levers.rd_share",
    "levers.client_focus",
    # The world the firm is in, as the claim studies draw it: two of the uncertainties their
    # control studies found to decide verdicts (experiments/reports/pinned/).
    "economics.overhead_share",
    "loyalty_economics.spend_growth",
    "market.clients",
    "run.seed",
)

#: What each control does, in a sentence a class can read (docs/ODD.md §7, each lever's
#: submodel); the unit, range and default are the declaration's, shown beside the slider.
CONTROL_HELP: dict[str, str] = {
    "levers.service_level": "the quality the firm sets out to deliver (low 0.35, standard 0.6, "
    "wow 0.9); a higher level costs more to serve and causes fewer incidents (§7.2)",
    "levers.empowerment_budget": "money each staff member may spend a month fixing incidents on "
    "the spot, without a manager; 0 sends every incident up to a manager (§7.2)",
    "levers.empowerment_cap": "the most one on-the-spot fix may cost (Ritz-Carlton's $2,000); a "
    "dearer incident goes to a manager (§7.2)",
    "levers.ad_budget": "advertising a month per 1,000 people in the market: it makes prospects "
    "aware of the firm, with diminishing returns (§7.6)",
    "levers.winback_spend": "money offered each month to each client who left recently, to "
    "bring them back (§7.7)",
    "levers.loyalty_discount": "the share of their revenue members get back; it lowers their "
    "churn, and the firm pays it on every member, including those who would have stayed (§7.4)",
    "levers.training_spend": "training a month per staff member: it raises skill and engagement, "
    "so the quality delivered (§7.1)",
    "levers.staffing": "staff hired per client served, against the capacity one can serve: "
    "below 1 the staff are overloaded and quality drops (§7.1)",
    "levers.autonomy": "how far staff may act without approval: it lifts their engagement, "
    "whether or not they have a budget to spend (§7.1)",
    "levers.rd_share": "the share of revenue spent on R&D: candidate improvements, each shipped "
    "or shelved (§7.8)",
    "levers.client_focus": "how much the firm trusts its clients' feedback over its own estimates "
    "when it ships an improvement; clients like novelty, which may mislead it (§7.8)",
    "economics.overhead_share": "a fixed overhead each month (head office, IT, premises) as a "
    "share of the initial clients' revenue; it does not fall when clients leave (§7.9)",
    "loyalty_economics.spend_growth": "how much more (or less) a client spends for each year they "
    "stay, as Reichheld & Sasser (1990) say loyal clients do (§7.9)",
    "market.clients": "the people in the market: the firm's clients and the prospects it may win",
    "run.seed": "which run of chance (the same seed, the same dice): change it to see another "
    "history of the same market",
}

#: Where the app departs from the scenario's defaults: nowhere. It shows the CLI's default run
#: (10,000 people × 120 months), so what a class sees in the browser matches ``retention run``.
APP_DEFAULTS: dict[str, Any] = {}

#: Fixed (not shown) parameters the app still passes when it rebuilds the model.
FIXED_KEYS: tuple[str, ...] = ("run.months",)

#: A firm's levers that apply on Reset: staffing sizes the staff's arrays, allocated at the start
#: for the run's most (a raise mid-run would be capped there). Each firm keeps its own.
FIRM_RESET_KEYS: tuple[str, ...] = ("levers.staffing",)
#: Controls that act on the running firm from the next month (a lever change, as a schedule step).
LIVE_KEYS: tuple[str, ...] = tuple(
    k for k in APP_KEYS if k.startswith("levers.") and k not in FIRM_RESET_KEYS
)
#: Controls that need a new market: they apply on Reset, firms A and B share them, and their
#: labels say so.
RESET_KEYS: tuple[str, ...] = tuple(
    k for k in APP_KEYS if k not in LIVE_KEYS and k not in FIRM_RESET_KEYS
)


def presets() -> dict[str, Path]:
    """The scenarios a class can start from, by name (``"teaching/delighter"``).

    The files ``retention app`` was given first (``file: NAME.toml``), then the baseline, the
    teaching, industry and policy presets: the shipped list
    (:func:`model.scenario.presets.list_presets`), in the order a class meets them.
    """
    from model.scenario.presets import list_presets

    found = {p.name: p.path for p in list_presets("scenario")}
    order = ("baseline", "teaching/", "industries/")

    def rank(label: str) -> tuple[int, str]:
        first = next((i for i, o in enumerate(order) if label.startswith(o)), len(order))
        return first, label

    given = [Path(p) for p in os.environ.get(SCENARIOS_ENV, "").split(os.pathsep) if p]
    return {
        **{f"file: {path.name}": path for path in given},
        **{label: found[label] for label in sorted(found, key=rank)},
    }


def first_preset() -> str:
    """The scenario the app starts on: the first file it was given, else the baseline."""
    return next(iter(presets()))


def flat_name(key: str) -> str:
    """The keyword the app uses for a declared parameter: ``"levers.ad_budget"`` → ``"ad_budget"``."""
    return key.rpartition(".")[2]


_NAMES: dict[str, str] = {flat_name(k): k for k in (*APP_KEYS, *FIXED_KEYS)}
assert len(_NAMES) == len(APP_KEYS) + len(FIXED_KEYS), "app keywords must be unique"


def app_default(key: str) -> Any:
    """The app's starting value for a parameter: :data:`APP_DEFAULTS`, else the declared default."""
    return APP_DEFAULTS.get(key, PARAMS[key].default)


# ------------------------------------------------------------------------------------ controls
def _nice_ceil(x: float) -> float:
    """The smallest 1, 2 or 5 × 10^k that is ≥ ``x`` (``x`` > 0)."""
    k = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10.0**k >= x * (1 - 1e-12):
            return m * 10.0**k
    return 10.0 ** (k + 1)  # pragma: no cover - the loop always returns


def slider_range(info: ParamInfo, default: float) -> tuple[float, float, float]:
    """(min, max, step) of a slider, derived from a parameter's declared range.

    An uncertainty with a plausible range (the range a claim study draws it from, docs/ODD.md
    §1.2) slides over that range, widened to take in the default. Otherwise a declared range that
    is far wider than useful (e.g. a budget allowed up to 10⁶ with a default of 1 000) is cut at a
    round number ten times the default, so the slider can be aimed. The full declared range stays
    available from scenario files and ``--set``. The step is a round 1/100 of the span.
    """
    plausible = info.plausible
    if (
        plausible is not None
        and len(plausible) == 2
        and not any(isinstance(v, str | bool) for v in plausible)
    ):
        lo, hi = min(float(plausible[0]), default), max(float(plausible[1]), default)
        step = _nice_ceil((hi - lo) / 100)
        if info.kind is int:
            step = max(1.0, step)
        # On the step's grid from below, so the default lies on it (1e-9: 0.1 / 0.005 is not 20).
        return math.floor(lo / step + 1e-9) * step, hi, step
    lo = 0.0 if info.lower is None else float(info.lower)
    hi = None if info.upper is None else float(info.upper)
    if default > 0 and (hi is None or hi > 20 * default):
        hi = _nice_ceil(10 * default) if hi is None else min(hi, _nice_ceil(10 * default))
    if hi is None:
        hi = lo + 1.0
    step = _nice_ceil((hi - lo) / 100)
    if info.kind is int:
        step = max(1.0, step)
        lo = math.ceil(lo / step) * step  # keep the default on the slider's grid
    # An open end is not a value the model takes (staffing > 0): the slider stops a step short.
    if info.lower_open and info.lower is not None and lo <= float(info.lower):
        lo += step
    if info.upper_open and info.upper is not None and hi >= float(info.upper):
        hi -= step
    return lo, hi, step


#: Labels other than the parameter's name: ``market.clients`` counts the whole market,
#: prospects included, which a class took for the firm's clients (a few thousand of them).
_LABELS = {"market.clients": "market size"}


def plain_label(key: str) -> str:
    """A control's name as the page shows it: ``levers.ad_budget`` → ``ad budget``."""
    return _LABELS.get(key, flat_name(key).replace("_", " "))


def control(key: str) -> dict[str, Any]:
    """The Mesa ``model_params`` entry for one declared parameter.

    The label is the parameter's name only (a sidebar slider has no room for more); ``unit`` is
    the declared unit, which the app shows with the value under each slider.
    """
    info = PARAMS[key]
    default = app_default(key)
    label = plain_label(key)
    if key in RESET_KEYS or key in FIRM_RESET_KEYS:
        label += " (applies on Reset)"
    if key == "run.seed":
        # A seed is an identifier, not a quantity: typed, and cast from text by AppModel.
        return {
            "type": "InputText",
            "value": str(default),
            "label": f"seed (whole number ≥ {info.lower}; applies on Reset)",
        }
    lo, hi, step = slider_range(info, float(default))
    if info.kind is int:
        return {
            "type": "SliderInt",
            "value": int(default),
            "min": int(lo),
            "max": int(hi),
            "step": int(step),
            "label": label,
            "unit": info.unit,
        }
    return {
        "type": "SliderFloat",
        "value": float(default),
        "min": lo,
        "max": hi,
        "step": step,
        "label": label,
        "unit": info.unit,
    }


def model_params() -> dict[str, Any]:
    """Controls for :data:`APP_KEYS` and fixed values for :data:`FIXED_KEYS`, keyed by keyword."""
    params: dict[str, Any] = {flat_name(k): control(k) for k in APP_KEYS}
    params.update({flat_name(k): app_default(k) for k in FIXED_KEYS})
    return params


def _cast_seed(value: Any) -> Any:
    """A seed typed in the browser arrives as text: cast it to an int, or say what is allowed
    (one plain message for text and for a number out of range: "abc" and -1 were told apart in
    two technical wordings)."""
    if not isinstance(value, str):
        return value
    info = PARAMS["run.seed"]
    try:
        seed = int(value.strip().replace("_", ""))
    except ValueError:
        seed = None
    if seed is None or not info.lower <= seed <= info.upper:
        raise ScenarioError(
            f"seed: value {value!r} is not allowed; allowed: a whole number, {int(info.lower)} or "
            f"more (at most {int(info.upper):,})"
        )
    return seed


def app_scenario(values: Mapping[str, Any], base: Scenario | None = None) -> Scenario:
    """The scenario for the app's keyword values over ``base`` (default: the built-in defaults).

    Unknown keywords are errors, as anywhere else.
    """
    unknown = sorted(set(values) - set(_NAMES))
    if unknown:
        raise ScenarioError(
            f"app: unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(_NAMES)}"
        )
    overrides = {k: app_default(k) for k in APP_DEFAULTS}
    for name, value in values.items():
        key = _NAMES[name]
        overrides[key] = _cast_seed(value) if key == "run.seed" else value
    base = base or Scenario()
    scenario = base.with_overrides(overrides)
    # Named for what the sliders changed, as `retention run --set` names a run: a report or
    # status taken after a move must not call a firm at service 0.9 by the preset's words.
    before, after = base.flat(), scenario.flat()
    return labelled(scenario, {k: overrides[k] for k in overrides if after[k] != before[k]})


def control_values(scenario: Scenario) -> dict[str, Any]:
    """The app's keyword values (:data:`APP_KEYS`) as ``scenario`` sets them."""
    flat = scenario.flat()
    return {flat_name(k): flat[k] for k in APP_KEYS}


def waiting_for_reset(values: Mapping[str, Mapping[str, Any]], firms: Mapping[str, Any]) -> str:
    """The controls set otherwise than the running firms and waiting for Reset, as one line
    (``""`` for none): a class moved market size and staffing mid-run and read the sliders as
    the market running, which only the status line's "10,000 people" contradicted.

    ``values``: the sliders' values per firm (by keyword); ``firms``: the running firms. A seed
    is read as Reset reads it (text, ``"012"`` and ``"1_2"`` the seed 12) and shown as typed.
    An ended run's levers are said too where Reset would start them otherwise than this run
    began (it takes no move from a next month: there is none; a move made during the run, or
    after it, holds from month 1 after Reset; a preset's own schedule runs again as it was).
    """
    waiting = []
    for firm, model in firms.items():
        running = control_values(model.params)  # (its levers as it began: moves are steps)
        keys = FIRM_RESET_KEYS if firm != "A" else (*RESET_KEYS, *FIRM_RESET_KEYS)
        if model.month >= model.months:
            keys = (*LIVE_KEYS, *keys)
        for key in keys:
            name = flat_name(key)
            set_to, now = values[firm][name], running[name]
            if key == "run.seed":
                try:
                    same = _cast_seed(set_to) == now
                except ScenarioError:  # (Reset says what is wrong with it)
                    same = False
                shown, was = str(set_to).strip(), str(now)
            else:
                same = set_to == now
                shown, was = f"{set_to:,.10g}", f"{now:,.10g}"
            if not same:
                who = f"{firm}'s " if len(firms) > 1 and key not in RESET_KEYS else ""
                now_text = f"this run began at {was}" if key in LIVE_KEYS else f"running: {was}"
                waiting.append(f"{who}{plain_label(key)} {shown} ({now_text})")
    return f"Waiting for Reset: {'; '.join(waiting)}" if waiting else ""
