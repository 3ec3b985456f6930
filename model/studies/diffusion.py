"""Word of mouth docked to the Bass diffusion model (docs/validation.md "Diffusion").

Three curves of the share of the market that has adopted (become a client) after *t* months:

* :func:`bass_curve` — the Bass (1969) closed form, continuous time:
  ``F(t) = (1 − e^(−(p+q)t)) / (1 + (q/p)·e^(−(p+q)t))``.
* :func:`mean_field` — the exact mean-field recursion of the process *as implemented*. In the
  :func:`bass_scenario` (no churn, no service effects, no warnings, immediate conversion, every
  client a promoter, fully mixed) a prospect in month *t + 1* becomes aware by the ad with chance
  ``p`` and, independently, hears at least one of the ``A = F·N`` adopters, each passing a message
  with chance ``q/k̄`` where ``k̄ = N − 1`` (receiver side, :mod:`model.engine.phases.word_of_mouth`);
  aware prospects convert at once and are served (and talk) from the next month. So, with ``F`` the
  share of the ``N``-person market that is active at the start of the month::

      F(t+1) = F + [1 − (1 − p)·(1 − q/(N − 1))^(F·N)]·(1 − F)  ≈  F + [1 − (1 − p)·e^(−qF)]·(1 − F)

  with ``F(0) = 0`` (``market.initial_active_share = 0``), so the first month is ``F(1) = p`` — the
  same recursion, no special case. It differs from the textbook discrete Bass ``p + qF`` by up to
  ~0.05 at ``p = 0.03, q = 0.38`` (per-contact transmission saturates, ads and talk overlap).
* the simulated share: ``active / N`` month by month from :class:`~model.engine.retention_model.RetentionModel`.

:func:`mean_field_variance` gives the Monte-Carlo variance of the simulated share around the
recursion (linear-noise approximation), which the docking tests use for their tolerance.

Make the figure from Python with :func:`bass_figure`, or from a shell with
``python -m model.studies.diffusion --out bass.png``.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import count, first_seed, is_number, shown

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "adoption",
    "bass_curve",
    "bass_figure",
    "bass_scenario",
    "main",
    "mean_field",
    "mean_field_bias",
    "mean_field_variance",
]


def _check_pq(p: float, q: float, months: object = None, n: object = None) -> tuple[Any, Any]:
    """Refuse a p, q, horizon or market size (each checked when given) outside what the closed
    forms are for."""
    # (is_number first: a string or None would fail the comparison with a TypeError)
    if not (is_number(p) and 0.0 < p < 1.0):
        raise ScenarioError(
            f"bass p: value {shown(p)} is not allowed; allowed: 0 < x < 1 (1/month)"
        )
    if not (is_number(q) and 0.0 <= q <= 5.0):
        raise ScenarioError(
            f"bass q: value {shown(q)} is not allowed; allowed: 0 ≤ x ≤ 5 (1/month)"
        )
    # (as ints: a whole float passes the check, and np.zeros(12.0 + 1) would not take it)
    months = None if months is None else count("months", months, low=0)
    n = None if n is None else count("n", n, low=2)
    return months, n


def bass_curve(p: float, q: float, t: np.ndarray | float) -> np.ndarray:
    """The Bass closed form: cumulative share adopted at time ``t`` (months), ``F(0) = 0``.

    Parameters
    ----------
    p : float
        Coefficient of innovation (1/month), ``p > 0``.
    q : float
        Coefficient of imitation (1/month).
    t : array_like
        Time in months.
    """
    _check_pq(p, q)
    t = np.asarray(t, dtype=np.float64)
    if np.any(~(t >= 0)) or np.any(np.isinf(t)):  # (~(t >= 0) also catches NaN)
        raise ScenarioError(
            f"t: value {shown(t.tolist())} is not allowed; allowed: finite months t ≥ 0"
        )
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def _hazard(f: np.ndarray | float, p: float, q: float, n: int | None) -> np.ndarray | float:
    """Monthly chance a prospect becomes aware when a share ``f`` of the market talks."""
    if n is None:
        return 1.0 - (1.0 - p) * np.exp(-q * f)
    per_edge = min(q / max(n - 1, 1), 1.0)
    return 1.0 - (1.0 - p) * np.power(1.0 - per_edge, np.asarray(f) * n)


def mean_field(p: float, q: float, months: int, n: int | None = None) -> np.ndarray:
    """The mean-field recursion of the implemented process, ``F(0..months)``.

    Parameters
    ----------
    p, q : float
        Ad awareness probability and Bass *q* (1/month).
    months : int
        Number of monthly steps.
    n : int, optional
        Market size. Given, the finite-market form ``(1 − q/(N−1))^(F·N)`` is used (exact for the
        process in expectation given ``F``); omitted, its large-``N`` limit ``e^(−qF)``.

    Returns
    -------
    ndarray, shape (months + 1,)
        Share of the market adopted at the end of each month (element 0 is the start, 0).
    """
    months, n = _check_pq(p, q, months, n)
    f = np.zeros(months + 1)
    for t in range(months):
        f[t + 1] = f[t] + _hazard(f[t], p, q, n) * (1.0 - f[t])
    return f


def mean_field_variance(p: float, q: float, months: int, n: int) -> np.ndarray:
    """Monte-Carlo variance of the simulated adopted share around :func:`mean_field`.

    Given the count adopted, the month's new adopters are binomial: ``Bin(N(1 − F), h(F))``. Their
    variance ``N(1 − F)h(1 − h)`` adds to the variance carried over from earlier months, which the
    map ``g(F) = F + h(F)(1 − F)`` stretches by ``g'(F)²`` (linear-noise approximation)::

        V(t+1) = g'(F)²·V(t) + (1 − F)·h·(1 − h) / N

    Early luck is amplified while ``g' > 1`` (the imitation phase), so this exceeds the plain
    binomial ``F(1 − F)/N`` there (up to ~2× in standard error at p = 0.01, q = 0.1).

    Returns
    -------
    ndarray, shape (months + 1,)
        Variance of the share (1/N² of the count variance).
    """
    return _moments(p, q, months, n)[1]


def mean_field_bias(p: float, q: float, months: int, n: int) -> np.ndarray:
    """Second-order (O(1/N)) gap between the simulated mean share and :func:`mean_field`.

    ``h`` is concave in ``F``, so fluctuations lower the mean hazard (Jensen) and the expected
    share lags the recursion: ``b(t+1) = g'(F)·b(t) + ½·g''(F)·V(t)``, with ``V`` from
    :func:`mean_field_variance`. Negative; its size is of order ``q²/N`` per month.
    """
    return _moments(p, q, months, n)[2]


def _moments(p: float, q: float, months: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean-field share, its variance and its second-order bias (see the two functions above)."""
    months, n = _check_pq(p, q, months, n)
    f = mean_field(p, q, months, n)
    v = np.zeros(months + 1)
    b = np.zeros(months + 1)
    per_edge = min(q / max(n - 1, 1), 1.0)
    c = -n * math.log1p(-per_edge) if per_edge < 1 else math.inf  # h' = (1 - h)·c
    for t in range(months):
        h = float(_hazard(f[t], p, q, n))
        dh, d2h = (1.0 - h) * c, -(1.0 - h) * c * c
        g1 = 1.0 - h + (1.0 - f[t]) * dh
        g2 = -2.0 * dh + (1.0 - f[t]) * d2h
        v[t + 1] = g1 * g1 * v[t] + (1.0 - f[t]) * h * (1.0 - h) / n
        b[t + 1] = g1 * b[t] + 0.5 * g2 * v[t]
    return f, v, b


