"""One claim's evidence: its readings judged over the plausible worlds, where each holds, and why.

:func:`run_claim` is what ``retention experiment NAME`` runs: the worlds (shared by every claim,
:func:`experiments.running.study.world_table`), the claim's values in each plausible world
(:func:`experiments.running.study.claim_values`), each reading's verdict (:func:`experiments.verdicts.framework.judge`),
its PRIM box and PAWN ranking (:mod:`experiments.analysis.discovery`), and the value at the declared
defaults beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from experiments.analysis.beside import beside_rows
from experiments.analysis.conditional import Profile, profiles
from experiments.analysis.discovery import Box, Cart, cart_check, prim_box
from experiments.analysis.fact_ranges import bound_subsets, closest_fact
from experiments.analysis.pawn import sensitivity
from experiments.analysis.pin_check import PinCheck, compare_pinned
from experiments.analysis.scale_check import ScaleCheck, compare_sizes
from experiments.running.pins import check_claim_pins
from experiments.running.pool import submit
from experiments.running.study import (
    Size,
    claim_values,
    defaults_values,
    scale_values,
    scale_world_table,
    world_table,
)
from experiments.verdicts.claim import Claim, Reading, claim_module
from experiments.verdicts.framework import DefaultsStatus, ReadingVerdict, defaults_status, judge
from experiments.verdicts.holds import Measured
from experiments.verdicts.noise import reading_noise
from model.scenario.arguments import count
from model.studies.worlds import FACTS, declared_uncertainties, rejections

__all__ = ["UNDEFINED_BOX_SHARE", "ClaimEvidence", "ReadingEvidence", "run_claim"]

#: A reading undefined in at least this share of the worlds gets a PRIM box of where it is defined.
UNDEFINED_BOX_SHARE = 0.1


@dataclass
class ReadingEvidence:
    """One reading: its verdict, per-world table, boxes, tree, ranking and the defaults' value.

    ``at_defaults`` is the declared defaults' effect, status, sd and interval
    (:func:`experiments.verdicts.framework.defaults_status`).

    ``box`` is the PRIM box where the reading holds, ``fail_box`` where it fails (both over the
    worlds where it is defined, found on one half and measured on the other); ``cart`` the tree's
    held-out accuracy against guessing; ``defined_box`` where the reading is defined at all, over
    every world (searched only when it is undefined in at least :data:`UNDEFINED_BOX_SHARE` of
    them).
    """

    verdict: ReadingVerdict
    per_world: pd.DataFrame
    box: Box | None
    drivers: pd.DataFrame
    at_defaults: DefaultsStatus
    fail_box: Box | None = None
    cart: Cart | None = None
    defined_box: Box | None = None
    #: The stylised fact whose values its effects rank with most closely, and Spearman's ρ
    #: (:func:`~experiments.analysis.fact_ranges.closest_fact`); None with fewer than three worlds where it is measured, a
    #: constant effect or no fact that varies.
    nearest_fact: tuple[str, float] | None = None
    #: Its verdict over the kept worlds within each of
    #: :data:`~experiments.analysis.fact_ranges.TIGHTER_BOUNDS`, by
    #: :attr:`~experiments.analysis.fact_ranges.TighterBound.key` (none for a fact the worlds do not carry).
    bounded: dict[tuple[str, float, float], ReadingVerdict] = field(default_factory=dict)
    #: The first worlds judged again, in the study's market and in a larger one
    #: (:func:`experiments.analysis.scale_check.compare_sizes`); None when the size has no scale check.
    scale: ScaleCheck | None = None
    #: A pinned study's reading against the drawn study's (:func:`experiments.analysis.pin_check.
    #: compare_pinned`); None in a drawn study.
    pinned: PinCheck | None = None
    #: Its verdict in bins of each deciding uncertainty (:func:`experiments.analysis.conditional.
    #: profiles`): where in a driver's range it turns.
    along: tuple[Profile, ...] = ()
    #: Why runs of the study's length do not judge the reading (:meth:`~experiments.verdicts.
    #: claim.Reading.judged_at`), which every section of the report then says in its place;
    #: empty where they do.
    not_judged: str = ""
    #: Its verdict with the band's assumed margin halved and doubled
    #: (:meth:`~experiments.verdicts.claim.Reading.margin_bands`); None where the band is the
    #: source's own.
    margins: tuple[ReadingVerdict, ReadingVerdict] | None = None

    @property
    def top_driver(self) -> str:
        """The uncertainty ranked first, if it is above the noise floor, else ``"none"``."""
        if self.not_judged:
            return "—"
        d = self.drivers
        if (
            d.empty
            or not bool(d["above_noise"].iloc[0])
            or d["uncertainty"].iloc[0].startswith("(")
        ):
            return "none above the noise floor"
        return str(d["uncertainty"].iloc[0])


@dataclass
class ClaimEvidence:
    """Everything a claim's report needs."""

    claim: Claim
    size: Size
    size_name: str
    seed: int
    drawn: int
    kept: int
    rejections: pd.DataFrame
    readings: list[ReadingEvidence] = field(default_factory=list)
    seconds: float = 0.0
    #: The scale check's worlds judged by the facts in the larger market
    #: (:func:`experiments.running.study.scale_world_table`; empty without a check).
    scale_worlds: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: The uncertainties that vary over the kept worlds: those PAWN ranks, so those it could
    #: pick to profile a reading along (:mod:`experiments.analysis.conditional`'s test level counts them).
    uncertainties: int = 0
    #: A pinned study's worlds against the drawn study's: ``drawn`` (worlds both drew),
    #: ``kept_drawn``, ``kept_pinned`` and ``kept_both`` (of those); empty in a drawn study.
    pin_worlds: dict[str, int] = field(default_factory=dict)
    #: Every declared uncertainty's value in each kept world (index: world), constant ones
    #: included: what a split chosen by the reader (:mod:`experiments.analysis.split`) groups them by.
    world_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: What the claim measures beside its readings (:attr:`Claim.beside`), summarised over the
    #: kept worlds (:func:`experiments.analysis.beside.beside_rows`).
    beside: list[dict] = field(default_factory=list)


