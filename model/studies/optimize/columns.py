"""What each column of an optimize folder's tables means, with its unit (``columns.csv``).

A run and a sweep write a ``columns.csv`` beside their tables; ``split.csv``, ``flatness.csv`` and
``evaluations.csv`` had none, so ``npv_-0.2`` or ``money_per_unit`` read without the package said
nothing of what they count (an analyst's pass).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["split_columns"]

#: (file, column) → (unit, meaning), for the columns every optimize folder has.
_FIXED: dict[tuple[str, str], tuple[str, str]] = {
    ("split.csv", "lever"): ("", "the spend lever (levers.NAME)"),
    ("split.csv", "money_per_unit"): (
        "currency/month per lever unit",
        "what one unit of the lever costs a month, measured on the scenario itself",
    ),
    ("split.csv", "per"): ("", "what money_per_unit is per (the rate's basis)"),
    ("split.csv", "own_share"): (
        "share",
        "the scenario's own split: the lever's share of the budget",
    ),
    ("split.csv", "own_value"): ("lever unit", "the lever's value in the scenario"),
    ("split.csv", "best_share"): ("share", "the best split found: the lever's share of the budget"),
    ("split.csv", "best_value"): ("lever unit", "the lever's value at the best split"),
    ("split.csv", "best_money_per_month"): (
        "currency/month",
        "the budget the best split plans for the lever (best_share × budget)",
    ),
    ("flatness.csv", "lever"): ("", "the spend lever (levers.NAME)"),
    ("flatness.csv", "share"): ("share", "the lever's share of the budget at the best split"),
    ("flatness.csv", "npv_plus10_pct"): (
        "% of the best NPV",
        "the objective with 10 points of budget moved into the lever, in % of the best's size "
        "(-1.9: 1.9% less)",
    ),
    ("flatness.csv", "npv_minus10_pct"): (
        "% of the best NPV",
        "the objective with 10 points of budget moved out of the lever, in % of the best's size",
    ),
    ("flatness.csv", "share_low_1pct"): (
        "share",
        "the lever's lowest share among the evaluated splits within 1% of the best objective",
    ),
    ("flatness.csv", "share_high_1pct"): (
        "share",
        "the lever's highest share among the evaluated splits within 1% of the best objective",
    ),
    ("evaluations.csv", "kind"): (
        "",
        "which stage evaluated the split: own, grid, search, best, profile (around the best), "
        "polish (a profile around an earlier best that one of its steps beat), spend",
    ),
    ("evaluations.csv", "objective"): (
        "currency",
        "mean NPV over the search seeds (robust: the mean or the worst over the assumption's "
        "values)",
    ),
    ("evaluations.csv", "lever"): ("", "for a profile: the lever whose share was moved"),
    ("evaluations.csv", "delta"): (
        "share",
        "for a profile: the points of budget moved into the lever (negative: out of it)",
    ),
}


def split_columns(tables: dict[str, Iterable[str]], levers: Iterable[str]) -> pd.DataFrame:
    """``columns.csv`` of an optimize folder: each column of each table (``tables``: file name →
    its columns) with its unit and meaning (file, column, unit, meaning).

    ``flatness.csv``'s ``npv_D`` columns (D = ±0.1, ±0.2) and ``evaluations.csv``'s one column a
    lever are read off their names.
    """
    levers = set(levers)
    rows = []
    for file, columns in tables.items():
        for column in columns:
            if (file, column) in _FIXED:
                unit, meaning = _FIXED[file, column]
            elif file == "flatness.csv" and column.startswith("npv_"):
                moved = float(column.removeprefix("npv_"))
                way = "into the lever from" if moved > 0 else "out of the lever into"
                unit = "currency"
                meaning = (
                    f"the objective (mean NPV; robust: the mean or the worst over the "
                    f"assumption's values) with {abs(moved) * 100:.0f} points of budget moved "
                    f"{way} the others, at the best split (empty: no room to move)"
                )
            elif file == "evaluations.csv" and column in levers:
                unit, meaning = "share", f"the split's share of the budget in {column}"
            else:
                unit, meaning = "", ""
            rows.append((file, column, unit, meaning))
    return pd.DataFrame(rows, columns=["file", "column", "unit", "meaning"])
