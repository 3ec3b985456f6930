"""How a claim report's numbers print: a number, a share, P(holds) with its interval, a table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.verdicts.framework import ReadingVerdict

__all__ = [
    "fmt",
    "markdown_table",
    "not_judged_numbers",
    "not_judged_row",
    "p_cell",
    "run_p_text",
    "share_text",
]


def p_cell(v: ReadingVerdict) -> str:
    """P(holds) [its interval], with the share of worlds where the reading is undefined beside
    it when there is one (P(holds) is over the others), and *bounds* where the noise is as wide
    as the band (:mod:`experiments.verdicts.holds`: the interval counts the worlds near an edge out, then
    in)."""
    undefined = v.shares["undefined"]  # (NaN with no world: nothing to add)
    bounds = "; bounds: most worlds near an edge as noisy as the band" if v.bounded else ""
    return v.p_text() + (f"; {share_text(undefined)} undefined" if undefined > 0 else "") + bounds


def not_judged_row(row: dict[str, object], why: str, keep: int = 1) -> dict[str, object]:
    """``row`` of a reading that the study's runs do not judge (``why``, from
    :meth:`~experiments.verdicts.claim.Reading.judged_at`): its first ``keep`` cells (the
    reading's name…) as they are, ``why`` in the next, the others blank; ``row`` itself where
    ``why`` is empty."""
    if not why:
        return row
    names = list(row)
    return {
        **{k: row[k] for k in names[:keep]},
        **{k: (why if i == 0 else "") for i, k in enumerate(names[keep:])},
    }


def not_judged_numbers(entry: dict[str, object], why: str) -> dict[str, object]:
    """A reading's JSON ``entry`` (a section's numbers) for a reading the study's runs do not
    judge: ``why`` as its ``not_judged`` and in place of every ``words`` in it (nested too);
    ``entry`` itself where ``why`` is empty, so a judged reading's JSON is as it was."""
    if not why:
        return entry

    def marked(value: object, key: str = "") -> object:
        if key == "words":
            return [why] * len(value) if isinstance(value, list) else why
        if isinstance(value, dict):
            return {k: marked(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [marked(v) for v in value]
        return value

    return {**marked(entry), "not_judged": why}


def share_text(share: float) -> str:
    """A share as a whole percentage, "<1%" rather than "0%" when it is not nothing; "—" for
    none (no plausible world to share)."""
    if np.isnan(share):
        return "—"
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"


def fmt(v: object) -> str:
    """A number for a table: 4 significant figures, ±inf as a bound, NaN as blank."""
    if isinstance(v, float | np.floating):
        if np.isnan(v):
            return ""
        if np.isinf(v):
            return "+inf (bound)" if v > 0 else "-inf (bound)"
        return f"{v:,.4g}"
    return str(v)


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` as a Markdown table, each value through :func:`fmt`."""
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def run_p_text(c: dict, i: int) -> str:
    """Run ``i``'s P(holds) [interval], with the share undefined when there is one."""
    p, lo, hi, undefined = c["p"][i], c["p_low"][i], c["p_high"][i], c["undefined"][i]
    if p != p:  # NaN: no world defined
        return "—"
    return f"{p:.2f} [{lo:.2f}, {hi:.2f}]" + (f"; {undefined:.0%} undefined" if undefined else "")
