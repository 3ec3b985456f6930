"""Where a claim holds: PRIM boxes and a CART check over the uncertainties, and what decides it.

* :func:`prim_box` — the Patient Rule Induction Method (Friedman & Fisher 1999) through EMA
  Workbench (``ema_workbench.analysis.prim``; Kwakkel 2017): peel the space of uncertainties toward
  the worlds where a condition is true (the reading holds, or it fails). The worlds are split in
  two halves at random: the box is *found* on one half and *measured* on the other, so its
  coverage and density are out of sample. The box chosen, by a rule declared here before any
  data, is the densest box on the first half's peeling trajectory that restricts at most
  :data:`MAX_DIMS` uncertainties, covers at least :data:`MIN_COVERAGE` of the worlds where the
  condition is true, and closes at least :data:`MIN_LIFT` of the gap between the base rate and
  certainty (density ≥ base + MIN_LIFT·(1 − base), a lift that stays possible when the base rate
  is high). It is *confirmed* when, on the second half, it still meets the lift rule and the
  condition is more frequent inside than outside it (one-sided Fisher exact test at
  :data:`ALPHA` / 2: two boxes, where it holds and where it fails, are tested per reading).
  The halves are drawn within each outcome, so both hold the same share of it. A world's outcome
  is its measured status, and noise that differs across the space (a region of noisier worlds
  near an edge) moves more of them across it there: so, given each world's effect and noise,
  the lift rule must also hold for the noise-corrected shares
  (:meth:`experiments.verdicts.holds.Measured.holds` inside the box and over the held-out half).
  Each limit of a box is tested on the held-out half too (:attr:`Box.limit_checks`): among
  the worlds the box's other limits keep, is the condition more frequent inside this limit than
  outside it? A large p says only that those held-out worlds do not confirm the limit — often
  they are few (each test gives its counts) — and the tests are reported, not corrected for
  their number: a reader's aid, not a rule.
* :func:`cart_check` — a classification tree (Breiman et al. 1984; scikit-learn) of depth ≤
  :data:`MAX_DIMS` grown on the first half and scored on the second: if it predicts no better than
  always guessing the commoner outcome, the uncertainties do not say where the claim holds.
* :func:`experiments.analysis.pawn.sensitivity` — PAWN (Pianosi & Wagener 2015, SALib ``SALib.analyze.pawn``) on the
  given sample: the median Kolmogorov–Smirnov distance between the effect's distribution and its
  distribution conditional on slices of each uncertainty. A column of pure noise is ranked with
  them: its index is the noise floor, and an uncertainty below it decides nothing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from experiments.verdicts.holds import Measured

__all__ = [
    "ALPHA",
    "MAX_DIMS",
    "MIN_CASES",
    "MIN_COVERAGE",
    "MIN_LIFT",
    "Box",
    "Cart",
    "LimitCheck",
    "cart_check",
    "encode",
    "halves",
    "lift_rule",
    "limit_tests",
    "limit_text",
    "prim_box",
]

#: The reported box covers at least this share of the worlds where the reading holds.
MIN_COVERAGE = 0.5
#: Most uncertainties a reported box may restrict (a box of twenty limits describes the sample,
#: not a condition; Bryant & Lempert 2010 ask for few, interpretable restrictions).
MAX_DIMS = 3
#: A reported box closes at least this share of the gap between the base rate and certainty.
MIN_LIFT = 0.15
#: Significance of the out-of-sample check of a box (one-sided Fisher exact test).
ALPHA = 0.05
#: Fewest worlds on each side (holding, not holding) for PRIM to look for a box.
MIN_CASES = 10


@dataclass(frozen=True)
class Box:
    """A PRIM box, found on one half of the worlds and measured on the other.

    Attributes
    ----------
    limits : dict
        Restricted uncertainty → (low, high) for numbers or the kept alternatives.
    coverage : float
        Share of the held-out worlds where the condition is true that lie in the box.
    density : float
        Share of the held-out worlds in the box where the condition is true.
    mass : float
        Share of the held-out worlds in the box.
    base : float
        Share of the held-out worlds where the condition is true (the density of no box).
    p_value : float
        One-sided Fisher exact test on the held-out half: the condition more frequent inside
        (confirmed below ``ALPHA / 2``).
    train_density : float
        The box's density on the half it was found on.
    corrected_density, corrected_base : float or None
        The density and the base rate on the held-out half with each world's noise taken out
        (:meth:`experiments.verdicts.holds.Measured.holds`' P(holds), or 1 − it for where it fails); None
        when the worlds' effects and noise were not given or no held-out world is in the box.
    limit_checks : dict of str to LimitCheck
        Restricted uncertainty → the test of that limit on the held-out half, over the worlds
        the box's *other* limits keep (:func:`limit_tests`). A one-limit box's p equals
        :attr:`p_value`. Not a confirmation rule: it says which limits the held-out worlds
        confirm.
    """

    limits: dict[str, tuple]
    coverage: float
    density: float
    mass: float
    base: float = float("nan")
    p_value: float = float("nan")
    train_density: float = float("nan")
    corrected_density: float | None = None
    corrected_base: float | None = None
    limit_checks: dict[str, LimitCheck] = field(default_factory=dict)

    @property
    def lifts(self) -> bool:
        """The held-out density closes :data:`MIN_LIFT` of the gap from the base rate to
        certainty, measured and (where known) noise-corrected."""
        ok = lift_rule(self.density, self.base)
        if self.corrected_density is not None and self.corrected_base is not None:
            ok = ok and lift_rule(self.corrected_density, self.corrected_base)
        return bool(ok)

    @property
    def confirmed(self) -> bool:
        """The held-out half confirms the box: the lift rule holds there (:attr:`lifts`) and
        p < ALPHA / 2."""
        return bool(self.lifts and self.p_value < ALPHA / 2)

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of ``x`` (raw uncertainty values) lie in the box."""
        inside = np.ones(len(x), bool)
        for key, lim in self.limits.items():
            v = x[key]
            if _numeric_limits(lim):
                inside &= (v.astype(float) >= lim[0]).to_numpy() & (v.astype(float) <= lim[1])
            else:
                inside &= v.astype(str).isin([str(c) for c in lim]).to_numpy()
        return inside

    def text(self) -> str:
        """The box in words: ``a ≥ 0.6 and b ≤ 0.5`` (``everywhere`` when nothing is restricted)."""
        parts = [limit_text(key, lim) for key, lim in self.limits.items()]
        return " and ".join(parts) if parts else "everywhere"

    def limits_text(self) -> str:
        """Each limit with its held-out check: ``a ≥ 0.6: 40 of 52 inside vs 10 of 60 outside,
        p = 0.0021; …`` (``—`` where it could not be tested)."""
        parts = []
        for key, lim in self.limits.items():
            check = self.limit_checks.get(key)
            parts.append(f"{limit_text(key, lim)}: {'—' if check is None else check.text()}")
        return "; ".join(parts)


@dataclass(frozen=True)
class LimitCheck:
    """One limit of a box tested on held-out worlds, among those the box's other limits keep.

    Attributes
    ----------
    inside, inside_true : int
        Those worlds inside the limit, and of them where the condition is true.
    outside, outside_true : int
        Those outside it, and of them where it is true.
    p : float
        One-sided Fisher exact test: the condition more frequent inside (NaN where no world lies
        on one side).
    """

    inside: int
    inside_true: int
    outside: int
    outside_true: int
    p: float

    def text(self) -> str:
        """``40 of 52 inside vs 10 of 60 outside, p = 0.0021`` (``p —`` untested)."""
        p = "—" if np.isnan(self.p) else f"{self.p:.2g}"
        return (
            f"{self.inside_true} of {self.inside} inside vs {self.outside_true} of "
            f"{self.outside} outside, p = {p}"
        )


def limit_text(key: str, lim: tuple) -> str:
    """One limit in words: ``a ≥ 0.6``, ``0.2 ≤ a ≤ 0.6``, ``a in {x, y}``."""
    if _numeric_limits(lim):
        lo, hi = lim
        if np.isfinite(lo) and np.isfinite(hi):
            return f"{lo:.3g} ≤ {key} ≤ {hi:.3g}"
        if np.isfinite(lo):
            return f"{key} ≥ {lo:.3g}"
        return f"{key} ≤ {hi:.3g}"
    return f"{key} in {{{', '.join(map(str, lim))}}}"


def lift_rule(density: float, base: float) -> bool:
    """The lift rule: ``density`` closes :data:`MIN_LIFT` of the gap from ``base`` to 1."""
    return density >= base + MIN_LIFT * (1.0 - base)


def _numeric_limits(lim: tuple) -> bool:
    return len(lim) == 2 and all(isinstance(v, float) for v in lim)


@dataclass(frozen=True)
class Cart:
    """A depth-limited classification tree's out-of-sample accuracy against guessing.

    Attributes
    ----------
    accuracy : float
        Share of the held-out worlds the tree classifies right.
    majority : float
        Share right by always guessing the first half's commoner outcome.
    first_split : str
        The root's rule (``uncertainty ≤ value``), or ``""`` for a tree that never splits.
    """

    accuracy: float
    majority: float
    first_split: str

    @property
    def informative(self) -> bool:
        """The tree beats guessing on the held-out half."""
        return self.accuracy > self.majority


def halves(outcome: np.ndarray, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Split the rows into a finding half and a held-out half within each outcome (by ``seed``).

    Each half holds (to one row) the same number of rows of each outcome, so a half never lacks
    the cases the whole has.
    """
    outcome = np.asarray(outcome, bool)
    rng = np.random.default_rng([seed, 2])
    first, second = [], []
    for value in (True, False):
        rows = rng.permutation(np.flatnonzero(outcome == value))
        first.append(rows[: len(rows) // 2])
        second.append(rows[len(rows) // 2 :])
    return np.sort(np.concatenate(first)), np.sort(np.concatenate(second))


def encode(x: pd.DataFrame) -> pd.DataFrame:
    """Numbers as floats, anything else (alternatives, flags) as a categorical."""
    out = pd.DataFrame(index=x.index)
    for col in x.columns:
        v = x[col]
        if pd.api.types.is_bool_dtype(v) or not pd.api.types.is_numeric_dtype(v):
            out[col] = pd.Categorical(v.astype(str))
        else:
            out[col] = v.astype(float)
    return out


def prim_box(
    x: pd.DataFrame,
    holds: np.ndarray,
    min_coverage: float = MIN_COVERAGE,
    max_dims: int = MAX_DIMS,
    seed: int = 1,
    measured: Measured | None = None,
    failing: bool = False,
) -> Box | None:
    """The PRIM box where ``holds`` is true, found on one half and measured on the other.

    None when there are too few worlds on either side (:data:`MIN_CASES` in each half) or no box on
    the finding half meets the rule; a box that the held-out half does not confirm is returned
    (its :attr:`Box.confirmed` is False) so the report can say so.

    ``measured``: each world's effect and noise, indexed by the worlds of ``x.index``, whose
    P(holds) — or, ``failing``, 1 − P(holds): ``holds`` then marks where the reading fails —
    gives the box's noise-corrected density and base rate on the held-out half.
    """
    holds = np.asarray(holds, bool)
    train, test = halves(holds, seed)
    for part in (train, test):
        if min(int(holds[part].sum()), int((~holds[part]).sum())) < MIN_CASES:
            return None  # too few worlds on one side for a box to mean anything
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        xe = encode(x).reset_index(drop=True)
        box = prim.Prim(xe.iloc[train].reset_index(drop=True), holds[train]).find_box()
    if box is None:
        return None
    tr = box.peeling_trajectory
    base = float(tr["density"].iloc[0])
    ok = tr[(tr["coverage"] >= min_coverage) & (tr["res_dim"] <= max_dims)]
    if not len(ok) or float(ok["density"].max()) < base + MIN_LIFT * (1.0 - base):
        return None  # no small box is clearly denser than the whole space: no condition
    i = int(ok.sort_values(["density", "coverage"]).index[-1])
    first, lims = box.box_lims[0], box.box_lims[i]
    limits: dict[str, tuple] = {}
    for col in xe.columns:
        lo, hi = lims.loc[0, col], lims.loc[1, col]
        if isinstance(lo, set):
            if lo != first.loc[0, col]:
                limits[col] = tuple(sorted(lo))
            continue
        a, b = float(first.loc[0, col]), float(first.loc[1, col])
        lo_r, hi_r = float(lo) > a, float(hi) < b
        if lo_r or hi_r:
            limits[col] = (float(lo) if lo_r else -np.inf, float(hi) if hi_r else np.inf)
    found = Box(limits, 0.0, 0.0, 0.0)
    held_x = x.reset_index(drop=True).iloc[test]
    inside = found.contains(held_x)
    y = holds[test]
    p_value = _fisher_greater(y, inside, ~inside)
    checks = limit_tests(limits, held_x, y)
    corrected = (None, None)
    if measured is not None and inside.any():
        held = x.index[test]
        if not held.isin(measured.worlds.index).all():
            raise ValueError("prim_box: x's index must be the worlds that measured is indexed by")

        def share(rows: pd.Index) -> float:
            p = measured.holds(rows).p
            return 1.0 - p if failing else p

        corrected = (share(held[inside]), share(held))
        if not np.isfinite(corrected).all():  # (no world defined there: nothing corrected)
            corrected = (None, None)
    return Box(
        limits,
        coverage=float((y & inside).sum() / max(y.sum(), 1)),
        density=float((y & inside).sum() / inside.sum()) if inside.any() else float("nan"),
        mass=float(inside.mean()),
        base=float(y.mean()),
        p_value=p_value,
        train_density=float(tr.loc[i, "density"]),
        corrected_density=corrected[0],
        corrected_base=corrected[1],
        limit_checks=checks,
    )


def limit_tests(limits: dict[str, tuple], x: pd.DataFrame, y: np.ndarray) -> dict[str, LimitCheck]:
    """Each limit's check over the rows of ``x`` the other limits keep: ``y`` more frequent
    inside the limit than outside it (:attr:`Box.limit_checks`).

    >>> x = pd.DataFrame({"a": [0.1, 0.2, 0.7, 0.8, 0.9], "b": [0.1, 0.9, 0.1, 0.9, 0.1]})
    >>> limit_tests({"a": (0.6, np.inf)}, x, np.array([False, False, True, True, True]))["a"].text()
    '3 of 3 inside vs 0 of 2 outside, p = 0.1'
    """
    y = np.asarray(y, bool)
    inside = Box(limits, 0.0, 0.0, 0.0).contains(x)
    out = {}
    for key in limits:
        among = Box({k: v for k, v in limits.items() if k != key}, 0.0, 0.0, 0.0).contains(x)
        a, b = among & inside, among & ~inside
        p = _fisher_greater(y, a, b) if a.any() and b.any() else float("nan")
        out[key] = LimitCheck(int(a.sum()), int((y & a).sum()), int(b.sum()), int((y & b).sum()), p)
    return out


def _fisher_greater(y: np.ndarray, inside: np.ndarray, outside: np.ndarray) -> float:
    """One-sided Fisher exact test: ``y`` more frequent among the rows ``inside`` than among
    those ``outside``."""
    from scipy.stats import fisher_exact

    table = [
        [int((y & inside).sum()), int((~y & inside).sum())],
        [int((y & outside).sum()), int((~y & outside).sum())],
    ]
    return float(fisher_exact(table, alternative="greater").pvalue)


def cart_check(x: pd.DataFrame, holds: np.ndarray, seed: int = 1) -> Cart | None:
    """A tree of depth ≤ :data:`MAX_DIMS` grown on one half, scored on the other (None: too few)."""
    from sklearn.tree import DecisionTreeClassifier

    holds = np.asarray(holds, bool)
    if min(int(holds.sum()), int((~holds).sum())) < MIN_CASES:
        return None
    train, test = halves(holds, seed)
    xe = encode(x).reset_index(drop=True)
    for col in xe.columns:
        if isinstance(xe[col].dtype, pd.CategoricalDtype):
            xe[col] = xe[col].cat.codes.astype(float)
    leaf = max(MIN_CASES, len(train) // 20)
    tree = DecisionTreeClassifier(max_depth=MAX_DIMS, min_samples_leaf=leaf, random_state=seed)
    tree.fit(xe.iloc[train], holds[train])
    accuracy = float((tree.predict(xe.iloc[test]) == holds[test]).mean())
    guess = bool(holds[train].mean() >= 0.5)
    t = tree.tree_
    split = f"{xe.columns[t.feature[0]]} ≤ {t.threshold[0]:.3g}" if t.node_count > 1 else ""
    return Cart(accuracy, float((holds[test] == guess).mean()), split)