def _bounded(
    reading: Reading,
    values: pd.DataFrame,
    subsets: dict,
    reference: float | None,
    noise: pd.Series,
) -> dict[tuple[str, float, float], ReadingVerdict]:
    """``reading``'s verdict over each subset of worlds (:func:`experiments.verdicts.framework.judge`),
    each world's noise (``noise``, fitted over the whole study) and placing the whole study's
    (``reference``: its median near an edge)."""
    subset = {b: values[values["world"].isin(w)] for b, w in subsets.items()}
    return {b: judge(reading, v, noise=noise, reference=reference)[1] for b, v in subset.items()}


def _margins(
    reading: Reading,
    values: pd.DataFrame,
    refused: str,
    reference: float | None,
    noise: pd.Series,
) -> tuple[ReadingVerdict, ReadingVerdict] | None:
    """``reading``'s verdict with its band's assumed margin halved and doubled (None where the
    band is the source's own): each band judged as the study judges its own, the worlds' noise
    the same. A world near another band's edge is too noisy to place beside the stated band's
    worlds near an edge (``reference``: their median noise), which the study replicated: one
    replicated less is counted out, then in, not placed beside others as little replicated.
    ``noise``: each world's, fitted over the study (it does not depend on the band). ``refused``: why the study's runs do not judge the reading, for its words."""
    bands = reading.margin_bands()
    if bands is None:
        return None
    judged = (
        judge(replace(reading, band=b), values, noise=noise, reference=reference)[1] for b in bands
    )
    halved, doubled = (replace(v, words=refused) if refused else v for v in judged)
    return halved, doubled


def _claim_and_size(module: object, size: object, size_name: str) -> tuple[ModuleType, Size, str]:
    """:func:`run_claim`'s claim module and size, found by name where given as one."""
    from experiments.running.sizes import SIZES

    module = claim_module(module, "module")
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(
                f"size: value {size!r} is not allowed; allowed: one of {tuple(SIZES)} or a Size"
            )
        size_name = size if size_name == "default" else size_name
        size = SIZES[size]
    if not isinstance(size, Size):
        raise ValueError(
            f"size: value {size!r:.80} is not allowed; allowed: a Size (experiments.running."
            f"sizes.SIZES) or one of {tuple(SIZES)}"
        )
    return module, size, size_name  # type: ignore[return-value]


