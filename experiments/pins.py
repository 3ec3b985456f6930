"""Pinned uncertainties: a control study holds some declared uncertainties at one value each.

A claim study redraws every world when an uncertainty is added or moved, so comparing two studies
cannot say what the one change did. A *pinned* study draws the same Latin hypercube with the same
seeds (:func:`model.studies.worlds.draw_worlds`) and overwrites only the pinned columns, so every
other parameter and every random number of every world is the drawn study's: the two differ, world
by world, by the pinned values alone (:mod:`experiments.pin_check` compares them). ``retention
experiment --pin KEY=VALUE`` runs one.

A pinned value must be one the study could have drawn: inside the uncertainty's plausible range,
or one of its alternatives (``retention params`` lists them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "Pins",
    "check_pins",
    "checked_value",
    "declared_info",
    "exact_text",
    "parse_pin",
    "pin_flags",
    "pins_slug",
    "pins_text",
]

#: Pinned uncertainties, sorted by key: ``(("economics.overhead_share", 0.0),)``. A tuple of
#: pairs (not a dict) so that a frozen :class:`experiments.sizes.Size` can hold it.
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
            "plausible range (e.g. economics.overhead_share=0; `retention params` lists them)"
        )
    ((k, v),) = check_pins({key.strip(): value.strip()})
    return k, v


def check_pins(pins: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Pins:
    """Each pin checked against the declared uncertainties, its value converted; sorted by key.

    Parameters
    ----------
    pins : mapping or pairs
        Uncertainty key (``section.name``) → value: a number inside the plausible range (text is
        read as a number), or one of the alternatives (``true``/``false`` for a yes-no one).

    Returns
    -------
    Pins

    Raises
    ------
    ValueError
        For a key that is not a declared uncertainty, one given twice, or a value outside its
        plausible range; the message names the key, the value and what is allowed.
    """
    from model.studies.worlds import declared_uncertainties

    declared = declared_uncertainties()
    pairs = list(pins.items()) if isinstance(pins, Mapping) else list(pins)
    out: dict[str, Any] = {}
    for key, value in pairs:
        if not isinstance(key, str):
            raise ValueError(f"pin {key!r}: allowed: a key as text, section.name")
        if key in out:
            raise ValueError(f"pin {key}: given twice; allowed: each uncertainty once")
        out[key] = checked_value(key, value, declared_info(key, declared))
    return tuple(sorted(out.items()))


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
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise ValueError(
            f"{what} {key!r}: not a declared uncertainty{hint}; allowed: one of the "
            f"{len(declared)} keys `retention params` lists with a plausible range"
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
