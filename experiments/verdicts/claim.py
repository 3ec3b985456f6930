"""A claim as declared: its readings, each the source's own estimand and the band it asserts.

A claim module (``experiments/claims/<claim>.py``) declares one :class:`Claim`; its readings are judged
by :mod:`experiments.verdicts.framework` and written up by :mod:`experiments.reporting.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

import numpy as np

from experiments.verdicts.margins import MARGINS, margin_bands, margin_refusal

__all__ = ["Claim", "Reading", "band_words", "claim_module"]


def band_words(band: tuple[float, float]) -> str:
    """A band's edges in words, without its unit (``25 to 85``, ``≥ 0``, ``≤ -10``).

    >>> band_words((6.260990336999411, 7.826237921249264)), band_words((-np.inf, -10.0))
    ('6.261 to 7.826', '≤ -10')
    """
    lo, hi = band
    if np.isinf(hi):
        return f"≥ {lo:.4g}"
    if np.isinf(lo):
        return f"≤ {hi:.4g}"
    return f"{lo:.4g} to {hi:.4g}"


@dataclass(frozen=True)
class Reading:
    """One fair reading of a claim.

    Attributes
    ----------
    name : str
        Short identifier (a column of the study's table).
    words : str
        The reading in plain words: what is measured, in which arms.
    estimand : str
        The source's own estimand, quoted or closely paraphrased with the source's numbers.
    source : str
        The citation of the estimand.
    unit : str
        The effect's unit.
    band : tuple of float
        The effects the reading asserts, ``(low, high)`` with low < high (``-inf``/``inf`` for
        one-sided claims, never both); anything else is refused with a ValueError.
    diagnostic : str
        Why the reading is shown beside the claim's readings rather than as one of them (what a
        choice of measurement does to the answer, say a window in place of a lifetime); empty
        for a reading of the claim. A diagnostic is judged as every reading is, and its report
        and the index say what it is, so that its verdict is not read as the claim's.
    horizon_months : int
        The horizon the source's figure speaks of, in months (the lost-client arithmetic's five
        years: 60), where the reading is read over the study's whole horizon; 0 where the
        reading does not hang on the horizon. A study whose runs are another length does not
        judge it (:meth:`judged_at`): a 24-month run cannot reach a five-year band, so its
        verdict would say so by construction, and a 120-month run would read ten years.
    min_months : int
        The shortest run on which the reading means anything (revenue growth from the second
        year to the last needs a third: 36); 0 for any. Shorter studies do not judge it.
    assumed_margin : str
        How far the band reaches from the source's figure, where that reach is an assumption
        rather than the source's (five ± 20%, a threshold of −10%): ``"difference"`` (in the
        effect's unit) or ``"ratio"`` (a factor either way); empty where the band is the
        source's own range or a sign. The report then judges the reading again with the margin
        halved and doubled (:func:`experiments.verdicts.margins.margin_bands`).
    """

    name: str
    words: str
    estimand: str
    source: str
    unit: str
    band: tuple[float, float]
    diagnostic: str = ""
    horizon_months: int = 0
    min_months: int = 0
    assumed_margin: str = ""

    def __post_init__(self) -> None:
        # A reversed, NaN or one-number band would judge every world "above" or "below" and
        # give a confident verdict on nothing; a band open at both ends would be true by
        # construction.
        allowed = (
            "allowed: two numbers, low < high, neither NaN and at most one infinite "
            f"(-inf or inf for a one-sided claim), in reading {self.name!r}"
        )
        try:
            if isinstance(self.band, str | bytes):  # (its letters would be read as numbers)
                raise TypeError
            lo, hi = (float(edge) for edge in self.band)
        except (TypeError, ValueError):
            raise ValueError(f"band: value {self.band!r:.60} is not allowed; {allowed}") from None
        if np.isnan(lo) or np.isnan(hi) or not lo < hi or (np.isinf(lo) and np.isinf(hi)):
            raise ValueError(f"band: value ({lo:g}, {hi:g}) is not allowed; {allowed}")
        object.__setattr__(self, "band", (lo, hi))
        if not isinstance(self.diagnostic, str):
            raise ValueError(
                f"diagnostic: value {self.diagnostic!r:.60} is not allowed; allowed: a string "
                f"(empty for a reading of the claim), in reading {self.name!r}"
            )
        for key, months in (
            ("horizon_months", self.horizon_months),
            ("min_months", self.min_months),
        ):
            if isinstance(months, bool) or not isinstance(months, int) or months < 0:
                raise ValueError(
                    f"{key}: value {months!r:.60} is not allowed; allowed: an integer ≥ 0 "
                    f"(0: the reading does not hang on the horizon), in reading {self.name!r}"
                )
        if why := margin_refusal(self.band, self.assumed_margin):
            raise ValueError(
                f"assumed_margin: value {self.assumed_margin!r:.60} is not allowed on band "
                f"{self.band_text()} ({why}); allowed: one of {MARGINS}, 'ratio' only on a "
                f"two-sided band above 0 and '' on a threshold at 0, in reading {self.name!r}"
            )

    def margin_bands(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The band with its assumed margin halved and doubled; None where the band is the
        source's own (:func:`experiments.verdicts.margins.margin_bands`)."""
        return margin_bands(self.band, self.assumed_margin)

    def judged_at(self, months: int, runs: str = "this study's runs", how: bool = False) -> str:
        """Why ``runs`` of ``months`` months are not judged on this reading; empty where they are
        (``runs``: what the text calls them, a study's or one world's; ``how``: and the
        ``--set run.months`` that judges it, for one world: the README's example ran 120 months
        of a five-year figure and judged nothing, without saying what would)."""
        if self.horizon_months and months != self.horizon_months:
            fix = f"{self.horizon_months} runs it at that horizon"
            why = f"the source's figure speaks of {self.horizon_months} months"
        elif months < self.min_months:
            fix = f"{self.min_months} runs it long enough"
            why = f"the reading needs runs of at least {self.min_months} months"
        else:
            return ""
        return f"not judged: {why} and {runs} are {months}" + f"; --set run.months={fix}" * how

    @property
    def two_sided(self) -> bool:
        """Whether the band has both edges (an effect above it is then stronger than claimed)."""
        return bool(np.isfinite(self.band).all())

    def band_text(self) -> str:
        """The band in words (``25 to 85 %``, ``≥ 0``; four significant figures, which a
        margin's halved band, 6.26 to 7.826, needs no more than a declared one)."""
        return f"{band_words(self.band)} {self.unit}"


