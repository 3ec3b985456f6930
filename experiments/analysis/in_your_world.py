"""A claim measured in one world a user describes: their own scenario, replicated on its own seeds.

A study's verdict is over the plausible worlds it drew from the declared uncertainties; a
strategist asks whether the claim holds in *their* firm, whose scenario may set levers, sizes and
values a study never draws (an industry preset, a calibrated file). :func:`in_your_world` measures
every reading of a claim in that one scenario — the claim's own arms, ``measure(baseline,
seed)``, on ``replications`` seeds (the seeds a study gives its declared defaults,
:func:`~experiments.running.study.defaults_seed`) — and judges each against its band as a study
judges the defaults (:func:`~experiments.verdicts.framework.defaults_status`): *in band*,
*above*, *below*, or *near an edge* where the band's edge lies within the replications' 95%
interval of the mean (saying so where both edges do: the interval holds the whole band). The
scenario's stylised facts are set beside the study's accepted ranges
(:data:`model.studies.worlds.FACTS`), and its values beside the plausible ranges a study draws
(:meth:`~model.Scenario.outside_plausible`): a world outside them is one the study's verdict
does not speak for, and this answer is then the only one about it.

It is one world's answer: it says what the model gives for the firm as described, not how sure
anyone should be of that description (``retention experiment NAME --split KEY`` says that).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pandas as pd

from experiments.analysis.beside import finite_values
from experiments.analysis.world_differs import (
    arms_own,
    held_otherwise,
    horizon_warning,
    spend_caveat,
)
from experiments.running.baseline import Baseline, baseline_runs
from experiments.running.study import defaults_seed
from experiments.running.together import measure_together
from experiments.verdicts.claim import Claim, claim_module
from experiments.verdicts.framework import defaults_status, effect_text
from experiments.verdicts.margins import margin_bands
from experiments.verdicts.verdict_words import how_many
from model import Scenario
from model.scenario.arguments import count
from model.studies.stats import few_runs_note
from model.studies.worlds import FACTS, fact_values
from model.studies.yearly_rates import yearly_rate_mistakes

__all__ = [
    "InYourWorld",
    "check_scenario",
    "in_your_world",
    "number_text",
    "worlds_answers",
]


@dataclass(frozen=True)
class InYourWorld:
    """Every reading of a claim in one scenario (:func:`in_your_world`).

    Attributes
    ----------
    claim : Claim
    scenario : Scenario
        The scenario as measured (its seed the first replication's).
    seed : int
        The replications' seeds come from it (:func:`~experiments.running.study.defaults_seed`).
    values : pandas.DataFrame
        One row per replication (``rep``, ``seed``, then each reading and what ``measure`` adds
        beside, in the readings' units).
    readings : pandas.DataFrame
        One row per reading: ``reading``, ``unit``, ``band`` (in words), ``low``/``high``,
        ``effect`` (the replications' mean; their median where one is a bound), ``margin`` (the
        95% interval's half-width, the reading's unit), ``status`` (``in band``, ``above``,
        ``below``, ``near an edge, SIDE`` (saying where the interval holds the whole band),
        ``undefined: ...`` or ``not judged: ...`` with the reason: fewer than two finite values,
        or a run too short for the reading), ``halved`` and ``doubled`` (the status with the band's
        assumed margin halved and doubled, :func:`~experiments.verdicts.margins.margin_bands`;
        ``""`` for a source's own band or a reading not judged), ``measured`` (replications).
    facts : pandas.DataFrame
        One row per stylised fact: ``fact``, ``text`` (the fact in words, with its unit),
        ``value`` (its mean over the replications' baselines; not finite where the run is too
        short to measure it), ``low``/``high`` (the range a study keeps a world in) and
        ``inside``.
    """

    claim: Claim
    scenario: Scenario
    seed: int
    values: pd.DataFrame
    readings: pd.DataFrame
    facts: pd.DataFrame

    def format(self) -> str:
        """The answer as a short text: the world, each reading against its band, then
        :meth:`notes` (the facts, the values outside a study's ranges, the arms' own keys)."""
        n = len(self.values)
        lines = [*self.head(), *self.warnings()]
        diagnostic = self.claim.diagnostics
        for r in self.readings.itertuples():
            interval = effect_text(r.effect, r.margin, number_text)
            some = f"; {r.measured} of {n} replications measured it" if r.measured < n else ""
            role = "; a diagnostic, not a reading of the claim" if r.reading in diagnostic else ""
            ours = f" · its margin halved / doubled: {r.halved} / {r.doubled}" if r.halved else ""
            lines.append(
                f"  {r.reading:<24} {interval} (band {r.band}{some}{role}): {r.status}{ours}"
            )
        lines += self.beside()
        return "\n".join([*lines, *self.definitions(), *self.notes(), *self.few_runs()])

    def beside(self) -> list[str]:
        """What the claim's arms produce beside the readings, which they hang on but do not
        judge (:attr:`~experiments.verdicts.claim.Claim.beside`): the replications' mean and
        range (a strategist could not see the retention rise a gain was scaled by)."""
        lines = []
        for key, unit, meaning in self.claim.beside:
            x = finite_values(self.values, key)
            if x.size:
                spread = f" ({number_text(x.min())} to {number_text(x.max())})" * (x.size > 1)
                lines.append(f"  {key:<24} {number_text(x.mean())}{spread} {unit}: {meaning}")
        if not lines:
            return []
        return ["Beside the readings (not judged; the replications' mean and range):", *lines]

    def head(self) -> list[str]:
        """The claim's title and the world: its people, how many are clients at the start, its
        months and the replications."""
        run, market = self.scenario.run, self.scenario.market
        return [
            f"{self.claim.title}",
            *([f"tested as: {self.claim.scope}"] if self.claim.scope else []),
            f"in {self.scenario.name}: {market.clients:,} people "
            f"({100 * market.initial_active_share:.3g}% clients at the start, the rest "
            f"prospects), {run.months} months, {how_many(len(self.values), 'replication')} ({self.seeds()})",
        ]

    def seeds(self) -> str:
        """The first run seeds and the seed they come from ("seeds from 1" read as 1, 2, 3)."""
        seeds = [str(int(k)) for k in self.values["seed"].drop_duplicates()]
        more = ", …" if len(seeds) > 3 else ""
        return f"run seeds {', '.join(seeds[:3])}{more}, drawn from --seed {self.seed}"

    def notes(self) -> list[str]:
        """The baseline's stylised facts beside the range a study keeps a world in, the values
        no world of a study has, and the keys the claim's own arms set (their value here is
        replaced in the comparison)."""
        lines = []
        measured = self.facts[~np.isnan(self.facts["value"])]
        if not measured.empty:
            lines.append(
                "Its baseline's stylised facts, beside the range a study keeps a world in "
                "(outside one, the study's verdict does not speak for this world; this answer "
                "does):"
            )
            width = max(map(len, measured["fact"]))
            lines += [
                f"  {f.fact:<{width}} {number_text(f.value):>8} (kept {number_text(f.low)} to "
                f"{number_text(f.high)}){'' if f.inside else ' OUTSIDE'}: {f.text}"
                for f in measured.itertuples()
            ]
        unmeasured = self.facts.loc[np.isnan(self.facts["value"]), "fact"].tolist()
        if unmeasured:
            lines.append(
                f"Not measured in this {self.scenario.run.months}-month run (the facts read the "
                "months after the first year, or set the first year beside the last, on runs of "
                f"{FACT_MONTHS} months or more; some need paying clients or acquisitions there): "
                f"{', '.join(unmeasured)}"
            )
        if implausible := self.scenario.outside_plausible():
            lines.append("Values no world of a study has (this answer speaks for them):")
            lines += [f"  {line}" for line in implausible]
            lines += spend_caveat(self.scenario, [line.split(" = ")[0] for line in implausible])
        if held := held_otherwise(self.claim, self.scenario):
            lines.append(
                "Settings and levers every world of a study has at their declared values, set "
                "otherwise here (this answer speaks for them):"
            )
            lines += [f"  {line}" for line in held]
        return lines

    def warnings(self) -> list[str]:
        """What changes how the readings read, said before them (a strategist read the readings
        first and the warnings last): a yearly churn or turnover typed where a monthly rate
        belongs (:func:`~model.studies.yearly_rates.yearly_rate_mistakes`), a key the claim's
        own arms set (its baseline then runs at this world's value, which a reading's words
        may call by the declared one's name), another horizon than a study's."""
        lines = [
            f"Warning, this world ran with it: {line}"
            for line in yearly_rate_mistakes(self.scenario)
        ]
        if own := arms_own(self.claim, self.scenario):
            lines.append(
                f"Warning, this world sets what the claim's arms set themselves: {', '.join(own)}. "
                "Its baseline arm runs at that value, not the declared one a reading's words may "
                "name (the claim's design says how each arm sets it: a comparison may then "
                "measure a move from this value, or none)"
            )
        return lines + [f"Warning, {line}" for line in horizon_warning(self.scenario)]

    def definitions(self) -> list[str]:
        """What each reading measures, in words (:attr:`~experiments.verdicts.claim.Reading.words`):
        readings of one claim can disagree because they measure different things."""
        return ["What each reading measures:"] + [
            f"  {r.name}: {r.words}" for r in self.claim.readings
        ]

    def few_runs(self, spread: str = "the replications'", counts: Sequence[int] = ()) -> list[str]:
        """A line saying why the intervals are wide when few replications are behind one
        (:func:`~model.studies.stats.few_runs_note`: the fewest finite values of a reading,
        or ``counts``, behind an interval, two or more), else none."""
        per = np.isfinite(self.values[[r.name for r in self.claim.readings]]).sum().to_dict()
        behind = [n for n in [*per.values(), *counts] if n >= 2]
        few = few_runs_note(fewest := min(behind, default=0), spread)
        # (a reading 3 of 4 replications measured and one all 4 did shared one note of 3; a
        # --vary pair count of 2 under a header of 4 replications read as a contradiction)
        which = ", ".join(k for k, n in per.items() if n == fewest and n not in counts)
        if few and which and len({n for n in per.values() if n >= 2}) > 1:
            few += f" (the fewest: {which}; the other readings have more)"
        elif few and fewest < len(self.values):
            few += f" (the fewest behind one interval here, of {len(self.values)} replications)"
        return [f"Note: {few}."] if few else []


#: The shortest run whose stylised facts are read: every fact reads the months after the first
#: year, or sets the first year beside the last, so a run of 13–23 months read them on a few
#: months (a referral share of 0 over two, called outside) or on two overlapping years; no study
#: runs shorter (its quick size: 24 months).
FACT_MONTHS = 24


def number_text(x: float) -> str:
    """A number as the answer shows it: four significant digits, a thousands separator from a
    million, "—" for NaN."""
    if np.isnan(x):
        return "—"
    return f"{x:.4g}" if not np.isfinite(x) or abs(x) < 1e6 else f"{x:,.0f}"


def in_your_world(
    claim: str | ModuleType,
    scenario: Scenario,
    replications: int = 8,
    seed: int = 1,
    on_done: Callable[[int], None] | None = None,
) -> InYourWorld:
    """Measure and judge every reading of ``claim`` in one scenario.

    Parameters
    ----------
    claim : str or module
        A claim's name (``retention experiment --list``) or its module.
    scenario : Scenario
        The world: its size (``market.clients``, ``run.months``) is the run's; its seed is
        replaced by each replication's.
    replications : int, default 8
        Runs of the claim's arms, each on its own seed (at least 2: the interval comes from
        their spread).
    seed : int, default 1
        Where the replications' seeds come from: replication ``k`` runs on
        ``defaults_seed(seed, k)``, so the declared defaults at a study's size and seed give
        that study's "at the defaults" values.
    on_done : callable, optional
        Called with 1 as each replication finishes (a progress bar's ``update``).

    Returns
    -------
    InYourWorld

    Examples
    --------
    >>> from model import Scenario
    >>> small = Scenario().with_overrides({"market.clients": 200, "run.months": 24})
    >>> answer = in_your_world("acquisition_cost", small, replications=2)
    >>> answer.readings.loc[0, ["reading", "band"]].tolist()
    ['average', '4 to 6 x']
    """
    module = claim_module(claim)
    check_scenario(scenario)
    replications = count("replications", replications, 2)
    seed = count("seed", seed, 0)
    return worlds_answers(module, [scenario], replications, seed, on_done)[0]


def check_scenario(scenario: object) -> None:
    """Refuse anything but a :class:`~model.Scenario` as the world, naming what is allowed."""
    if not isinstance(scenario, Scenario):
        raise ValueError(
            f"scenario: value {scenario!r:.80} is not allowed; allowed: a Scenario "
            "(Scenario.preset(NAME), Scenario.from_file(PATH))"
        )


def worlds_answers(
    module: ModuleType,
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    on_done: Callable[[int], None] | None = None,
) -> list[InYourWorld]:
    """:func:`in_your_world` of each scenario (checked arguments), every replication of every
    scenario run together: the baselines stepped side by side and each replication's arms
    gathered with the others' (:func:`~experiments.running.together.measure_together`, as a
    study runs a batch of worlds), each run's numbers those of its solo run."""
    seeds = [defaults_seed(seed, rep) for rep in range(replications)]
    worlds = [s.with_overrides({"run.seed": k}) for s in scenarios for k in seeds]
    bases = baseline_runs(worlds)

    def measured(base: Baseline, run_seed: int) -> dict[str, float]:
        out = module.measure(base, run_seed)
        if on_done is not None:
            on_done(1)
        return out

    calls = [(b, w.run.seed) for b, w in zip(bases, worlds, strict=True)]
    values = measure_together(measured, calls)
    answers = []
    for i, scenario in enumerate(scenarios):
        mine = range(i * replications, (i + 1) * replications)
        rows = [{"rep": r, "seed": seeds[r], **values[k]} for r, k in enumerate(mine)]
        facts = [fact_values(bases[k].run.timeseries) for k in mine]
        answers.append(_judged(module, scenario, seed, rows, facts))
    return answers


def _judged(
    module: ModuleType, scenario: Scenario, seed: int, rows: list[dict], facts: list[dict]
) -> InYourWorld:
    """The answer from one scenario's replications: each reading judged, the facts placed."""
    replications = len(rows)
    values = pd.DataFrame(rows)
    months = scenario.run.months
    alike = bool(arms_own(module.CLAIM, scenario))  # (an arm may run the baseline's world)
    judged = []
    for reading in module.CLAIM.readings:
        v = values[reading.name].to_numpy(float)
        status = defaults_status(v, reading.band, fallback_sd=float("nan"))
        words = status.words(reading.band)
        finite = int(np.count_nonzero(np.isfinite(v)))
        lo, hi = reading.band
        if (
            status.status == "near an edge"
            and reading.two_sided
            and status.effect - status.margin <= lo
            and status.effect + status.margin >= hi
        ):  # (both edges inside the interval: "in band" alone would read as the claim holding)
            words += (
                f" (its interval holds the whole band: {finite} replications tell no side; "
                "more narrow it)"
            )
        # Exactly 0 in every replication that measured it, where the band holds 0 ("in band"
        # would call nothing a success) or the world sets a key the arms set (a world at wow
        # compared wow with wow): the arms ran alike. Else a 0 is judged, as a study judges it
        # (a market too small for empowerment to keep anyone: below a band of ≥ 0.5 points).
        zeros = finite >= 2 and not np.any(v[np.isfinite(v)])
        if zeros and (lo <= 0 <= hi or alike):
            words = (
                "not judged: exactly 0 in every replication, the arms' change makes no "
                "difference to it in this world (a mechanism it needs switched off, or a lever "
                "already at an arm's value): this world does not test it"
            )
        if finite < 2 and words != "undefined":  # (no spread to draw an interval from)
            words = (
                f"not judged: {finite} of {replications} replications measured a finite value; "
                "an interval needs two"
            )
        if words == "undefined":  # (say why: a user cannot tell a missing value from an error)
            words += (
                ": no replication measured it (a percentage of a profit the baseline did not "
                "make, or a link whose cause did not move)"
                if np.isnan(v).all()
                else ": its replications' bounds lie on both sides (±inf)"
            )
        if refused := reading.judged_at(months, "this world's runs", how=True):
            words = refused
        # Where the band's reach about the source's figure is ours, the same replications
        # against it halved and doubled (as a study's report judges its worlds).
        halved = doubled = ""
        bands = margin_bands(reading.band, reading.assumed_margin)
        if bands and not words.startswith(("not judged", "undefined")):
            halved, doubled = (defaults_status(v, b, float("nan")).words(b) for b in bands)
        judged.append(
            {
                "reading": reading.name,
                "unit": reading.unit,
                "band": reading.band_text(),
                "low": reading.band[0],
                "high": reading.band[1],
                "effect": status.effect,
                "margin": status.margin,
                "status": words,
                "halved": halved,
                "doubled": doubled,
                "measured": int(np.count_nonzero(~np.isnan(v))),
            }
        )
    mean_facts = pd.DataFrame(facts).mean()
    fact_table = pd.DataFrame(
        {
            "fact": [f.name for f in FACTS],
            "text": [f.text for f in FACTS],
            "value": [float(mean_facts[f.name]) for f in FACTS],
            "low": [f.low for f in FACTS],
            "high": [f.high for f in FACTS],
        }
    )
    if months < FACT_MONTHS:
        fact_table["value"] = np.nan
    # (NaN, not measured, is neither inside nor outside: notes() says so; ±inf, as a study counts
    # it, lies outside)
    fact_table["inside"] = fact_table["value"].between(fact_table["low"], fact_table["high"])
    return InYourWorld(
        claim=module.CLAIM,
        scenario=scenario.with_overrides({"run.seed": defaults_seed(seed, 0)}),
        seed=seed,
        values=values,
        readings=pd.DataFrame(judged),
        facts=fact_table,
    )
