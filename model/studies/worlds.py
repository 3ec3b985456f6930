"""Plausible worlds: draws of every declared uncertainty, kept only when their baseline looks real.

A *world* is one draw of all the uncertainties a scenario declares
(:func:`model.scenario.uncertainties`: each with a plausible range, a scale, or alternatives), with
its own seeds. :func:`draw_worlds` samples them with a scrambled Latin hypercube
(:class:`scipy.stats.qmc.LatinHypercube`), so every range is covered evenly however many worlds are
drawn. A world is *plausible* only when its baseline run (the declared levers, nothing changed)
reproduces the stylised facts in :data:`FACTS`, each with its source and tolerance — history
matching, or ABC rejection with a tolerance per fact (Vernon, Goldstein & Bower 2010; Beaumont,
Zhang & Balding 2002). No fact is a claim's own estimand: the claims are judged only on the worlds
the facts keep.

Examples
--------
>>> from model.scenario import ParamInfo
>>> u = {"retain.base_churn": ParamInfo("retain.base_churn", 0.02, "1/month", 0, 1, False, False,
...      "", float, role="uncertainty", plausible=(0.01, 0.04), scale="log")}
>>> worlds = draw_worlds(4, seed=7, uncertainties=u)
>>> list(worlds.columns), bool(worlds["retain.base_churn"].between(0.01, 0.04).all())
(['world', 'seed', 'retain.base_churn'], True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from model.engine.ledger import ACQUISITION_LINES
from model.scenario import ParamInfo, Scenario, ScenarioError
from model.scenario.arguments import count

__all__ = [
    "FACTS",
    "OPERATING_MARGIN",
    "Fact",
    "declared_uncertainties",
    "draw_worlds",
    "fact_values",
    "judge_worlds",
    "rejections",
    "world_scenario",
]


def declared_uncertainties() -> dict[str, ParamInfo]:
    """The uncertainties the scenario declares with a plausible range (what a world draws).

    ``model.scenario.uncertainties()``; an empty dict where the scenario declares none.
    """
    import model.scenario as sc

    finder = getattr(sc, "uncertainties", None)
    return dict(finder()) if finder is not None else {}


def _is_range(p: ParamInfo) -> bool:
    vals = p.plausible or ()
    return len(vals) == 2 and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in vals
    )


def draw_worlds(
    n: int,
    seed: int | tuple[int, ...] = 1,
    uncertainties: Mapping[str, ParamInfo] | None = None,
) -> pd.DataFrame:
    """Draw ``n`` worlds: one Latin-hypercube row of every uncertainty, each with its own seed.

    Parameters
    ----------
    n : int
        Worlds to draw: a whole number ≥ 1 (a numpy integer too; not a float or a bool).
    seed : int or tuple of int
        Seeds the hypercube and the worlds' run seeds: the same seed gives the same worlds. A
        tuple (``(study_seed, wave)``) keys independent streams, so no two keys share worlds.
    uncertainties : mapping, optional
        key → :class:`~model.scenario.ParamInfo` with ``plausible`` set; default
        :func:`declared_uncertainties`. A numeric ``(low, high)`` is drawn uniformly (or uniformly
        in the logarithm when ``scale == "log"``; an integer takes each value equally often);
        alternatives are drawn with equal probability.

    Returns
    -------
    pandas.DataFrame
        Columns ``world`` (0..n-1), ``seed`` (the world's first run seed; its replications use
        ``seed``, ``seed + 1``, …) and one per uncertainty, in declaration order.
    """
    try:
        n = count("n", n)
    except ScenarioError:  # (2.5 and True failed inside numpy, "3" on a comparison)
        raise ScenarioError(f"worlds: n = {n!r} is not allowed; allowed: an integer ≥ 1") from None
    unc = dict(declared_uncertainties() if uncertainties is None else uncertainties)
    frame = pd.DataFrame({"world": np.arange(n)})
    key = list(seed) if isinstance(seed, tuple) else [seed]
    rng = np.random.default_rng([*key, 20_261_129])
    frame["seed"] = rng.integers(1, 2**31 - 1, size=n) * 16  # 16 replications apart at least
    if not unc:
        return frame
    u = qmc.LatinHypercube(d=len(unc), seed=np.random.default_rng([*key, 1])).random(n)
    for j, (key, p) in enumerate(unc.items()):
        col = u[:, j]
        if _is_range(p):
            lo, hi = (float(v) for v in p.plausible)  # type: ignore[union-attr]
            if p.kind is int:
                frame[key] = _integers(col, int(lo), int(hi), log=p.scale == "log")
                continue
            if p.scale == "log":
                vals = np.exp(np.log(lo) + col * (np.log(hi) - np.log(lo)))
            else:
                vals = lo + col * (hi - lo)
            frame[key] = vals
        else:
            options = list(p.plausible or ())
            idx = np.minimum((col * len(options)).astype(int), len(options) - 1)
            frame[key] = [options[i] for i in idx]
    return frame


def _integers(u: np.ndarray, lo: int, hi: int, log: bool = False) -> np.ndarray:
    """Integers ``lo..hi`` from uniforms ``u``, every value equally likely (or log-uniform).

    ``floor(lo + u·(hi − lo + 1))``: rounding ``lo + u·(hi − lo)`` instead would draw the two
    endpoints half as often as the values between them. On the log scale the same floor is taken
    of a log-uniform draw on ``[lo, hi + 1)``.
    """
    if log:
        x = np.exp(np.log(lo) + u * (np.log(hi + 1.0) - np.log(lo)))
    else:
        x = lo + u * (hi - lo + 1.0)
    return np.clip(np.floor(x), lo, hi).astype(int)


def world_scenario(
    base: Scenario, world: Mapping[str, Any], settings: Mapping[str, Any] | None = None
) -> Scenario:
    """``base`` with a world's uncertainties (every ``section.name`` column) and ``settings``."""
    values = {k: _plain(v) for k, v in world.items() if "." in str(k)}
    return base.with_overrides({**values, **dict(settings or {})})


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


