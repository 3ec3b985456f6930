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

from model.scenario import PARAMS, Scenario

__all__ = ["YEARLY_QUOTED", "yearly_rate_mistakes"]

#: The monthly rates most often quoted by the year, and whom they count.
YEARLY_QUOTED = {"retain.base_churn": "clients", "staff.turnover": "staff"}


def yearly_rate_mistakes(scenario: Scenario) -> list[str]:
    """A line for each monthly rate of :data:`YEARLY_QUOTED` whose value looks yearly (above the
    plausible monthly range, below 1): what stays a year at it, and ``1 − (1 − value)^(1/12)``,
    the monthly rate that loses the same share over a year.

    Examples
    --------
    >>> yearly_rate_mistakes(Scenario())
    []
    >>> yearly_rate_mistakes(Scenario().with_overrides({"retain.base_churn": 0.18}))[0][:71]
    'retain.base_churn = 0.18 is a monthly rate: at it alone 9.2% of clients'
    """
    values = scenario.flat()
    lines = []
    for key, whom in YEARLY_QUOTED.items():
        info, value = PARAMS[key], float(values[key])
        _, high = info.plausible
        if not high < value < 1:
            continue
        monthly = 1.0 - (1.0 - value) ** (1.0 / 12.0)
        lines.append(
            f"{key} = {value:g} is a monthly rate: at it alone {(1.0 - value) ** 12:.1%} of "
            f"{whom} would stay a year; if {value:g} is a yearly rate, the monthly one is "
            f"{monthly:.3g} (--set {key}={monthly:.3g})"
        )
    return lines