def _uncertainty_columns(worlds: pd.DataFrame) -> list[str]:
    declared = list(declared_uncertainties())
    cols = [c for c in declared if c in worlds.columns]
    return [c for c in cols if worlds[c].nunique() > 1]


def run_claim(
    module: ModuleType | str,
    size: Size | str,
    store: Path | str,
    *,
    size_name: str = "default",
    seed: int = 1,
    workers: int = 1,
    drawn_store: Path | None = None,
) -> ClaimEvidence:
    """Run (or resume) one claim's study and judge every reading.

    ``module`` is a claim module (:func:`experiments.load`) or its name (``"pareto"``), ``size``
    a :class:`~experiments.running.sizes.Size` or the name of one of
    :data:`~experiments.running.sizes.SIZES` (then also the ``size_name`` reported, unless
    given), ``seed`` the worlds' seed (a whole number ≥ 0) and ``workers`` the processes (≥ 1).

    With ``size.pins`` (:meth:`experiments.running.sizes.Size.pinned`) the study is a control study, and
    ``drawn_store`` (required then) is where the same study with nothing pinned is stored (or
    will be: what it lacks runs first); each reading is compared with it
    (:attr:`ReadingEvidence.pinned`).

    Raises
    ------
    ValueError
        ``size.pins`` pins a key the claim's own arms set (:attr:`Claim.arm_keys`): the pin
        would hold in the baseline alone (:func:`experiments.running.pins.pin_refusal`); an
        argument named above of another kind or out of its range (the message names it).
    """
    import time

    module, size, size_name = _claim_and_size(module, size, size_name)
    store = Path(store)
    seed, workers = count("seed", seed, 0), count("workers", workers, 1)
    if size.pins and drawn_store is None:
        raise ValueError("run_claim: a pinned size needs drawn_store, the drawn study's store")
    claim: Claim = module.CLAIM
    check_claim_pins(claim, size.pins)  # (before any world runs)
    t0 = time.perf_counter()
    worlds = world_table(size, seed, store, workers)
    kept = worlds[worlds["kept"]].reset_index(drop=True)
    values = claim_values(module, worlds, size, store, workers, seed=seed)
    pin = _drawn_study(module, size, worlds, drawn_store, workers, seed) if size.pins else None
    defaults = defaults_values(module, size, seed, store, workers)
    again, large = scale_values(module, worlds, size, store, workers, seed)
    scale_worlds = scale_world_table(worlds, size, store, workers, seed)
    kept_large = {int(w) for w in scale_worlds.loc[scale_worlds["plausible"], "world"]}
    # A reading that runs of this length cannot judge (Reading.judged_at) is blanked wherever it
    # would meet its band (worlds, defaults, the scale check, the drawn study), so no cell of the
    # report judges it; its verdict says why.
    unjudged = [r.name for r in claim.readings if r.judged_at(size.months)]
    values, defaults, again, large = (_blank(t, unjudged) for t in (values, defaults, again, large))
    if pin is not None:
        pin = (_blank(pin[0], unjudged), *pin[1:])
    ev = ClaimEvidence(
        claim=claim,
        size=size,
        size_name=size_name,
        seed=seed,
        drawn=len(worlds),
        kept=len(kept),
        rejections=rejections(worlds, FACTS),
        scale_worlds=scale_worlds,
        pin_worlds=pin[2] if pin is not None else {},
    )
    ev.beside = beside_rows(claim, values, defaults)
    cols = _uncertainty_columns(kept)
    x = kept.set_index("world")[cols]
    ev.world_values = kept.set_index("world")[[c for c in declared_uncertainties() if c in kept]]
    ev.uncertainties = len(cols)  # (the columns that vary over the kept worlds)
    declared = declared_uncertainties()
    facts = kept.set_index("world")[[f.name for f in FACTS if f.name in kept.columns]]
    subsets = bound_subsets(facts)
    judged = []
    for reading in claim.readings:
        per, verdict = judge(reading, values)
        if refused := reading.judged_at(size.months):
            verdict = replace(verdict, words=refused)
        per = per.set_index("world").reindex(x.index)
        defined = (per["status"] != "undefined").to_numpy()
        holds = (per["status"] == "in band").to_numpy()[defined]
        xd = x[defined]
        # Every reading's PRIM searches and PAWN ranking go to the workers at once; where it is
        # often undefined (a % of a profit not made), a third box says where it is defined.
        often_undefined = verdict.shares["undefined"] >= UNDEFINED_BOX_SHARE
        measured = Measured(per, reading.band)  # (each box's density, noise-corrected)
        sides = ((holds, False), (~holds, True))  # where it holds, where it fails
        found = (
            [submit(prim_box, xd, h, seed=seed, measured=measured, failing=f) for h, f in sides]
            + [submit(sensitivity, x, per["effect"].to_numpy())]
            + ([submit(prim_box, x, defined, seed=seed)] if often_undefined else [])
            if cols
            else []
        )
        judged.append((reading, per, verdict, xd, holds, found, measured))
    for reading, per, verdict, xd, holds, found, measured in judged:
        # Each world's noise, fitted once: the subsets and the other bands are judged with it.
        noise = reading_noise(values, reading.name)
        refused = reading.judged_at(size.months)
        box, fail_box, drivers, *rest = (
            [f.result() for f in found] if cols else [None, None, pd.DataFrame()]
        )
        defined_box = rest[0] if rest else None
        cart = cart_check(xd, holds, seed=seed) if cols else None
        ev.readings.append(
            ReadingEvidence(
                verdict=verdict,
                per_world=per.reset_index(),
                box=box,
                drivers=drivers,
                # Judged on their own replications' spread (±inf: a censored bound).
                at_defaults=defaults_status(
                    defaults[reading.name].to_numpy(float), reading.band, verdict.se
                ),
                fail_box=fail_box,
                cart=cart,
                defined_box=defined_box,
                nearest_fact=closest_fact(per["effect"], facts),
                bounded=_bounded(reading, values, subsets, measured.reference, noise),
                scale=compare_sizes(
                    reading, values, again, large, size.scale_clients, kept_large, measured
                )
                if size.scale_clients
                else None,
                pinned=compare_pinned(reading, pin[0], values, *pin[1])
                if pin is not None
                else None,
                along=profiles(
                    x,
                    per["status"],
                    drivers,
                    reading.two_sided,
                    declared,
                    seed=seed,
                    measured=measured,
                )
                if cols
                else (),
                not_judged=refused,
                margins=_margins(reading, values, refused, measured.reference, noise),
            )
        )
    ev.seconds = time.perf_counter() - t0
    return ev