def bass_scenario(
    p: float,
    q: float,
    *,
    clients: int = 10_000,
    months: int = 60,
    base: Scenario | None = None,
    network: str = "full",
) -> Scenario:
    """A scenario whose adoption is a pure Bass process with ad probability ``p`` and WOM ``q``.

    Churn, win-back, service effects and warnings are off; every served client is a promoter;
    an aware prospect converts at once; nobody is a client at the start; everyone hears everyone
    (``network="full"``; pass another kind to compare a sparse network). The ad budget is set so
    that ``ad_p_max·(1 − exp(−ad_budget/ad_scale)) = p`` (``ad_p_max`` raised to 1 when ``p``
    is beyond it).

    Parameters
    ----------
    p, q : float
        Bass coefficients (1/month), ``0 < p < 1``, ``0 ≤ q ≤ 5``.
    clients, months : int
        Market size and horizon.
    base : Scenario, optional
        Scenario to start from (baseline by default); its schedule and shocks are dropped.
    network : str
        ``word_of_mouth.network``.
    """
    _check_pq(p, q)
    base = (base or Scenario()).model_copy(update={"schedule": (), "shocks": ()})
    a = base.attract
    p_max = a.ad_p_max if p < 0.99 * a.ad_p_max else 1.0
    budget = -a.ad_scale * math.log1p(-p / p_max)
    overrides = {
        "run.months": months,
        "market.clients": clients,
        "market.initial_active_share": 0.0,
        "market.competitor_pace": 0.0,
        "levers.ad_budget": budget,
        "levers.winback_spend": 0.0,
        "levers.rd_share": 0.0,
        "levers.loyalty_discount": 0.0,
        "attract.ad_p_max": p_max,
        "attract.conversion_max": 1.0,
        "attract.fit_exponent": 0.0,
        "attract.gap_conversion_effect": 0.0,
        "retain.base_churn": 0.0,
        "retain.gap_effect": 0.0,
        "retain.satisfaction_sensitivity": 0.0,
        "win_back.natural_return": 0.0,
        "win_back.return_max": 0.0,
        "word_of_mouth.enabled": True,
        "word_of_mouth.network": network,
        "word_of_mouth.q_positive": q,
        "word_of_mouth.satisfaction_effect": 0.0,
        "word_of_mouth.q_negative": 0.0,
        "word_of_mouth.negative_conversion_factor": 1.0,
        "word_of_mouth.lapsed_warning_months": 0,
        "satisfaction.promoter_threshold": 0.0,
        "satisfaction.detractor_threshold": 0.0,
    }
    return base.with_overrides(overrides)


