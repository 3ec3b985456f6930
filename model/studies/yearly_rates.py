"""A yearly rate typed where a monthly one belongs: the likeliest unit mistake, said as such.

Client churn and staff turnover are quoted by the year in industry reports ("annual churn of
18%"); the model's ``retain.base_churn`` and ``staff.turnover`` are monthly hazards. A yearly
figure typed into one is allowed (it lies in the allowed range) and runs a firm that loses most
of its clients or staff within a year — a strategist's run did, and its note was one line among
routine ones. Where the value lies above the plausible monthly range,
:func:`yearly_rate_mistakes` says what it means as a monthly rate, and the monthly value that
loses the same share over a year, to use instead if the value was yearly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from model.scenario import PARAMS, Scenario

__all__ = ["YEARLY_QUOTED", "moved_rate_mistakes", "yearly_rate_mistakes"]

#: The monthly rates most often quoted by the year, and whom they count.
YEARLY_QUOTED = {"retain.base_churn": "clients", "staff.turnover": "staff"}


def yearly_rate_mistakes(scenario: Scenario) -> list[str]:
    """A line for each monthly rate of :data:`YEARLY_QUOTED` whose value looks yearly (above the
    plausible monthly range, below 1): what stays a year at it, held constant, and
    ``1 − (1 − value)^(1/12)``, the monthly rate that loses as much over a year. For the churn
    hazard that is only a first guess: ``retain.base_churn`` is a new client's hazard at the
    reference satisfaction, and a firm's books show less churn than it (the most churn-prone
    leave first; a strategist set the converted 0.0097 for a yearly 11% and observed 6%), so the
    line points to a fit to the books' annual retention instead (``retention calibrate
    --targets``).

    Examples
    --------
    >>> yearly_rate_mistakes(Scenario())
    []
    >>> yearly_rate_mistakes(Scenario().with_overrides({"staff.turnover": 0.25}))[0][:70]
    'staff.turnover = 0.25 is a monthly rate: 0.25 a month, constant, keeps'
    """
    values = scenario.flat()
    lines = []
    for key, whom in YEARLY_QUOTED.items():
        info, value = PARAMS[key], float(values[key])
        _, high = info.plausible
        if not high < value < 1:
            continue
        monthly = f"{1.0 - (1.0 - value) ** (1.0 / 12.0):.3g}"
        line = (
            f"{key} = {value:g} is a monthly rate: {value:g} a month, constant, keeps "
            f"{(1.0 - value) ** 12:.1%} of {whom} a year. If {value:g} is a yearly rate, "
            f"{monthly} a month loses as much at a constant rate"
        )
        if key == "retain.base_churn":  # (a hazard, not the books' churn)
            line += (
                f", but the books show less churn than this hazard (the most churn-prone leave "
                f"first): fit it to their annual retention, `retention calibrate --targets` with "
                f"annual_retention = {1.0 - value:g}"
            )
        else:
            line += f" (--set {key}={monthly})"
        lines.append(line)
    return lines


def moved_rate_mistakes(scenario: Scenario, moved: Iterable[tuple[str, Any]]) -> list[str]:
    """:func:`yearly_rate_mistakes` of each world ``scenario`` becomes with one ``(key, value)``
    of ``moved`` set (``retention experiment --world --vary``), the lines its own lacks: a
    churn varied to 0.12 and 0.2 ran as monthly rates without the line ``--set`` gives."""
    own, lines = set(yearly_rate_mistakes(scenario)), []
    for key, value in dict.fromkeys(moved):
        for line in yearly_rate_mistakes(scenario.with_overrides({key: value})):
            if line not in own and line not in lines:
                lines.append(line)
    return lines