def _blank(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``table`` with the columns ``names`` it has set to NaN (a copy; itself where none is)."""
    names = [n for n in names if n in table.columns]
    return table.assign(**dict.fromkeys(names, np.nan)) if names else table


def _drawn_study(
    module: ModuleType,
    size: Size,
    pinned_worlds: pd.DataFrame,
    store: Path | None,
    workers: int,
    seed: int,
) -> tuple[pd.DataFrame, tuple[set[int], set[int]], dict[str, int]]:
    """The drawn study a pinned one is compared with: its values, the worlds each keeps of the
    worlds both drew, and their counts (:attr:`ClaimEvidence.pin_worlds`)."""
    drawn_size = size.without_pins()
    worlds = world_table(drawn_size, seed, store, workers)
    values = claim_values(module, worlds, drawn_size, store, workers, seed=seed)
    # (Waves stop at the target kept, so one study may have drawn more than the other.)
    common = set(worlds["world"]) & set(pinned_worlds["world"])

    def kept(table: pd.DataFrame) -> set[int]:
        return {int(w) for w in table.loc[table["kept"], "world"] if w in common}

    k_d, k_p = kept(worlds), kept(pinned_worlds)
    counts = {
        "drawn": len(common),
        "kept_drawn": len(k_d),
        "kept_pinned": len(k_p),
        "kept_both": len(k_d & k_p),
    }
    return values, (k_d, k_p), counts