@dataclass(frozen=True)
class Fact:
    """A stylised fact a plausible world's baseline must reproduce.

    Attributes
    ----------
    name : str
        Short identifier (a column of :func:`judge_worlds`' table).
    text : str
        The fact in words, with its unit.
    low, high : float
        The accepted range (the tolerance is part of it).
    source : str
        Where the range comes from.
    measure : callable
        ``measure(timeseries) -> float`` on the baseline's monthly table.
    """

    name: str
    text: str
    low: float
    high: float
    source: str
    measure: Callable[[pd.DataFrame], float]


def _annual_retention(ts: pd.DataFrame) -> float:
    return float(ts["retention_monthly"].iloc[12:].clip(lower=0).mean() ** 12)


def _cac_months(ts: pd.DataFrame) -> float:
    """CAC in months of revenue per active client (after the first year)."""
    late = ts.iloc[12:]
    cac = sum(late[line].sum() for line in ACQUISITION_LINES) / max(late["acquired"].sum(), 1.0)
    arpu = late["revenue"].sum() / max(late["active"].sum(), 1.0)
    return float(cac / arpu) if arpu > 0 else float("inf")


def _retention_rise(ts: pd.DataFrame) -> float:
    """Annual retention in the last year minus in the first year (a difference of shares: 0.01 is
    one percentage point)."""
    first = ts["retention_monthly"].iloc[:12].mean() ** 12
    last = ts["retention_monthly"].iloc[-12:].mean() ** 12
    return float(last - first)


def _top_fifth(ts: pd.DataFrame) -> float:
    return float(ts["top20_revenue_share"].iloc[-12:].mean())


def _referral_share(ts: pd.DataFrame) -> float:
    late = ts.iloc[12:]
    return float(late["acquired_referral"].sum() / max(late["acquired"].sum(), 1.0))


def _nps(ts: pd.DataFrame) -> float:
    return float(ts["nps"].iloc[12:].mean())


def _operating_margin(ts: pd.DataFrame) -> float:
    """Profit over revenue after the first year: every cost the model books (cost of goods,
    service, front-line staff, marketing, fixes, discounts, R&D, and the general overhead a
    world draws, ``economics.overhead_share``), so an operating margin before the depreciation
    and tax it does not book; ``-inf`` without revenue."""
    late = ts.iloc[12:]
    revenue = late["revenue"].sum()
    return float(late["profit"].sum() / revenue) if revenue > 0 else float("-inf")


#: The operating margin a plausible firm has (each claim report judges its readings again under
#: narrower ranges of it: ``experiments.analysis.fact_ranges.TIGHTER_BOUNDS``).
OPERATING_MARGIN = Fact(
    "operating_margin",
    "operating margin after year 1: profit over revenue, before the costs the model does "
    "not book (share)",
    -0.10,
    0.45,
    "US industries' aggregate after-tax operating margins run from about 0 (regional banks "
    "-0.15%) to over 20% (pharmaceuticals 20.8%, diversified 21.9%) in Damodaran's January "
    "2024 table (mgnroc.xls); pre-tax operating margins reach 24% (broadcasting) in his "
    "January 2014 table (margin.xls); EBIT over sales has quartiles of about 4%, 8% and 13% "
    "over some 340 industries (StrategyStreet benchmarks, undated; practitioner). The model "
    "books a general overhead only as drawn (economics.overhead_share, 0-20% of the initial "
    "base's revenue), no depreciation or tax and only front-line staff, so its margin runs "
    "above an EBIT margin. Tolerance "
    "-10% to 45% (assumption: a firm losing a tenth of its revenue for four years is rare; "
    "each report shows its verdicts at 0-45% and -10-30% too)",
    _operating_margin,
)