def adoption(scenario: Scenario, seed: int | None = None) -> np.ndarray:
    """Simulated share of the market active at the end of each month, with 0 prepended.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional
        Defaults to ``scenario.run.seed``.

    Returns
    -------
    ndarray, shape (months + 1,)
        ``active / N``; element 0 is the start (the initial share).
    """
    from model.engine.keywords import require_scenario
    from model.engine.retention_model import RetentionModel

    scenario = require_scenario(scenario)  # ('x' raised "'str' object has no attribute 'run'")
    # The scenario's seed unless one is given (rng=None would be a fresh seed each call).
    model = RetentionModel(scenario, rng=scenario.run.seed if seed is None else seed).run()
    active = model.results["active"]
    start = scenario.market.initial_active_share if scenario.market.initial_active_share else 0.0
    return np.concatenate([[start], active / scenario.market.clients])


def bass_figure(
    p: float = 0.03,
    q: float = 0.38,
    *,
    clients: int = 10_000,
    months: int = 36,
    seeds: Sequence[int] = (1, 2, 3),
    sparse: str | None = "small_world",
    ax: Axes | None = None,
) -> Figure:
    """Simulated adoption against the mean-field recursion and the Bass curve.

    Parameters
    ----------
    p, q : float
        Bass coefficients (1/month). The defaults are Sultan, Farley & Lehmann's (1990) mean
        coefficients, which are per year, taken here per month as an illustration: a docking
        test needs a curve that rises within the horizon, not a market's own speed.
    clients, months : int
        Market size and horizon.
    seeds : sequence of int
        One simulated curve per seed (fully mixed).
    sparse : str or None
        Also draw one run on this network kind (default degree), to show slower sparse adoption.
    ax : matplotlib Axes, optional
        Draw here; a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if isinstance(seeds, str | bytes) or not isinstance(seeds, Sequence | np.ndarray):
        raise ScenarioError(
            f"seeds: value {shown(seeds)} is not allowed; allowed: a sequence of seeds, e.g. (1,)"
        )
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.2))
    else:
        fig = ax.figure
    t = np.arange(months + 1)
    scenario = bass_scenario(p, q, clients=clients, months=months)
    for i, seed in enumerate(seeds):  # each checked as a seed, named as the caller gave it
        try:
            first_seed(seed, scenario)
        except ScenarioError as exc:
            raise ScenarioError(str(exc).replace("seed:", f"seeds[{i}]:", 1)) from None
    for i, seed in enumerate(seeds):
        ax.plot(
            t,
            adoption(scenario, seed),
            color="tab:blue",
            alpha=0.5,
            lw=1,
            label="simulated, fully mixed" if i == 0 else None,
        )
    if sparse:
        sparse_s = bass_scenario(p, q, clients=clients, months=months, network=sparse)
        label = f"simulated, {sparse} (degree {sparse_s.word_of_mouth.degree:g})"
        ax.plot(
            t, adoption(sparse_s, seeds[0] if seeds else 1), color="tab:green", lw=1, label=label
        )
    ax.plot(t, mean_field(p, q, months, clients), "k--", lw=1.5, label="mean-field recursion")
    textbook = np.zeros(months + 1)  # discrete Bass with hazard p + qF, for contrast
    for m in range(months):
        textbook[m + 1] = textbook[m] + min(p + q * textbook[m], 1.0) * (1.0 - textbook[m])
    ax.plot(t, textbook, ":", color="grey", lw=1.2, label="textbook discrete Bass (p + qF)")
    tt = np.linspace(0, months, 400)
    ax.plot(tt, bass_curve(p, q, tt), color="tab:red", lw=1.5, label="Bass closed form")
    ax.set_xlabel("month")
    ax.set_ylabel("share of market adopted")
    ax.set_title(f"Word of mouth vs Bass (p = {p:g}, q = {q:g}, N = {clients:,})")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m model.studies.diffusion --out FILE.png [--p P --q Q --clients N --months M]``."""
    parser = argparse.ArgumentParser(
        prog="python -m model.studies.diffusion", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", required=True, help="figure file (.png, .pdf, .svg)")
    parser.add_argument(
        "--p",
        type=float,
        default=0.03,
        help="Bass p (1/month), 0 < p < 1; "
        "the default is Sultan et al. 1990's yearly mean, taken per month to illustrate",
    )
    parser.add_argument(
        "--q",
        type=float,
        default=0.38,
        help="Bass q (1/month), 0 ≤ q ≤ 5; as --p, Sultan et al.'s yearly mean taken per month",
    )
    parser.add_argument("--clients", type=int, default=10_000, help="market size, 10..10^6")
    parser.add_argument("--months", type=int, default=36, help="horizon, 1..1200")
    args = parser.parse_args(argv)
    try:
        if not 10 <= args.clients <= 1_000_000:
            raise ScenarioError(
                f"--clients: value {args.clients} is not allowed; allowed: 10 ≤ x ≤ 1000000"
            )
        if not 1 <= args.months <= 1200:
            raise ScenarioError(
                f"--months: value {args.months} is not allowed; allowed: 1 ≤ x ≤ 1200"
            )
        import matplotlib

        matplotlib.use("Agg")
        fig = bass_figure(args.p, args.q, clients=args.clients, months=args.months)
        fig.savefig(args.out, dpi=120)
    except (ScenarioError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
