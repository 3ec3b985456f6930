"""A split the reader chooses: a claim's verdict in groups of one declared uncertainty's values.

A report profiles each reading along the uncertainties PAWN ranks first
(:mod:`experiments.analysis.conditional`). A strategist who knows where their own firm lies on another
one — whether its cost to serve is flat or stepped, the churn it sees — asks about that one:

* ``KEY`` — the kept worlds in fifths of its values (one group per alternative for a named or
  yes-no one), as the report's own profiles split them;
* ``KEY=LOW..HIGH`` — the worlds whose value lies in that range (both ends included), and those
  below and above it;
* ``KEY=A,B`` — the worlds with one of those alternatives, and the others.

Each group is judged by the study's rule over the worlds where the reading is defined. No world is
run again: the groups are read from the stored study (``retention experiment NAME --split ...``
resumes it, and runs only what it lacks).

A split is a question asked before the report is read, so its p is read against
0.05 ÷ (readings × splits) (Bonferroni over the questions asked), not against the report's
level for its own profiles, which covers every uncertainty PAWN could have picked. Like those
profiles it is a conditional, not a control: within a group every other uncertainty is as
drawn (``retention experiment --pin`` holds one and changes nothing else).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.conditional import (
    Bin,
    Profile,
    between_groups,
    judge_groups,
    profile,
    show_value,
    with_declared,
)
from experiments.analysis.evidence import ClaimEvidence, ReadingEvidence
from experiments.running.pins import Pins, checked_value, declared_info, exact_text
from experiments.verdicts.holds import Measured
from model.studies.worlds import declared_uncertainties

__all__ = [
    "Split",
    "SplitReading",
    "check_splits",
    "parse_split",
    "split_level",
    "split_readings",
    "splits_slug",
    "together",
]


@dataclass(frozen=True)
class Split:
    """One split: a declared uncertainty, and the reader's own range or alternatives, if any.

    Attributes
    ----------
    key : str
        The uncertainty (``section.name``, as ``retention params`` lists it).
    low, high : float or None
        The reader's range, both ends included, in the uncertainty's unit (None: no range).
    values : tuple
        The reader's alternatives (empty: none).
    """

    key: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()

    @property
    def text(self) -> str:
        """As typed on the command line, every number in full (two different splits never read
        alike, nor share a folder): ``retain.base_churn=0.01..0.02``."""
        if self.low is not None:
            return f"{self.key}={exact_text(self.low)}..{exact_text(self.high)}"
        if self.values:
            return f"{self.key}=" + ",".join(exact_text(v) for v in self.values)
        return self.key


@dataclass(frozen=True)
class SplitReading:
    """One reading under one split: its groups and the test, or why there are none.

    Attributes
    ----------
    reading : ReadingEvidence
        The reading, as the study judged it over every kept world.
    split : Split
    profile : Profile or None
        The groups in order (the reader's range between the worlds below and above it; the
        reader's alternatives first) and the test of whether holding differs between them.
    why : str
        Why there is no profile (empty when there is one).
    """

    reading: ReadingEvidence
    split: Split
    profile: Profile | None
    why: str = ""


def parse_split(text: str) -> Split:
    """``KEY``, ``KEY=LOW..HIGH`` or ``KEY=A,B`` as given on the command line, checked.

    Raises
    ------
    ValueError
        For a key that is not a declared uncertainty, a range on one with alternatives (or
        alternatives on a numeric one), an end outside its plausible range, or a range whose low
        end is above its high end; the message names the field, the value and what is allowed.
    """
    key, sep, rest = (part.strip() for part in text.partition("="))
    declared = declared_uncertainties()
    info = declared_info(key, declared, what="split")
    if not sep:
        return Split(key)
    numeric = _numeric(info)
    if numeric:
        lo, hi = (float(v) for v in info.plausible)
        inside = f"LOW..HIGH with {lo:g} ≤ LOW ≤ HIGH ≤ {hi:g}" + (
            f" ({info.unit})" if info.unit != "-" else ""
        )
    else:
        inside = f"A or A,B…, some of {', '.join(str(o).lower() for o in info.plausible)}"
    ends = rest.split("..") if numeric else []
    if not rest or (numeric and (len(ends) != 2 or not all(e.strip() for e in ends))):
        raise ValueError(f"split {text.strip()!r}: allowed: KEY, or KEY={inside}")
    if numeric:
        low, high = (checked_value(key, e.strip(), info, what="split") for e in ends)
        if low > high:
            raise ValueError(
                f"split {text.strip()!r}: its low end is above its high end; allowed: {inside}"
            )
        if (low, high) == (lo, hi):
            raise ValueError(
                f"split {text.strip()!r}: the whole plausible range, so nothing to compare with; "
                f"allowed: {inside}, a narrower range"
            )
        return Split(key, float(low), float(high))
    chosen = [checked_value(key, v.strip(), info, what="split") for v in rest.split(",")]
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"split {text.strip()!r}: an alternative given twice; allowed: each once")
    if len(chosen) == len(info.plausible):
        raise ValueError(
            f"split {text.strip()!r}: every alternative chosen, so nothing to compare with; "
            f"allowed: {inside}, not all"
        )
    # (In the declared order: `a,b` and `b,a` are one question, one folder.)
    return Split(key, values=tuple(o for o in info.plausible if o in chosen))


def _numeric(info: Any) -> bool:
    """Whether the uncertainty is drawn from a numeric range (else from alternatives)."""
    options = tuple(info.plausible)
    return len(options) == 2 and not any(isinstance(o, str | bool) for o in options)


def check_splits(splits: Iterable[Split], pins: Pins = ()) -> tuple[Split, ...]:
    """The splits in the order given, checked together: none on the same uncertainty twice and
    none on a pinned one (constant in every world: nothing to split).

    Raises
    ------
    ValueError
        Naming the uncertainty and what is allowed.
    """
    out: list[Split] = []
    pinned = {k for k, _ in pins}
    for s in splits:
        if any(o.key == s.key for o in out):
            raise ValueError(f"--split {s.key}: given twice; allowed: each uncertainty once")
        if s.key in pinned:
            raise ValueError(
                f"--split {s.key}: it is pinned (--pin), one value in every world; allowed: an "
                "uncertainty that is not pinned"
            )
        out.append(s)
    return tuple(out)


def splits_slug(splits: Sequence[Split]) -> str:
    """A folder name for the splits: ``retain.base_churn=0.01..0.02`` (several joined by
    ``+``)."""
    return "+".join(s.text for s in splits)


def split_level(readings: int, splits: int) -> float:
    """The level a split's p is read against: 0.05 ÷ (readings × splits), at least one each."""
    return 0.05 / max(readings * splits, 1)


def split_readings(ev: ClaimEvidence, splits: Sequence[Split], seed: int = 1) -> list[SplitReading]:
    """Every reading of ``ev`` under every split, reading by reading.

    Parameters
    ----------
    ev : ClaimEvidence
        A study's evidence (:func:`experiments.analysis.evidence.run_claim`).
    splits : sequence of Split
        Checked (:func:`parse_split`, :func:`check_splits`).
    seed : int
        The alternatives' Monte Carlo test's seed (the same seed, the same p).
    """
    splits = check_splits(splits)  # (a split twice would be counted once in the level)
    declared = declared_uncertainties()
    out = []
    for r in ev.readings:
        status, measured = _status_and_measured(r)
        for s in splits:
            if r.not_judged or not ev.kept or s.key not in ev.world_values.columns:
                why = (
                    r.not_judged
                    if r.not_judged
                    else "the study kept no world"
                    if not ev.kept
                    else "the evidence holds no world's values (made by older code: run it again)"
                    if ev.world_values.empty
                    else "the study did not draw it"
                )
                out.append(SplitReading(r, s, None, why))
                continue
            values = ev.world_values[s.key].rename(s.key)
            found, why = _split_profile(
                values, status, r.verdict.reading.two_sided, s, seed, measured
            )
            if found is not None:
                found = with_declared(found, declared[s.key])
                if s.low is not None or s.values:  # (groups of the reader's: no default bin)
                    found = replace(found, default_bin=None)
            out.append(SplitReading(r, s, found, why))
    return out


def together(
    ev: ClaimEvidence, splits: Sequence[Split]
) -> list[tuple[ReadingEvidence, Bin | None]]:
    """Every reading over the kept worlds inside all of the reader's ranges and alternatives at
    once (the worlds most like the reader's), judged by the study's rule.

    Empty unless two or more of ``splits`` have a range or alternatives (one alone is its own
    group already). A reading defined in none of those worlds has None.
    """
    chosen = [s for s in splits if s.low is not None or s.values]
    if len(chosen) < 2 or not ev.kept:
        return []
    inside = pd.Series(True, index=ev.world_values.index)
    for s in chosen:
        v = ev.world_values[s.key]
        inside &= v.between(s.low, s.high) if s.low is not None else v.isin(s.values)
    out: list[tuple[ReadingEvidence, Bin | None]] = []
    for r in ev.readings:
        status, measured = _status_and_measured(r)
        status = status.reindex(inside.index)
        rows = inside.index[inside & status.isin(("in band", "above", "below"))]
        if not len(rows):
            out.append((r, None))
            continue
        two_sided = r.verdict.reading.two_sided
        (b,) = judge_groups(status, status, [rows], two_sided, numeric=False, measured=measured)
        out.append((r, replace(b, value=" and ".join(s.text for s in chosen))))
    return out


def _status_and_measured(r: ReadingEvidence) -> tuple[pd.Series, Measured]:
    """A reading's status in each world, and each world's effect and standard error with the
    band (what a group's noise-corrected P(holds) needs)."""
    per = r.per_world.set_index("world")
    return per["status"], Measured(per, r.verdict.reading.band)


def _split_profile(
    values: pd.Series,
    status: pd.Series,
    two_sided: bool,
    s: Split,
    seed: int,
    measured: Measured | None = None,
) -> tuple[Profile | None, str]:
    """One reading's groups under one split, or None and why."""
    keep = status.reindex(values.index).isin(("in band", "above", "below"))
    v, st = values[keep], status.reindex(values.index)[keep]
    if v.nunique() < 2:
        return None, (
            f"its value is one ({show_value(v.iloc[0])}) in every kept world where the reading "
            "is defined"
            if len(v)
            else "the reading is defined in no kept world"
        )
    if s.low is None and not s.values:
        found = profile(
            values, status.reindex(values.index), two_sided, seed=seed, measured=measured
        )
        return found, "" if found is not None else "too few worlds where the reading is defined"
    if s.low is not None:
        x = v.to_numpy(float)
        masks = [x < s.low, (x >= s.low) & (x <= s.high), x > s.high]
        low, high = exact_text(s.low), exact_text(s.high)
        labels = [f"below {low}", f"{low} to {high} (yours)", f"above {high}"]
        yours = 1
    else:
        mask = v.isin(s.values).to_numpy()
        masks = [mask, ~mask]
        labels = [", ".join(exact_text(a) for a in s.values) + " (yours)", "the others"]
        yours = 0
    if not masks[yours].any():
        return None, "no kept world where the reading is defined has its value there"
    groups = [(label, v.index[m]) for label, m in zip(labels, masks, strict=True) if m.any()]
    bins = judge_groups(
        v, st, [rows for _, rows in groups], two_sided, numeric=s.low is not None, measured=measured
    )
    bins = tuple(replace(b, value=label) for b, (label, _) in zip(bins, groups, strict=True))
    name = str(values.name)
    if len(bins) < 2:
        return Profile(name, bins, np.nan, "one group: nothing to compare"), ""
    table = np.array([[b.holds, b.worlds - b.holds] for b in bins])
    if not table[:, 0].any() or not table[:, 1].any():
        alike = "it holds in no group" if not table[:, 0].any() else "it holds in every world"
        return Profile(name, bins, np.nan, f"{alike}: nothing to test"), ""
    p_value, test, floor = between_groups(table, seed)
    return Profile(name, bins, p_value, test, floor), ""
