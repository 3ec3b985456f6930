"""Retention Lab: an agent-based simulation of the economics of keeping clients.

The package is built in four layers, each importing only from the ones before it:

``model.scenario``
    the parameters, each declared once (one module per section), read and validated;
``model.engine``
    the client and staff state, random streams, the social network, the monthly phases, metrics,
    the Mesa model (:class:`RetentionModel`) and the per-agent reference engine;
``model.studies``
    what is built from many runs: one run (:func:`simulate`), paired comparison, the budget
    optimiser, sweeps, sensitivity, calibration, diffusion and word-of-mouth value;
``model.interfaces``
    the ``retention`` command line, the browser app, figures and HTML reports.

The Python API in three lines::

    from model import Scenario, RetentionModel
    m = RetentionModel(Scenario.preset("baseline")).run()
    m.timeseries()  # one row per month

The names below import from here; the heavier ones (studies, figures) load on first use.
"""

from __future__ import annotations

from model.lazy import lazy_names
from model.version import __version__

#: Names that load their module on first use, so ``import model`` stays light (and the
#: ``retention`` command can handle Ctrl+C from its first moment: its entry point lives here).
_LAZY: dict[str, str] = {
    "RetentionModel": "model.engine.retention_model",
    "Scenario": "model.scenario",
    "ScenarioError": "model.scenario",
    "simulate": "model.studies.run",
    "RunResult": "model.studies.run",
    "compare": "model.studies.compare",
    "optimize": "model.studies.optimize",
    "stage_flow": "model.interfaces.figures",
}

__all__ = ["__version__", *_LAZY]

__getattr__, __dir__ = lazy_names(__name__, _LAZY)