#: The stylised facts, none of them a claim's estimand.
FACTS: tuple[Fact, ...] = (
    Fact(
        "annual_retention",
        "annual retention of the client base, after year 1 (share)",
        0.60,
        0.95,
        "0.63-0.95 in cohort data (Fader & Hardie 2007, J. Interactive Marketing 21(1)); "
        "0.70-0.95 over five firms (Gupta, Lehmann & Stuart 2004, J. Marketing Research 41(1)); "
        "'customers defecting at 10 to 30 percent per year' (Reichheld 1996, The Loyalty Effect); "
        "the industry presets' targets 0.74-0.93 (model/presets/industries/targets.toml)",
        _annual_retention,
    ),
    Fact(
        "cac_months",
        "acquisition cost in months of revenue per active client",
        0.5,
        24.0,
        "the nine industries' CAC targets over their monthly spend (targets.toml: 1.6-20 months); "
        "assumption: tolerance to 0.5-24",
        _cac_months,
    ),
    Fact(
        "retention_rise",
        "annual retention in the last year minus the first (a difference of shares: 0.01 is one "
        "percentage point)",
        -0.02,
        1.0,
        "aggregate retention rises as the base ages, through heterogeneity (Fader & Hardie 2010, "
        "Marketing Science 29(1)); 0.63 to 0.92 and 0.87 to 0.95 over a cohort's years (Fader & "
        "Hardie 2007); tolerance 2 points of sampling noise (assumption)",
        _retention_rise,
    ),
    Fact(
        "top_fifth_revenue",
        "revenue share of the top fifth of paying clients (share)",
        0.45,
        0.85,
        "67% on average over 339 firms, 59% with subscriptions, 68% without (McCarthy & Winer "
        "2019, Marketing Letters 30(2)); 73% for packaged-goods brands (Kim, Singh & Winer 2017, "
        "Marketing Letters 28(4)); tolerance to 45-85% (assumption)",
        _top_fifth,
    ),
    Fact(
        "referral_share",
        "share of acquisitions credited to a referral (share)",
        0.02,
        0.65,
        "assumption, wide: no study gives the share of acquisitions by referral across "
        "industries; word of mouth is the main factor in 20-50% of purchase decisions (Bughin, "
        "Doogan & Vetvik 2010, McKinsey Quarterly; practitioner)",
        _referral_share,
    ),
    Fact(
        "nps",
        "net promoter score of active clients (points, -100..100)",
        -40.0,
        80.0,
        "leaders score 50-80 and the average firm 5-10 (Reichheld 2003, HBR 81(12)); industry "
        "averages run from about -5 to +50 (Satmetrix benchmarks; practitioner); tolerance to "
        "-40..80 (assumption)",
        _nps,
    ),
    OPERATING_MARGIN,
)


def fact_values(ts: pd.DataFrame, facts: Sequence[Fact] = FACTS) -> dict[str, float]:
    """Each fact's value on one baseline's monthly table."""
    return {f.name: f.measure(ts) for f in facts}


def judge_worlds(values: pd.DataFrame, facts: Sequence[Fact] = FACTS) -> pd.DataFrame:
    """Add ``ok_<fact>`` columns and ``plausible`` (every fact in its range) to a table of values.

    ``values`` has one row per world and one column per fact (as :func:`fact_values` gives);
    a missing or non-finite value fails its fact.
    """
    out = values.copy()
    ok = pd.Series(True, index=out.index)
    for f in facts:
        v = pd.to_numeric(out[f.name], errors="coerce")
        passed = v.between(f.low, f.high) & np.isfinite(v)
        out[f"ok_{f.name}"] = passed
        ok &= passed
    out["plausible"] = ok
    return out


def rejections(judged: pd.DataFrame, facts: Sequence[Fact] = FACTS) -> pd.DataFrame:
    """Per fact: its range, the share of worlds it rejects, and the share it alone rejects."""
    rows = []
    oks = {f.name: judged[f"ok_{f.name}"].to_numpy(bool) for f in facts}
    for f in facts:
        others = np.ones(len(judged), bool)
        for name, ok in oks.items():
            if name != f.name:
                others &= ok
        rows.append(
            {
                "fact": f.name,
                "range": f"{f.low:g} to {f.high:g}",
                "rejects": float((~oks[f.name]).mean()) if len(judged) else 0.0,
                "rejects alone": float((~oks[f.name] & others).mean()) if len(judged) else 0.0,
                "source": f.source,
            }
        )
    return pd.DataFrame(rows).sort_values("rejects", ascending=False, ignore_index=True)
