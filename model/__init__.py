"""Retention Lab: an agent-based simulation of the economics of keeping clients.

The Python API in three lines::

    from model import Scenario, RetentionModel
    m = RetentionModel(Scenario.from_toml("scenarios/baseline.toml")).run()
    m.timeseries()  # one row per month
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from model.model import RetentionModel
from model.params import Scenario, ScenarioError

try:
    __version__ = version("retention-lab")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"

__all__ = ["RetentionModel", "Scenario", "ScenarioError", "__version__"]
