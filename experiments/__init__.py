"""One experiment per claim of the practitioner articles (docs/ODD.md §1.2), each with a computed verdict.

Every module here declares a :class:`~experiments.framework.Claim` (its readings) and
``measure(baseline, seed)`` giving each reading in one world (:mod:`experiments.study`);
:func:`experiments.evidence.run_claim` judges it and :func:`experiments.report.write_report` writes it.

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
    "retention_profit": "experiments.retention_profit",
    "acquisition_cost": "experiments.acquisition_cost",
    "pareto": "experiments.pareto",
    "word_of_mouth": "experiments.word_of_mouth",
    "empowered_staff": "experiments.empowered_staff",
    "service_levels": "experiments.service_levels",
    "client_centric": "experiments.client_centric",
    "satisfied_employee": "experiments.satisfied_employee",
    "innovation": "experiments.innovation",
    "lost_client": "experiments.lost_client",
}


def load(name: str) -> ModuleType:
    """The experiment module called ``name`` (``ValueError`` naming the choices if unknown)."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    return importlib.import_module(EXPERIMENTS[name])
