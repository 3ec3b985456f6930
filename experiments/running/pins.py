"""Pinned parameters: a control study holds some declared uncertainties (or settings) at one value.

A claim study redraws every world when an uncertainty is added or moved, so comparing two studies
cannot say what the one change did. A *pinned* study draws the same Latin hypercube with the same
seeds (:func:`model.studies.worlds.draw_worlds`) and overwrites only the pinned columns, so every
other parameter and every random number of every world is the drawn study's: the two differ, world
by world, by the pinned values alone (:mod:`experiments.analysis.pin_check` compares them). ``retention
experiment --pin KEY=VALUE`` runs one.

A pinned uncertainty's value must be one the study could have drawn: inside its plausible range,
or one of its alternatives (``retention params`` lists them). A *setting* (a value the study
holds fixed, such as ``economics.discount_rate``) may be pinned too, to any value it allows: the
same worlds then run with that setting changed, which asks what the choice of setting does to
each verdict. The settings the study itself decides (``run.*``, ``market.clients``: its size's
market, horizon and seeds) cannot be. A pin holds in the baseline of every world; an arm of a
claim that sets the same key itself (``word_of_mouth`` switches ``word_of_mouth.positive`` off
in one arm) would override it there and measure the claim against nothing, so such a claim is
not run with that pin (:func:`arm_conflicts`, from the keys each claim declares its arms set:
:attr:`experiments.verdicts.claim.Claim.arm_keys`): pin what the claim's arms leave alone.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "Pins",
    "arm_conflict_sentence",
    "arm_conflicts",
    "check_claim_pins",
    "check_pins",
    "checked_value",
    "declared_info",
    "exact_text",
    "parse_pin",
    "pin_flags",
    "pin_refusal",
    "pinnable",
    "pins_slug",
    "pins_text",
    "setting_values",
]

#: Settings a control study cannot pin: the study's size sets them (market, horizon, seeds).
STUDY_SET = ("run.", "market.clients")

#: Pinned parameters, sorted by key: ``(("economics.overhead_share", 0.0),)``. A tuple of
#: pairs (not a dict) so that a frozen :class:`experiments.running.sizes.Size` can hold it.
Pins = tuple[tuple[str, Any], ...]


def parse_pin(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` as given on the command line, checked (:func:`check_pins`).

    Raises
    ------
    ValueError
        Without ``=``, or for a key or value :func:`check_pins` refuses; the message names the
        field, the value and what is allowed.
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise ValueError(
            f"--pin {text!r}: allowed: KEY=VALUE, a declared uncertainty and a value in its "
            "plausible range, or a setting and a value it allows (e.g. "
            "economics.overhead_share=0, economics.discount_rate=0.05; `retention params` lists "
            "them)"
        )
    ((k, v),) = check_pins({key.strip(): value.strip()})
    return k, v


def check_pins(pins: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Pins:
    """Each pin checked against the declarations, its value converted; sorted by key.

    Parameters
    ----------
    pins : mapping or pairs
        Uncertainty key (``section.name``) → value: a number inside the plausible range (text is
        read as a number), or one of the alternatives (``true``/``false`` for a yes-no one).
        Or a setting's key (``retention params --role setting``, but ``run.*`` and
        ``market.clients``) → any value the setting allows.

    Returns
    -------
    Pins

    Raises
    ------
    ValueError
        For a key that is neither a declared uncertainty nor a setting a study may pin, one given
        twice, or a value outside its plausible (a setting's: allowed) range; the message names
        the key, the value and what is allowed.
    """
    from model.scenario import PARAMS
    from model.studies.worlds import declared_uncertainties

    declared = declared_uncertainties()
    pairs = list(pins.items()) if isinstance(pins, Mapping) else list(pins)
    out: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    for key, value in pairs:
        if not isinstance(key, str):
            raise ValueError(f"pin {key!r}: allowed: a key as text, section.name")
        if key in out or key in settings:
            raise ValueError(f"pin {key}: given twice; allowed: each key once")
        setting = PARAMS.get(key)
        if key not in declared and setting is not None and setting.role == "setting":
            settings[key] = value
        else:
            out[key] = checked_value(key, value, declared_info(key, declared))
    out.update(setting_values(settings))
    return tuple(sorted(out.items()))


def pinnable(key: str) -> bool:
    """Whether a control study may pin ``key``: a declared uncertainty, or a setting the study's
    size does not decide (:data:`STUDY_SET`)."""
    from model.scenario import PARAMS
    from model.studies.worlds import declared_uncertainties

    if key in declared_uncertainties():
        return True
    info = PARAMS.get(key)
    return info is not None and info.role == "setting" and not key.startswith(STUDY_SET)


def setting_values(pins: Mapping[str, Any]) -> dict[str, Any]:
    """Settings' pinned values, converted and checked together, as a scenario file's would be
    (so two settings with a rule between them, such as the promoter and detractor thresholds,
    are judged as a pair).

    Raises
    ------
    ValueError
        For a setting the study decides itself (:data:`STUDY_SET`) or values the settings do not
        allow; the message names the key, the value and what is allowed.
    """
    from model.scenario import PARAMS, Scenario, ScenarioError

    if not pins:
        return {}
    given = {}
    for key, value in pins.items():
        if key.startswith(STUDY_SET):
            raise ValueError(
                f"pin {key!r}: a setting the study's size decides (its market, horizon and "
                "seeds); allowed: an uncertainty, or another setting (`retention params --role "
                "setting`)"
            )
        if PARAMS[key].kind is bool and isinstance(value, str):
            value = value.strip().lower()  # (TRUE, True: as a yes-no uncertainty's pin reads)
        given[key] = value
    try:
        scenario = Scenario().with_overrides(given)
    except ScenarioError as exc:
        raise ValueError(f"pin: {str(exc).removeprefix('override: ')}") from None
    out = {}
    for key in given:
        section, name = key.split(".", 1)
        pinned = getattr(getattr(scenario, section), name)
        out[key] = pinned + 0.0 if type(pinned) is float else pinned  # (−0.0: one folder)
    return out


def declared_info(key: str, declared: Mapping[str, Any], what: str = "pin") -> Any:
    """The declared uncertainty ``key``'s entry in ``declared``
    (:func:`model.studies.worlds.declared_uncertainties`).

    Raises
    ------
    ValueError
        For a key that is not a declared uncertainty with a plausible range; the message starts
        with ``what`` and the key, names the keys it may have meant and what is allowed.
    """
    info = declared.get(key)
    if info is None or info.plausible is None:
        near = sorted(k for k in declared if k.split(".")[-1] == str(key).split(".")[-1])
        near = near or difflib.get_close_matches(str(key), list(declared), n=1, cutoff=0.8)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        also = ", or a setting (`retention params --role setting`)" if what == "pin" else ""
        raise ValueError(
            f"{what} {key!r}: not a declared uncertainty{hint}; allowed: one of the "
            f"{len(declared)} keys `retention params` lists with a plausible range{also}"
        )
    return info


def checked_value(key: str, value: Any, info: Any, what: str = "pin") -> Any:
    """``value`` as the uncertainty's type, checked against its plausible values (``info``:
    :func:`model.studies.worlds.declared_uncertainties`' entry); an error's message starts with
    ``what`` and the key."""
    options = tuple(info.plausible)
    if len(options) != 2 or any(isinstance(o, str | bool) for o in options):  # alternatives
        for o in options:
            if str(value).lower() == str(o).lower():
                return o
        raise ValueError(
            f"{what} {key} = {value!r}: not one of its alternatives; allowed: {info.plausible_text()}"
        )
    lo, hi = (float(v) for v in options)
    try:
        if isinstance(value, bool):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{what} {key} = {value!r}: not a number; allowed: {lo:g} ≤ x ≤ {hi:g}"
            + (f" ({info.unit})" if info.unit != "-" else "")
        ) from None
    number += 0.0  # (−0.0 is 0: one value, one folder)
    if not lo <= number <= hi:  # (NaN fails too)
        raise ValueError(
            f"{what} {key} = {value!r}: outside its plausible range; allowed: {lo:g} ≤ x ≤ {hi:g}"
            + (f" ({info.unit})" if info.unit != "-" else "")
        )
    if info.kind is int:
        if number != int(number):
            raise ValueError(f"{what} {key} = {value!r}: allowed: an integer, {lo:g} ≤ x ≤ {hi:g}")
        return int(number)
    return number


def arm_conflicts(arm_keys: Iterable[str], pins: Pins) -> list[str]:
    """The pinned keys a claim's arms set themselves (``arm_keys``: its
    :attr:`~experiments.verdicts.claim.Claim.arm_keys`), in the pins' order; empty where the
    claim can be run with ``pins``."""
    own = set(arm_keys)
    return [k for k, _ in pins if k in own]


def arm_conflict_sentence(claim: str, conflicts: list[str]) -> str:
    """Why a claim is not run with pins on ``conflicts`` (:func:`arm_conflicts`), in words."""
    return (
        f"claim {claim}'s arms set {', '.join(conflicts)} themselves, so a pin there would hold "
        "in its baseline alone and measure the claim against nothing"
    )


def pin_refusal(claim: Any, pins: Pins) -> str:
    """Why ``claim`` (a :class:`~experiments.verdicts.claim.Claim`) cannot be run with ``pins``
    (:func:`arm_conflicts`), naming the first conflicting pin, its value and what is allowed; ""
    where it can."""
    conflicts = arm_conflicts(claim.arm_keys, pins)
    if not conflicts:
        return ""
    key = conflicts[0]
    theirs = ", ".join(k for k in claim.arm_keys if pinnable(k))
    return (
        f"value {key}={exact_text(dict(pins)[key])} is not allowed: "
        f"{arm_conflict_sentence(claim.name, conflicts)}; allowed: an uncertainty or setting its "
        f"arms leave alone (`retention params`; its arms set {theirs})"
    )


def check_claim_pins(claim: Any, pins: Pins) -> None:
    """Refuse ``pins`` for ``claim`` where its arms set a pinned key themselves:
    ``ValueError("pins: ...")`` with :func:`pin_refusal`'s words. Every path that runs a pinned
    claim's values calls it."""
    refused = pin_refusal(claim, pins)
    if refused:
        raise ValueError(f"pins: {refused}")


def pins_text(pins: Pins) -> str:
    """``economics.overhead_share = 0``: the pins in words, joined by ``; ``."""
    return "; ".join(f"{k} = {exact_text(v)}" for k, v in pins)


def pins_slug(pins: Pins) -> str:
    """A folder name for the pins: ``economics.overhead_share=0`` (several joined by ``+``);
    two different pins never share one (each value written in full)."""
    return "+".join(f"{k}={exact_text(v)}" for k, v in pins)


def pin_flags(pins: Pins) -> str:
    """The command line's flags that pin them: ``--pin economics.overhead_share=0``."""
    return " ".join(f"--pin {k}={exact_text(v)}" for k, v in pins)


def exact_text(v: Any) -> str:
    """A value as typed: a float's shortest exact form without a trailing ``.0``; ``true``."""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        text = repr(v)
        return text[:-2] if text.endswith(".0") else text
    return str(v)