@dataclass(frozen=True)
class Claim:
    """A claim of the practitioner articles (docs/ODD.md §1.2) and its readings.

    Attributes
    ----------
    name : str
        Identifier and report file name.
    title : str
        The claim in the articles' words.
    readings : tuple of Reading
        Every fair reading, each judged on its own.
    design : str
        The arms each world runs and how the effect is computed, in words.
    notes : tuple of str
        What the reader should know about the readings (forms, accounting).
    scope : str
        What the experiment tests, where that is narrower than what the source claims (shown
        under the claim's title in its report and in the index); empty where it is not.
    arm_keys : tuple of str
        The scenario keys the claim's own runs set to values of their own (its arms'
        overrides, in ``measure``): a control study cannot pin one of them, since the pin would
        hold in the baseline alone and the claim would be measured against nothing
        (:func:`experiments.running.pins.pin_refusal`).
    relative_keys : tuple of str
        The keys its arms set *from the world's own value* (``retention_profit`` scales the
        world's churn): a pin there carries into the arms, so it may be pinned.
        ``tests/test_claims.py`` checks both declarations against the keys ``measure`` sets and
        against how their values follow the world's.
    beside : tuple of (str, str, str)
        Values ``measure`` returns beside the readings that a reader needs to weigh them (how
        much of the money an arm moved it spent, the retention rise a gain is scaled by): each
        ``(key, unit, meaning)``. The report gives each one's spread over the kept worlds and
        its value at the defaults (:func:`experiments.analysis.beside.beside_rows`); they are
        not judged.
    """

    name: str
    title: str
    readings: tuple[Reading, ...]
    design: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    scope: str = ""
    arm_keys: tuple[str, ...] = ()
    relative_keys: tuple[str, ...] = ()
    beside: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "beside", tuple(self.beside))  # (a list, declared as one)
        taken = {r.name for r in self.readings}
        for item in self.beside:
            if not (
                isinstance(item, tuple | list)
                and len(item) == 3
                and all(isinstance(t, str) for t in item)
                and item[0] not in taken
            ):
                raise ValueError(
                    f"beside: value {item!r:.80} is not allowed; allowed: (key, unit, meaning), "
                    f"three strings, the key one that measure returns, once, and not a "
                    f"reading's, in claim {self.name!r}"
                )
            taken.add(item[0])
        for field_name in ("arm_keys", "relative_keys"):
            object.__setattr__(
                self, field_name, _declared_keys(field_name, getattr(self, field_name), self.name)
            )
        both = set(self.arm_keys) & set(self.relative_keys)
        if both:
            raise ValueError(
                f"relative_keys: value {sorted(both)[0]!r} is not allowed; allowed: a key not in "
                f"arm_keys too (an arm sets a key to its own value or from the world's), in claim "
                f"{self.name!r}"
            )

    @property
    def names(self) -> list[str]:
        """The readings' names, in order."""
        return [r.name for r in self.readings]

    @property
    def diagnostics(self) -> dict[str, str]:
        """The diagnostic readings' names and what each is (:attr:`Reading.diagnostic`)."""
        return {r.name: r.diagnostic for r in self.readings if r.diagnostic}

    def diagnostic_lines(self) -> list[str]:
        """A report's paragraph on its diagnostic readings, and a blank line (none: [])."""
        told = [
            f"`{name}` is a *diagnostic*, not a reading of the claim, and its verdict is not the "
            f"claim's: {why}."
            for name, why in self.diagnostics.items()
        ]
        return [" ".join(told), ""] if told else []


