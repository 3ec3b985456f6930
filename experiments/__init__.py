"""One experiment per claim of the practitioner articles (docs/ODD.md §1.2), each with a computed verdict.

Every claim module (:mod:`experiments.claims`) declares a
:class:`~experiments.verdicts.claim.Claim` (its readings) and ``measure(baseline, seed)`` giving
each reading in one world (:mod:`experiments.running.study`);
:func:`experiments.analysis.evidence.run_claim` judges it and
:func:`experiments.reporting.report.write_report` writes it.

The package is in layers, each importing only those before it (``tests/test_architecture.py``):
:mod:`~experiments.verdicts` (what a claim says, how a verdict is judged) →
:mod:`~experiments.running` (the worlds' runs and their store) → :mod:`~experiments.claims` and
:mod:`~experiments.analysis` (the evidence) → :mod:`~experiments.reporting` (reports and the
index) → :mod:`experiments.cli` (``retention experiment``).

>>> from experiments import EXPERIMENTS
>>> "service_levels" in EXPERIMENTS
True
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXPERIMENTS", "load"]

#: name -> module, in the order of docs/ODD.md §1.2.
EXPERIMENTS: dict[str, str] = {
    "retention_profit": "experiments.claims.retention_profit",
    "acquisition_cost": "experiments.claims.acquisition_cost",
    "pareto": "experiments.claims.pareto",
    "word_of_mouth": "experiments.claims.word_of_mouth",
    "empowered_staff": "experiments.claims.empowered_staff",
    "service_levels": "experiments.claims.service_levels",
    "client_centric": "experiments.claims.client_centric",
    "satisfied_employee": "experiments.claims.satisfied_employee",
    "innovation": "experiments.claims.innovation",
    "lost_client": "experiments.claims.lost_client",
}


def load(name: str) -> ModuleType:
    """The experiment module called ``name`` (``ValueError`` naming the choices if unknown)."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    return importlib.import_module(EXPERIMENTS[name])
