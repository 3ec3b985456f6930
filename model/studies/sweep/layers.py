"""Which runs each task of a store holds: the batch plan, in layers of replications.

A store starts as one layer: every design point's replicates ``0 … R−1``, point-major, cut every
``batch_size`` runs into tasks ``0 … B−1``. Asked for more replications later, the same store
gets a second layer — replicates ``R … R′−1`` of every point, cut the same way into tasks
``B … B′−1`` — and keeps every run it holds: a run's seed depends on its point and replicate
only (:func:`model.studies.sweep.runner.seed_for`), never on how many replicates there are, and
runs stepped together give the numbers they give alone, so the grown store holds exactly the
runs a new sweep with ``R′`` replications would (``tests/test_sweep_grow.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Layer", "grown", "layers_of", "task_ids", "task_runs"]


@dataclass(frozen=True)
class Layer:
    """Replicates ``first_rep … last_rep − 1`` of every point, as tasks from ``first_batch``.

    Attributes
    ----------
    first_rep, last_rep : int
        The layer's replicates (``last_rep`` excluded).
    points : int
        Design points (every layer has them all).
    batch_size : int
        Runs per task (the last task of the layer may hold fewer).
    first_batch : int
        The number of the layer's first task; its tasks are numbered on from there.
    """

    first_rep: int
    last_rep: int
    points: int
    batch_size: int
    first_batch: int

    @property
    def replications(self) -> int:
        """Replicates per point in this layer."""
        return self.last_rep - self.first_rep

    @property
    def runs(self) -> int:
        """Runs in this layer."""
        return self.points * self.replications

    @property
    def batches(self) -> int:
        """Tasks in this layer."""
        return -(-self.runs // self.batch_size)

    def holds(self, batch: int) -> bool:
        """Whether task ``batch`` is one of this layer's."""
        return self.first_batch <= batch < self.first_batch + self.batches

    def task_runs(self, batch: int) -> int:
        """Runs in task ``batch`` (one of this layer's)."""
        start = (batch - self.first_batch) * self.batch_size
        return min(self.batch_size, self.runs - start)

    def run_at(self, k: int) -> tuple[int, int]:
        """The ``k``-th run of the layer as (point index, replicate): point-major."""
        i, r = divmod(k, self.replications)
        return i, self.first_rep + r


def layers_of(manifest: dict[str, Any]) -> list[Layer]:
    """A store's layers, from its manifest (one, for a store never grown)."""
    stored = manifest.get("layers")
    if stored:
        return [Layer(**layer) for layer in stored]
    # (every store records its points and replications; a manifest with its counts alone,
    # as the checks' tests write, is read as one replicate of ``runs`` points: the same tasks)
    reps = int(manifest.get("replications", 1))
    points = int(manifest.get("points", int(manifest["runs"]) // reps))
    return [Layer(0, reps, points, int(manifest["batch_size"]), 0)]


def task_runs(layers: list[Layer], batch: int) -> int:
    """Runs in task ``batch`` (0 for a number no layer holds)."""
    return next((layer.task_runs(batch) for layer in layers if layer.holds(batch)), 0)


def task_ids(layers: list[Layer], batch: int, points: list[int]) -> list[tuple[int, int]]:
    """The (point, replicate) of each run in task ``batch``, in order (``points``: the design's
    point ids, by design row); empty for a number no layer holds."""
    for layer in layers:
        if layer.holds(batch):
            start = (batch - layer.first_batch) * layer.batch_size
            runs = range(start, start + layer.task_runs(batch))
            return [(points[i], r) for i, r in map(layer.run_at, runs)]
    return []


def grown(manifest: dict[str, Any], replications: int, batch_size: int) -> dict[str, Any]:
    """The manifest of the same store with a layer added up to ``replications``.

    The totals (``runs``, ``batches``, ``replications``) become the grown store's; ``layers``
    lists every layer; ``grown`` records each growth (from, to).
    """
    layers = layers_of(manifest)
    last = layers[-1]
    new = Layer(
        last.last_rep, replications, last.points, batch_size, last.first_batch + last.batches
    )
    layers.append(new)
    return {
        **manifest,
        "replications": replications,
        "runs": sum(layer.runs for layer in layers),
        "batches": new.first_batch + new.batches,
        "layers": [asdict(layer) for layer in layers],
        "grown": [*manifest.get("grown", []), {"from": last.last_rep, "to": replications}],
    }
