"""How big a claim study is: the sizes ``retention experiment --size`` offers.

Plain data, apart from the studies, so that the command line lists them (``--help``) without
loading the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from model.scenario.arguments import count

__all__ = ["SIZES", "Size", "study_size"]


@dataclass(frozen=True)
class Size:
    """How big a study is.

    Attributes
    ----------
    wave : int
        Worlds drawn in each wave (a Latin hypercube of its own).
    target : int
        Plausible worlds wanted: waves are drawn until this many are kept.
    max_waves : int
        Most waves drawn, whatever the count kept.
    clients : int
        People in each simulated market (``market.clients``).
    months : int
        Horizon of every run.
    pilot : int
        Worlds (the first plausible ones) that also run a second replication, to measure the
        within-world Monte-Carlo noise.
    max_reps : int
        Replications, at most, of a world whose effect lies near a band edge.
    deep_reps : int
        Replications, at most, of a world near an edge still too noisy to place after
        ``max_reps`` (:mod:`experiments.running.looks`); 0: no such look.
    defaults : int
        Replications of the declared defaults, the value reported beside the verdict.
    batch : int
        Worlds per task.
    scale_clients : int
        People in each larger market of the scale check: the first ``scale_worlds`` plausible
        worlds run again in a market this size, and once more in the study's own, each with a
        baseline of its own (0: no check; :mod:`experiments.analysis.scale_check`).
    scale_worlds : int
        How many plausible worlds the scale check runs again (the first drawn: a random subset).
    pins : tuple of (str, object)
        Uncertainties held at one value, or settings moved to one, in every world (a control
        study, :mod:`experiments.running.pins`):
        applied to every run this size makes and written into its store's manifest; none by
        default. Made with :meth:`pinned`.
    """

    wave: int
    target: int
    max_waves: int
    clients: int
    months: int
    pilot: int
    max_reps: int
    defaults: int
    batch: int
    deep_reps: int = 0
    scale_clients: int = 0
    scale_worlds: int = 0
    pins: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        # A count out of range would fail deep inside a study (a batch of 0: "range() arg 3
        # must not be zero") or run nothing silently: say which, here.
        for name, low in _LEAST.items():  # (a ScenarioError: a ValueError; kept as the int)
            object.__setattr__(self, name, count(f"Size.{name}", getattr(self, name), low))

    def settings(self) -> dict[str, Any]:
        """The run settings every arm shares (the pinned values among them)."""
        return {"market.clients": self.clients, "run.months": self.months, **dict(self.pins)}

    def pinned(self, pins: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Size:
        """This size with ``pins`` held in every world (checked: :func:`experiments.running.pins.
        check_pins`), and no scale check: the drawn study's answers the size question, and a
        control study asks another."""
        from experiments.running.pins import check_pins

        checked = check_pins(pins)
        if not checked:
            raise ValueError("pins: none given; allowed: at least one KEY=VALUE")
        return replace(self, pins=checked, scale_clients=0, scale_worlds=0)

    def wanting(self, worlds: int) -> Size:
        """This size with at least ``worlds`` plausible worlds wanted (``retention experiment
        --worlds``): waves of the size's are drawn until that many are kept, with enough waves
        allowed for one drawn world in a hundred to be kept (the default size keeps about one in
        thirty, 566 of 16,000; the quick size's small short markets about one in eighty)."""
        if worlds < 1:
            raise ValueError(f"worlds: value {worlds} is not allowed; allowed: an integer ≥ 1")
        waves = -(-100 * worlds // self.wave)
        return replace(self, target=worlds, max_waves=max(self.max_waves, waves))

    def without_pins(self) -> Size:
        """The drawn study a pinned size is compared with: the same size with nothing pinned,
        whose manifest is the drawn study's. Not the inverse of :meth:`pinned`: the scale check
        stays off (it plays no part in the comparison, nor in a manifest)."""
        return replace(self, pins=())

    def scaled(self) -> Size:
        """This size with the scale check's market (``clients = scale_clients``): its runs'
        settings and its store's manifest."""
        return replace(self, clients=self.scale_clients, scale_clients=0, scale_worlds=0)

    def manifest(self, seed: int) -> dict[str, Any]:
        """What a stored stage must share with this study to be resumed by it.

        The market, horizon, wave size, seed and pins decide every stored run; the counts (target,
        waves, replications) only decide how many there are, so a study can be extended.
        """
        out = {"clients": self.clients, "months": self.months, "wave": self.wave, "seed": seed}
        if self.pins:  # (a drawn study's manifest as before: its stored runs stay valid)
            out["pins"] = [[k, v] for k, v in self.pins]
        return out


#: Each count's least allowed value (:class:`Size` checks them when made).
_LEAST = {
    "wave": 1, "target": 0, "max_waves": 1, "clients": 10, "months": 1, "pilot": 0,
    "max_reps": 1, "defaults": 1, "batch": 1, "deep_reps": 0, "scale_clients": 0,
    "scale_worlds": 0,
}  # fmt: skip

SIZES: dict[str, Size] = {
    "quick": Size(
        wave=160,
        target=0,
        max_waves=1,
        clients=300,
        months=24,
        pilot=4,
        max_reps=2,
        defaults=2,
        batch=10,
        deep_reps=4,
        scale_clients=1200,
        scale_worlds=8,
    ),
    "default": Size(
        wave=2000,
        target=500,
        max_waves=8,
        clients=800,
        months=60,
        pilot=32,
        max_reps=4,
        defaults=4,
        batch=12,
        deep_reps=12,
        scale_clients=8000,
        scale_worlds=200,
    ),
}


def study_size(
    name: str, pins: Iterable[tuple[str, Any]] = (), worlds: int | None = None,
    deep_reps: int | None = None,
) -> Size:  # fmt: skip
    """The size a study asks for: :data:`SIZES`' ``name``, with ``pins`` held
    (:meth:`Size.pinned`), ``deep_reps`` replications at most near an edge and ``worlds``
    plausible worlds wanted (:meth:`Size.wanting`), each where given (``retention experiment
    --pin``, ``--deep-reps``, ``--worlds``)."""
    size = SIZES[name].pinned(pins) if pins else SIZES[name]
    if deep_reps is not None:
        size = replace(size, deep_reps=deep_reps)
    return size if worlds is None else size.wanting(worlds)