def _declared_keys(field_name: str, keys: object, claim: str) -> tuple[str, ...]:
    """``keys`` as a tuple of declared scenario keys, each once, or a ValueError naming the
    field, the value and what is allowed."""
    from model.scenario.catalogue import PARAMS

    allowed = "allowed: a tuple of declared scenario keys (section.name), each once"
    if isinstance(keys, str) or not isinstance(keys, (tuple, list)):
        raise ValueError(
            f"{field_name}: value {keys!r:.80} is not allowed; {allowed}, in claim {claim!r}"
        )
    for key in keys:
        if not isinstance(key, str) or key not in PARAMS:
            raise ValueError(
                f"{field_name}: value {key!r:.80} is not allowed; allowed: a declared scenario key "
                f"(`retention params` lists them), in claim {claim!r}"
            )
    if len(set(keys)) != len(keys):
        raise ValueError(
            f"{field_name}: value {tuple(keys)!r:.80} is not allowed; {allowed}, in claim {claim!r}"
        )
    return tuple(keys)


def claim_module(value: object, field: str = "claim") -> ModuleType:
    """The claim module ``value`` names, or ``value`` itself if it is one.

    A ``ValueError`` names ``field``, the value and what is allowed: one of the claims' names
    (:data:`experiments.EXPERIMENTS`) or a module with ``CLAIM`` (a :class:`Claim`) and
    ``measure``.
    """
    from experiments import EXPERIMENTS, load

    # A shipped claim's CLAIM (its report and the README show it as one): its module. (The
    # refusal below cut the object's repr mid-word, and said "a claim module" to a user holding
    # a claim.)
    if isinstance(value, Claim) and value.name in EXPERIMENTS and value == load(value.name).CLAIM:
        value = load(value.name)
    if isinstance(value, str):
        if value not in EXPERIMENTS:
            raise ValueError(
                f"{field}: value {value!r} is not allowed; allowed: one of {tuple(EXPERIMENTS)} "
                "or a claim module"
            )
        value = load(value)
    if not isinstance(getattr(value, "CLAIM", None), Claim) or not callable(
        getattr(value, "measure", None)
    ):
        shown = f"Claim {value.name!r}" if isinstance(value, Claim) else f"{value!r:.80}"
        raise ValueError(
            f"{field}: value {shown} is not allowed; allowed: a claim module (with CLAIM "
            "and measure: experiments.load(name)), a shipped claim's CLAIM or a claim's name"
        )
    return value  # type: ignore[return-value]
