"""The live browser app: the firm's levers as sliders, the client base as charts and a network.

Built on Mesa's :func:`~mesa.visualization.SolaraViz`. Start it with ``retention app``
(:mod:`model.interfaces.cli.app`); it listens on 127.0.0.1 unless told otherwise and needs no internet: the
front end comes from the ``solara-assets`` package (docs/ODD.md §8). Solara serves this module
(``solara run model.interfaces.app``) and renders :func:`Page` once per browser page.

Every control is generated from the declarations in :mod:`model.scenario` (default, unit, range), so
no default or range is typed twice. Each browser session builds its own model (:func:`Page`), so two
people stepping the app at once never step each other's firm.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from model.interfaces.app.app_model import AppModel, network_sample
from model.interfaces.app.charts import components
from model.interfaces.app.controls import (
    APP_DEFAULTS,
    APP_KEYS,
    app_scenario,
    control,
    model_params,
)

__all__ = [
    "APP_DEFAULTS",
    "APP_KEYS",
    "AppModel",
    "Page",
    "app_scenario",
    "control",
    "model_params",
    "network_sample",
]


@solara.component
def Page():
    """One app per browser session: the model is built here, so sessions never share one."""
    model = solara.use_memo(AppModel, [])
    SolaraViz(
        model,
        components=components(),
        model_params=model_params(),
        name="Retention Lab: one step = one month",
    )
